/**
 * Metrics: folds over the trace that measure what happened — the machinery, and the metrics every
 * run has (production, fault coverage). Features bring their own from their `metrics/` folders.
 */
export * from './metric.ts';
export * from './latency.ts';
export * from './produce.ts';
export * from './coverage.ts';
export * from './id-set.ts';

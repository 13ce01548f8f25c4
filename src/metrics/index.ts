/**
 * Metrics: folds over the trace that measure what happened.
 */
export * from './metric.ts';
export * from './latency.ts';
export * from './produce.ts';

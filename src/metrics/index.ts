/**
 * Metrics: folds over the trace that measure what happened.
 */
export * from './metric.ts';
export * from './latency.ts';
export * from './produce.ts';
export * from './log.ts';
export * from './coverage.ts';
export * from './recovery.ts';
export * from './checkpoint-cost.ts';
export * from './pipeline-output.ts';
export * from './forward.ts';
export * from './federated.ts';
export * from './alerts.ts';

/**
 * Metrics: folds over the trace that measure what happened.
 */
export * from './metric.ts';
export * from './latency.ts';
export * from './produce.ts';
export * from '../features/log/metrics/log.ts';
export * from './coverage.ts';
export * from '../features/checkpoint/metrics/recovery.ts';
export * from '../features/checkpoint/metrics/checkpoint-cost.ts';
export * from '../features/pipeline/metrics/pipeline-output.ts';
export * from '../features/forward/metrics/forward.ts';
export * from '../features/federated/metrics/federated.ts';
export * from '../features/alerts/metrics/alerts.ts';

/**
 * Forwarding between tiers of the event fabric (instrument → edge → facility/HPC → cloud): the
 * forwarder actor with its edge buffer, its log-source and idempotent-sink halves, and
 * connectivity windows. Guarantees and failure modes are in forwarder.ts.
 */
export * from './config.ts';
export * from './window.ts';
export { EdgeBuffer, type BufferedEvent, type OfferResult } from './edge-buffer.ts';
export { Forwarder, FORWARD_COVERAGE_PATHS } from './forwarder.ts';
export { IdempotentSink, splitPlan, type Plan, type LaneState, type SinkConfig, type SinkEvents, type SinkOptions } from './sink.ts';
export { Marks } from './marks.ts';
export { LogSource, type LogSourceConfig, type SourceEvent } from './log-source.ts';

/**
 * Application pipelines: stateful operators, their kinds, the streams between them, and how a
 * pipeline is planned and spawned under a checkpoint strategy.
 */
export * from './event.ts';

export * from './logic.ts';
export * from './kinds.ts';
export * from './service-time.ts';
export { OperatorActor, type OperatorSpec } from './operator.ts';
export type { GeneratorSpec } from './instrument.ts';
export { FLINK_BUFFERS_PER_CHANNEL, FLINK_FLOATING_BUFFERS_PER_GATE, FLINK_FLOW_CONTROL, FLINK_SEGMENT_BYTES, type FlowControl } from './stream/flow-control.ts';
export * from './pipeline.ts';
export * from './topology.ts';
export type { InstanceRoutes, InputRoute, OutputRoute, OperatorTransport, Resume, TransportSink } from './stream/transport.ts';

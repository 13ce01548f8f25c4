/**
 * Application pipelines: stateful operators, their kinds, the streams between them, and how a
 * pipeline is planned and spawned under a checkpoint strategy.
 */
export * from './event.ts';
export * from './logic.ts';
export * from './kinds.ts';
export * from './service-time.ts';
export { OperatorActor, type GeneratorSpec, type OperatorSpec } from './operator.ts';
export * from './pipeline.ts';
export type { InstanceRoutes, InputRoute, OutputRoute, OperatorTransport, Resume, TransportSink } from './stream/transport.ts';

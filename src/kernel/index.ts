/**
 * The deterministic kernel, for the layers that run it (world/, faults/, exec/, scenario/): the
 * actor contract, the streaming trace with its hash, and the simulator with its parallel role.
 * Actor code imports `kernel/contract/` only; nothing here is part of the package's public API
 * except what src/index.ts re-exports.
 */
export * from './contract/index.ts';
export * from './trace.ts';
export { TraceHasher } from './trace-hash.ts';
export { ActorRows, NODE, ROW, SITE } from './actor-rows.ts';
export { EventQueue } from './event-queue.ts';
export { Simulator, type PendingEvent, type RunOptions } from './simulator.ts';
export { ActorHandle, WORLD, type Placement } from './actor-handle.ts';
export type { DropCause, Environment } from './environment.ts';
export type { PartitionRole, RecordTag, RemoteMessage } from './partition.ts';

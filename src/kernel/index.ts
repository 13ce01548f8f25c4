/**
 * The deterministic kernel: virtual time, the event queue, actors and their context, seeded random
 * streams, and the streaming trace with its hash. Everything above builds on these names.
 */
export * from './time.ts';
export * from './actor.ts';
export * from './rng.ts';
export * from './trace.ts';
export * from './input-error.ts';
export { EventQueue } from './event-queue.ts';
export { Simulator, SimulationError, ActorHandle, WORLD } from './simulator.ts';
export type { DropCause, Environment, Placement, RunOptions } from './simulator.ts';
export type { PartitionRole, RecordTag, RemoteMessage } from './partition.ts';

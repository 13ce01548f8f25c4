/**
 * Emulation: the same actors in worker threads and real (scaled) time, with real crashes and real
 * files (see emulation.ts). The simulated counterparts live beside it: kernel/simulator.ts for the
 * context, world/disk.ts for the disk, world/network.ts for the network (which the router reuses).
 */
export { Emulation, emulate, type CrashReport, type EmulateOptions, type EmulationEvent, type EmulationProgress, type EmulationResult, type LocalActors } from './emulation.ts';
export { emulationFaultNotes, type EmulationFaultNotes } from './scenario-faults.ts';
export type { NodeStats } from './protocol.ts';

/**
 * The actor contract: everything actor code may import from the kernel, and nothing else.
 *
 * An actor sees its `Context` (time, timers, randomness, messages, its `Disk`, trace records and
 * the record shapes it declares for the frequent ones),
 * the time units, the `Rng` type, one hash helper and `assert`. The two errors every layer shares
 * live here too, since every layer may import the contract: `SimulationError` (what a broken
 * assert or any exception in a handler becomes) and `InputError` (bad user input, which a feature's
 * scenario part throws and the CLI prints without a stack). The simulator, its event queue,
 * actor handles and the parallel partition role stay behind this line, so the same actor runs in
 * the simulator, across worker threads and in emulation without telling them apart; the
 * import-graph rules hold feature actors to this module (DESIGN.md, "Layout").
 *
 * Guarantee: this module and its parts import nothing of the kernel outside `contract/`.
 */
export type { Actor, ActorFactory, ActorRef, Context, Message, SendOptions } from './actor.ts';
export type { TimerId, Wakeup } from './wakeup.ts';
export type { Disconnect } from './disconnect.ts';
export { isTornRecord, RAM_DISK_DIR, type Disk, type TornRecord } from './disk.ts';
export { EventIds, ID_LIMIT, type IdFamily, type IdOperator } from './event-ids.ts';
export { KERNEL_HOT_KINDS, RECORD_KINDS, type EventId, type EventNames, type RecordKind, type TraceRecord } from './record.ts';
export type { Reads } from './reads.ts';
export { recordShape, RecordShape, type ShapeFieldType, type ShapeValues } from './record-shape.ts';
export { formatMicros, HOUR, MINUTE, MS, requestNumbersFrom, SECOND, US, type Micros } from './time.ts';
export { deriveRng, type Rng } from './rng.ts';
export { canonicalJson, digestOf, fnv1a, hex64 } from './hash.ts';
export { assert, InvariantViolation, isInvariantViolation } from './assert.ts';
export { SimulationError } from './simulation-error.ts';
export { cutText, groupedDigits, InputError } from './input-error.ts';

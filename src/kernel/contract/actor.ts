/**
 * What an actor is, and the only door it has to the world: its `Context`.
 *
 * An actor is a message handler with private in-memory state. It gets time, timers, randomness,
 * messaging, storage and trace records only through `ctx`, so the same actor code runs in the
 * simulator, across worker threads and in real-time emulation, and cannot tell which.
 *
 * Crash semantics: a crash drops the actor instance (its memory) and cancels its pending timers and
 * disk completions. A restart builds a fresh instance from the actor's factory and calls `recover`,
 * which may read what the actor made durable through `ctx.disk` before the crash.
 */
import type { Disconnect } from './disconnect.ts';
import type { Disk } from './disk.ts';
import type { RecordKind } from './record.ts';
import type { RecordShape } from './record-shape.ts';
import type { Rng } from './rng.ts';
import type { Micros } from './time.ts';
import type { TimerId, Wakeup } from './wakeup.ts';

/** A message: plain structured-cloneable data with a `type` naming it (no classes, no functions). */
export interface Message {
  readonly type: string;
}

/**
 * A resolved reference to an actor: what `World.spawn` and `ctx.actor(id)` return, and what
 * `ctx.send` takes besides an id. Sending through a ref is sending to its `id` — the same records,
 * the same delivery to whichever incarnation is up when the message arrives, the same drop when
 * none is — only without looking the id up at every send.
 *
 * A ref is plain data to everything but its own world's kernel: cloned (into another thread of a
 * parallel run, into a snapshot) or built by hand, it is `{ id }`, and sends through it look the id
 * up, as a send by name does. So it may travel in messages and actor state like an id.
 */
export interface ActorRef {
  readonly id: string;
}

export interface SendOptions {
  /** Size on the wire in bytes; a link takes bytes / bandwidth to transmit it. Default 64. */
  bytes?: number;
}

export interface Context {
  /** This actor's id. */
  readonly self: string;
  readonly node: string;
  readonly site: string;
  /** Simulated (or emulated) now, in µs. */
  now(): Micros;
  /**
   * This node's own clock, in µs: `now()` plus the node's clock offset (non-zero only during a
   * `clock-skew` fault; may then be negative early in a run). Use it wherever a real system would
   * read its local wall clock (leases, timestamps); use `now()` for timers, which are relative.
   */
  localTime(): Micros;
  /**
   * This node's CPU slowdown factor: 1 normally, more than 1 during a `slow-node` fault (a grey
   * failure). An actor that models processing time multiplies its service delays by it; the
   * kernel itself charges no CPU time, so an actor that models none is not slowed.
   */
  cpuSlowdown(): number;
  /** Sends to the actor named `to`, or to the actor a ref names (the same, without a lookup). */
  send<M extends Message>(to: string | ActorRef, message: M, options?: SendOptions): void;
  /**
   * A ref to the actor named `id`, for sends in a loop or to many peers: resolve once, send often.
   * The actor need not exist yet: then sends through the ref look it up, and drop as a send by
   * name would while there is none.
   */
  actor(id: string): ActorRef;
  /** Fires `onTimer(ctx, { name, data })` after `delay` µs, unless cancelled or the actor crashes. */
  setTimer(delay: Micros, name: string, data?: unknown): TimerId;
  cancelTimer(id: TimerId): void;
  /** This actor's random stream for one purpose; it continues across restarts. */
  rng(purpose: string): Rng;
  readonly disk: Disk;
  /** Writes a trace record at this actor. Field names `t`, `k`, `a`, `n` are reserved. */
  record(kind: RecordKind, fields?: Record<string, unknown>): void;
  /**
   * Writes the record `record(shape.kind, fields)` would, its fields' values by position in the
   * order `shape` declares them (record-shape.ts): for a kind written often, hashed without a
   * fields object. Same record, same line, same hash.
   */
  recordShaped<V extends readonly unknown[]>(shape: RecordShape<V>, values: V): void;
}

export interface Actor<M extends Message = Message> {
  /** Called once when the actor first starts. */
  start?(ctx: Context): void;
  /** Called on a fresh instance after a restart; defaults to `start`. */
  recover?(ctx: Context): void;
  onMessage?(ctx: Context, message: M, from: string): void;
  onTimer?(ctx: Context, wakeup: Wakeup): void;
  /**
   * A peer's process died under a connection to it, and its host said so (disconnect.ts: when this
   * comes, when it never does). Optional: an actor without it relies on its own timeouts.
   */
  onDisconnect?(ctx: Context, disconnect: Disconnect): void;
  /**
   * The actor's state as its protocol would show it (a broker: its partitions' log end, high
   * watermark, ISR, epoch), as plain data — for the lab's inspector. Optional, read-only: it must
   * change nothing, and nothing that runs may depend on it being called.
   */
  inspect?(): unknown;
}

/** Builds a fresh instance of an actor: at the start, and again at every restart. */
export type ActorFactory = () => Actor<any>;

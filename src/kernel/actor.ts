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
import type { Micros } from './time.ts';
import type { Rng } from './rng.ts';
import type { RecordKind } from './trace.ts';

/** A message: plain structured-cloneable data with a `type` naming it (no classes, no functions). */
export interface Message {
  readonly type: string;
}

/** A timer or I/O completion as an actor receives it. */
export interface Wakeup {
  readonly name: string;
  readonly data?: unknown;
}

export type TimerId = number;

export interface SendOptions {
  /** Size on the wire in bytes; a link takes bytes / bandwidth to transmit it. Default 64. */
  bytes?: number;
}

/**
 * An actor's durable storage: named files of records on its node's disk.
 *
 * Writes land in the page cache at once (reads see them) and become durable when an `fsync` issued
 * after them completes. A process crash keeps the page cache; a node crash or power loss drops
 * every write not yet made durable. `fsync` occupies the node's disk for its latency plus the dirty
 * bytes over the disk's bandwidth, and then fires `done` as a wakeup.
 */
export interface Disk {
  /**
   * Replaces the file with one record. Returns false, changing nothing, when the disk refused the
   * write because it is full (a `disk-full` fault); true otherwise.
   */
  put(file: string, value: unknown, bytes: number): boolean;
  /** Appends one record to the file. Returns false, changing nothing, when the disk is full. */
  append(file: string, record: unknown, bytes: number): boolean;
  /** Keeps the first `length` records of the file. */
  truncate(file: string, length: number): void;
  delete(file: string): void;
  /** The file's records (page-cache view), or undefined if it does not exist. Do not mutate. */
  read(file: string): readonly unknown[] | undefined;
  /** The file's last record, or undefined. */
  get(file: string): unknown;
  /** This actor's file names, sorted. */
  files(): string[];
  /** Makes every write issued so far durable; `done` fires when it is. */
  fsync(done?: Wakeup): void;
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
  send<M extends Message>(to: string, message: M, options?: SendOptions): void;
  /** Fires `onTimer(ctx, { name, data })` after `delay` µs, unless cancelled or the actor crashes. */
  setTimer(delay: Micros, name: string, data?: unknown): TimerId;
  cancelTimer(id: TimerId): void;
  /** This actor's random stream for one purpose; it continues across restarts. */
  rng(purpose: string): Rng;
  readonly disk: Disk;
  /** Writes a trace record at this actor. Field names `t`, `k`, `a`, `n` are reserved. */
  record(kind: RecordKind, fields?: Record<string, unknown>): void;
}

export interface Actor<M extends Message = Message> {
  /** Called once when the actor first starts. */
  start?(ctx: Context): void;
  /** Called on a fresh instance after a restart; defaults to `start`. */
  recover?(ctx: Context): void;
  onMessage?(ctx: Context, message: M, from: string): void;
  onTimer?(ctx: Context, wakeup: Wakeup): void;
}

/** Builds a fresh instance of an actor: at the start, and again at every restart. */
export type ActorFactory = () => Actor<any>;

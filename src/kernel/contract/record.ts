/**
 * What a trace record is: the contract between actors (which write them through `ctx.record`),
 * checkers, metrics and timelines (which read them). See DESIGN.md, "Trace records".
 *
 * Every record has `t` (µs), `k` (kind), `a` (the actor, or `world`, it happened at) and `n` (that
 * actor's own record counter), so `(a, n)` names a record; kinds are few and general, protocol detail
 * goes in fields.
 */
import type { Micros } from './time.ts';

/** Every record kind, in one list (a metric that reads many kinds names them from it). */
export const RECORD_KINDS = [
  'meta',
  'send',
  'recv',
  'drop',
  'timer',
  'crash',
  'restart',
  'fault',
  'disk',
  'log',
  'client',
  'ckpt',
  'state',
  /** A peer's host reported its process dead to this actor (disconnect.ts). */
  'conn',
] as const;

export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * The kinds the kernel writes itself, one or two per event, with fixed fields (`send`: to, msg,
 * bytes; `recv`: from, msg, s; `timer`: name) — never a protocol's own field such as `cover`.
 */
export const KERNEL_HOT_KINDS: readonly RecordKind[] = ['send', 'recv', 'timer'];

export interface TraceRecord {
  t: Micros;
  k: RecordKind;
  a: string;
  n: number;
  [field: string]: unknown;
}


/**
 * An event's id as records carry it (`events` lists, a `state` record's `event`): text, or — a
 * pipeline's events — a small integer that the trace file shows as its name (`EventNames`).
 */
export type EventId = string | number;

/**
 * How a run's numeric event ids read as text: the trace writer renders them into the file's lines
 * (kernel/trace.ts, `nameEvents`), and a reader of the file parses them back before hashing.
 */
export interface EventNames {
  /** The id's readable name. */
  name(id: number): string;
  /** The id a name spells, or undefined when it is no numeric id's name (a text id). */
  id(text: string): number | undefined;
}

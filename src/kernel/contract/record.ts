/**
 * What a trace record is: the contract between actors (which write them through `ctx.record`),
 * checkers, metrics and timelines (which read them). See DESIGN.md, "Trace records".
 *
 * Every record has `t` (µs), `k` (kind), `a` (the actor, or `world`, it happened at) and `n` (that
 * actor's own record counter), so `(a, n)` names a record; kinds are few and general, protocol detail
 * goes in fields.
 */
import type { Micros } from './time.ts';

export type RecordKind =
  | 'meta'
  | 'send'
  | 'recv'
  | 'drop'
  | 'timer'
  | 'crash'
  | 'restart'
  | 'fault'
  | 'disk'
  | 'log'
  | 'client'
  | 'ckpt'
  | 'state'
  /** A peer's host reported its process dead to this actor (disconnect.ts). */
  | 'conn';

export interface TraceRecord {
  t: Micros;
  k: RecordKind;
  a: string;
  n: number;
  [field: string]: unknown;
}


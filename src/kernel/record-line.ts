/**
 * Canonical trace lines for the hot record kinds (`send`, `recv`, `timer`), written by hand.
 *
 * Every event writes at least one of these; when the trace goes to a file (or to a listener that
 * takes lines), these functions build the same line as `JSON.stringify` from a template instead of
 * walking the object. (The trace hash does not need lines: trace-hash.ts digests the fields.)
 *
 * Guarantee: each returns exactly `JSON.stringify(record)` for the record the simulator builds
 * (keys in the same order, the same bytes), so a file does not depend on which path wrote a
 * record. Strings are escaped by `JSON.stringify` itself (quotes, backslashes, control characters,
 * lone surrogates); numbers go through `String`, which is what JSON uses for every finite number.
 *
 * How it breaks: a field of an unexpected type (a non-finite number would print as `Infinity`
 * where JSON writes `null`; an undefined string would print where JSON omits the key). The
 * functions check the types they rely on and fall back to `JSON.stringify` for anything else;
 * test/kernel/record-line.test.ts compares them with `JSON.stringify` on generated records.
 */
import type { TraceRecord } from './contract/record.ts';

export interface SendRecord extends TraceRecord {
  k: 'send';
  to: string;
  msg: string;
  bytes: number;
}

export interface RecvRecord extends TraceRecord {
  k: 'recv';
  from: string;
  msg: string;
  s: number;
}

export interface TimerRecord extends TraceRecord {
  k: 'timer';
  name: string;
}

/** `JSON.stringify` of any record: the line of every kind without a hand-written one. */
export function genericLine(record: object): string {
  return JSON.stringify(record);
}

/**
 * Actor ids, message types and timer names are few and repeat on every event, so their quoted
 * forms are kept rather than escaped again. The cache stops growing at QUOTED_MAX strings (a run
 * naming timers after counters must not grow memory with its length); later strings are escaped
 * each time.
 */
const QUOTED_MAX = 4096;
const quoted = new Map<string, string>();

function quote(value: string): string {
  let json = quoted.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    if (quoted.size < QUOTED_MAX) quoted.set(value, json);
  }
  return json;
}

/** A finite number as JSON writes it; `t` and `n` need no check (the kernel asserts both). */
function isJsonNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function sendLine(record: SendRecord): string {
  const { to, msg, bytes } = record;
  if (typeof to !== 'string' || typeof msg !== 'string' || !isJsonNumber(bytes)) return JSON.stringify(record);
  return `{"t":${record.t},"k":"send","a":${quote(record.a)},"n":${record.n},"to":${quote(to)},"msg":${quote(msg)},"bytes":${bytes}}`;
}

export function recvLine(record: RecvRecord): string {
  const { from, msg, s } = record;
  if (typeof from !== 'string' || typeof msg !== 'string' || !isJsonNumber(s)) return JSON.stringify(record);
  return `{"t":${record.t},"k":"recv","a":${quote(record.a)},"n":${record.n},"from":${quote(from)},"msg":${quote(msg)},"s":${s}}`;
}

export function timerLine(record: TimerRecord): string {
  const { name } = record;
  if (typeof name !== 'string') return JSON.stringify(record);
  return `{"t":${record.t},"k":"timer","a":${quote(record.a)},"n":${record.n},"name":${quote(name)}}`;
}

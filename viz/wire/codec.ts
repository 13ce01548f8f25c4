/**
 * Unpacks a run's payload (already gunzipped) into typed columns, and rebuilds any record's fields
 * on demand — the page never materialises the trace as objects.
 *
 * Guarantee: `recordFields(run, i)` returns exactly the fields the trace had for row `i` (field
 * order aside). Rows are in trace order, which is time order.
 *
 * How it fails: a payload of another wire version, or with columns of the wrong length, throws
 * with a message saying so.
 */
import { RECORD_COLUMNS, SERIES_COLUMNS, WIRE_VERSION, readColumn, unzigzag, type PayloadHeader, type Shape } from './wire.ts';

export interface Series {
  /** Times (µs), sorted. */
  t: Float64Array;
  /** The value at each time: a number of events, or a latency in µs. */
  v: Float64Array;
}

export interface RunData {
  header: PayloadHeader;
  length: number;
  t: Float64Array;
  /** Kind, as an index into `header.strings`. */
  k: Int32Array;
  /** Actor index into `header.actors`. */
  a: Int32Array;
  n: Float64Array;
  /** Peer actor index or -1; `peerFrom` says whether the field was `from` (else `to`). */
  peer: Int32Array;
  peerFrom: Uint8Array;
  /** `msg` and `op` as string indexes, or -1. */
  msg: Int32Array;
  op: Int32Array;
  /** Row of the matching send, or -1. */
  link: Int32Array;
  /** Extras shape index or -1; the shape's values start at `valueStart[i]` in `values`. */
  shape: Int32Array;
  valueStart: Int32Array;
  /** Extras values: numbers for integer fields, string indexes for string and JSON fields. */
  values: Float64Array;
  acks: Series;
  errors: Series;
  latency: Series;
}

export function decodePayload(payload: Uint8Array): RunData {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(payload.subarray(4, 4 + headerLength))) as PayloadHeader;
  if (header.wire !== WIRE_VERSION) throw new Error(`timeline payload: wire version ${header.wire}, this page reads ${WIRE_VERSION}`);
  const columns = new Map<string, Uint8Array>();
  let at = 4 + headerLength;
  [...RECORD_COLUMNS, 'values', ...SERIES_COLUMNS].forEach((name, i) => {
    const bytes = header.columnBytes[i];
    columns.set(name, payload.subarray(at, at + bytes));
    at += bytes;
  });
  if (at !== payload.length) throw new Error(`timeline payload: ${payload.length - at} bytes after the last column`);
  const column = (name: string, out: Int32Array | Float64Array) => {
    readColumn(columns.get(name)!, out, name);
    return out;
  };
  const length = header.records;
  const ints = (name: string) => column(name, new Int32Array(length)) as Int32Array;
  const t = column('t', new Float64Array(length)) as Float64Array;
  const n = column('n', new Float64Array(length)) as Float64Array;
  const k = ints('k');
  const a = ints('a');
  const peer = ints('peer');
  const msg = ints('msg');
  const op = ints('op');
  const link = ints('link');
  const shape = ints('shape');
  const peerFrom = new Uint8Array(length);
  const valueStart = new Int32Array(length + 1);
  const rows = { t, n, k, a, peer, peerFrom, msg, op, link, shape, valueStart };
  const values = decodeRowsInPlace(rows, 0, length, header.shapes, { time: 0, lastN: new Float64Array(header.actors.length).fill(-1) });
  const extras = column('values', new Float64Array(values)) as Float64Array;
  decodeExtrasInPlace({ ...rows, values: extras }, 0, length, header.shapes);
  const series = (times: string, vals: string, count: number): Series => {
    const st = column(times, new Float64Array(count)) as Float64Array;
    for (let i = 1; i < count; i++) st[i] += st[i - 1];
    return { t: st, v: column(vals, new Float64Array(count)) as Float64Array };
  };
  return {
    header, length, t, k, a, n, peer, peerFrom, msg, op, link, shape, valueStart, values: extras,
    acks: series('ackT', 'ackN', header.seriesLength.ack),
    errors: series('errT', 'errN', header.seriesLength.err),
    latency: series('latT', 'latUs', header.seriesLength.lat),
  };
}

/** A run's record columns as `RunData` holds them (a live run grows its own). */
export type RowColumns = Pick<RunData, 't' | 'n' | 'k' | 'a' | 'peer' | 'peerFrom' | 'msg' | 'op' | 'link' | 'shape' | 'valueStart'>;

/** Where decoding left off: the last row's time and each actor's last `n` (a live run decodes chunk after chunk). */
export interface DecodeCursor {
  time: number;
  lastN: { [actor: number]: number };
}

/**
 * Undoes, in place, the wire encodings of rows `from`…`to` of columns holding them as the encoder
 * wrote them (wire.ts): time deltas, `n` relative to the actor's last, absent-as-zero peers and
 * string indexes, link distances; fills `peerFrom` and `valueStart` (counting on from
 * `valueStart[from]`). Returns the end of the rows' extras values, which `decodeExtrasInPlace`
 * then decodes. The one decoding of a run's rows — a whole payload (`decodePayload`), or a live
 * run's chunks copied into its columns (`LiveRun.append`). In place and with one index: reading
 * and writing the same element lets the JIT check each array's bounds once (a version reading a
 * chunk at j and writing the run at i cost 6–10 % more, cold).
 */
export function decodeRowsInPlace(c: RowColumns, from: number, to: number, shapes: readonly Shape[], cursor: DecodeCursor): number {
  const values = rowsLoop(c.t, c.n, c.a, c.peer, c.peerFrom, c.msg, c.op, c.link, c.shape, c.valueStart, cursor.lastN, shapes, from, to, cursor.time);
  if (to > from) cursor.time = c.t[to - 1];
  return values;
}

/** {@link decodeRowsInPlace}'s loop, over the arrays themselves: as parameters, they cost nothing per row (an object's fields, 5 % cold). */
function rowsLoop(
  t: Float64Array, n: Float64Array, a: Int32Array, peer: Int32Array, peerFrom: Uint8Array, msg: Int32Array, op: Int32Array, link: Int32Array, shape: Int32Array,
  valueStart: Int32Array, lastN: { [actor: number]: number }, shapes: readonly Shape[], from: number, to: number, start: number,
): number {
  let time = start;
  let values = valueStart[from];
  for (let i = from; i < to; i++) {
    time += t[i];
    t[i] = time;
    n[i] = lastN[a[i]] = lastN[a[i]] + 1 + unzigzag(n[i]);
    const p = peer[i];
    peer[i] = p === 0 ? -1 : (p - 1) >> 1;
    peerFrom[i] = p === 0 ? 0 : (p - 1) & 1;
    msg[i] -= 1;
    op[i] -= 1;
    link[i] = link[i] === 0 ? -1 : i - link[i];
    shape[i] -= 1;
    valueStart[i] = values;
    if (shape[i] >= 0) values += shapes[shape[i]].length;
  }
  valueStart[to] = values;
  return values;
}

/** Unzigzags, in place, the integer extras of rows `from`…`to` (whose `shape` and `valueStart` are decoded). */
export function decodeExtrasInPlace(c: Pick<RunData, 'shape' | 'valueStart' | 'values'>, from: number, to: number, shapes: readonly Shape[]): void {
  const { shape, valueStart, values } = c;
  for (let i = from; i < to; i++) {
    if (shape[i] < 0) continue;
    const fields = shapes[shape[i]];
    for (let f = 0; f < fields.length; f++) if (fields[f][1] === 'i') values[valueStart[i] + f] = unzigzag(values[valueStart[i] + f]);
  }
}

/** The value of one extras field of row `i`, or undefined when the row does not have it. */
export function extraField(run: RunData, i: number, name: string): unknown {
  const s = run.shape[i];
  if (s < 0) return undefined;
  const fields = run.header.shapes[s];
  for (let f = 0; f < fields.length; f++) {
    if (fields[f][0] !== name) continue;
    const raw = run.values[run.valueStart[i] + f];
    const type = fields[f][1];
    return type === 'i' ? raw : type === 's' ? run.header.strings[raw] : JSON.parse(run.header.strings[raw]);
  }
  return undefined;
}

/** Every field of row `i`, as the trace wrote it: `t, k, a, n`, the message fields, then the rest. */
export function recordFields(run: RunData, i: number): Record<string, unknown> {
  const { strings, actors } = run.header;
  const fields: Record<string, unknown> = { t: run.t[i], k: strings[run.k[i]], a: actors[run.a[i]].id, n: run.n[i] };
  if (run.peer[i] >= 0) fields[run.peerFrom[i] ? 'from' : 'to'] = actors[run.peer[i]].id;
  if (run.msg[i] >= 0) fields.msg = strings[run.msg[i]];
  if (run.op[i] >= 0) fields.op = strings[run.op[i]];
  if (run.link[i] >= 0) fields.s = run.n[run.link[i]];
  const s = run.shape[i];
  if (s >= 0) for (const [name] of run.header.shapes[s]) fields[name] = extraField(run, i, name);
  return fields;
}

/**
 * The records of a run still going, sent in chunks as they are written (the lab's live timeline),
 * and a run's columns grown by appending them — so that an update costs the new records, not the
 * whole run: no payload re-encoded, no column re-decoded.
 *
 * A chunk holds the column values as the encoder writes them (wire.ts: time deltas, zigzagged `n`
 * differences, link distances, 1-based string indexes), before byte-planing, and the strings and
 * shapes interned since the previous chunk. `LiveRun.append` copies them into the run's columns
 * and undoes the encodings there from where the previous chunk left off (the last time, each
 * actor's last `n`) with `decodePayload`'s own decoding (`decodeRowsInPlace`, `decodeExtrasInPlace`).
 *
 * Guarantee: after appending chunks 1…k, `data` equals `decodePayload` of the payload of the same
 * records, column for column (a test compares them). How it fails: a chunk out of order (its first
 * row is not the next one) throws.
 */
import type { Annotations } from './annotations.ts';
import { decodeExtrasInPlace, decodeRowsInPlace, type DecodeCursor, type RunData } from './codec.ts';
import { RECORD_COLUMNS, WIRE_VERSION, type ActorInfo, type PayloadHeader, type Shape } from './wire.ts';

export interface LiveChunk {
  /** The row this chunk starts at. */
  from: number;
  rows: number;
  meta: Record<string, unknown> | null;
  source: string;
  /** Strings and shapes interned since the previous chunk, to append. */
  strings: string[];
  shapes: Shape[];
  /** Every actor so far (a few hundred at most; the meta header may place earlier ones). */
  actors: ActorInfo[];
  /** Replay spans and verdicts so far (bounded by restores and violations). */
  annotations: Annotations;
  /** Per record column (`RECORD_COLUMNS` order), the values as encoded. */
  columns: Float64Array[];
  /** The extras values of these rows, as encoded. */
  values: Float64Array;
}

type Growable = Float64Array | Int32Array | Uint8Array;

/** A run's columns, grown chunk by chunk; `data` is a fresh view after each append. */
export class LiveRun {
  data: RunData;
  private capacity = 0;
  private valueCapacity = 0;
  private readonly header: PayloadHeader;
  private readonly cursor: DecodeCursor = { time: 0, lastN: [] };
  private cols!: { t: Float64Array; n: Float64Array; k: Int32Array; a: Int32Array; peer: Int32Array; msg: Int32Array; op: Int32Array; link: Int32Array; shape: Int32Array; peerFrom: Uint8Array; valueStart: Int32Array; values: Float64Array };

  constructor(source: string) {
    this.header = { wire: WIRE_VERSION, meta: null, source, records: 0, strings: [], actors: [], shapes: [], columnBytes: [], seriesLength: { ack: 0, err: 0, lat: 0 } };
    this.grow(1024, 1024);
    this.data = this.view(0, 0);
  }

  /** Appends a chunk; returns the first row it added. */
  append(chunk: LiveChunk): number {
    const from = this.header.records;
    if (chunk.from !== from) throw new Error(`live timeline: a chunk from row ${chunk.from} after ${from} rows`);
    const { header } = this;
    header.meta = chunk.meta;
    header.actors = chunk.actors;
    header.annotations = chunk.annotations;
    header.strings.push(...chunk.strings);
    header.shapes.push(...chunk.shapes);
    const lastN = this.cursor.lastN as number[];
    while (lastN.length < header.actors.length) lastN.push(-1);
    const to = from + chunk.rows;
    const valuesFrom = this.cols.valueStart[from];
    this.grow(to, valuesFrom + chunk.values.length);
    const c = this.cols;
    // The chunk's columns as encoded, copied into place and decoded there (decodePayload's decoding).
    RECORD_COLUMNS.forEach((name, i) => c[name].set(chunk.columns[i]!.subarray(0, chunk.rows), from));
    c.values.set(chunk.values, valuesFrom);
    const values = decodeRowsInPlace(c, from, to, header.shapes, this.cursor);
    decodeExtrasInPlace(c, from, to, header.shapes);
    header.records = to;
    this.data = this.view(to, values);
    return from;
  }

  private view(length: number, values: number): RunData {
    const c = this.cols;
    const empty = { t: new Float64Array(0), v: new Float64Array(0) };
    return {
      header: this.header, length,
      t: c.t.subarray(0, length), k: c.k.subarray(0, length), a: c.a.subarray(0, length), n: c.n.subarray(0, length),
      peer: c.peer.subarray(0, length), peerFrom: c.peerFrom.subarray(0, length), msg: c.msg.subarray(0, length), op: c.op.subarray(0, length),
      link: c.link.subarray(0, length), shape: c.shape.subarray(0, length), valueStart: c.valueStart.subarray(0, length + 1), values: c.values.subarray(0, values),
      // The live diagram draws no client panels.
      acks: empty, errors: empty, latency: empty,
    };
  }

  /** Doubles the columns until `rows` rows and `values` extras values fit. */
  private grow(rows: number, values: number): void {
    if (rows + 1 <= this.capacity && values <= this.valueCapacity) return;
    const capacity = Math.max(rows + 1, this.capacity * 2);
    const valueCapacity = Math.max(values, this.valueCapacity * 2, 1024);
    const resize = <T extends Growable>(old: T | undefined, make: (n: number) => T, size: number): T => {
      const next = make(size);
      if (old !== undefined) next.set(old as never);
      return next;
    };
    const old = this.cols as typeof this.cols | undefined;
    this.cols = {
      t: resize(old?.t, (n) => new Float64Array(n), capacity), n: resize(old?.n, (n) => new Float64Array(n), capacity),
      k: resize(old?.k, (n) => new Int32Array(n), capacity), a: resize(old?.a, (n) => new Int32Array(n), capacity),
      peer: resize(old?.peer, (n) => new Int32Array(n), capacity), msg: resize(old?.msg, (n) => new Int32Array(n), capacity),
      op: resize(old?.op, (n) => new Int32Array(n), capacity), link: resize(old?.link, (n) => new Int32Array(n), capacity),
      shape: resize(old?.shape, (n) => new Int32Array(n), capacity), peerFrom: resize(old?.peerFrom, (n) => new Uint8Array(n), capacity),
      valueStart: resize(old?.valueStart, (n) => new Int32Array(n), capacity + 1),
      values: resize(old?.values, (n) => new Float64Array(n), valueCapacity),
    };
    this.capacity = capacity;
    this.valueCapacity = valueCapacity;
  }
}

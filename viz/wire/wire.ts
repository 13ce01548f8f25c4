/**
 * The timeline's wire format: how a trace is packed into the page, shared by the encoder (Node)
 * and the decoder (browser) so that the format is defined once.
 *
 * A run's payload is `[u32 little-endian header length][header JSON][column bytes…]`, gzipped and
 * base64-encoded into the page. Each column holds one unsigned integer per row (or per value, for
 * `values`) in fixed width, byte-planed: a width byte `w` (0–7, the fewest bytes that hold the
 * column's largest value), then `w` planes of one byte per entry, least significant plane first.
 * Planes make decoding a few straight loops (one byte per entry per plane, no branch per value)
 * and compress better under gzip than interleaved bytes, since each plane is nearly constant.
 * Signed quantities (magnitudes below 2^52) are zigzag-encoded; any safe integer survives.
 *
 * How it fails: a column whose length does not match its row count and width throws — a
 * corrupted page says so instead of drawing a wrong picture.
 */
import type { Annotations } from './annotations.ts';
import type { GaugeWire } from './gauges.ts';

/** The `type` of the `<script>` elements that carry the runs' payloads in the page. */
export const RUN_SCRIPT_TYPE = 'application/x-diaspora-run';

/** The `type` of the `<script>` element that carries the decoder Worker's source (`decode-worker.ts`). */
export const DECODER_SCRIPT_TYPE = 'application/x-diaspora-decoder';

/** Bumped whenever the layout of the payload changes. */
export const WIRE_VERSION = 2;

/**
 * Per-record columns, in payload order. `t` is the delta from the previous record's time (records
 * are in time order, so it is never negative);
 * `n` the zigzagged difference from the actor's previous `n` plus one; `k`, `msg`, `op` are string
 * table indexes (`msg`/`op` plus one, 0 = absent); `a` an actor index; `peer` is 0 or
 * `1 + 2·actor + (0 for "to", 1 for "from")`; `link` is 0 or the distance back to the matching
 * `send` row; `shape` is 0 or 1 + an extras-shape index whose values follow in `values`.
 */
export const RECORD_COLUMNS = ['t', 'k', 'a', 'n', 'peer', 'msg', 'op', 'link', 'shape'] as const;

/**
 * Client series derived while encoding, each sorted by time: acknowledged and failed events
 * (time delta, number of events) and produce→ack latencies (time delta, latency µs).
 */
export const SERIES_COLUMNS = ['ackT', 'ackN', 'errT', 'errN', 'latT', 'latUs'] as const;

/**
 * What the series columns count: client acks and errors with produce→ack latency (`clients`), a
 * pipeline's first and duplicate outputs with birth→output latency (`outputs`, for a run whose
 * clients acknowledge nothing), or nothing the panels can draw (`none`).
 */
export type SeriesSource = 'clients' | 'outputs' | 'none';

export type RecordColumn = (typeof RECORD_COLUMNS)[number];
export type SeriesColumn = (typeof SERIES_COLUMNS)[number];

/** The type of one extras field: a safe integer, an interned string, or interned JSON text. */
export type FieldType = 'i' | 's' | 'j';

/** A set of extra fields that records share: names and types in the order they are stored. */
export type Shape = ReadonlyArray<readonly [name: string, type: FieldType]>;

export interface ActorInfo {
  id: string;
  node?: string;
  site?: string;
}

export interface PayloadHeader {
  wire: number;
  /** The trace's `meta` record without `t, k, a, n`, or null when the trace has none. */
  meta: Record<string, unknown> | null;
  /** Where the trace came from, for labels. */
  source: string;
  records: number;
  strings: string[];
  /** Every actor named by a record or by meta, meta's first in its order; `world` included. */
  actors: ActorInfo[];
  shapes: Shape[];
  /** Byte length of each column, in `RECORD_COLUMNS`, then `values`, then `SERIES_COLUMNS` order. */
  columnBytes: number[];
  /** Number of entries in each series (ack, err, lat). */
  seriesLength: { ack: number; err: number; lat: number };
  /** What the series count; absent (meaning `clients`) in payloads written before outputs were drawn. */
  seriesSource?: SeriesSource;
  /** Lag, in-sync replica and buffer gauges for the panels; absent in payloads written before them. */
  gauges?: GaugeWire[];
  /** Replay spans and verdicts; absent in payloads written before they were derived. */
  annotations?: Annotations;
}

export const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
export const unzigzag = (v: number): number => (v % 2 === 0 ? v / 2 : -(v + 1) / 2);

/** Most bytes a column entry may take: 7 bytes hold every safe integer (2^53). */
const MAX_WIDTH = 7;

/** A growable column of non-negative safe integers, written out byte-planed (see above). */
export class ColumnWriter {
  private values = new Float64Array(1024);
  private used = 0;
  private max = 0;

  get length(): number {
    return this.used;
  }

  /** Appends a non-negative safe integer. */
  write(value: number): void {
    if (this.used === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.used++] = value;
    if (value > this.max) this.max = value;
  }

  /** The values written from `from` on, as written (before byte-planing): the lab's live chunks. */
  since(from: number): Float64Array<ArrayBuffer> {
    return this.values.slice(from, this.used);
  }

  finish(): Uint8Array {
    let width = 0;
    while (width < MAX_WIDTH && this.max >= 256 ** width) width++;
    const out = new Uint8Array(1 + width * this.used);
    out[0] = width;
    for (let i = 0; i < this.used; i++) {
      let v = this.values[i];
      for (let p = 0; p < width && v > 0; p++) {
        const byte = v % 256;
        out[1 + p * this.used + i] = byte;
        v = (v - byte) / 256;
      }
    }
    return out;
  }
}

/**
 * Decodes one column of exactly `out.length` entries into `out` — a loop per byte plane, which is
 * what makes loading 10^6 records fast. Throws if the column's size does not match.
 */
export function readColumn(bytes: Uint8Array, out: Int32Array | Float64Array, name: string): void {
  const count = out.length;
  if (bytes.length === 0) throw new Error(`timeline payload: column ${name} is missing`);
  const width = bytes[0];
  if (width > MAX_WIDTH || bytes.length !== 1 + width * count) {
    throw new Error(`timeline payload: column ${name} has ${bytes.length} bytes, expected ${1 + width * count} for ${count} entries of ${width} bytes`);
  }
  if (width === 0) return;
  out.set(bytes.subarray(1, 1 + count));
  // Bit operations are exact below 2^31; wider planes of a Float64 column use arithmetic.
  for (let p = 1; p < width; p++) {
    const plane = bytes.subarray(1 + p * count, 1 + (p + 1) * count);
    if (p < 3) {
      const shift = 8 * p;
      for (let i = 0; i < count; i++) out[i] += plane[i] << shift;
    } else {
      const scale = 256 ** p;
      for (let i = 0; i < count; i++) out[i] += plane[i] * scale;
    }
  }
}

/**
 * The timeline's wire format: how a trace is packed into the page, shared by the encoder (Node)
 * and the decoder (browser) so that the format is defined once.
 *
 * A run's payload is `[u32 little-endian header length][header JSON][column bytes…]`, gzipped and
 * base64-encoded into the page. Each column is a sequence of unsigned LEB128 varints, one per row
 * (or per value, for `values`); signed quantities (magnitudes below 2^52) are zigzag-encoded.
 * Varints use arithmetic, not bit operations, so any safe integer (up to 2^53) survives.
 *
 * How it fails: a column shorter or longer than its row count says throws — a corrupted page says
 * so instead of drawing a wrong picture.
 */
import type { Annotations } from './annotations.ts';
import type { GaugeWire } from './gauges.ts';

/** The `type` of the `<script>` elements that carry the runs' payloads in the page. */
export const RUN_SCRIPT_TYPE = 'application/x-diaspora-run';

/** Bumped whenever the layout of the payload changes. */
export const WIRE_VERSION = 1;

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

/** A growable buffer of varints. */
export class VarintWriter {
  private bytes = new Uint8Array(1024);
  private used = 0;

  get length(): number {
    return this.used;
  }

  /** Appends a non-negative safe integer. */
  write(value: number): void {
    if (this.used + 8 > this.bytes.length) this.grow();
    let v = value;
    while (v >= 128) {
      this.bytes[this.used++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    this.bytes[this.used++] = v;
  }

  finish(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }

  private grow(): void {
    const next = new Uint8Array(this.bytes.length * 2);
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }
}

/**
 * Decodes exactly `out.length` varints from one column into `out` — one tight loop per column,
 * which is what makes loading 10^6 records fast. Throws if the column is shorter or longer.
 */
export function readVarints(bytes: Uint8Array, out: Int32Array | Float64Array, name: string): void {
  const end = bytes.length;
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    if (at >= end) throw new Error(`timeline payload: column ${name} ended early`);
    let byte = bytes[at++];
    if (byte < 128) {
      out[i] = byte;
      continue;
    }
    let value = byte - 128;
    let scale = 128;
    for (;;) {
      if (at >= end) throw new Error(`timeline payload: column ${name} ended early`);
      byte = bytes[at++];
      if (byte < 128) break;
      value += (byte - 128) * scale;
      scale *= 128;
    }
    out[i] = value + byte * scale;
  }
  if (at !== end) throw new Error(`timeline payload: column ${name} has ${end - at} bytes too many`);
}

/**
 * Packs one trace, record by record, into the timeline's compact columnar form (`viz/wire/wire.ts`):
 * interned strings and actors, time deltas, send→receive links resolved to row distances, and the
 * fields the page does not need in columns kept losslessly as typed "extras".
 *
 * Guarantee: decoding the payload gives back every record's fields and values (key order aside),
 * so the page can show any field of any record, including kinds and fields invented later. Memory
 * is the compact form plus one map entry per message sent and not yet received or dropped.
 *
 * How it fails: a record whose `t` or `n` is not a non-negative safe integer, or whose time goes
 * backwards, is an `InputError` naming the line — the page relies on time order for its search.
 */
import { InputError } from '../../kernel/contract/index.ts';
import type { TraceRecord } from '../../kernel/contract/index.ts';
import { RECORD_COLUMNS, ColumnWriter, WIRE_VERSION, zigzag, type ActorInfo, type FieldType, type PayloadHeader, type RecordColumn, type Shape } from '../../../viz/wire/wire.ts';
import { ClientSeries } from './client-series.ts';
import { FlaggedRows } from './flagged-rows.ts';
import { PanelGauges } from './panel-gauges.ts';
import { ReplayTracker } from './replay-spans.ts';
import type { Annotations, RunNumber, TimelineVerdict } from '../../../viz/wire/annotations.ts';
import type { LiveChunk } from '../../../viz/wire/live-chunk.ts';

/** Where the next live chunk starts: counts of rows, strings, shapes and extras values already sent. */
export interface ChunkMark {
  rows: number;
  strings: number;
  shapes: number;
  values: number;
}

/** Room for 2^32 record counters per actor, and 2^20 actors, in one safe-integer map key. */
const ACTOR_KEY = 2 ** 32;
const linkKey = (actor: number, n: number): number | undefined => (n < ACTOR_KEY && actor < 2 ** 20 ? actor * ACTOR_KEY + n : undefined);
const COLUMN_FIELDS = new Set(['t', 'k', 'a', 'n']);
/** Zigzag doubles a magnitude, so only integers below 2^52 stay exact; larger ones go as JSON text. */
const ZIGZAG_SAFE = 2 ** 52;

export class TraceEncoder {
  private readonly columns = new Map<RecordColumn, ColumnWriter>(RECORD_COLUMNS.map((c) => [c, new ColumnWriter()]));
  private readonly values = new ColumnWriter();
  private readonly series = new ClientSeries();
  private readonly gauges = new PanelGauges();
  /** min.insync.replicas per `<controller>|<topic>` (see `min-insync.ts`), set by the caller when known. */
  minInsync: ReadonlyMap<string, number> = new Map();
  private readonly replays = new ReplayTracker();
  private verdictList: TimelineVerdict[] | null = null;
  /** The run's recovery and output metrics (from its summary), set by the caller; null for a bare trace. */
  numbers: RunNumber[] | null = null;
  private flagged = new FlaggedRows(null);
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly actors: ActorInfo[] = [];
  private readonly actorIndex = new Map<string, number>();
  private readonly lastN: number[] = [];
  private readonly shapes: Shape[] = [];
  private readonly shapeIndex = new Map<string, number>();
  /** Rows of sends awaiting their recv or drop, keyed by sender actor and `n`. */
  private readonly pendingSends = new Map<number, number>();
  private meta: Record<string, unknown> | null = null;
  private rows = 0;
  private lastT = 0;

  /**
   * @param source where the trace came from (a path), cited by error messages.
   * @param label how the page names the run; the path by default.
   */
  constructor(
    private readonly source: string,
    private readonly label: string = source,
  ) {}

  /** The run's verdicts (from its summary), set by the caller before the first record; null for a bare trace. */
  get verdicts(): TimelineVerdict[] | null {
    return this.verdictList;
  }

  set verdicts(verdicts: TimelineVerdict[] | null) {
    if (this.rows > 0) throw new Error('TraceEncoder: verdicts must be set before the first record');
    this.verdictList = verdicts;
    this.flagged = new FlaggedRows(verdicts);
  }

  /** Records added so far, the `meta` header included. */
  get records(): number {
    return this.rows + (this.meta === null ? 0 : 1);
  }

  /** The scenario named by the trace's meta header, if any. */
  get scenario(): string | undefined {
    return typeof this.meta?.scenario === 'string' ? this.meta.scenario : undefined;
  }

  add(record: TraceRecord, line: number): void {
    if (this.rows === 0 && this.meta === null && record.k === 'meta') return this.addMeta(record);
    const { t, n } = record;
    if (!Number.isSafeInteger(t) || t < 0) throw new InputError(`${this.source}:${line}: t must be a non-negative integer (µs), got ${t}`);
    if (!Number.isInteger(n) || n < 0 || n >= ZIGZAG_SAFE) throw new InputError(`${this.source}:${line}: n must be a non-negative integer below 2^52, got ${n}`);
    if (t < this.lastT) throw new InputError(`${this.source}:${line}: t=${t} goes back in time (previous record at ${this.lastT}); a timeline needs records in event order`);
    const a = this.actor(record.a);
    const consumed = new Set(COLUMN_FIELDS);
    this.put('t', t - this.lastT);
    this.put('k', this.string(record.k));
    this.put('a', a);
    this.put('n', zigzag(n - (this.lastN[a] + 1)));
    this.lastT = t;
    this.lastN[a] = n;
    const peer = this.peer(record, consumed);
    this.put('msg', this.optionalString(record, 'msg', consumed));
    this.put('op', this.optionalString(record, 'op', consumed));
    this.put('link', this.link(record, a, peer, consumed));
    this.put('shape', this.extras(record, consumed));
    const key = record.k === 'send' ? linkKey(a, n) : undefined;
    if (key !== undefined) this.pendingSends.set(key, this.rows);
    if (record.k === 'client') {
      this.series.add(t, record.op, record.events, record.born);
      this.flagged.add(this.rows, record.op, record.events);
    }
    this.gauges.add(record);
    this.replays.add(record);
    this.rows++;
  }

  /** The gzipped payload (see `viz/wire/wire.ts`), as the page embeds it. */
  async finish(): Promise<Uint8Array> {
    // CompressionStream (Node and browsers alike) keeps this module free of Node's zlib.
    const stream = new Blob([this.payload()]).stream().pipeThrough(new CompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /**
   * The payload before compression: header and columns of the records added so far. It can be
   * taken again after more records (the lab's live timeline); adding goes on as before.
   */
  payload(): Uint8Array<ArrayBuffer> {
    const columns = [...RECORD_COLUMNS.map((c) => this.columns.get(c)!.finish()), this.values.finish(), ...this.series.columns()];
    const header: PayloadHeader = {
      wire: WIRE_VERSION,
      meta: this.meta,
      source: this.label,
      records: this.rows,
      strings: this.strings,
      actors: this.actors,
      shapes: this.shapes,
      columnBytes: columns.map((c) => c.length),
      seriesLength: this.series.length,
      seriesSource: this.series.source,
      gauges: this.gauges.gauges(this.minInsync),
      annotations: this.annotations(),
    };
    const headerBytes = new TextEncoder().encode(JSON.stringify(header));
    const parts = [headerBytes, ...columns];
    const out = new Uint8Array(4 + parts.reduce((n, part) => n + part.length, 0));
    new DataView(out.buffer).setUint32(0, headerBytes.length, true);
    let at = 4;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /**
   * The records added since `mark` as a live chunk (viz/wire/live-chunk.ts) — the column values as
   * written and what was interned since — and the mark to take the next one from. Costs the new
   * records only; the lab's live timeline appends it instead of decoding the whole run again.
   */
  chunk(mark: ChunkMark = { rows: 0, strings: 0, shapes: 0, values: 0 }): { chunk: LiveChunk; mark: ChunkMark } {
    const next: ChunkMark = { rows: this.rows, strings: this.strings.length, shapes: this.shapes.length, values: this.values.length };
    const chunk: LiveChunk = {
      from: mark.rows,
      rows: next.rows - mark.rows,
      meta: this.meta,
      source: this.label,
      strings: this.strings.slice(mark.strings),
      shapes: this.shapes.slice(mark.shapes),
      actors: this.actors.map((actor) => ({ ...actor })),
      annotations: this.annotations(),
      columns: RECORD_COLUMNS.map((c) => this.columns.get(c)!.since(mark.rows)),
      values: this.values.since(mark.values),
    };
    return { chunk, mark: next };
  }

  /** Replay spans, verdicts and flagged rows: bounded by restores and listed violations, not by records. */
  private annotations(): Annotations {
    return { replays: this.replays.spans(), verdicts: this.verdictList, flagged: this.flagged.list(), numbers: this.numbers };
  }

  private addMeta(record: TraceRecord): void {
    const { t: _t, k: _k, a: _a, n: _n, ...fields } = record;
    this.meta = fields;
    const listed = Array.isArray(fields.actors) ? fields.actors : [];
    for (const entry of listed) {
      if (typeof entry !== 'object' || entry === null || typeof (entry as ActorInfo).id !== 'string') continue;
      const { id, node, site } = entry as Record<string, unknown>;
      const index = this.actor(id as string);
      if (typeof node === 'string') this.actors[index].node = node;
      if (typeof site === 'string') this.actors[index].site = site;
    }
  }

  private put(column: RecordColumn, value: number): void {
    this.columns.get(column)!.write(value);
  }

  private string(value: string): number {
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.stringIndex.set(value, index);
    }
    return index;
  }

  private actor(id: string): number {
    let index = this.actorIndex.get(id);
    if (index === undefined) {
      index = this.actors.length;
      this.actors.push({ id });
      this.actorIndex.set(id, index);
      this.lastN.push(-1);
    }
    return index;
  }

  private optionalString(record: TraceRecord, field: string, consumed: Set<string>): number {
    const value = record[field];
    if (typeof value !== 'string') return 0;
    consumed.add(field);
    return 1 + this.string(value);
  }

  /** The other end of a message: `to` at a sender, `from` at a receiver. */
  private peer(record: TraceRecord, consumed: Set<string>): { actor: number; from: boolean } | undefined {
    const from = typeof record.to !== 'string' && typeof record.from === 'string';
    const id = from ? record.from : record.to;
    if (typeof id !== 'string') {
      this.put('peer', 0);
      return undefined;
    }
    consumed.add(from ? 'from' : 'to');
    const actor = this.actor(id);
    this.put('peer', 1 + 2 * actor + (from ? 1 : 0));
    return { actor, from };
  }

  /**
   * Resolves `s` (the `n` of the matching send) to a row distance. The send is at the peer for a
   * recv or a drop on arrival (`from`), and at this actor for a drop at send time (`to`).
   */
  private link(record: TraceRecord, self: number, peer: { actor: number; from: boolean } | undefined, consumed: Set<string>): number {
    const s = record.s;
    if (peer === undefined || !Number.isSafeInteger(s)) return 0;
    const key = linkKey(peer.from ? peer.actor : self, s as number);
    const sendRow = key === undefined ? undefined : this.pendingSends.get(key);
    if (key === undefined || sendRow === undefined) return 0;
    this.pendingSends.delete(key);
    consumed.add('s');
    return this.rows - sendRow;
  }

  private extras(record: TraceRecord, consumed: Set<string>): number {
    let key = '';
    const shape: Array<[string, FieldType]> = [];
    const encoded: number[] = [];
    for (const name in record) {
      if (consumed.has(name)) continue;
      const value = record[name];
      if (value === undefined) continue;
      let type: FieldType;
      if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < ZIGZAG_SAFE && !Object.is(value, -0)) {
        type = 'i';
        encoded.push(zigzag(value));
      } else if (typeof value === 'string') {
        type = 's';
        encoded.push(this.string(value));
      } else {
        type = 'j';
        encoded.push(this.string(JSON.stringify(value)));
      }
      shape.push([name, type]);
      key += `${name}\u0000${type}\u0000`;
    }
    if (shape.length === 0) return 0;
    let index = this.shapeIndex.get(key);
    if (index === undefined) {
      index = this.shapes.length;
      this.shapes.push(shape);
      this.shapeIndex.set(key, index);
    }
    for (const value of encoded) this.values.write(value);
    return 1 + index;
  }
}

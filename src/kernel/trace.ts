/**
 * The trace: a stream of records, one per thing that happened, handed on as it happens — to the
 * trace hash, to listeners (online checkers and metrics) and, when asked, to a file of JSON lines.
 *
 * Every record has `t` (µs), `k` (kind), `a` (the actor, or `world`, it happened at) and `n` (that
 * actor's own record counter), so `(a, n)` names a record and a `recv` can point at its `send`.
 * The first record is a `meta` header naming the format version, the scenario, the seed and the
 * actors with their nodes and sites.
 *
 * The trace hash (format 5, trace-hash.ts) folds a 64-bit digest of every record's JSON value, in
 * order: a record nobody reads is hashed from its fields and never serialised. A line (its
 * `JSON.stringify`, keys `t, k, a, n` first and then the fields in the order the code wrote them)
 * is built only for the file and for listeners that take it, a pipeline's numeric event ids shown
 * there by name (`nameEvents`, event-names.ts). Formats 1 (SHA-256 of the lines), 2
 * (MurmurHash3 of the values), 3 (format 4's lanes over another encoding of the values: every
 * key and string spelled out word by word) and 4 (format 5's hash over event ids as text) wrote the same lines with another hash; they are still
 * read, but their hashes are no longer computed. Nothing keeps the records, so memory stays flat however
 * long the run.
 *
 * Where lines go is a `TraceSink`: a file (trace-file.ts, written to `<path>.tmp` and renamed into
 * place by `close()`, so a run that dies leaves no complete-looking trace behind) or nothing. The
 * writer itself touches no file, so it runs in a browser as it does in Node. Lines go out in
 * chunks of 64 KiB, so the writer holds at most one chunk however long the run.
 *
 * A file ends with an end record (format 3 on), written by `close()` after the last record:
 * `{"k":"end","records":<records before it>,"hash":<the trace hash>}` — not a record of the trace
 * (no `t`, `a` or `n`; not hashed, not counted, not given to listeners), but what tells a whole
 * trace from one cut short at a line break, which a file of lines alone cannot: a run killed
 * mid-way, a truncated copy, a `head` of the file all end without it (kernel/trace-reader.ts).
 */
import type { EventNames, TraceRecord } from './contract/record.ts';
import { namedRecord, numberedRecord } from './event-names.ts';
import { recvLine, sendLine, timerLine, type RecvRecord, type SendRecord, type TimerRecord } from './record-line.ts';
import type { RecordShape } from './contract/record-shape.ts';
import type { Reads } from './contract/reads.ts';
import { TraceHasher } from './trace-hash.ts';
import { TraceReaders, type TraceListener } from './trace-readers.ts';
import type { ActorRows } from './actor-rows.ts';

export type { RecordKind, TraceRecord } from './contract/record.ts';
export type { TraceListener } from './trace-readers.ts';

/**
 * 5: format 4's hash over records whose pipeline event ids are small integers (event-names.ts),
 * which the lines show by name, so a file's lines read as format 4's did. 4: the trace hash is
 * trace-hash.ts's 64-bit record digests folded in order, strings and key lists entering a record
 * as digests of their own (3: the same lanes over every key and string spelled out; 2: MurmurHash3
 * x86-128 of the values; 1: SHA-256 of the lines). The lines are the same JSON in all five.
 */
export const TRACE_FORMAT_VERSION = 5;

/** The `k` of a trace file's end record (format 3 on); see the header comment. */
export const END_KIND = 'end';

/** A trace file's last line: the records before it and the trace's hash. */
export function endLine(records: number, hash: string): string {
  return JSON.stringify({ k: END_KIND, records, hash });
}

/** The hot record kinds as the simulator writes them (one or two per event). */
type HotRecord = SendRecord | RecvRecord | TimerRecord;

const CHUNK_CHARS = 64 * 1024;

/** Where a trace's lines go, in chunks of whole lines; `close` keeps them, `abort` discards them. */
export interface TraceSink {
  write(chunk: string): void;
  close(): void;
  abort(): void;
}

export class TraceWriter {
  private readonly hasher = new TraceHasher();
  /** The listeners and what each reads: one lookup per record says whether anyone reads it and who. */
  private readonly readers = new TraceReaders();
  /** Whether a listener takes lines (then every record is serialised). */
  private linesListened = false;
  // Whether anyone reads each hot kind: if not, a hot record is digested and counted, and no record
  // object is made for it.
  private sendRead = false;
  private recvRead = false;
  private timerRead = false;
  // In a typed array: a time past 2^31 µs written to a field per record would box a new number.
  private readonly last = new Float64Array(1);
  private pending = '';
  private count = 0;
  private digest: string | undefined;
  /** How the lines show numeric event ids (event-names.ts); unset: as numbers. */
  private names: EventNames | undefined;

  /** @param sink where the lines go (`traceFile(path)`); omit to only hash and notify listeners. */
  constructor(private readonly sink?: TraceSink) {
    this.sendRead = this.recvRead = this.timerRead = sink !== undefined;
  }

  get records(): number {
    return this.count;
  }

  /** The time of the last record written, of any kind, read by a listener or not (0 before the first). */
  get lastTime(): number {
    return this.last[0]!;
  }

  /**
   * Hands `listener` every record from now on — or, with `reads` (contract/reads.ts), only the
   * records it declares: its kinds, of those the ops it names, those that carry its field. A record
   * no listener reads and no file takes is digested and counted but never made into a record
   * object or a copy of its fields.
   */
  listen(listener: TraceListener, reads?: Reads): void {
    this.readers.add(listener, reads);
    if (listener.length >= 2) this.linesListened = true;
    this.sendRead = this.reads('send');
    this.recvRead = this.reads('recv');
    this.timerRead = this.reads('timer');
  }

  /**
   * From now on, the lines (the file's, and line listeners') show numeric event ids by `names`,
   * and lines from other threads (`writeSerialized`) are read back through it: the hash and record
   * listeners see the numbers, as written (kernel/event-names.ts).
   */
  nameEvents(names: EventNames): void {
    this.names = names;
  }

  /** `record` as its line shows it: numeric event ids named (`nameEvents`); itself when it has none. */
  named(record: TraceRecord): TraceRecord {
    return this.names === undefined ? record : namedRecord(record, this.names);
  }

  /** Writes any record (its fields in the order they will be serialised). */
  write(record: TraceRecord): void {
    this.open();
    this.hasher.digest(record);
    this.hasher.foldLast();
    this.deliver(record, this.sink !== undefined || this.linesListened ? this.lineOf(record) : '', this.readers.of(record.k, record));
  }

  /**
   * Writes the record `head` (`{t, k, a, n}`) with `fields` copied into it, in their order: as
   * `write` would take the whole record, with one walk over the fields for the copy and the
   * digest — and no copy when nobody reads records of its kind. A field named `t`, `k`, `a` or `n`
   * throws (nothing is written). `actor` is the number `addActor` gave `head.a`.
   */
  writeFields(head: TraceRecord, fields: Record<string, unknown>, actor: number): void {
    this.open();
    const listeners = this.readers.of(head.k, fields);
    const read = this.sink !== undefined || listeners.length > 0;
    this.hasher.digestFields(head, fields, read, actor);
    this.hasher.foldLast();
    if (read) return this.deliver(head, this.sink !== undefined || this.linesListened ? this.lineOf(head) : '', listeners);
    this.last[0] = head.t;
    this.count++;
  }

  /**
   * Writes the record `{t, k: shape.kind, a, n}` with the fields `values`, by position: as `write`
   * would take the whole record, digested without a walk over its fields, and made into an object
   * only when someone reads it (its readers found by its shape and op, trace-readers.ts). `actor`
   * is the number `addActor` gave `a`.
   */
  writeShaped(shape: RecordShape, t: number, a: string, actor: number, n: number, values: readonly unknown[]): void {
    this.open();
    const k = shape.kind;
    if (!this.hasher.digestShaped(shape, t, actor, n, values)) return this.write(shape.recordOf<TraceRecord>({ t, k, a, n }, values));
    this.hasher.foldLast();
    const listeners = this.readers.ofShaped(shape, values);
    if (this.sink === undefined && listeners.length === 0) {
      this.last[0] = t;
      this.count++;
      return;
    }
    const record = shape.recordOf<TraceRecord>({ t, k, a, n }, values);
    this.deliver(record, this.sink !== undefined || this.linesListened ? this.lineOf(record) : '', listeners);
  }

  /**
   * Numbers an actor for the hot records (`writeSend`, `writeRecv`, `writeTimer`), from 0 in the
   * order asked: the simulator numbers its actors by their index (trace-hash.ts keeps each id's digest).
   */
  addActor(id: string): number {
    return this.hasher.addActor(id);
  }

  /** The actors' rows (actor-rows.ts): their ids' digests, read by the hot records, beside their places, which the environment keeps there. */
  get actorRows(): ActorRows {
    return this.hasher.actors;
  }

  /** A `send` record `{t, k: 'send', a, n, to, msg, bytes}`, `a` and `to` actor numbers (`addActor`): as `write` would take it. */
  writeSend(t: number, a: number, n: number, to: number, msg: string, bytes: number): void {
    this.open();
    const h = this.hasher;
    // A field of another type (an actor's bug) takes the generic path, which writes it as JSON does.
    if (typeof msg !== 'string' || !Number.isFinite(bytes)) return this.write({ t, k: 'send', a: h.actorAt(a), n, to: h.actorAt(to), msg, bytes });
    h.foldSend(t, a, n, to, msg, bytes);
    if (this.counted(t, this.sendRead)) this.deliverHot({ t, k: 'send', a: h.actorAt(a), n, to: h.actorAt(to), msg, bytes }, sendLine);
  }

  /** A `recv` record `{t, k: 'recv', a, n, from, msg, s}`, `a` and `from` actor numbers. */
  writeRecv(t: number, a: number, n: number, from: number, msg: string, s: number): void {
    this.open();
    const h = this.hasher;
    if (typeof msg !== 'string' || !Number.isFinite(s)) return this.write({ t, k: 'recv', a: h.actorAt(a), n, from: h.actorAt(from), msg, s });
    h.foldRecv(t, a, n, from, msg, s);
    if (this.counted(t, this.recvRead)) this.deliverHot({ t, k: 'recv', a: h.actorAt(a), n, from: h.actorAt(from), msg, s }, recvLine);
  }

  /** A `timer` record `{t, k: 'timer', a, n, name}`, `a` an actor number. */
  writeTimer(t: number, a: number, n: number, name: string): void {
    this.open();
    const h = this.hasher;
    if (typeof name !== 'string') return this.write({ t, k: 'timer', a: h.actorAt(a), n, name });
    h.foldTimer(t, a, n, name);
    if (this.counted(t, this.timerRead)) this.deliverHot({ t, k: 'timer', a: h.actorAt(a), n, name }, timerLine);
  }

  /**
   * Writes a record another thread serialised and digested (a parallel run's partitions): `line`
   * is its `JSON.stringify`, `d1`, `d2` its digest (trace-hash.ts). It is parsed only for listeners.
   */
  writeSerialized(line: string, d1: number, d2: number): void {
    this.open();
    this.hasher.fold(d1, d2);
    if (this.readers.size === 0) {
      // Its time from the line's head (`{"t":<t>,`), without parsing the rest.
      this.last[0] = Number(line.slice(5, line.indexOf(',')));
      this.count++;
      if (this.sink !== undefined) this.append(line);
      return;
    }
    const parsed = JSON.parse(line) as TraceRecord;
    const record = this.names === undefined ? parsed : numberedRecord(parsed, this.names);
    this.deliver(record, line, this.readers.of(record.k, record));
  }

  /** Ends the file with its end record, flushes, renames it into place and returns the hash (32 hex digits). Idempotent. */
  close(): string {
    if (this.digest === undefined) {
      this.digest = this.hasher.hex();
      if (this.sink !== undefined) {
        this.append(endLine(this.count, this.digest));
        this.flush();
        this.sink.close();
      }
    }
    return this.digest;
  }

  /** Discards a trace that must not look complete (the run failed). */
  abort(): void {
    if (this.digest !== undefined) return;
    this.digest = '';
    this.sink?.abort();
  }

  /**
   * Says whether anyone reads the hot record at `t` just digested and folded (from its fields, by
   * the `TraceHasher`): `read`, its kind's flag. If not, it is counted and done — no record
   * object, no line.
   */
  private counted(t: number, read: boolean): boolean {
    if (read) return true;
    this.last[0] = t;
    this.count++;
    return false;
  }

  /** A hot record someone reads: its hand-written line (record-line.ts) is built only for the file or a line listener. */
  private deliverHot<R extends HotRecord>(record: R, line: (record: R) => string): void {
    this.deliver(record, this.sink !== undefined || this.linesListened ? line(record) : '', this.readers.of(record.k, record));
  }

  /** Whether the file or some listener takes records of kind `kind` (some of them: the hot kinds' readers are then found per record). */
  private reads(kind: string): boolean {
    return this.sink !== undefined || this.readers.readKind(kind);
  }

  /** A record's line: its JSON, numeric event ids named (`nameEvents`). */
  private lineOf(record: TraceRecord): string {
    return JSON.stringify(this.named(record));
  }

  private open(): void {
    if (this.digest !== undefined) throw new Error('trace written after close');
  }

  /** Counts the record, hands it to `listeners` (those of its kind) and to the file; `line` is empty when nobody takes it. */
  private deliver(record: TraceRecord, line: string, listeners: readonly TraceListener[]): void {
    this.last[0] = record.t;
    this.count++;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(record, line);
    if (this.sink !== undefined) this.append(line);
  }

  private append(line: string): void {
    this.pending += line + '\n';
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.sink?.write(this.pending);
    this.pending = '';
  }
}

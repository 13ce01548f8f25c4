/**
 * The trace: a stream of JSON lines, one per thing that happened, written as it happens.
 *
 * Every record has `t` (µs), `k` (kind), `a` (the actor, or `world`, it happened at) and `n` (that
 * actor's own record counter), so `(a, n)` names a record and a `recv` can point at its `send`.
 * The first record is a `meta` header naming the format version, the scenario, the seed and the
 * actors with their nodes and sites.
 *
 * The trace hash is SHA-256 over the canonical bytes of all records (each `JSON.stringify`d with
 * `t, k, a, n` first and then the fields in the order the code wrote them, one `\n` after each; the
 * simulator builds the lines of its hot kinds by hand, to the same bytes, see record-line.ts). It
 * is computed in chunks of ~64 KiB, which gives the same digest as hashing line by line. Nothing
 * keeps the records: they go to the hash, to an optional file and to listeners (online checkers and
 * metrics), so memory stays flat however long the run.
 *
 * A trace file is written to `<path>.tmp` and renamed into place by `close()`, so a run that dies
 * leaves no complete-looking trace behind.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { TraceRecord } from './contract/record.ts';
import { recvLine, sendLine, timerLine, type RecvRecord, type SendRecord, type TimerRecord } from './record-line.ts';

export type { RecordKind, TraceRecord } from './contract/record.ts';

export const TRACE_FORMAT_VERSION = 1;

/** Receives every record in order, with its canonical line (without the newline). */
export type TraceListener = (record: TraceRecord, line: string) => void;

/**
 * The hot record kinds as the simulator writes them (one or two per event): their fields in
 * order, so that the writer builds a record object only for listeners.
 */
type HotRecord = SendRecord | RecvRecord | TimerRecord;

const CHUNK_CHARS = 64 * 1024;

export class TraceWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly listeners: TraceListener[] = [];
  private readonly fd: number | undefined;
  private readonly tmpPath: string | undefined;
  private pending = '';
  private count = 0;
  private digest: string | undefined;

  /** @param path where to write the trace file; omit to only hash and notify listeners. */
  constructor(private readonly path?: string) {
    if (path !== undefined) {
      this.tmpPath = `${path}.tmp`;
      this.fd = openSync(this.tmpPath, 'w');
    }
  }

  get records(): number {
    return this.count;
  }

  listen(listener: TraceListener): void {
    this.listeners.push(listener);
  }

  write(record: TraceRecord): void {
    this.writeLine(record, JSON.stringify(record));
  }

  /**
   * Writes a record whose canonical line the caller built (the simulator's hand-written lines for
   * hot kinds, see record-line.ts): `line` must equal `JSON.stringify(record)`.
   */
  writeLine(record: TraceRecord, line: string): void {
    if (this.digest !== undefined) throw new Error('trace written after close');
    this.count++;
    for (const listener of this.listeners) listener(record, line);
    this.pending += line + '\n';
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  /** A `send` record: `{t, k: 'send', a, n, to, msg, bytes}`, as `write` would write it. */
  writeSend(t: number, a: string, n: number, to: string, msg: string, bytes: number): void {
    if (this.listeners.length > 0) this.writeHot({ t, k: 'send', a, n, to, msg, bytes }, sendLine);
    else this.writeBare(sendLine({ t, k: 'send', a, n, to, msg, bytes }));
  }

  /** A `recv` record: `{t, k: 'recv', a, n, from, msg, s}`. */
  writeRecv(t: number, a: string, n: number, from: string, msg: string, s: number): void {
    if (this.listeners.length > 0) this.writeHot({ t, k: 'recv', a, n, from, msg, s }, recvLine);
    else this.writeBare(recvLine({ t, k: 'recv', a, n, from, msg, s }));
  }

  /** A `timer` record: `{t, k: 'timer', a, n, name}`. */
  writeTimer(t: number, a: string, n: number, name: string): void {
    if (this.listeners.length > 0) this.writeHot({ t, k: 'timer', a, n, name }, timerLine);
    else this.writeBare(timerLine({ t, k: 'timer', a, n, name }));
  }

  private writeHot<R extends HotRecord>(record: R, line: (record: R) => string): void {
    this.writeLine(record, line(record));
  }

  /** A record nobody listens to: only its line matters. */
  private writeBare(line: string): void {
    if (this.digest !== undefined) throw new Error('trace written after close');
    this.count++;
    this.pending += line + '\n';
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  /**
   * Writes a record serialised elsewhere (by a worker thread of a parallel run) exactly as `write`
   * would have: `line` must be the record's `JSON.stringify`. It is parsed only for listeners.
   */
  writeSerialized(line: string): void {
    if (this.digest !== undefined) throw new Error('trace written after close');
    this.count++;
    if (this.listeners.length > 0) {
      const record = JSON.parse(line) as TraceRecord;
      for (const listener of this.listeners) listener(record, line);
    }
    this.pending += line + '\n';
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  /** Flushes, renames the file into place and returns the hex digest. Idempotent. */
  close(): string {
    if (this.digest === undefined) {
      this.flush();
      this.digest = this.hash.digest('hex');
      if (this.fd !== undefined && this.tmpPath !== undefined && this.path !== undefined) {
        closeSync(this.fd);
        renameSync(this.tmpPath, this.path);
      }
    }
    return this.digest;
  }

  /** Discards a trace that must not look complete (the run failed). */
  abort(): void {
    if (this.digest !== undefined) return;
    this.digest = '';
    if (this.fd !== undefined && this.tmpPath !== undefined) {
      closeSync(this.fd);
      rmSync(this.tmpPath, { force: true });
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hash.update(this.pending);
    if (this.fd !== undefined) writeSync(this.fd, this.pending);
    this.pending = '';
  }
}

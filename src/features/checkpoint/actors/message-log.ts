/**
 * Pessimistic receiver-based message logging (Johnson & Zwaenepoel's and Strom & Yemini's cure for
 * Randell's domino effect; Elnozahy et al.'s survey, §4): an operator writes to stable storage every
 * message it receives (its content) and every processing decision (which input, or which source
 * event, it processed next — the "determinant" of a piecewise-deterministic execution), and makes
 * each durable before it can affect anyone: a receipt before the channel acknowledges it (the
 * sender may then forget it), a decision before the outputs of that event leave.
 *
 * This module is the log itself: entries numbered from 0, appended to segment files on the
 * operator's own disk (`message-log.<first entry's number>`), group-committed (appends made while
 * an fsync is in flight share the next one), each append's `then` run once it is durable. The
 * operator decides what to log and replays it (pipeline/actors/operator.ts); the direct channel
 * acknowledges only what is durable (pipeline/actors/stream/direct.ts).
 *
 * What is retained, and why: a restore replays only the entries from its checkpoint's `logSeq` on,
 * so once a checkpoint is stable — durable on a tier that survives whatever the log survives — the
 * entries before its `logSeq` are garbage (Elnozahy et al. §4: the log is garbage-collected at each
 * checkpoint). `trim` then deletes every segment wholly before it and starts a new one, so the log
 * holds about the entries since the checkpoint before last (the segment the latest one falls in,
 * and after). Its live bytes count as checkpoint storage: each fsync and each trim records
 * `stored` (tier `message-log`) with the total, which `checkpoint.storageBytes` adds to the images.
 * Not trimmed: behind a node-local `memory` checkpoint, which a node crash loses while the disk
 * log survives it (the restore then starts from the initial state and needs the whole log).
 *
 * Guarantee (with `message-logging: pessimistic`): a failed operator restores its own latest
 * checkpoint and re-executes, in the logged order, the events it processed after that checkpoint,
 * reaching the state it had and sending the same messages with the same sequence numbers (the
 * receivers drop them as duplicates). No survivor holds a message its restored sender will not
 * send again (no orphan), and nothing acknowledged is lost, so no other operator rolls back: no
 * domino. Cost, measured: one fsync per group of entries in the failure-free run (`logged`
 * records: entries, bytes, fsync time; the operator's latency grows by the fsync it waits for), and
 * the replayed events after a failure (`replay` record).
 *
 * How it breaks: the log is only as stable as its disk — a node crash loses what was not yet
 * fsynced (never anything acknowledged or acted upon), but a node-local checkpoint on the `memory`
 * medium does not survive with it, so that log is never trimmed and a restore from the initial state
 * replays everything (the log then grows with the run). A full disk refuses appends: they are retried every
 * `RETRY_US`, and meanwhile the operator acknowledges nothing new and emits nothing (shown by
 * test/features/checkpoint/message-logging.test.ts, a `disk-full` fault). Nondeterminism
 * the log does not capture (none in the operator kinds here: their state is a function of the
 * events in order) would make the replay diverge.
 */
import type { Context, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, isTornRecord, MS } from '../../../kernel/contract/index.ts';

/** What one log entry says: a message received, an input processed, or a source event produced. */
export type LoggedFact =
  | { readonly kind: 'received'; readonly channel: string; readonly position: number; readonly event: unknown }
  | { readonly kind: 'processed'; readonly channel: string; readonly position: number }
  | { readonly kind: 'generated'; readonly k: number };

/** An entry as stored: its number and its modelled size (kept so a restart can count the live bytes). */
export type LogEntry = LoggedFact & { readonly seq: number; readonly bytes: number };

/** Segment files are named after it and the number of their first entry. */
const PREFIX = 'message-log.';
const SYNCED = 'msglog:synced';
const RETRY = 'msglog:retry';
/** How long a refused append (disk full) waits before it is tried again. */
const RETRY_US: Micros = 100 * MS;
/** Modelled bytes of an entry besides a received event's own bytes (channel, position, sequence). */
export const ENTRY_BYTES = 32;

interface Waiting {
  readonly seq: number;
  readonly then: (ctx: Context) => void;
}

export class MessageLog {
  /** The sequence number the next entry gets. */
  private next = 0;
  /** Entries below it are durable. */
  private durable = 0;
  /** The fsync in flight covers the entries below it (undefined: none in flight). */
  private syncing: number | undefined;
  private syncStartedUs: Micros = 0;
  private unsyncedBytes = 0;
  /** The bytes the fsync in flight makes durable. */
  private syncingBytes = 0;
  private readonly waiting: Waiting[] = [];
  /** Appends the disk refused, tried again in order. */
  private readonly refused: { fact: LoggedFact; bytes: number; then: (ctx: Context) => void }[] = [];
  /** The segments on disk, oldest first, with the bytes of their entries; appends go to the last. */
  private segments: { first: number; bytes: number }[] = [];
  /** Whether the last segment takes appends (false after a trim or restart: the next opens one). */
  private appending = false;

  /** After a (re)start: numbering goes on after the last entry that survived. */
  open(ctx: Context): void {
    this.segments = ctx.disk
      .files()
      .filter((file) => file.startsWith(PREFIX))
      .map((file) => ({ first: Number(file.slice(PREFIX.length)), bytes: this.segment(ctx, file).reduce((sum, entry) => sum + entry.bytes, 0) }))
      .sort((a, b) => a.first - b.first);
    this.appending = false;
    const entries = this.entries(ctx);
    this.next = this.durable = entries.length === 0 ? 0 : entries[entries.length - 1]!.seq + 1;
  }

  /**
   * A checkpoint that resumes at entry `upTo` is stable: the segments wholly before it are deleted
   * and the next append starts a new segment (see the module doc for when this must not be called).
   */
  trim(ctx: Context, upTo: number): void {
    const keepFrom = this.segments.findIndex((segment, i) => (this.segments[i + 1]?.first ?? Infinity) > upTo);
    for (const { first } of this.segments.splice(0, keepFrom)) ctx.disk.delete(PREFIX + first);
    this.appending = false;
    this.recordStored(ctx);
  }

  /** The sequence number the next entry will get: where a checkpoint taken now resumes. */
  get seq(): number {
    return this.next;
  }

  /** A restore from a checkpoint taken at `seq`: new entries are numbered after it whatever was lost. */
  resumeAfter(seq: number): void {
    this.next = Math.max(this.next, seq);
    this.durable = Math.max(this.durable, seq);
  }

  /** Appends one entry; `then` runs once it is durable. */
  append(ctx: Context, fact: LoggedFact, bytes: number, then: (ctx: Context) => void): void {
    const segment = this.appending ? this.segments[this.segments.length - 1]! : { first: this.next, bytes: 0 };
    if (this.refused.length > 0 || !ctx.disk.append(PREFIX + segment.first, { ...fact, seq: this.next, bytes }, bytes)) {
      if (this.refused.length === 0) ctx.setTimer(RETRY_US, RETRY);
      this.refused.push({ fact, bytes, then });
      return;
    }
    if (!this.appending) this.segments.push(segment);
    this.appending = true;
    segment.bytes += bytes;
    this.waiting.push({ seq: this.next++, then });
    this.unsyncedBytes += bytes;
    if (this.syncing === undefined) this.sync(ctx);
  }

  /** The entries numbered `from` on, oldest first (a torn last record is dropped). */
  entriesFrom(ctx: Context, from: number): LogEntry[] {
    return this.entries(ctx).filter((entry) => entry.seq >= from);
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === SYNCED) {
      this.synced(ctx, wakeup.data as number);
      return true;
    }
    if (wakeup.name === RETRY) {
      const refused = this.refused.splice(0);
      for (const { fact, bytes, then } of refused) this.append(ctx, fact, bytes, then);
      return true;
    }
    return false;
  }

  private entries(ctx: Context): LogEntry[] {
    return this.segments.flatMap(({ first }) => this.segment(ctx, PREFIX + first));
  }

  private segment(ctx: Context, file: string): LogEntry[] {
    return ((ctx.disk.read(file) ?? []) as unknown[]).filter((record): record is LogEntry => !isTornRecord(record));
  }

  /** The live log's bytes, as checkpoint storage (metrics/checkpoint-cost.ts). */
  private recordStored(ctx: Context): void {
    ctx.record('ckpt', { op: 'stored', tier: 'message-log', key: 'message-log', totalBytes: this.segments.reduce((sum, segment) => sum + segment.bytes, 0) });
  }

  private sync(ctx: Context): void {
    this.syncing = this.next;
    this.syncingBytes = this.unsyncedBytes;
    this.unsyncedBytes = 0;
    this.syncStartedUs = ctx.now();
    ctx.disk.fsync({ name: SYNCED, data: this.next });
  }

  private synced(ctx: Context, upTo: number): void {
    // A restart numbers on from the surviving entries; an fsync of the previous incarnation is void.
    if (this.syncing !== upTo) return;
    const entries = upTo - this.durable;
    assert(entries >= 0, () => `message log: durable entries only grow, but an fsync up to #${upTo} completed after #${this.durable}`);
    ctx.record('ckpt', { op: 'logged', entries, bytes: this.syncingBytes, us: ctx.now() - this.syncStartedUs });
    this.recordStored(ctx);
    this.durable = upTo;
    this.syncing = undefined;
    // The next group goes to disk before the callbacks run, so what they append joins the group after it.
    if (this.next > this.durable) this.sync(ctx);
    const done = this.waiting.findIndex((w) => w.seq >= upTo);
    for (const { then } of this.waiting.splice(0, done === -1 ? this.waiting.length : done)) then(ctx);
  }
}

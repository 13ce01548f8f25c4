/**
 * The controller's durable metadata journal: an append-only file of state-change records with
 * group-committed fsyncs, compacted into a snapshot now and then (as KRaft's metadata log is).
 *
 * Guarantee: a message sent through `whenDurable` leaves only after every record written before it
 * (and in the same handler, before `commit`) is fsynced, so nothing the controller tells another actor (an election, an ISR change, a producer
 * id, a committed offset) can be forgotten by a crash of the controller's node. When nothing is
 * pending the message leaves at once.
 *
 * Compaction writes the whole state as one `snapshot` record and empties the journal; both changes
 * become durable in the same fsync, so a power loss leaves either the old pair or the new one.
 */
import type { Context, Disk } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';

const JOURNAL_FILE = 'metadata.journal';
const SNAPSHOT_FILE = 'metadata.snapshot';
/** Compact once the journal holds this many records. */
const COMPACT_AFTER = 4096;
const RECORD_BYTES = 128;

export class Journal<R> {
  private length = 0;
  private dirty = false;
  private inFlight: (() => void)[] | null = null;
  private waiting: (() => void)[] = [];

  constructor(private readonly disk: Disk) {
    // A record torn by a power loss (and anything after it) was never durable: drop it.
    const records = disk.read(JOURNAL_FILE) ?? [];
    const torn = records.findIndex((r) => typeof r !== 'object' || r === null || typeof (r as { t?: unknown }).t !== 'string');
    if (torn >= 0) disk.truncate(JOURNAL_FILE, torn);
    this.length = torn >= 0 ? torn : records.length;
  }

  /** The snapshot (if any) and the records written after it, oldest first. */
  contents(): { snapshot: unknown; records: readonly R[] } {
    return { snapshot: this.disk.get(SNAPSHOT_FILE), records: (this.disk.read(JOURNAL_FILE) ?? []) as readonly R[] };
  }

  /** Appends a record; false when the disk refused it (full), and then nothing was written. */
  write(record: R): boolean {
    if (!this.disk.append(JOURNAL_FILE, record, RECORD_BYTES)) return false;
    this.length++;
    this.dirty = true;
    return true;
  }

  /** Replaces snapshot and journal with one snapshot of the whole state, if the journal is long. */
  maybeCompact(snapshot: () => unknown): void {
    if (this.length < COMPACT_AFTER) return;
    this.disk.put(SNAPSHOT_FILE, snapshot(), RECORD_BYTES * 16);
    this.disk.truncate(JOURNAL_FILE, 0);
    this.length = 0;
    this.dirty = true;
  }

  /**
   * Runs `then` once everything written so far is durable: now, if it already is; otherwise after
   * the fsync that `commit` issues. Callers write, queue their messages, then call `commit` once at
   * the end of the handler, so that one fsync covers everything the handler wrote.
   */
  whenDurable(then: () => void): void {
    if (!this.dirty && this.inFlight === null) return then();
    // Nothing written since the fsync in flight was issued: it covers this caller too.
    if (!this.dirty && this.inFlight !== null) return void this.inFlight.push(then);
    this.waiting.push(then);
  }

  /** Issues the fsync that the queued messages wait for, unless one is already in flight. */
  commit(ctx: Context): void {
    if (this.waiting.length > 0 && this.inFlight === null) this.sync(ctx);
  }

  /** The fsync the journal asked for has completed. */
  synced(ctx: Context): void {
    const done = this.inFlight;
    // Messages wait on `inFlight`; an fsync completing without one would have released nothing it covered.
    assert(done !== null, 'journal: an fsync completes only after `sync` issued it');
    this.inFlight = null;
    for (const then of done) then();
    if (this.waiting.length > 0) this.sync(ctx);
  }

  private sync(ctx: Context): void {
    // Records written after this point belong to the next fsync; those waiting now are covered.
    this.inFlight = this.waiting;
    this.waiting = [];
    this.dirty = false;
    ctx.disk.fsync({ name: 'journal-synced' });
  }
}

/**
 * One Raft group's log on one node: a snapshot (the prefix compacted into state) followed by the
 * entries after it, kept in memory and written through `ctx.disk`.
 *
 * Files (per group `g`): `raft-g.log` holds the entries, one record each, every record carrying its
 * own index so recovery never guesses where the file starts; `raft-g.snapshot` holds the latest
 * snapshot (`put`, which a power loss never tears). A compaction only writes the snapshot: the
 * entries it covers stay in the file and recovery skips them (a real log deletes whole segments
 * below the snapshot; rewriting the file here would risk, on a full disk, the durable entries a
 * follower has already acknowledged). Every entry also gets a
 * *chain* digest, folded from the previous entry's chain, its term and its command: two logs with
 * the same chain at an index hold the same prefix, which the log-matching checker compares.
 *
 * Guarantee: what this class writes becomes durable with the owner's next `fsync`; it never
 * decides when (raft-node.ts does). Recovery accepts any pair of files a power loss leaves:
 * entries at or below the snapshot are skipped, a torn record and anything after it are dropped
 * (they were never durable), and an installed snapshot that discards the log empties the file in
 * the same handler that writes the snapshot, so one fsync makes both durable.
 * How it fails: a full disk refuses an append (`append` returns false and changes nothing): a
 * follower's falls behind and catches up once it has room; a leader's stalls the whole group —
 * its followers still hear it, so nobody elects another — until then (shown by
 * test/features/raft/drills.test.ts, a `disk-full` fault on either). A
 * background writeback (Linux's, after 30 s dirty) could make the emptied log durable before the
 * snapshot; raft-node.ts fsyncs within a handler's time, so that window is not modelled.
 */
import type { Disk } from '../../../kernel/contract/index.ts';
import { assert, digestOf, fnv1a, hex64, isTornRecord } from '../../../kernel/contract/index.ts';
import type { RaftEntry, SnapshotId } from './messages.ts';

/** A snapshot as stored and shipped: its identity, the chain digest of its last entry, and the state. */
export interface StoredSnapshot extends SnapshotId {
  readonly chain: string;
  readonly state: unknown;
}

/** The chain digest before the first entry. */
export const ROOT_CHAIN = '0000000000000000';

/** The chain digest of `entry` after `previous`: 64 bits from two FNV-1a seeds. */
export function chainOf(previous: string, entry: RaftEntry): string {
  const text = `${previous}|${entry.t}|${digestOf(entry.c)}`;
  return hex64(fnv1a(text), fnv1a(text, 0x9747b28c));
}

export class RaftLog<C> {
  private snap: StoredSnapshot | undefined;
  /** `entries[k]` has index `base + k`, where `base` is the snapshot's index + 1. */
  private entries: RaftEntry<C>[] = [];
  private chains: string[] = [];
  /** The index of the log file's first record (the file may still hold entries the snapshot covers). */
  private fileBase = 1;

  private constructor(
    private readonly disk: Disk,
    private readonly logFile: string,
    private readonly snapFile: string,
    private readonly entryBytes: number,
  ) {}

  /** Reads the group's files as a restart finds them (page-cache view), dropping a torn tail. */
  static load<C>(disk: Disk, group: string, entryBytes: number): RaftLog<C> {
    const log = new RaftLog<C>(disk, `raft-${group}.log`, `raft-${group}.snapshot`, entryBytes);
    const snap = disk.get(log.snapFile);
    log.snap = typeof snap === 'object' && snap !== null ? (snap as StoredSnapshot) : undefined;
    const records = disk.read(log.logFile) ?? [];
    const torn = records.findIndex(isTornRecord);
    if (torn >= 0) disk.truncate(log.logFile, torn);
    const durable = (torn >= 0 ? records.slice(0, torn) : records) as RaftEntry<C>[];
    log.fileBase = durable[0]?.i ?? log.snapIndex + 1;
    for (const [k, entry] of durable.entries()) {
      assert(entry.i === log.fileBase + k, () => `raft log ${log.logFile}: record ${k} holds entry ${entry.i}, not ${log.fileBase + k}`);
      if (entry.i <= log.snapIndex) continue;
      // A gap would mean the file started after the snapshot: not a pair this class ever makes durable together.
      assert(entry.i === log.lastIndex() + 1, () => `raft log ${log.logFile}: entry ${entry.i} follows ${log.lastIndex()}`);
      const chain = chainOf(log.lastChain(), entry);
      log.entries.push(entry);
      log.chains.push(chain);
    }
    return log;
  }

  get snapshot(): StoredSnapshot | undefined {
    return this.snap;
  }

  get snapIndex(): number {
    return this.snap?.index ?? 0;
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.lastIndex())!;
  }

  lastChain(): string {
    return this.chainAt(this.lastIndex())!;
  }

  /** The term of the entry at `index` (0 before the first), or undefined when compacted away or beyond the end. */
  termAt(index: number): number | undefined {
    if (index === this.snapIndex) return this.snap?.term ?? 0;
    if (index < this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1]!.t;
  }

  chainAt(index: number): string | undefined {
    if (index === this.snapIndex) return this.snap?.chain ?? ROOT_CHAIN;
    if (index < this.snapIndex || index > this.lastIndex()) return undefined;
    return this.chains[index - this.snapIndex - 1];
  }

  entryAt(index: number): RaftEntry<C> | undefined {
    if (index <= this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1];
  }

  /** Up to `max` entries from `from` (which must be after the snapshot). */
  slice(from: number, max: number): RaftEntry<C>[] {
    assert(from > this.snapIndex, () => `raft log: slice from ${from} inside the snapshot (${this.snapIndex})`);
    return this.entries.slice(from - this.snapIndex - 1, from - this.snapIndex - 1 + max);
  }

  /** Appends the next entry; false when the disk is full (nothing changed). Returns its chain digest otherwise. */
  append(entry: RaftEntry<C>): string | false {
    assert(entry.i === this.lastIndex() + 1, () => `raft log: append ${entry.i} after ${this.lastIndex()}`);
    assert(entry.t >= this.lastTerm(), () => `raft log: term ${entry.t} after term ${this.lastTerm()}`);
    if (!this.disk.append(this.logFile, entry, this.entryBytes)) return false;
    const chain = chainOf(this.lastChain(), entry);
    this.entries.push(entry);
    this.chains.push(chain);
    return chain;
  }

  /** Keeps the entries up to `index` (which must not be inside the snapshot). */
  truncateAfter(index: number): void {
    assert(index >= this.snapIndex, () => `raft log: truncating to ${index}, inside the snapshot (${this.snapIndex})`);
    const keep = index - this.snapIndex;
    this.entries.length = keep;
    this.chains.length = keep;
    this.disk.truncate(this.logFile, index + 1 - this.fileBase);
  }

  /**
   * The end of the largest term ≤ `term` in this log (KRaft's endOffsetForEpoch): that term and the
   * index of its last entry. Falls back to the snapshot when every entry's term is larger.
   */
  endOfTermAtMost(term: number): { term: number; endIndex: number } {
    for (let index = this.lastIndex(); index > this.snapIndex; index--) {
      const t = this.termAt(index)!;
      if (t <= term) return { term: t, endIndex: index };
    }
    return { term: this.snap?.term ?? 0, endIndex: this.snapIndex };
  }

  /** Replaces the prefix up to `snapshot.index` (applied state, so committed) with the snapshot. */
  compact(snapshot: StoredSnapshot): void {
    assert(snapshot.index > this.snapIndex && snapshot.index <= this.lastIndex(), () => `raft log: snapshot at ${snapshot.index} outside (${this.snapIndex}, ${this.lastIndex()}]`);
    assert(this.termAt(snapshot.index) === snapshot.term, 'raft log: snapshot term differs from its entry');
    const drop = snapshot.index - this.snapIndex;
    this.entries = this.entries.slice(drop);
    this.chains = this.chains.slice(drop);
    this.snap = snapshot;
    this.disk.put(this.snapFile, snapshot, this.entryBytes * 16);
  }

  /**
   * A follower installs the leader's snapshot: entries after it are kept only when this log holds
   * the snapshot's last entry (same term), as the Raft paper's InstallSnapshot rule 6 says.
   */
  install(snapshot: StoredSnapshot): void {
    const keep = this.termAt(snapshot.index) === snapshot.term && snapshot.index <= this.lastIndex();
    const from = snapshot.index - this.snapIndex;
    this.entries = keep ? this.entries.slice(from) : [];
    this.chains = keep ? this.chains.slice(from) : [];
    this.snap = snapshot;
    this.disk.put(this.snapFile, snapshot, this.entryBytes * 16);
    if (keep) return;
    this.disk.truncate(this.logFile, 0);
    this.fileBase = snapshot.index + 1;
  }
}

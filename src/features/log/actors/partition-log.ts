/**
 * One replica's log of one partition, stored on its broker's disk as segment files of record
 * batches (`<topic>-<p>/<base offset>.log`), as Kafka stores it.
 *
 * The batches are read from the disk's page cache (`ctx.disk.read`), never copied into the broker's
 * memory: what a replica holds is exactly what its disk holds, so a power loss that drops unsynced
 * writes is seen by the broker when it recovers, and by nothing sooner. Only an index (segment
 * bases, sizes) is kept in memory, and rebuilt from the files on recovery.
 *
 * Guarantee: offsets increase by one per event from `logStart` to `logEnd`; appends must continue
 * at `logEnd` (a violation throws: it is a replication bug). Truncation keeps exactly the events
 * below the given offset, splitting a batch if it has to. Retention deletes whole segments, oldest
 * first, never the active one and never one with data at or above the high watermark (as Kafka
 * does).
 *
 * A compacted log (`cleanup.policy: compact`) is dense only until the cleaner runs: `compact`
 * removes every batch whose records all have a newer record with the same key (Kafka's log
 * cleaner), offsets staying as they are, so gaps appear, and an append may then start past
 * `logEnd` (a follower copying a cleaned leader). Only closed segments wholly below the high
 * watermark are cleaned — never the active one. A batch keeping one live record is kept whole,
 * because a batch's offsets are positional: a producer that wants every superseded record gone
 * writes one record per batch (the checkpoint tier does). A tombstone (a keyed record whose
 * payload is null) supersedes its key and is itself removed once older than `deleteRetentionUs`.
 * The cleaner rewrites a segment in place; until the broker's next fsync a power loss brings the
 * uncleaned segment back, which holds a superset of the records.
 */
import type { Disk } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import { EpochCache } from './epoch-cache.ts';
import type { Batch } from './messages.ts';

/** How many batches at a segment's end a read looks at before it searches the segment (`batchIndex`). */
const TAIL_BATCHES = 4;

/** Bytes a batch occupies on disk beyond its payload (Kafka's record batch header). */
const BATCH_OVERHEAD_BYTES = 61;

interface Segment {
  readonly base: number;
  readonly file: string;
  /** Offset after its last event. */
  end: number;
  bytes: number;
  /** Append time of its newest batch. */
  lastTs: number;
}

export interface RetentionPolicy {
  readonly retentionUs: number | null;
  readonly retentionBytes: number | null;
}

/** What one cleaner pass did: the partition's bytes before and after, and the batches removed. */
export interface CompactionResult {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly batchesRemoved: number;
}

export class PartitionLog {
  readonly epochs = new EpochCache();
  private segments: Segment[] = [];
  private start = 0;
  private end = 0;

  private constructor(
    private readonly disk: Disk,
    readonly dir: string,
    private readonly segmentBytes: number,
    /** Whether the cleaner may leave gaps (a `compact` topic). */
    readonly compacted: boolean,
  ) {}

  /** Opens the log as the disk holds it now (empty if it has no files). */
  static open(disk: Disk, dir: string, segmentBytes: number, compacted = false): PartitionLog {
    const log = new PartitionLog(disk, dir, segmentBytes, compacted);
    log.load();
    return log;
  }

  get logStart(): number {
    return this.start;
  }

  get logEnd(): number {
    return this.end;
  }

  get sizeBytes(): number {
    let bytes = 0;
    for (const segment of this.segments) bytes += segment.bytes;
    return bytes;
  }

  /** Appends a batch; false (and nothing changes) when the disk refuses the write because it is full. */
  append(batch: Batch): boolean {
    const gapAllowed = this.compacted && batch.base > this.end;
    assert(batch.base === this.end || gapAllowed, () => `${this.dir}: offsets contiguous on append (append at ${batch.base}, but the log ends at ${this.end})`);
    assert(batch.events.length > 0, () => `${this.dir}: a batch holds at least one event, but the one at ${batch.base} is empty`);
    let active = this.segments[this.segments.length - 1];
    const roll = active === undefined || active.bytes >= this.segmentBytes;
    const file = roll ? segmentFile(this.dir, batch.base) : active!.file;
    const bytes = batch.bytes + BATCH_OVERHEAD_BYTES;
    if (!this.disk.append(file, batch, bytes)) return false;
    if (roll) {
      active = { base: batch.base, file, end: batch.base, bytes: 0, lastTs: batch.ts };
      this.segments.push(active);
    }
    active = active!;
    active.end = batch.base + batch.events.length;
    active.bytes += bytes;
    active.lastTs = batch.ts;
    this.end = active.end;
    this.epochs.assign(batch.epoch, batch.base);
    return true;
  }

  /**
   * Whole batches from the one holding `from`, ending at or below `upper`, at most `maxBytes` of
   * payload (but always one batch, if there is one, so that a large batch cannot block a reader).
   */
  read(from: number, upper: number, maxBytes: number, minOne = true): Batch[] {
    // Readers are bounded by the high watermark (consumers) or the log end (followers).
    assert(upper <= this.end, () => `${this.dir}: read bound ≤ log end, but reading up to ${upper} of a log ending at ${this.end}`);
    if (from < this.start || from >= upper) return [];
    // Each segment's run of batches read is copied at its exact size (`slice`), not grown by
    // `push` — an empty array's first push gives it room for 17 — and most reads are a batch or
    // two of the active segment: one array per read, of the size returned.
    let out: Batch[] | undefined;
    let bytes = 0;
    let taken = 0;
    // Below the first segment only when the cleaner emptied the segments before it.
    let s = Math.max(0, this.segmentIndex(from));
    let b = s >= this.segments.length ? 0 : batchIndex(this.batchesOf(this.segments[s]!), from);
    for (; s < this.segments.length; s++, b = 0) {
      const batches = this.batchesOf(this.segments[s]!);
      // In a cleaned log `from` may fall in a gap after the batch found for it.
      while (b < batches.length && batches[b]!.base + batches[b]!.events.length <= from) b++;
      let e = b;
      let done = false;
      for (; e < batches.length; e++) {
        const batch = batches[e]!;
        // The first batch may exceed `maxBytes` when `minOne` says so (Kafka's minOneMessage).
        done = batch.base + batch.events.length > upper || ((taken > 0 || !minOne) && bytes + batch.bytes > maxBytes);
        if (done) break;
        bytes += batch.bytes;
        taken++;
      }
      if (e > b) {
        if (out === undefined) out = batches.slice(b, e);
        else for (let i = b; i < e; i++) out.push(batches[i]!);
      }
      if (done) break;
    }
    return out ?? [];
  }

  /** Every batch, oldest first (for rebuilding state and for final checks). */
  *batches(): Generator<Batch> {
    for (const segment of this.segments) yield* this.batchesOf(segment);
  }

  /** Removes every event at or above `offset`; returns how many were removed. */
  truncateTo(offset: number): number {
    const removed = this.removeFrom(offset);
    // A cleaned log may end below `offset` (the truncation point fell in a gap); a dense one ends at it.
    const expected = Math.max(offset, this.start);
    const ends = this.compacted ? this.end <= expected : this.end === expected;
    assert(removed === 0 || ends, () => `${this.dir}: truncation to ${offset} ends the log ${this.compacted ? 'at or below' : 'at'} ${expected}, but it ends at ${this.end}`);
    return removed;
  }

  private removeFrom(offset: number): number {
    if (offset >= this.end) {
      // Nothing to remove, but an epoch this replica began as leader without appending anything
      // starts at the log end and would refuse the new leader's older batches: drop it (Kafka's
      // Log.truncateTo does the same).
      this.epochs.truncateFrom(this.end);
      return 0;
    }
    const removed = this.end - Math.max(offset, this.start);
    if (offset <= this.start) {
      this.resetTo(offset < this.start ? this.start : offset);
      return removed;
    }
    const s = this.segmentIndex(offset);
    if (s < 0) {
      // A cleaned log whose segments before `offset` were emptied: nothing below it remains.
      for (const segment of this.segments) this.disk.delete(segment.file);
      this.segments = [];
      this.end = offset;
      this.epochs.truncateFrom(offset);
      return removed;
    }
    for (const later of this.segments.splice(s + 1)) this.disk.delete(later.file);
    const segment = this.segments[s]!;
    const batches = this.batchesOf(segment);
    const i = batchIndex(batches, offset);
    const cut = batches[i]!;
    // A cleaned segment keeps the base it was named by, but its first batch left may start past
    // `offset`: then none of it stays, and the log ends at `offset` (a gap), not at that batch.
    const end = Math.min(cut.base, offset);
    this.disk.truncate(segment.file, i);
    segment.end = end;
    segment.bytes = 0;
    for (let j = 0; j < i; j++) segment.bytes += batches[j]!.bytes + BATCH_OVERHEAD_BYTES;
    this.end = end;
    this.epochs.truncateFrom(end);
    if (i === 0) {
      this.disk.delete(segment.file);
      this.segments.pop();
    }
    if (cut.base < offset) this.append(slice(cut, offset - cut.base));
    return removed;
  }

  /** Deletes everything and starts the log afresh at `offset` (a follower below the leader's log start). */
  resetTo(offset: number): void {
    for (const segment of this.segments) this.disk.delete(segment.file);
    this.segments = [];
    this.start = offset;
    this.end = offset;
    this.epochs.truncateFrom(0);
    this.disk.put(startFile(this.dir), offset, 8);
  }

  /**
   * Deletes old segments as the retention policy says, among those wholly below `highWatermark`.
   * Returns the new log start, or undefined if nothing was deleted.
   */
  applyRetention(now: number, highWatermark: number, policy: RetentionPolicy): number | undefined {
    assert(this.start <= highWatermark && highWatermark <= this.end, () => `${this.dir}: log start ≤ high watermark ≤ log end before retention, but ${this.start} / ${highWatermark} / ${this.end}`);
    let size = this.sizeBytes;
    let deleted = 0;
    while (deleted < this.segments.length - 1) {
      const segment = this.segments[deleted]!;
      if (segment.end > highWatermark) break;
      const expired = policy.retentionUs !== null && segment.lastTs < now - policy.retentionUs;
      const tooBig = policy.retentionBytes !== null && size - segment.bytes >= policy.retentionBytes;
      if (!expired && !tooBig) break;
      this.disk.delete(segment.file);
      size -= segment.bytes;
      deleted++;
    }
    if (deleted === 0) return undefined;
    this.segments.splice(0, deleted);
    this.start = this.segments[0]!.base;
    assert(this.start <= highWatermark, () => `${this.dir}: retention deletes only below the high watermark, but the log now starts at ${this.start} > ${highWatermark}`);
    this.epochs.truncateBefore(this.start);
    return this.start;
  }

  /**
   * One cleaner pass: in the closed segments below `cleanableEnd` (the high watermark),
   * removes every batch whose records all have a newer record with the same key, and tombstone
   * batches older than `now - deleteRetentionUs`. Unkeyed records are never removed.
   */
  compact(now: number, cleanableEnd: number, deleteRetentionUs: number): CompactionResult {
    assert(cleanableEnd <= this.end, () => `${this.dir}: cleanable end (high watermark) ≤ log end, but ${cleanableEnd} > ${this.end}`);
    const bytesBefore = this.sizeBytes;
    // Only records that cannot be truncated away any more supersede others (Kafka's first
    // uncleanable offset): those below the high watermark and before the active segment.
    const limit = Math.min(cleanableEnd, this.segments[this.segments.length - 1]?.base ?? 0);
    const closed = this.segments.filter((segment) => segment.end <= limit);
    const newest = new Map<string, number>();
    for (const segment of closed) {
      for (const batch of this.batchesOf(segment)) batch.keys?.forEach((key, i) => key !== null && newest.set(key, batch.base + i));
    }
    let batchesRemoved = 0;
    for (const segment of closed) {
      const batches = this.batchesOf(segment);
      const kept = batches.filter((batch) => !superseded(batch, newest, now - deleteRetentionUs));
      if (kept.length === batches.length) continue;
      batchesRemoved += batches.length - kept.length;
      this.disk.delete(segment.file);
      segment.bytes = 0;
      for (const batch of kept) {
        this.disk.append(segment.file, batch, batch.bytes + BATCH_OVERHEAD_BYTES);
        segment.bytes += batch.bytes + BATCH_OVERHEAD_BYTES;
      }
    }
    // An emptied segment's file is gone; its offsets are a gap before the next segment.
    this.segments = this.segments.filter((segment, i) => i === this.segments.length - 1 || segment.bytes > 0);
    return { bytesBefore, bytesAfter: this.sizeBytes, batchesRemoved };
  }

  private load(): void {
    const prefix = `${this.dir}/`;
    const written = this.disk.get(startFile(this.dir));
    this.start = typeof written === 'number' ? written : 0;
    this.end = this.start;
    for (const file of this.disk.files()) {
      if (!file.startsWith(prefix) || !file.endsWith('.log')) continue;
      const batches = this.validPrefix(file);
      if (batches.length === 0) continue;
      const first = batches[0]!;
      // Segments are made durable together (one fsync covers every file of the broker), so a gap
      // means files from before a reset; they are stale and go. A cleaned log has gaps of its own.
      const base = this.compacted ? baseOfFile(file) : first.base;
      const stale = this.segments.length > 0 ? (this.compacted ? base < this.end : base !== this.end) : base < this.start;
      if (stale) {
        this.disk.delete(file);
        continue;
      }
      // A cleaned log keeps its start where it was, though its first segments may be gone.
      if (this.segments.length === 0 && !this.compacted) this.start = base;
      const segment: Segment = { base, file, end: base, bytes: 0, lastTs: first.ts };
      for (const batch of batches) {
        if (batch.base < segment.end || (batch.base > segment.end && !this.compacted)) throw new Error(`${file}: batch at ${batch.base} after offset ${segment.end}`);
        segment.end = batch.base + batch.events.length;
        segment.bytes += batch.bytes + BATCH_OVERHEAD_BYTES;
        segment.lastTs = batch.ts;
        this.epochs.assign(batch.epoch, batch.base);
      }
      this.segments.push(segment);
      this.end = segment.end;
    }
  }

  /**
   * The file's batches up to the first that is not one — a write torn by a power loss, which Kafka's
   * log recovery finds by its checksum — with the file truncated there.
   */
  private validPrefix(file: string): readonly Batch[] {
    const records = this.disk.read(file) ?? [];
    const valid = records.findIndex((r) => typeof r !== 'object' || r === null || typeof (r as Batch).base !== 'number');
    if (valid < 0) return records as readonly Batch[];
    this.disk.truncate(file, valid);
    return records.slice(0, valid) as readonly Batch[];
  }

  private batchesOf(segment: Segment): readonly Batch[] {
    return (this.disk.read(segment.file) ?? []) as readonly Batch[];
  }

  /** The segment holding `offset` (the last one starting at or before it), or -1. */
  private segmentIndex(offset: number): number {
    // Followers and consumers read at the log's tail: the active segment, found without a search.
    const active = this.segments.length - 1;
    if (active >= 0 && this.segments[active]!.base <= offset) return active;
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.base <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

/**
 * Whether the cleaner may remove a batch: it has keys, and each record is superseded by a newer one
 * with its key, or is a tombstone (null payload) written before `tombstonesBefore` and still the newest.
 */
function superseded(batch: Batch, newest: ReadonlyMap<string, number>, tombstonesBefore: number): boolean {
  const keys = batch.keys;
  if (keys === undefined) return false;
  return keys.every((key, i) => {
    if (key === null) return false;
    if (newest.get(key)! > batch.base + i) return true;
    return batch.payloads?.[i] === null && batch.ts < tombstonesBefore;
  });
}

/** The batch holding `offset` in a segment's batches (the last one starting at or before it). */
function batchIndex(batches: readonly Batch[], offset: number): number {
  // Reads are at the tail (a follower at its log end, a consumer a few batches behind at most):
  // the last few batches first, newest first — bases increase, so the first found is the answer a
  // search of the whole segment gives, without its reads of batches all over the heap.
  const tail = Math.max(0, batches.length - TAIL_BATCHES);
  for (let i = batches.length - 1; i >= tail; i--) if (batches[i]!.base <= offset) return i;
  let lo = 0;
  let hi = tail - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (batches[mid]!.base <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The first `count` events of a batch (and of its payloads), with its bytes prorated. */
function slice(batch: Batch, upTo: number): Batch {
  // A cleaned log may be truncated at an offset in a gap after the batch: keep it whole.
  const count = Math.min(upTo, batch.events.length);
  const bytes = Math.floor((batch.bytes * count) / batch.events.length);
  const { pid, seq, payloads, keys } = batch;
  return {
    base: batch.base,
    epoch: batch.epoch,
    events: batch.events.slice(0, count),
    bytes,
    ts: batch.ts,
    ...(pid === undefined ? {} : { pid, seq }),
    ...(payloads === undefined ? {} : { payloads: payloads.slice(0, count) }),
    ...(keys === undefined ? {} : { keys: keys.slice(0, count) }),
  };
}

/** The base offset a segment file is named by (a cleaned segment's first batch may start later). */
function baseOfFile(file: string): number {
  return Number(file.slice(file.lastIndexOf('/') + 1, -'.log'.length));
}

function segmentFile(dir: string, base: number): string {
  return `${dir}/${String(base).padStart(16, '0')}.log`;
}

function startFile(dir: string): string {
  return `${dir}/log-start`;
}

/** Where a replica checkpoints its high watermark. */
export function hwFile(dir: string): string {
  return `${dir}/high-watermark`;
}

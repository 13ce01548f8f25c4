/**
 * The leader-epoch cache of one replica (Kafka's `leader-epoch-checkpoint`): for each leader epoch
 * present in the log, the offset at which it starts.
 *
 * It answers KIP-101's question "where does epoch E end in my log?", which is how a follower finds
 * the point where its log and the leader's part ways without trusting its high watermark. The
 * cache is derived from the batches in the log (each batch carries its epoch), plus the current
 * epoch of a leader that has not appended yet; so it can never disagree with the log after a crash.
 *
 * Guarantee: entries are strictly increasing in both epoch and start offset. Assigning an epoch
 * lower than the latest is a protocol bug and throws.
 */
import { assert } from '../../../kernel/contract/index.ts';

export interface EpochEntry {
  readonly epoch: number;
  readonly start: number;
}

export interface EpochEnd {
  /** The largest epoch ≤ the requested one in this cache, or -1 if there is none. */
  readonly epoch: number;
  /** Where that epoch ends: the next epoch's start, or the log end. */
  readonly end: number;
}

export class EpochCache {
  private entries: EpochEntry[] = [];

  /** Records that `epoch` starts at `start`, unless the cache already has it. */
  assign(epoch: number, start: number): void {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined) {
      if (epoch === last.epoch) return;
      assert(epoch > last.epoch, () => `epoch cache: leader epochs monotone, but epoch ${epoch} after epoch ${last.epoch}`);
      assert(start >= last.start, () => `epoch cache: epoch starts monotone, but epoch ${epoch} starts at ${start}, before epoch ${last.epoch} at ${last.start}`);
      // An epoch that appended nothing is replaced by the next one starting at the same offset.
      if (start === last.start) this.entries.pop();
    }
    this.entries.push({ epoch, start });
  }

  /** Forgets epochs starting at or after `offset` (the log was truncated there). */
  truncateFrom(offset: number): void {
    while (this.entries.length > 0 && this.entries[this.entries.length - 1]!.start >= offset) this.entries.pop();
  }

  /** Forgets what lies before `offset` (retention deleted it). */
  truncateBefore(offset: number): void {
    while (this.entries.length >= 2 && this.entries[1]!.start <= offset) this.entries.shift();
    const first = this.entries[0];
    if (first !== undefined && first.start < offset) this.entries[0] = { epoch: first.epoch, start: offset };
  }

  latest(): number {
    return this.entries[this.entries.length - 1]?.epoch ?? -1;
  }

  has(epoch: number): boolean {
    return this.entries.some((e) => e.epoch === epoch);
  }

  /** Where `epoch` starts, if the cache has it. */
  startOf(epoch: number): number | undefined {
    return this.entries.find((e) => e.epoch === epoch)?.start;
  }

  /** The largest epoch strictly below `epoch`, or -1. */
  largestBelow(epoch: number): number {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.epoch < epoch) return this.entries[i]!.epoch;
    return -1;
  }

  /** Kafka's `endOffsetFor`: the largest epoch ≤ `epoch` and where it ends in a log ending at `logEnd`. */
  endOffsetFor(epoch: number, logEnd: number): EpochEnd {
    const found = this.find(epoch, logEnd);
    // Every epoch starts inside the log: a follower truncating to this end keeps a prefix of its log.
    assert(found.end <= logEnd, () => `epoch cache: an epoch ends at or before the log end, but epoch ${found.epoch} ends at ${found.end} > ${logEnd}`);
    return found;
  }

  private find(epoch: number, logEnd: number): EpochEnd {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (entry.epoch <= epoch) return { epoch: entry.epoch, end: this.entries[i + 1]?.start ?? logEnd };
    }
    return { epoch: -1, end: this.entries[0]?.start ?? logEnd };
  }

  list(): readonly EpochEntry[] {
    return this.entries;
  }
}

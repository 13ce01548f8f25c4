/**
 * Broker-side state of idempotent producers for one partition: for each producer id, the last
 * sequence number appended and the offsets of its last five batches (Kafka keeps five, the most a
 * producer may have in flight).
 *
 * Guarantee: a batch retried by an idempotent producer after its first attempt was appended is
 * recognised and answered with the original offset instead of being appended twice — as long as
 * the original is among the producer's last five batches in this replica's log. The state is
 * rebuilt from the log after a truncation or a restart, so a new leader knows what its followers
 * replicated; a retried batch the new leader never received is, correctly, appended.
 *
 * How it breaks: a producer whose id is unknown here (never seen, or its batches were truncated or
 * deleted by retention) is accepted at whatever sequence it sends; a gap in sequence numbers is
 * rejected as `out-of-order-sequence` and the producer retries the missing batch first.
 */
import { assert } from '../../../kernel/contract/index.ts';
import type { Batch } from './messages.ts';

const REMEMBERED_BATCHES = 5;

interface AppendedBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly offset: number;
}

interface ProducerEntry {
  lastSeq: number;
  batches: AppendedBatch[];
}

export type SequenceCheck = { readonly kind: 'append' } | { readonly kind: 'duplicate'; readonly offset: number } | { readonly kind: 'out-of-order' };

/** The two answers without data, one object each (readonly). */
const APPEND: SequenceCheck = { kind: 'append' };
const OUT_OF_ORDER: SequenceCheck = { kind: 'out-of-order' };

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  /** What to do with a batch of `count` events from producer `pid` starting at sequence `seq`. */
  check(pid: number, seq: number, count: number): SequenceCheck {
    const entry = this.producers.get(pid);
    if (entry === undefined) return APPEND;
    const lastSeq = seq + count - 1;
    // A loop, not `find` with a closure: every produced batch is checked.
    for (const seen of entry.batches) if (seen.firstSeq === seq && seen.lastSeq === lastSeq) return { kind: 'duplicate', offset: seen.offset };
    return seq === entry.lastSeq + 1 ? APPEND : OUT_OF_ORDER;
  }

  /**
   * The last sequence number of `pid` in batches wholly below `highWatermark` (-1 if none), and
   * whether it has batches above it. Only the last five batches are remembered: if all of them are
   * uncommitted the answer is -1 with `uncommitted` set, and the asker waits for them to settle.
   */
  committed(pid: number, highWatermark: number): { lastSeq: number; uncommitted: boolean } {
    const entry = this.producers.get(pid);
    if (entry === undefined) return { lastSeq: -1, uncommitted: false };
    const settled = entry.batches.filter((b) => b.offset + (b.lastSeq - b.firstSeq + 1) <= highWatermark);
    const uncommitted = settled.length < entry.batches.length;
    return { lastSeq: settled.length > 0 ? settled[settled.length - 1]!.lastSeq : -1, uncommitted };
  }

  /** Notes an appended (or replicated) batch. */
  appended(batch: Batch): void {
    if (batch.pid === undefined || batch.seq === undefined) return;
    let entry = this.producers.get(batch.pid);
    if (entry === undefined) {
      entry = { lastSeq: -1, batches: [] };
      this.producers.set(batch.pid, entry);
    }
    const lastSeq = batch.seq + batch.events.length - 1;
    // A producer numbers its batches in order, and the leader appends only the next one it expects.
    assert(batch.seq > entry.lastSeq, () => `producer ${batch.pid}: sequence numbers monotone in the log, but seq ${batch.seq} at ${batch.base} follows seq ${entry!.lastSeq}`);
    entry.lastSeq = lastSeq;
    entry.batches.push({ firstSeq: batch.seq, lastSeq, offset: batch.base });
    if (entry.batches.length > REMEMBERED_BATCHES) entry.batches.shift();
  }

  clear(): void {
    this.producers.clear();
  }
}

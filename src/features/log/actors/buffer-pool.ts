/**
 * The producer's buffer memory (Kafka's `buffer.memory`, `BufferPool`): the batches the record
 * accumulator holds take memory from a pool of `buffer.memory` bytes, and give it back when they
 * complete — acknowledged (with `acks=0`, sent) or failed for good (Kafka's
 * `RecordAccumulator.deallocate`, from the Sender's completeBatch and failBatch).
 *
 * What a batch costs. Kafka's `RecordAccumulator.append` asks `BufferPool.allocate` for
 * `max(batch.size, the record's serialized size upper bound)` when it opens a batch, so a batch
 * costs a whole `batch.size` however few records it holds; but Kafka keeps appending to a
 * partition's last batch until the Sender drains it (`tryAppend` on the deque's last batch), so
 * under a backlog — sends held back by an outage — its batches are full and what it holds is about
 * the bytes queued. This model closes a batch at `linger.ms` even when it cannot be sent yet
 * (record-accumulator.ts), so a backlog here is many small batches: charged a whole `batch.size`
 * each, 1 KiB events at 100/s would count ~15 times what Kafka holds, and the pool would fill (and
 * lose events) in outages where Kafka's does not — as in the log-kip320 drill, whose producer holds
 * its batches for ~30 s (3 MB in Kafka; 48 MB at a `batch.size` each). So a batch is charged its
 * serialized size (`batchSizeInBytes`: payload, 61 B header, 21 B a record), growing as events
 * join — what Kafka holds in a backlog, and at most `batch.size` per partition less than what it
 * charges when batches go out partly filled (then the pool is far from full anyway). A record
 * larger than `batch.size` costs its own size, as in Kafka.
 *
 * Kafka's pool is fair (its waiters queue first come, first served); a producer here has one
 * sending thread — the instrument — so at most one allocation ever waits (producer.ts).
 *
 * Guarantee: the bytes held never exceed `buffer.memory`, and what is given back was taken
 * (asserted both ways). How it breaks: a caller that forgets to give a batch's memory back when the
 * batch completes shrinks the pool for good, and the producer would block ever more often.
 */
import { assert } from '../../../kernel/contract/index.ts';

export class BufferPool {
  private used = 0;
  private peak = 0;

  constructor(
    /** `buffer.memory`: the bytes all batches together may hold. */
    readonly totalBytes: number,
  ) {
    assert(Number.isSafeInteger(totalBytes) && totalBytes > 0, () => `buffer.memory is a positive number of bytes, but ${totalBytes}`);
  }

  /** Bytes held by batches not yet completed. */
  get usedBytes(): number {
    return this.used;
  }

  /** The most bytes ever held at once. */
  get peakBytes(): number {
    return this.peak;
  }

  /** Takes `bytes` if that many are free (Kafka would block for them instead: the caller waits). */
  tryAllocate(bytes: number): boolean {
    assert(bytes <= this.totalBytes, () => `an allocation fits buffer.memory ${this.totalBytes} (Kafka's BufferPool refuses a larger one), but ${bytes}`);
    if (this.used + bytes > this.totalBytes) return false;
    this.used += bytes;
    this.peak = Math.max(this.peak, this.used);
    return true;
  }

  /** Gives back a completed batch's memory. */
  release(bytes: number): void {
    assert(bytes > 0 && bytes <= this.used, () => `a batch gives back what it took, ${bytes} B of the ${this.used} B held`);
    this.used -= bytes;
  }
}

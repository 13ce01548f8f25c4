/**
 * The producer's buffer memory (Kafka's `buffer.memory`, `BufferPool`): the batches the record
 * accumulator holds take memory from a pool of `buffer.memory` bytes, and give it back when they
 * complete — acknowledged (with `acks=0`, sent) or failed for good (Kafka's
 * `RecordAccumulator.deallocate`, from the Sender's completeBatch and failBatch).
 *
 * What a batch costs: as Kafka's `RecordAccumulator.append` asks `BufferPool.allocate` for
 * `max(batch.size, the record's serialized size upper bound)` when it opens a batch, a batch here
 * takes `max(batch.size, its first event serialized)` when it opens and holds it until it completes,
 * however few events it carries (record-accumulator.ts). That is safe from over-counting a backlog
 * because, as in Kafka, an event joins its partition's last queued batch until that batch is full or
 * the sender takes it (`tryAppend` on the deque's last batch): under a backlog — sends held back by
 * an outage — the queued batches are full, and what the pool holds is about the bytes queued (the
 * log-kip320 drill's producer, holding ~3,000 events of 1 KiB for ~30 s, peaks at 3.2 MB of its
 * 32 MiB). As in Kafka, it holds more than the events need while batches that went out part-full
 * wait for their acknowledgement — at most `max.in.flight` requests a broker, a batch per partition
 * each: a small pool can fill with them (buffer-memory.test.ts: four one-event batches take all of
 * 64 KiB, and the fifth event waits). (Session
 * 15's model closed a batch at `linger.ms` even when it could not be sent, so a backlog was many
 * one-event batches and a whole `batch.size` each would have been 48 MB there, and lost events
 * Kafka does not; it charged each batch its serialized size until batches filled as Kafka's do.)
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

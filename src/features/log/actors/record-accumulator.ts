/**
 * The producer's record accumulator and partitioner, as Kafka's RecordAccumulator: each partition
 * has a queue of batches not yet taken by the sender, and an event joins the LAST batch of its
 * partition's queue if that batch still takes events and the event fits (Kafka's `tryAppend` on the
 * deque's last batch, whatever its age); otherwise that batch is closed for appends and the event
 * opens a new one at the queue's end. A batch stops taking events when it is full (`batch.size`,
 * or `max.request.size`, which caps every batch whatever `batch.size` says — Kafka's documentation
 * calls it "effectively a cap on the maximum uncompressed record batch size") or when the sender
 * takes it (`closeForRecordAppends` in `drain`): a batch sent once, and put back for a retry, is
 * re-sent as it was. `linger.ms` does not close a batch; it only makes it ready to send
 * (`sendableAt`, Kafka's `ready`). So while sends are held back — a leader down, `max.in.flight`
 * reached, a retry backing off — the queued batches fill to `batch.size`, and the backlog goes out
 * in few, full batches. An event larger than `batch.size` gets a batch of its own. Once the
 * producer is closed (`closeAtUs`, the instrument's stop) every batch is ready at once, lingered or
 * not: Kafka's `close()` runs `Sender.initiateClose`, which closes the accumulator, and `ready`
 * counts `closed` as sendable.
 * The cap compares the batch's serialized size (`batchSizeInBytes`, as Kafka's producer and every
 * leader here do); `batch.size` compares payload bytes — a simplification: Kafka's batches fill to
 * `batch.size` serialized, so hold a record fewer now and then (21 B per record, 61 B per batch).
 * Each new batch takes `max(batch.size, its first record's serialized size)` of `buffer.memory`
 * (buffer-pool.ts), as Kafka's `append` asks `BufferPool.allocate`; when that much is not free the
 * event is not added (Kafka's `send()` would wait for memory).
 *
 * Partitioners: `key` hashes the event's key (FNV-1a, not Kafka's murmur2, so key placement differs
 * from a real cluster's, but is as stable); `round-robin` cycles through partitions event by event;
 * `sticky` (Kafka's default for events without a key: the built-in partitioner of KIP-794) sends to
 * one partition until `batch.size` bytes have gone to it and its last batch takes no more (full, or
 * taken by the sender), or until twice `batch.size` went to it, then moves on — to the next
 * partition, where Kafka picks one at random (or by queue length, `partitioner.adaptive`).
 *
 * Queues keep retried batches ahead of newer ones; with an idempotent producer they are ordered
 * by sequence number, which is how the broker expects them.
 *
 * Guarantee: every event added is in exactly one batch, of the partition it was given; a batch
 * holds its events in the order added and a partition's batches queue in the order they opened; a
 * batch once taken by the sender never takes another event; no batch is larger than
 * `max.request.size` serialized, nor (unless one event alone is) than `batch.size` in payload; the
 * batches not yet completed hold at most `buffer.memory` bytes (buffer-pool.ts): an event the pool
 * has no room for is not added.
 *
 * How it breaks: the order is the send queue's, not the log's — once a batch has gone, whether a
 * retry of it is appended before the batches sent after it is up to the producer (without
 * idempotence, with more than one request in flight, it may not be); an event larger than
 * `max.request.size` would make a batch past the cap, which is why the producer must refuse it
 * first; and a batch put back at the end of its queue must stay closed, or a retry would carry
 * events its first attempt did not. Shown by test/features/log/batching.test.ts (full batches
 * after an outage, the requests that carry them, retries unchanged, the sticky partitioner),
 * message-size.test.ts (no batch past max.request.size; batches of nine when ten do not fit) and
 * producer-send-order.test.ts (re-sent in the order first sent).
 */
import { fnv1a, type Micros } from '../../../kernel/contract/index.ts';
import type { PartitionerKind } from './config.ts';
import { batchSizeInBytes } from './messages.ts';
import { BufferPool } from './buffer-pool.ts';

export interface ProducerBatch {
  readonly partition: number;
  readonly events: string[];
  bytes: number;
  readonly createdUs: Micros;
  /** The `buffer.memory` it holds until it completes: `max(batch.size, its first record)`, taken when it opened. */
  readonly memoryBytes: number;
  /** It takes no more events: full, or taken by the sender (Kafka's `closeForRecordAppends`). */
  closed: boolean;
  /** Attempts sent so far. */
  attempts: number;
  /** Not before this time (retry backoff). */
  retryAtUs: Micros;
  readonly deadlineUs: Micros;
  pid?: number;
  seq?: number;
}

export interface AccumulatorConfig {
  readonly partitions: number;
  readonly partitioner: PartitionerKind;
  readonly keys: number;
  readonly batchBytes: number;
  /** `linger.ms`: how long a batch that is not full waits for more events before it is ready to send. */
  readonly lingerUs: Micros;
  /** `max.request.size`: no batch's serialized size exceeds it. */
  readonly maxRequestBytes: number;
  readonly deliveryTimeoutUs: Micros;
  /** `buffer.memory`: the bytes the batches not yet completed may hold together. */
  readonly bufferMemoryBytes: number;
  /** When the application closes the producer (Kafka's `close()`, the accumulator's `closed`): from then on every batch is ready. */
  readonly closeAtUs: Micros;
}

export class RecordAccumulator {
  /** Each partition's batches not yet taken by the sender (Kafka's deques): retried ones first, the one filling last. */
  private readonly queues: ProducerBatch[][];
  private roundRobin = 0;
  /** The sticky partitioner's partition, and the payload bytes sent to it since it was chosen (KIP-794's producedBytes). */
  private sticky = 0;
  private stickyBytes = 0;
  private readonly pool: BufferPool;

  constructor(private readonly config: AccumulatorConfig) {
    this.queues = Array.from({ length: config.partitions }, () => []);
    this.pool = new BufferPool(config.bufferMemoryBytes);
  }

  /** Bytes of `buffer.memory` the batches not yet completed hold, now and at most so far. */
  bufferUse(): { readonly usedBytes: number; readonly peakBytes: number } {
    return { usedBytes: this.pool.usedBytes, peakBytes: this.pool.peakBytes };
  }

  /** Picks the partition for event number `k`. */
  partitionFor(k: number): number {
    const n = this.config.partitions;
    switch (this.config.partitioner) {
      case 'key':
        return fnv1a(`key-${k % this.config.keys}`) % n;
      case 'round-robin':
        return this.roundRobin++ % n;
      case 'sticky':
        // The switch an append left undone while its batch still took events, done once the sender took it.
        this.maybeMoveOn(false);
        return this.sticky;
    }
  }

  /**
   * Adds an event to its partition's last batch if that still takes events and the event fits, else
   * to a new batch at the queue's end — which first takes its `buffer.memory` (`max(batch.size, the
   * event's serialized size)`, as Kafka's `append` allocates): when that much is not free the event
   * is not added (`blocked`: Kafka's `send()` would wait for memory).
   */
  add(partition: number, event: string, bytes: number, now: Micros): { blocked?: true } {
    const queue = this.queues[partition]!;
    let batch = queue.at(-1);
    // Kafka's tryAppend: a last batch the event does not fit is closed for appends.
    if (batch !== undefined && !batch.closed && !this.holds(batch.bytes + bytes, batch.events.length + 1)) batch.closed = true;
    if (batch === undefined || batch.closed) {
      const memoryBytes = Math.max(this.config.batchBytes, batchSizeInBytes(bytes, 1));
      if (!this.pool.tryAllocate(memoryBytes)) return { blocked: true };
      batch = { partition, events: [], bytes: 0, createdUs: now, memoryBytes, closed: false, attempts: 0, retryAtUs: 0, deadlineUs: now + this.config.deliveryTimeoutUs };
      queue.push(batch);
    }
    batch.events.push(event);
    batch.bytes += bytes;
    if (batch.bytes >= this.config.batchBytes || batchSizeInBytes(batch.bytes, batch.events.length) >= this.config.maxRequestBytes) batch.closed = true;
    if (this.config.partitioner === 'sticky' && partition === this.sticky) {
      this.stickyBytes += bytes;
      this.maybeMoveOn(this.stickyBytes >= 2 * this.config.batchBytes);
    }
    return {};
  }

  /**
   * KIP-794's switch: once `batch.size` bytes went to the sticky partition, move on if its last
   * batch takes no more events (moving on from a batch still filling would leave it part-full);
   * `force` (twice `batch.size` went there) moves on regardless.
   */
  private maybeMoveOn(force: boolean): void {
    if (this.stickyBytes < this.config.batchBytes) return;
    const last = this.queues[this.sticky]!.at(-1);
    if (!force && last !== undefined && !last.closed) return;
    this.sticky = (this.sticky + 1) % this.config.partitions;
    this.stickyBytes = 0;
  }

  /** Whether a batch of `records` records and `bytes` payload is within `batch.size` and `max.request.size`. */
  private holds(bytes: number, records: number): boolean {
    return bytes <= this.config.batchBytes && batchSizeInBytes(bytes, records) <= this.config.maxRequestBytes;
  }

  queue(partition: number): readonly ProducerBatch[] {
    return this.queues[partition]!;
  }

  /**
   * When the head batch of `partition` may be sent (Kafka's `ready`): at once if it takes no more
   * events (full, or sent before) or another batch queues behind it, else once it has lingered
   * `linger.ms` since it opened or the producer closes, whichever comes first (Kafka's `sendable`
   * is `full || expired || exhausted || closed || flushInProgress()`). Undefined with nothing queued.
   */
  sendableAt(partition: number): Micros | undefined {
    const queue = this.queues[partition]!;
    const head = queue[0];
    if (head === undefined) return undefined;
    return head.closed || queue.length > 1 ? 0 : Math.min(head.createdUs + this.config.lingerUs, this.config.closeAtUs);
  }

  /** The sender takes the head batch of `partition`: it takes no more events (Kafka's `drain` closes it). */
  take(partition: number): ProducerBatch {
    const batch = this.queues[partition]!.shift()!;
    batch.closed = true;
    return batch;
  }

  /**
   * Puts a batch back for a retry: ahead of newer batches, in sequence order when it has one. One
   * without (never numbered, or its numbers taken off to be numbered again) goes after the numbered
   * ones: they hold the sequences the broker needs first, and must not wait behind a batch that
   * cannot be numbered while they are unresolved.
   */
  requeue(batch: ProducerBatch): void {
    const queue = this.queues[batch.partition]!;
    const seq = batch.seq;
    const at = seq === undefined ? queue.findIndex((b) => b.seq === undefined) : queue.findIndex((b) => b.seq === undefined || b.seq > seq);
    if (at < 0) queue.push(batch);
    else queue.splice(at, 0, batch);
  }

  /** The batch is done — acknowledged, or failed for good: its buffer goes back to the pool (Kafka's `RecordAccumulator.deallocate`). */
  complete(batch: ProducerBatch): void {
    this.pool.release(batch.memoryBytes);
  }

  /** Removes and returns every batch queued for `partition` that was numbered (sent at least once by an idempotent producer). */
  takeNumbered(partition: number): ProducerBatch[] {
    const queue = this.queues[partition]!;
    const taken = queue.filter((b) => b.seq !== undefined);
    queue.splice(0, queue.length, ...queue.filter((b) => b.seq === undefined));
    return taken;
  }
}

/**
 * The producer's record accumulator and partitioner: events are assigned a partition and gathered
 * into one open batch per partition; a batch closes when it reaches `batch.size` or has lingered
 * `linger.ms`, and then waits in its partition's queue to be sent. As in Kafka, an event joins the
 * open batch only if it still fits (else that batch closes and the event opens the next), and an
 * event larger than `batch.size` gets a batch of its own. `max.request.size` caps every batch,
 * whatever `batch.size` says — Kafka's documentation calls it "effectively a cap on the maximum
 * uncompressed record batch size"; the producer refuses, before this, an event larger than it.
 * The cap compares the batch's serialized size (`batchSizeInBytes`, as Kafka's producer and every
 * leader here do); `batch.size` compares payload bytes — a simplification: Kafka's batches fill to
 * `batch.size` serialized, so hold a record fewer now and then (21 B per record, 61 B per batch).
 *
 * Partitioners: `key` hashes the event's key (FNV-1a, not Kafka's murmur2, so key placement differs
 * from a real cluster's, but is as stable); `round-robin` cycles through partitions event by event;
 * `sticky` (Kafka's default for events without a key) sends to one partition until its batch
 * closes, then moves to the next, so batches fill up even at low rates.
 *
 * Queues keep retried batches ahead of newer ones; with an idempotent producer they are ordered
 * by sequence number, which is how the broker expects them.
 *
 * Guarantee: every event added is in exactly one batch, of the partition it was given; a batch
 * holds its events in the order added and a partition's batches queue in the order they closed;
 * no batch is larger than `max.request.size` serialized, nor (unless one event alone is) than
 * `batch.size` in payload; the batches not yet completed hold at most `buffer.memory` bytes
 * serialized (buffer-pool.ts): an event the pool has no room for is not added.
 *
 * How it breaks: the order is the send queue's, not the log's — once a batch has gone, whether a
 * retry of it is appended before the batches sent after it is up to the producer (without
 * idempotence, with more than one request in flight, it may not be); and an event larger than
 * `max.request.size` would make a batch past the cap, which is why the producer must refuse it
 * first. Shown by test/features/log/message-size.test.ts (no batch past max.request.size; batches
 * of nine when ten do not fit) and producer-send-order.test.ts (re-sent in the order first sent).
 */
import { fnv1a, type Micros } from '../../../kernel/contract/index.ts';
import type { PartitionerKind } from './config.ts';
import { batchSizeInBytes } from './messages.ts';
import { BufferPool } from './buffer-pool.ts';

export interface ProducerBatch {
  readonly id: number;
  readonly partition: number;
  readonly events: string[];
  bytes: number;
  readonly createdUs: Micros;
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
  /** `max.request.size`: no batch's serialized size exceeds it. */
  readonly maxRequestBytes: number;
  readonly deliveryTimeoutUs: Micros;
  /** `buffer.memory`: the bytes the batches not yet completed may hold together. */
  readonly bufferMemoryBytes: number;
}

export class RecordAccumulator {
  private readonly open = new Map<number, ProducerBatch>();
  private readonly queues: ProducerBatch[][];
  private nextId = 1;
  private roundRobin = 0;
  private sticky = 0;
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
        return this.sticky % n;
    }
  }

  /**
   * Adds an event to its partition's open batch, or to a new one if it does not fit there; returns
   * the batch if it was just opened (the caller starts its linger timer), and closes it at once if
   * it is full. The event takes its serialized size of `buffer.memory` (a new batch's header with
   * it: buffer-pool.ts says why not a whole `batch.size`); when that much is not free the event is
   * not added (`blocked`: Kafka's `send()` would wait for memory).
   */
  add(partition: number, event: string, bytes: number, now: Micros): { opened?: ProducerBatch; blocked?: true } {
    let batch = this.open.get(partition);
    if (batch !== undefined && !this.holds(batch.bytes + bytes, batch.events.length + 1)) {
      this.close(batch);
      batch = undefined;
    }
    const charge = batch === undefined ? batchSizeInBytes(bytes, 1) : batchSizeInBytes(batch.bytes + bytes, batch.events.length + 1) - batchSizeInBytes(batch.bytes, batch.events.length);
    if (!this.pool.tryAllocate(charge)) return { blocked: true };
    let opened: ProducerBatch | undefined;
    if (batch === undefined) {
      batch = { id: this.nextId++, partition, events: [], bytes: 0, createdUs: now, attempts: 0, retryAtUs: 0, deadlineUs: now + this.config.deliveryTimeoutUs };
      this.open.set(partition, batch);
      opened = batch;
    }
    batch.events.push(event);
    batch.bytes += bytes;
    if (batch.bytes >= this.config.batchBytes || batchSizeInBytes(batch.bytes, batch.events.length) >= this.config.maxRequestBytes) this.close(batch);
    return opened ? { opened } : {};
  }

  /** Whether a batch of `records` records and `bytes` payload is within `batch.size` and `max.request.size`. */
  private holds(bytes: number, records: number): boolean {
    return bytes <= this.config.batchBytes && batchSizeInBytes(bytes, records) <= this.config.maxRequestBytes;
  }

  /** Whether `batch` is still its partition's open batch (not yet full, not yet lingered out). */
  isOpen(batch: ProducerBatch): boolean {
    return this.open.get(batch.partition) === batch;
  }

  /** Closes the open batch `id` of `partition` if it is still open (its linger expired). */
  closeIfOpen(partition: number, id: number): boolean {
    const batch = this.open.get(partition);
    if (batch === undefined || batch.id !== id) return false;
    this.close(batch);
    return true;
  }

  /** Closes every open batch (linger 0: what one tick produced goes out together). */
  closeAll(): void {
    for (const batch of [...this.open.values()]) this.close(batch);
  }

  queue(partition: number): ProducerBatch[] {
    return this.queues[partition]!;
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
    this.pool.release(batchSizeInBytes(batch.bytes, batch.events.length));
  }

  /** Removes and returns every batch queued for `partition` that was numbered (sent at least once by an idempotent producer). */
  takeNumbered(partition: number): ProducerBatch[] {
    const queue = this.queues[partition]!;
    const taken = queue.filter((b) => b.seq !== undefined);
    queue.splice(0, queue.length, ...queue.filter((b) => b.seq === undefined));
    return taken;
  }

  private close(batch: ProducerBatch): void {
    this.open.delete(batch.partition);
    this.queues[batch.partition]!.push(batch);
    if (this.config.partitioner === 'sticky') this.sticky = batch.partition + 1;
  }
}

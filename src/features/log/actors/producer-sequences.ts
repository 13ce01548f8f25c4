/**
 * An idempotent producer's sequence numbers, per partition, kept as Kafka's TransactionManager
 * keeps them for a producer without transactions (KIP-98; KIP-360's epoch bump, here a new
 * producer id, as the brokers of this model know no producer epochs).
 *
 * A partition numbers its batches under one producer id, from 0, in the order they are first sent,
 * with at most five numbered and unresolved at once (the broker remembers a producer's last five
 * batches, so a retry of any of them is still recognised). A batch keeps its numbers through every
 * retry, however long: a batch that fails does not fail the others, each retries until its own
 * `retries` or `delivery.timeout.ms` run out (Kafka's Sender fails one batch at a time).
 *
 * A batch given up after it was numbered leaves its sequence in doubt: the broker may hold it or
 * not. As Kafka does for an expired batch (markSequenceUnresolved), no new batch of the partition
 * is numbered until those numbered before are resolved; then, if the last acknowledged sequence is
 * not the last one sent, the partition starts again at 0 under a new producer id (Kafka:
 * maybeResolveSequences, then bumpIdempotentProducerEpoch). It starts again at once when the broker
 * confirms the gap, refusing as out of order the batch right after the given-up ones (Kafka's
 * isNextSequenceForUnresolvedPartition) or right after the last acknowledged one (the log lost
 * acknowledged events). Kafka treats a batch that used up its retries without marking its sequence
 * unresolved; the next batch then meets the gap, uses up its own retries on OUT_OF_ORDER_SEQUENCE
 * and fails, and only that bumps the epoch: here that batch is renumbered instead of failed.
 *
 * Under a new producer id, a partition whose batches are numbered under the old one goes on
 * retrying them under it (the broker still knows it) and numbers new batches only once they are all
 * resolved, from 0 under the new id (Kafka's stale-epoch rule in RecordAccumulator.drain, and
 * KAFKA-12152).
 *
 * How it breaks: a batch numbered under an abandoned numbering that comes back with anything but
 * an out-of-order refusal is in doubt and cannot be renumbered without risking a duplicate; the
 * producer gives it up (`producer-id-reset`).
 */
import { assert } from '../../../kernel/contract/index.ts';
import type { ProducerBatch } from './record-accumulator.ts';

/** The most batches a broker remembers per producer, hence the most a partition may have numbered and unresolved. */
const REMEMBERED_BATCHES = 5;

interface PartitionNumbering {
  readonly pid: number;
  nextSeq: number;
  /** The sequence after the last acknowledged batch. */
  ackedSeqEnd: number;
  /** The numbered batches from the oldest unresolved (acknowledged or given up) one to the newest. */
  readonly window: { readonly batch: ProducerBatch; resolved: boolean }[];
  /** The sequence after the last batch given up in doubt (Kafka's unresolved sequence), if any. */
  gapEnd?: number;
}

/** What resolving a batch asks of the producer: nothing, or to start the partition again at 0 (with a new producer id when `newPid`). */
export type Settled = { readonly restart: false } | { readonly restart: true; readonly newPid: boolean };

const SETTLED: Settled = { restart: false };

export class ProducerSequences {
  private readonly partitions = new Map<number, PartitionNumbering>();
  /** `pid/partition` numberings abandoned when their partition started again. */
  private readonly abandoned = new Set<string>();
  /** The most numbered batches unresolved per partition: the producer's `max.in.flight`, but never more than the broker remembers. */
  private readonly windowMax: number;

  constructor(maxInFlight: number) {
    this.windowMax = Math.min(maxInFlight, REMEMBERED_BATCHES);
  }

  /** Whether `batch` may be sent now: a numbered one always; a new one only into a settled partition with room, under `pid`. */
  mayNumber(batch: ProducerBatch, pid: number | undefined): boolean {
    if (batch.seq !== undefined) return true;
    if (pid === undefined) return false;
    const numbering = this.partitions.get(batch.partition);
    if (numbering === undefined) return true;
    if (numbering.gapEnd !== undefined) return false;
    // Under an old id, new batches wait until the old one's are all resolved, then start at 0.
    if (numbering.pid !== pid) return numbering.window.length === 0;
    return numbering.window.length < this.windowMax;
  }

  /** Numbers `batch` under `pid` the first time it is sent. */
  number(batch: ProducerBatch, pid: number): void {
    if (batch.seq !== undefined) return;
    const partition = batch.partition;
    let numbering = this.partitions.get(partition);
    if (numbering === undefined || numbering.pid !== pid) {
      assert(numbering === undefined || numbering.window.length === 0, () => `partition ${partition} numbers under producer ${pid} only once the batches of producer ${numbering!.pid} are resolved`);
      this.partitions.set(partition, (numbering = { pid, nextSeq: 0, ackedSeqEnd: 0, window: [] }));
    }
    batch.pid = pid;
    batch.seq = numbering.nextSeq;
    numbering.nextSeq += batch.events.length;
    numbering.window.push({ batch, resolved: false });
    assert(numbering.window.length <= this.windowMax, () => `partition ${partition}: numbered batches unresolved ≤ ${this.windowMax}, but ${numbering.window.length}`);
  }

  /** Whether `batch` is numbered under a numbering its partition abandoned. */
  isAbandoned(batch: ProducerBatch): boolean {
    return batch.pid !== undefined && this.abandoned.has(`${batch.pid}/${batch.partition}`);
  }

  /** Takes the numbers off a batch (of an abandoned numbering, known not appended) so it is numbered again. */
  forget(batch: ProducerBatch): void {
    delete batch.seq;
    delete batch.pid;
  }

  /**
   * A batch the broker refused as out of order: whether the refusal confirms a gap for good — it
   * is the batch right after the last acknowledged one (`lostAcknowledged`: the log lost what it
   * acknowledged) or right after the batches given up.
   */
  confirmsGap(batch: ProducerBatch): { lostAcknowledged: boolean } | undefined {
    const numbering = this.partitions.get(batch.partition);
    if (numbering === undefined || batch.pid !== numbering.pid) return undefined;
    if (batch.seq === numbering.ackedSeqEnd) return { lostAcknowledged: true };
    return batch.seq === numbering.gapEnd ? { lostAcknowledged: false } : undefined;
  }

  /** The batch was acknowledged. */
  acked(batch: ProducerBatch, pid: number | undefined): Settled {
    const numbering = this.resolve(batch);
    if (numbering === undefined) return SETTLED;
    numbering.ackedSeqEnd = Math.max(numbering.ackedSeqEnd, batch.seq! + batch.events.length);
    return this.settle(numbering, pid);
  }

  /** The batch was given up: its sequence is in doubt. */
  givenUp(batch: ProducerBatch, pid: number | undefined): Settled {
    const numbering = this.resolve(batch);
    if (numbering === undefined) return SETTLED;
    numbering.gapEnd = Math.max(numbering.gapEnd ?? 0, batch.seq! + batch.events.length);
    return this.settle(numbering, pid);
  }

  /**
   * Abandons the partition's numbering: its next batch is numbered from 0. Returns the id it was
   * numbered under, so the producer knows whether its current id must be replaced.
   */
  restart(partition: number): number | undefined {
    const numbering = this.partitions.get(partition);
    if (numbering === undefined) return undefined;
    this.abandoned.add(`${numbering.pid}/${partition}`);
    this.partitions.delete(partition);
    return numbering.pid;
  }

  /** Marks `batch` resolved in its partition's window; undefined when it is not of the partition's numbering. */
  private resolve(batch: ProducerBatch): PartitionNumbering | undefined {
    const numbering = this.partitions.get(batch.partition);
    if (batch.seq === undefined || numbering === undefined || batch.pid !== numbering.pid) return undefined;
    const entry = numbering.window.find((w) => w.batch === batch);
    if (entry !== undefined) entry.resolved = true;
    while (numbering.window.length > 0 && numbering.window[0]!.resolved) numbering.window.shift();
    return numbering;
  }

  /** Once nothing numbered is unresolved, a gap that remains (acknowledged ≠ sent) starts the partition again. */
  private settle(numbering: PartitionNumbering, pid: number | undefined): Settled {
    if (numbering.gapEnd === undefined || numbering.window.length > 0) return SETTLED;
    if (numbering.ackedSeqEnd === numbering.nextSeq) {
      // A later batch was acknowledged after the ones given up: the broker had them all.
      delete numbering.gapEnd;
      return SETTLED;
    }
    return { restart: true, newPid: numbering.pid === pid };
  }
}

/**
 * One broker's replica of one partition: its log, its high watermark, the idempotent-producer table
 * rebuilt from its log, and the role it currently plays (leader, follower, or none while the
 * partition is offline or the broker has not heard from the controller).
 *
 * Every change to what the replica holds is a `log` trace record at the broker — `append`
 * (leader), `replicate` (follower), `truncate`, `recover`, `hw` — with the offsets and event ids
 * involved, so the divergence checker can rebuild each replica's content from the trace alone.
 *
 * Guarantee: the high watermark never exceeds the log end and only moves back when the log is
 * truncated below it; the producer table always describes the log as it is.
 */
import type { Context, Disk } from '../../../kernel/contract/index.ts';
import { assert, recordShape } from '../../../kernel/contract/index.ts';
import type { Batch, PartitionMeta } from './messages.ts';
import { PartitionLog, hwFile } from './partition-log.ts';
import { ProducerStateTable } from './producer-state.ts';

// The `log` records written once per batch per replica and once per high-watermark move (≈ 0.76 M
// in an hour of aps-xray under stream-replay): written by shape, the same records as `record`'s.
const HEAD = [['op', 'string'], ['topic', 'string'], ['partition', 'number'], ['offset', 'number'], ['epoch', 'number']] as const;
const HW = recordShape('log', HEAD);
const APPENDED = [...HEAD, ['batchEpoch', 'number'], ['events', 'json']] as const;
const APPEND = recordShape('log', APPENDED);
const APPEND_IDEMPOTENT = recordShape('log', [...APPENDED, ['pid', 'number'], ['seq', 'number']]);

/** The part of a role the broker needs to route messages and wake it. */
export interface Role {
  readonly kind: 'leader' | 'follower';
  /** Stops the role: pending requests are answered, timers forgotten. */
  resign(ctx: Context): void;
}

export class Replica {
  readonly key: string;
  readonly log: PartitionLog;
  readonly producers = new ProducerStateTable();
  hw: number;
  /** Log end covered by a completed fsync (meaningful with `flush: every-write`). */
  flushedEnd: number;
  /** Bumped by every truncation, so an fsync issued before it does not vouch for what replaced the data. */
  truncations = 0;
  leaderEpoch = -1;
  partitionEpoch = -1;
  meta: PartitionMeta;
  role: Role | undefined;

  constructor(
    ctx: Context,
    readonly topic: string,
    readonly partition: number,
    meta: PartitionMeta,
    segmentBytes: number,
    compacted = false,
  ) {
    this.key = `${topic}-${partition}`;
    this.meta = meta;
    this.log = PartitionLog.open(ctx.disk, this.key, segmentBytes, compacted);
    this.rebuildProducers();
    const checkpoint = ctx.disk.get(hwFile(this.key));
    this.hw = Math.min(typeof checkpoint === 'number' ? checkpoint : 0, this.log.logEnd);
    this.hw = Math.max(this.hw, this.log.logStart);
    this.flushedEnd = this.log.logStart;
    this.assertPositions('recovery');
    this.record(ctx, 'recover', this.log.logEnd, { logStart: this.log.logStart, hw: this.hw, latestEpoch: this.log.epochs.latest() });
  }

  /** A `log` trace record about this partition at this broker. */
  record(ctx: Context, op: string, offset: number, fields: Record<string, unknown> = {}): void {
    ctx.record('log', { op, topic: this.topic, partition: this.partition, offset, epoch: this.leaderEpoch, ...fields });
  }

  /** Appends a batch (as leader or follower) and records what it holds; false if the disk is full. */
  append(ctx: Context, batch: Batch, op: 'append' | 'replicate'): boolean {
    // Batches carry the epoch of the leader that appended them: never one newer than the replica knows.
    assert(batch.epoch <= this.leaderEpoch, () => `${this.key}: batch epoch ≤ replica's leader epoch, but ${op} of a batch of epoch ${batch.epoch} at ${batch.base} in epoch ${this.leaderEpoch}`);
    if (!this.log.append(batch)) {
      this.record(ctx, 'reject', batch.base, { error: 'disk-full', events: batch.events.length });
      return false;
    }
    this.producers.appended(batch);
    const { topic, partition, leaderEpoch: epoch } = this;
    const { base: offset, epoch: batchEpoch, events, pid, seq } = batch;
    if (pid === undefined) ctx.recordShaped(APPEND, [op, topic, partition, offset, epoch, batchEpoch, events]);
    else ctx.recordShaped(APPEND_IDEMPOTENT, [op, topic, partition, offset, epoch, batchEpoch, events, pid, seq]);
    return true;
  }

  setHighWatermark(ctx: Context, hw: number): void {
    if (hw === this.hw) return;
    this.hw = hw;
    this.assertPositions('high watermark change');
    ctx.recordShaped(HW, ['hw', this.topic, this.partition, hw, this.leaderEpoch]);
  }

  /** Truncates the log to `offset` (a no-op at or beyond its end) and records why. */
  truncate(ctx: Context, offset: number, reason: string): void {
    const from = this.log.logEnd;
    const removed = this.log.truncateTo(offset);
    if (removed === 0) return;
    this.afterTruncation();
    this.assertPositions('truncation');
    this.record(ctx, 'truncate', this.log.logEnd, { from, removed, reason });
  }

  /** Drops the whole log and restarts it at `offset` (below the leader's log start). */
  reset(ctx: Context, offset: number, reason: string): void {
    const from = this.log.logEnd;
    this.log.resetTo(offset);
    this.afterTruncation();
    this.hw = Math.max(this.hw, offset);
    this.assertPositions('reset');
    this.record(ctx, 'truncate', offset, { from, logStart: offset, reason });
  }

  /**
   * log start ≤ high watermark ≤ log end, and the fsynced end ≤ log end: asserted where they
   * change, and by the leader, follower and retention where they are relied on. O(1).
   */
  assertPositions(where: string): void {
    const { logStart, logEnd } = this.log;
    assert(logStart <= this.hw && this.hw <= logEnd, () => `${this.key} (${where}): log start ≤ high watermark ≤ log end, but ${logStart} / ${this.hw} / ${logEnd}`);
    assert(this.flushedEnd <= logEnd, () => `${this.key} (${where}): fsynced end ≤ log end, but ${this.flushedEnd} > ${logEnd}`);
  }

  checkpointHighWatermark(disk: Disk): void {
    // Recovery trusts the checkpoint only up to the log end, but never writes one past it.
    this.assertPositions('high watermark checkpoint');
    if (disk.get(hwFile(this.key)) !== this.hw) disk.put(hwFile(this.key), this.hw, 8);
  }

  private afterTruncation(): void {
    this.truncations++;
    this.flushedEnd = Math.min(this.flushedEnd, this.log.logEnd);
    this.hw = Math.min(this.hw, this.log.logEnd);
    this.rebuildProducers();
  }

  private rebuildProducers(): void {
    this.producers.clear();
    for (const batch of this.log.batches()) this.producers.appended(batch);
  }
}

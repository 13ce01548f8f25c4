/**
 * What checkpointing costs while nothing fails: how many checkpoints, the bytes written to each
 * storage tier, how long writes took, time spent aligning barriers, and the storage held — and
 * how long the checkpoint coordinator stalled on a full disk.
 *
 * Reads `ckpt` records: `saved` and `flushed` (bytes per tier, write duration), `failed`,
 * `cancelled` at an operator (a write of an aborted global checkpoint given up or never begun;
 * a store's own `cancelled` records, which carry a `key`, are the same writes and not counted),
 * `aligned` (barrier alignment time), `complete` / `aborted` (global checkpoints), `blocked` with
 * reason `checkpoint` (coordinated pauses), and `stored` (each store's — or node-local key's, or
 * message log's (tier `message-log`) — total bytes held after a write or trim; storage used is their
 * sum now, and its peak); `coordinator-stalled` / `coordinator-resumed` (coordinator-state.ts: its
 * state writes refused, so no checkpoint is triggered or completed and no rollback moves on), and
 * `crash`, which ends a stall of the actor that crashed. `coordinatorStalls` lists each stall
 * (`fromUs`, and `toUs` unless it lasted to the end of the run); `coordinatorStalledUs` sums those
 * that ended. Both are left out where the strategy has no coordinator (stream-replay, multilevel),
 * as message logging's metrics are where nothing is logged: a zero there would measure nothing,
 * and a study comparing strategies shows them against `–`, not against a stall that cannot happen.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { LatencyHistogram } from '../../../metrics/latency.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

export class CheckpointMetrics implements TraceMetric {
  readonly name = 'checkpoint';
  readonly kinds = ['ckpt', 'crash'] as const;
  private saved = 0;
  private failed = 0;
  private cancelled = 0;
  private flushed = 0;
  private readonly bytesByTier: Record<string, number> = {};
  private readonly writeUs = new LatencyHistogram();
  private alignmentUs = 0;
  private alignments = 0;
  private blockedUs = 0;
  private complete = 0;
  private aborted = 0;
  private readonly held = new Map<string, number>();
  private storageBytes = 0;
  private storagePeakBytes = 0;
  private readonly stalls: { fromUs: number; toUs?: number }[] = [];
  /** The stall in progress, by the coordinator's actor. */
  private readonly stalled = new Map<string, { fromUs: number; toUs?: number }>();
  private stalledUs = 0;

  /** `coordinator`: whether the run's strategy has a checkpoint coordinator (strategy-info.ts). */
  constructor(private readonly options: { readonly coordinator: boolean }) {}

  observe(record: TraceRecord): void {
    if (record.k === 'crash') return this.stallEnds(record.a, record.t);
    if (record.k !== 'ckpt') return;
    switch (record.op) {
      case 'saved':
      case 'flushed': {
        if (record.op === 'saved') this.saved++;
        else this.flushed++;
        const tier = String(record.tier);
        this.bytesByTier[tier] = (this.bytesByTier[tier] ?? 0) + (record.bytes as number);
        this.writeUs.record(record.us as number);
        return;
      }
      case 'failed':
        this.failed++;
        return;
      case 'cancelled':
        if (record.strategy !== undefined) this.cancelled++;
        return;
      case 'aligned':
        this.alignments++;
        this.alignmentUs += record.us as number;
        return;
      case 'blocked':
        if (record.reason === 'checkpoint') this.blockedUs += record.us as number;
        return;
      case 'complete':
        this.complete++;
        return;
      case 'aborted':
        this.aborted++;
        return;
      case 'coordinator-stalled': {
        if (this.stalled.has(record.a)) return;
        const stall = { fromUs: record.t };
        this.stalls.push(stall);
        this.stalled.set(record.a, stall);
        return;
      }
      case 'coordinator-resumed':
        return this.stallEnds(record.a, record.t);
      case 'stored': {
        const key = `${record.a}\u0000${String(record.tier)}\u0000${record.tier === 'node-local' ? String(record.key) : ''}`;
        this.storageBytes += (record.totalBytes as number) - (this.held.get(key) ?? 0);
        this.held.set(key, record.totalBytes as number);
        this.storagePeakBytes = Math.max(this.storagePeakBytes, this.storageBytes);
        return;
      }
    }
  }

  /** The actor's stall, if any, ended at `atUs` (a write was taken, or the actor crashed). */
  private stallEnds(actor: string, atUs: number): void {
    const stall = this.stalled.get(actor);
    if (stall === undefined) return;
    this.stalled.delete(actor);
    stall.toUs = atUs;
    this.stalledUs += atUs - stall.fromUs;
  }

  result(): Record<string, unknown> {
    return {
      saved: this.saved,
      flushed: this.flushed,
      failed: this.failed,
      cancelled: this.cancelled,
      globalComplete: this.complete,
      globalAborted: this.aborted,
      bytesByTier: { ...this.bytesByTier },
      bytesWritten: Object.values(this.bytesByTier).reduce((a, b) => a + b, 0),
      writeUs: this.writeUs.percentiles(),
      blockedUs: this.blockedUs,
      alignmentUs: this.alignmentUs,
      alignments: this.alignments,
      storageBytes: this.storageBytes,
      storagePeakBytes: this.storagePeakBytes,
      ...(this.options.coordinator ? { coordinatorStalledUs: this.stalledUs, coordinatorStalls: this.stalls.map((stall) => ({ ...stall })) } : {}),
    };
  }
}

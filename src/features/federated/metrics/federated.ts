/**
 * Federated-learning metrics from the `state` records of the FL server and sites
 * (src/features/federated/actors/): rounds completed, the loss at the end and over simulated time, wasted site
 * work and rounds lost to server crashes.
 *
 * - `rounds`: rounds completed (the server's round counter at its last `op: round`);
 *   `roundsRun` counts every aggregation, redone rounds included.
 * - `finalLoss`, `optimumLoss`, `excessLoss` (final − optimum); `lossOverTime`: up to
 *   `LOSS_POINTS` `[tUs, loss]` pairs, evenly spread over the rounds, the last always included.
 * - `wastedUpdates`: updates a site computed (`op: train`) that no round aggregated — `late`
 *   (`wastedLate`: their round had ended) or lost to a crash (`wastedLostToCrash`
 *   (their attempt never completed: the server crashed first); `wastedComputeUs` sums their
 *   compute time.
 * - `roundsLost`: at each server recovery, the rounds completed before the crash minus the round
 *   it restored (0 when the checkpoint was current).
 * - The server's checkpoints, from the checkpoint layer's `ckpt` records at the server actor:
 *   `checkpoints` saved, `flushes` (multilevel copies to the slower tier), `checkpointBytes` per
 *   tier (`checkpointBytes.remote`, …), `checkpointUs` (the time the saves and flushes took,
 *   summed; they run beside the rounds) and
 *   `restoreBlockedUs` (the time a restarted server was held restoring, running no round).
 */
import type { Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

/** At most this many (t, loss) points in `lossOverTime`. */
export const LOSS_POINTS = 12;

export class FederatedMetrics implements TraceMetric {
  readonly name = 'federated';
  private readonly trained = new Map<string, number>();
  private readonly aggregated = new Set<string>();
  private readonly completedAttempts = new Set<number>();
  private readonly losses: [Micros, number][] = [];
  private round = 0;
  private roundsRun = 0;
  private roundsLost = 0;
  private recoveries = 0;
  private lateRecords = 0;
  private optimumLoss: number | undefined;
  private completedAtUs: Micros | undefined;
  private checkpoints = 0;
  private flushes = 0;
  private readonly checkpointBytes = new Map<string, number>();
  private checkpointUs = 0;
  private restoreBlockedUs = 0;

  constructor(private readonly server: string) {}

  observe(record: TraceRecord): void {
    if (record.k === 'ckpt' && record.a === this.server) return this.observeCheckpoint(record);
    if (record.k !== 'state') return;
    switch (record.op) {
      case 'objective':
        this.optimumLoss ??= record.optimumLoss as number;
        break;
      case 'train':
        this.trained.set(key(record.a, record.started as number), record.computeUs as number);
        break;
      case 'round': {
        const started = record.started as number;
        this.completedAttempts.add(started);
        for (const site of record.participants as string[]) this.aggregated.add(key(site, started));
        this.round = record.round as number;
        this.roundsRun++;
        this.losses.push([record.t, record.loss as number]);
        break;
      }
      case 'late':
        this.lateRecords++;
        break;
      case 'recover':
        this.recoveries++;
        this.roundsLost += Math.max(0, this.round - (record.round as number));
        this.round = record.round as number;
        break;
      case 'done':
        this.completedAtUs ??= record.t;
        break;
    }
  }

  private observeCheckpoint(record: TraceRecord): void {
    if (record.op === 'saved' || record.op === 'flushed') {
      const tier = record.tier as string;
      if (record.op === 'saved') this.checkpoints++;
      else this.flushes++;
      this.checkpointBytes.set(tier, (this.checkpointBytes.get(tier) ?? 0) + (record.bytes as number));
      this.checkpointUs += record.us as number;
    } else if (record.op === 'blocked' && record.reason === 'restore') this.restoreBlockedUs += record.us as number;
  }

  result(): Record<string, unknown> {
    let late = 0;
    let lostToCrash = 0;
    let wastedComputeUs = 0;
    for (const [k, computeUs] of this.trained) {
      if (this.aggregated.has(k)) continue;
      wastedComputeUs += computeUs;
      if (this.completedAttempts.has(Number(k.slice(k.lastIndexOf('|') + 1)))) late++;
      else lostToCrash++;
    }
    const finalLoss = this.losses.at(-1)?.[1];
    return {
      rounds: this.round,
      roundsRun: this.roundsRun,
      roundsLost: this.roundsLost,
      serverRecoveries: this.recoveries,
      checkpoints: this.checkpoints,
      flushes: this.flushes,
      ...Object.fromEntries([...this.checkpointBytes].map(([tier, bytes]) => [`checkpointBytes.${tier}`, bytes])),
      checkpointUs: this.checkpointUs,
      restoreBlockedUs: this.restoreBlockedUs,
      ...(this.completedAtUs === undefined ? {} : { completedAtUs: this.completedAtUs }),
      ...(finalLoss === undefined ? {} : { finalLoss }),
      ...(this.optimumLoss === undefined ? {} : { optimumLoss: this.optimumLoss }),
      ...(finalLoss === undefined || this.optimumLoss === undefined ? {} : { excessLoss: finalLoss - this.optimumLoss }),
      lossOverTime: sample(this.losses, LOSS_POINTS),
      updatesComputed: this.trained.size,
      wastedUpdates: late + lostToCrash,
      wastedLate: late,
      wastedLostToCrash: lostToCrash,
      lateUpdatesReceived: this.lateRecords,
      wastedComputeUs,
    };
  }
}

function key(actor: string, started: number): string {
  return `${actor}|${started}`;
}

/** Up to `max` points evenly spread over `points`, the last always included. */
function sample(points: readonly [Micros, number][], max: number): [Micros, number][] {
  if (points.length <= max) return points.map(([t, loss]) => [t, loss]);
  const out: [Micros, number][] = [];
  for (let i = 0; i < max; i++) {
    const [t, loss] = points[Math.round((i * (points.length - 1)) / (max - 1))]!;
    out.push([t, loss]);
  }
  return out;
}

/**
 * When the next checkpoint is due: every fixed time, every N events, or adaptively.
 *
 * Adaptive follows Young (1974) and Daly (2006): with checkpoint cost δ and mean time between
 * failures M, the interval that minimises expected waste is about τ = √(2δM) − δ (Daly's first
 * order; M when δ ≥ M/2). δ is the mean duration of this participant's completed checkpoints
 * (1 s until one completes); M is estimated as (prior + elapsed) / (1 + failures seen), so the
 * configured prior dominates until failures are actually observed, and a failure-dense run
 * shortens the interval. The result is clamped to `[minUs, maxUs]`.
 *
 * Guarantee: a pure function of what the participant observed, so two runs with the same seed
 * checkpoint at the same times. How it breaks: an MTBF prior far from the truth makes the first
 * intervals wrong until failures are seen; a first phase shared by every participant would
 * synchronise independent checkpoints, so callers pass a per-participant `phase`.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import { SECOND } from '../../../kernel/contract/index.ts';
import type { IntervalPolicy } from './config.ts';

const DEFAULT_COST_US = SECOND;

export interface FailureHistory {
  /** Failures this participant (or coordinator) has seen. */
  readonly failures: number;
  /** Simulated time now. */
  readonly nowUs: Micros;
}

export class CheckpointClock {
  private costSumUs = 0;
  private costCount = 0;
  private eventsSince = 0;

  constructor(private readonly policy: IntervalPolicy) {}

  /** Delay until the first checkpoint; `phase` in [0, 1) spreads participants over one interval. */
  firstDelay(history: FailureHistory, phase: number): Micros | undefined {
    const interval = this.timeInterval(history);
    if (interval === undefined) return undefined;
    return Math.max(1, Math.floor(interval * (0.5 + phase)));
  }

  /** Delay from now until the next checkpoint (time and adaptive policies). */
  nextDelay(history: FailureHistory): Micros | undefined {
    return this.timeInterval(history);
  }

  /** Counts one processed event; true when an events-policy checkpoint is due. */
  countEvent(): boolean {
    if (this.policy.kind !== 'events') return false;
    if (++this.eventsSince < this.policy.every) return false;
    this.eventsSince = 0;
    return true;
  }

  /** Feeds the duration of a completed checkpoint into the adaptive estimate. */
  observeCost(us: Micros): void {
    this.costSumUs += us;
    this.costCount++;
  }

  private timeInterval(history: FailureHistory): Micros | undefined {
    switch (this.policy.kind) {
      case 'time':
        return this.policy.everyUs;
      case 'events':
        return undefined;
      case 'adaptive': {
        const { mtbfUs, minUs, maxUs } = this.policy;
        const cost = this.costCount === 0 ? DEFAULT_COST_US : this.costSumUs / this.costCount;
        const mtbf = (mtbfUs + history.nowUs) / (1 + history.failures);
        const tau = cost >= mtbf / 2 ? mtbf : Math.sqrt(2 * cost * mtbf) - cost;
        return Math.min(maxUs, Math.max(minUs, Math.round(tau)));
      }
    }
  }
}

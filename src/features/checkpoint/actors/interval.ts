/**
 * When the next checkpoint is due: every fixed time, every N events, or adaptively.
 *
 * Adaptive follows Daly (2006, "A higher order estimate of the optimum checkpoint interval for
 * restart dumps", eq. 37): with checkpoint cost δ and mean time between failures M, the compute
 * time between checkpoints that minimises the expected wall time is
 *
 *   τ = √(2δM) · [1 + ⅓·√(δ/(2M)) + ⅑·(δ/(2M))] − δ    for δ < 2M,   τ = M otherwise.
 *
 * (The first-order √(2δM) − δ is 21% short at δ = M/3.) Both inputs are
 * estimated online, from what the clock's owner observed:
 * - δ: the mean duration of the checkpoints completed so far — for an independent participant
 *   its own writes (capture to durable), for the coordinator of a global strategy each global
 *   checkpoint from its trigger to its completion (what a coordinated checkpoint blocks the job
 *   for). Before the first completes, the coordinator uses the longest global checkpoint that
 *   ended without completing (a failure or a timeout cut it short: its cost is more than it ran —
 *   a censored observation), or 1 s if longer. Without that, a checkpoint costlier than the
 *   failures allow (δ near or above M: each is cut short by the next failure) never completes, δ
 *   stays 1 s and the interval √(2M·1 s), where Daly says M (at M = 1 min and δ = 150 s: 10.3 s
 *   instead of 60 s, and most jobs never finished). An independent participant learns from every
 *   write of its own: one a rollback abandoned still measures the cost when it completes; one the
 *   tier refused says the cost is more than it ran; one its crash cut short (node-local `disk`: the
 *   restarted tier finds its file not yet on the device and deletes it) ran from its capture (its
 *   id) until that deletion. It keeps what it learnt (`memory`) in a file beside its checkpoints,
 *   unsynced — a process crash keeps the page cache, and its next fsync makes it durable — so a
 *   crash does not restart the estimate (independent.ts).
 * - M: the `mtbfUs` given, as is (failures seen do not move a known MTBF). When none is given,
 *   elapsed time over the failures seen, T/n (the maximum-likelihood estimate for exponential
 *   failures); with none seen yet, T itself (no failure in T: M is at least T), so intervals start
 *   at `minUs` and lengthen as √T while the run stays healthy, and shorten as failures come.
 *   "Failures" are the owner's own: an independent participant's restarts, the coordinator's
 *   rollbacks; T is simulated time since the run began.
 * The result is clamped to `[minUs, maxUs]`. The period is measured from the end of the previous
 * checkpoint (the coordinator) or from the previous due time (independent participants, whose
 * writes do not block).
 *
 * Phase — when the first checkpoint falls, and the first after a restart:
 * - An independent participant's first checkpoint is U·I after its start, U uniform in [0, 1)
 *   (`firstDelay`, U from its own `ckpt` stream): the stationary phase of a periodic timer started
 *   independently of everyone else. At any time t ≥ I the age of its latest checkpoint is then
 *   uniform on (0, I) and independent of the other participants' — what the rollback-recovery
 *   analyses assume of independent checkpoints (Randell 1975, "System structure for software fault
 *   tolerance": processes checkpoint without regard to one another; Elnozahy et al. 2002's survey,
 *   uncoordinated checkpointing: each process takes its checkpoints when it decides, here at an
 *   arbitrary phase), and
 *   what the derivation in scenarios/literature/domino-poisson.yaml uses (T − c uniform on (0, I)).
 *   Through session 22 it was I·(0.5 + U), from the first commit with no reason given: no
 *   participant checkpointed in the first I/2, each one's first interval was 1.5 I long on
 *   average, and a domino cascade reached the start far more often (six processes at 0.5
 *   messages/s: 0.31 of crashes against 0.07 with the stationary phase; test/literature/
 *   domino-poisson.test.ts). Real schedulers differ: Flink draws its periodic trigger's first delay
 *   uniformly from [min pause, interval] (CheckpointCoordinator); DMTCP's coordinator checkpoints
 *   every `--interval` seconds (its manual), in phase with no other job only because jobs start
 *   at unrelated times — which U·I models.
 * - After a restart from a checkpoint, Daly's model (2006, Fig. 1: restart R, then segments of τ of
 *   compute each followed by a dump) starts a new renewal: the next checkpoint is due one whole
 *   interval after the restart (`nextDelay`), not at a new random phase — the restored process's
 *   schedule is its own again, and a checkpoint earlier than τ after the restore would save little
 *   new work. The restart time R (the configured restart and the read) is inside that interval; a
 *   checkpoint that falls due while the restore or a rollback still holds the operator is skipped
 *   (independent.ts), and the next is I later.
 * - A coordinator (global strategies) has one clock for the whole job: its first global checkpoint
 *   is I after it starts, and after its restart I again (Daly's τ from the job's start, then from
 *   each restart; global-checkpoints.ts) — no phase to draw.
 *
 * Guarantee: a pure function of what the owner observed, so two runs with the same seed
 * checkpoint at the same times (`Math.sqrt` is correctly rounded, hence the same everywhere). How
 * it breaks: the estimates are only as good as the observations — a given MTBF far from the truth
 * stays wrong, an estimated one is wrong until enough failures were seen, and a cost measured
 * under contention is the contended one; a first phase shared by every participant would
 * synchronise independent checkpoints, so callers pass a per-participant `phase`; participants
 * restarted together (a node crash) checkpoint together again I after their restart, until their
 * clocks drift apart — an adaptive interval each learnt on its own does that, a fixed one never. The estimates
 * survive a restart where their owner keeps them: the coordinator in its durable state (written with
 * its next write, so a crash before that loses the latest observation: coordinator-state.ts), an
 * independent participant in an unsynced file (a node crash takes back what no fsync covered).
 * A save to a store or a log topic that a crash cut short is not seen by the restarted participant
 * (the upload is the store's): at δ ≥ 2M on such a tier, with every save cut by a crash and no
 * rollback in between, the clock still keeps δ = 1 s.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import { SECOND } from '../../../kernel/contract/index.ts';
import type { IntervalPolicy } from './config.ts';

/** The cost assumed until a checkpoint has been measured. */
const DEFAULT_COST_US = SECOND;

export interface FailureHistory {
  /** Failures this participant (or coordinator) has seen. */
  readonly failures: number;
  /** Simulated time now (the run began at 0). */
  readonly nowUs: Micros;
}

/** Daly's higher-order optimum compute time between checkpoints for cost δ and MTBF M (same unit). */
export function dalyInterval(cost: number, mtbf: number): number {
  if (cost >= 2 * mtbf) return mtbf;
  const x = cost / (2 * mtbf);
  return Math.sqrt(2 * cost * mtbf) * (1 + Math.sqrt(x) / 3 + x / 9) - cost;
}

/** What a clock has learnt of the checkpoint cost: the completed checkpoints' total and count, the longest abandoned one. */
export interface ClockMemory {
  readonly costSumUs: number;
  readonly costCount: number;
  readonly longestIncompleteUs: number;
}

export class CheckpointClock {
  private costSumUs = 0;
  private costCount = 0;
  private eventsSince = 0;
  /** The longest checkpoint abandoned before it completed: a lower bound on the cost. */
  private longestIncompleteUs = 0;

  constructor(private readonly policy: IntervalPolicy) {}

  /**
   * Delay until an independently started participant's first checkpoint: `phase` · I, `phase`
   * uniform in [0, 1) — the stationary phase (see the module comment). At least 1 µs.
   */
  firstDelay(history: FailureHistory, phase: number): Micros | undefined {
    const interval = this.timeInterval(history);
    if (interval === undefined) return undefined;
    return Math.max(1, Math.floor(interval * phase));
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

  /** A checkpoint that ran `us` and was then abandoned (failure, timeout): its cost is more than `us`. */
  observeIncomplete(us: Micros): void {
    this.longestIncompleteUs = Math.max(this.longestIncompleteUs, us);
  }

  /** What it has learnt of the cost, for an owner that keeps it across a restart (failures are the owner's). */
  memory(): ClockMemory {
    return { costSumUs: this.costSumUs, costCount: this.costCount, longestIncompleteUs: this.longestIncompleteUs };
  }

  /** Takes back what an earlier incarnation learnt (`memory`). */
  remember(memory: ClockMemory): void {
    this.costSumUs = memory.costSumUs;
    this.costCount = memory.costCount;
    this.longestIncompleteUs = memory.longestIncompleteUs;
  }

  private timeInterval(history: FailureHistory): Micros | undefined {
    switch (this.policy.kind) {
      case 'time':
        return this.policy.everyUs;
      case 'events':
        return undefined;
      case 'adaptive': {
        const { mtbfUs, minUs, maxUs } = this.policy;
        const cost = this.costCount === 0 ? Math.max(DEFAULT_COST_US, this.longestIncompleteUs) : this.costSumUs / this.costCount;
        const mtbf = mtbfUs ?? history.nowUs / Math.max(1, history.failures);
        return Math.min(maxUs, Math.max(minUs, Math.round(dalyInterval(cost, mtbf))));
      }
    }
  }
}

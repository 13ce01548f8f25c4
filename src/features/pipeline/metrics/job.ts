/**
 * A batch job's makespan (`job.completionUs`): when the job's last piece of work was done for the
 * first time — the time of the last `state` record of an operator instance for an event that
 * instance had never processed before. Work redone after a failure delays it only when it is
 * redone before the job's last new work; a failure after the job completed changes nothing, as a
 * finished job is not running. `workEvents` counts that first-time work ((instance, event) pairs):
 * a run whose count falls short of a fault-free run's had not finished when it ended, and its
 * `completionUs` is then only how far it got.
 *
 * `wasteFraction` is the waste of Daly's checkpoint model (Young 1974, Daly 2006): 1 − T_s / T_w,
 * the share of the job's wall-clock time not spent on first-time work. T_w is the makespan; T_s,
 * the solve time, is the first-time service time of the busiest operator instance (the job's
 * bottleneck, the "application" of the model). Checkpoint pauses, work redone after a rollback,
 * restarts and down time all count as waste, as in the model, and nothing after the job's end
 * does. For a job whose bottleneck is saturated from start to end this is the quantity Daly's
 * T_w(τ) = M e^{R/M} (e^{(τ+δ)/M} − 1) T_s/τ predicts; a job whose bottleneck also idles (a
 * source slower than it) counts the idling as waste too. `recovery.wasteFraction` is another
 * measure (operator time of every operator, up to the run's end).
 *
 * Reported for pipelines whose every source is finite (a `limit`), where the job ends; a
 * streaming job has no makespan. Memory: one entry per (instance, event id) processed.
 */
import type { Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

export type JobResult = {
  completionUs: Micros;
  workEvents: number;
  /** Daly's waste, 1 − T_s / T_w (see the header); 0 when nothing was done. */
  wasteFraction: number;
  /** T_s: the busiest instance's first-time service time. */
  solveUs: Micros;
  /** Instants at which an operator instance crashed before the job completed. */
  failures: number;
};

export class JobMetrics implements TraceMetric<JobResult> {
  readonly name = 'job';
  readonly kinds = ['state', 'crash'] as const;
  private readonly operators = new Set<string>();
  private readonly done = new Set<string>();
  /** Instance → service time of its first-time work. */
  private readonly firstTimeUs = new Map<string, Micros>();
  private completionUs: Micros = 0;
  /** Distinct instants at which an operator instance crashed, in trace order. */
  private readonly crashUs: Micros[] = [];

  observe(record: TraceRecord): void {
    if (record.k === 'crash') {
      if (this.operators.has(record.a) && this.crashUs.at(-1) !== record.t) this.crashUs.push(record.t);
      return;
    }
    if (record.k !== 'state') return;
    if (record.init === true) this.operators.add(record.a);
    if ((typeof record.event !== 'number' && typeof record.event !== 'string') || !this.operators.has(record.a)) return;
    const key = `${record.a}\u0000${record.event}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    this.completionUs = record.t;
    this.firstTimeUs.set(record.a, (this.firstTimeUs.get(record.a) ?? 0) + (typeof record.us === 'number' ? record.us : 0));
  }

  result(): JobResult {
    const solveUs = Math.max(0, ...this.firstTimeUs.values());
    const wasteFraction = this.completionUs === 0 ? 0 : Math.round((1 - solveUs / this.completionUs) * 10_000) / 10_000;
    const failures = this.crashUs.filter((t) => t < this.completionUs).length;
    return { completionUs: this.completionUs, workEvents: this.done.size, wasteFraction, solveUs, failures };
  }
}

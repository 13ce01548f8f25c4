/**
 * A batch job's makespan (`job.completionUs`): when the job's last piece of work was done for the
 * first time — the time of the last `state` record of an operator instance for an event that
 * instance had never processed before. Work redone after a failure delays it only when it is
 * redone before the job's last new work; a failure after the job completed changes nothing, as a
 * finished job is not running. `workEvents` counts that first-time work ((instance, event) pairs):
 * a run whose count falls short of a fault-free run's had not finished when it ended, and its
 * `completionUs` is then only how far it got.
 *
 * Reported for pipelines whose every source is finite (a `limit`), where the job ends; a
 * streaming job has no makespan. Memory: one entry per (instance, event id) processed.
 */
import type { Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

export class JobMetrics implements TraceMetric<{ completionUs: Micros; workEvents: number }> {
  readonly name = 'job';
  private readonly operators = new Set<string>();
  private readonly done = new Set<string>();
  private completionUs: Micros = 0;

  observe(record: TraceRecord): void {
    if (record.k !== 'state') return;
    if (record.init === true) this.operators.add(record.a);
    if (typeof record.event !== 'string' || !this.operators.has(record.a)) return;
    const key = `${record.a}\u0000${record.event}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    this.completionUs = record.t;
  }

  result(): { completionUs: Micros; workEvents: number } {
    return { completionUs: this.completionUs, workEvents: this.done.size };
  }
}

/**
 * What failures cost a pipeline: lost work, recovery time, time blocked, and the waste fraction.
 *
 * - Lost work: events an operator instance processed again (the same event id at the same
 *   instance, from `state` records) — work redone after a restore — and the service time spent on
 *   them.
 * - Recovery time, for batch and streaming jobs alike: for each failure (the `crash` records of
 *   one instant), the time from the failure until every operator instance is back where it was
 *   then — up, and with as much work in its state as it had at the failure. An instance's
 *   *progress* is the number of events its current state holds: one more per processed event,
 *   and after a restore what the restored checkpoint held (the progress at its `snapshot`; none
 *   for a restore to the start). The failure is recovered at the first instant after it at which
 *   every instance is at or above its progress at the failure; it is `unrecovered` if the trace
 *   ends before. So an instance the failure did not touch is back at once, one that restarts
 *   pays its restart, the read of its checkpoint and the redoing of everything after it, and
 *   under a global rollback a survivor sent back pays its read (no restart: it did not reboot)
 *   and its redoing — it is behind from the `rollback` that sends it back (it abandons its state
 *   then, not when its restore ends), so a failure is not recovered while a survivor is still
 *   reading its checkpoint; one that keeps its present state (`kept`) is not set back. A failure that cost no operator any
 *   progress (a store, a broker or the coordinator crashing alone) recovers in 0 µs — the stall
 *   it may cause shows in the output latency, not here. Recovery does not wait for the backlog
 *   that built up while the job was down: catching up with the present is latency too.
 * - Blocked: time operators were held, by reason (`checkpoint`: coordinated pauses; `recovery`:
 *   waiting for a global rollback; `restore`: restarting and reading their own checkpoint back),
 *   each from the end of the event in service when it began.
 * - Rollback depth (uncoordinated checkpoints, whose `rollback` names a recovery line): for each
 *   operator instance in a recovery line, how many of the states it could have resumed from it
 *   fell back past: its own checkpoints from before the failure that lie after the one it was sent
 *   back to, and — for a survivor, whose present state is the line's newest candidate (the
 *   `rollback` lists those that `kept` it) — that present state too. So 0 for a survivor that
 *   kept its state and for the failed instance at its latest checkpoint; a survivor sent back to
 *   its latest checkpoint is at 1; an instance back at its initial state fell past all of them. The
 *   domino effect (Randell 1975) is this number growing; `max` and `mean` over every instance of
 *   every recovery line. A rollback that names no `kept` list (every global strategy but
 *   uncoordinated: no present state is a candidate) counts checkpoints only.
 * - Waste fraction: (redone service time + blocked time) / (all service time + blocked time) — the
 *   share of operator time not spent on useful, first-time work, summed over every operator
 *   instance (sources included) up to the run's end. Time an operator was down is not counted: it
 *   is the fault's, the same under every strategy. This is not Daly's waste (1 − T_s/T_w, the
 *   bottleneck's wall clock up to the makespan): a batch job reports that as `job.wasteFraction`,
 *   printed first; this one also counts checkpoints of an idle pipeline after the job ended.
 *
 * Memory: one entry per (instance, event id) processed, to recognise re-processing, and one per
 * checkpoint snapshot (its progress).
 */
import type { Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';
import { IdSet } from '../../../metrics/id-set.ts';

interface Failure {
  readonly atUs: Micros;
  /** Each instance's progress at the failure: what it must hold again. */
  readonly targets: ReadonlyMap<string, number>;
  /** Instances not back at their target yet. */
  readonly behind: Set<string>;
  recoveredUs?: Micros;
}

export class RecoveryMetrics implements TraceMetric {
  readonly name = 'recovery';
  readonly kinds = ['state', 'crash', 'ckpt'] as const;
  /** Operator instance → events its current state holds. */
  private readonly progress = new Map<string, number>();
  private readonly down = new Set<string>();
  /** Instances a rollback sent back, until their `restore`: their state is abandoned meanwhile. */
  private readonly restoring = new Set<string>();
  /** `<instance>#<checkpoint id>` → the progress its snapshot held. */
  private readonly snapshots = new Map<string, number>();
  /** Instance → ids of the events it processed (compact for the pipeline's counter-like ids: metrics/id-set.ts). */
  private readonly processed = new Map<string, IdSet>();
  private readonly failures: Failure[] = [];
  private readonly blockedUs: Record<string, number> = {};
  private events = 0;
  private serviceUs = 0;
  private redone = 0;
  private redoneUs = 0;
  private restores = 0;
  private restoresToStart = 0;
  private rollbacks = 0;
  private rolledBackToStart = 0;
  /** Instance → the capture time and id of each of its checkpoints, oldest first. */
  private readonly taken = new Map<string, { t: Micros; id: number }[]>();
  /** Each instance's rollback depth in each recovery line. */
  private readonly depths: number[] = [];

  observe(record: TraceRecord): void {
    switch (record.k) {
      case 'state':
        return this.state(record);
      case 'crash':
        return this.crash(record);
      case 'ckpt':
        return this.checkpoint(record);
    }
  }

  private state(record: TraceRecord): void {
    if (record.init === true) {
      if (!this.progress.has(record.a)) this.progress.set(record.a, 0);
      return;
    }
    if (typeof record.event !== 'number' && typeof record.event !== 'string') return;
    const us = typeof record.us === 'number' ? record.us : 0;
    this.events++;
    this.serviceUs += us;
    let processed = this.processed.get(record.a);
    if (processed === undefined) this.processed.set(record.a, (processed = new IdSet()));
    if (!processed.add(record.event)) {
      this.redone++;
      this.redoneUs += us;
    }
    this.progress.set(record.a, (this.progress.get(record.a) ?? 0) + 1);
    this.moved(record.a, record.t);
  }

  private crash(record: TraceRecord): void {
    const last = this.failures[this.failures.length - 1];
    if (last?.atUs !== record.t) {
      const targets = new Map(this.progress);
      const behind = new Set([...targets.keys()].filter((a) => this.down.has(a)));
      this.failures.push({ atUs: record.t, targets, behind, ...(behind.size === 0 ? { recoveredUs: record.t } : {}) });
    }
    if (!this.progress.has(record.a)) return;
    this.down.add(record.a);
    this.moved(record.a, record.t);
  }

  private checkpoint(record: TraceRecord): void {
    switch (record.op) {
      case 'snapshot': {
        if (!this.progress.has(record.a)) return;
        this.snapshots.set(`${record.a}#${String(record.id)}`, this.progress.get(record.a)!);
        if (typeof record.id !== 'number') return;
        let taken = this.taken.get(record.a);
        if (taken === undefined) this.taken.set(record.a, (taken = []));
        taken.push({ t: record.t, id: record.id });
        return;
      }
      case 'blocked': {
        const reason = String(record.reason);
        this.blockedUs[reason] = (this.blockedUs[reason] ?? 0) + (record.us as number);
        return;
      }
      case 'restore':
        this.restores++;
        if (record.toStart === true) this.restoresToStart++;
        if (!this.progress.has(record.a)) return;
        this.progress.set(record.a, record.toStart === true ? 0 : (this.snapshots.get(`${record.a}#${String(record.id)}`) ?? 0));
        this.down.delete(record.a);
        this.restoring.delete(record.a);
        this.moved(record.a, record.t);
        return;
      case 'rollback': {
        this.rollbacks++;
        this.rolledBackToStart += Array.isArray(record.toStart) ? record.toStart.length : 0;
        if (typeof record.targets !== 'object' || record.targets === null) return;
        const kept = Array.isArray(record.kept) ? (record.kept as string[]) : undefined;
        this.depth(record.targets as Record<string, number>, kept);
        for (const instance of Object.keys(record.targets)) {
          if (kept?.includes(instance) === true || !this.progress.has(instance)) continue;
          this.restoring.add(instance);
          this.moved(instance, record.t);
        }
        return;
      }
    }
  }

  /** A recovery line: each instance's checkpoints from before the failure newer than its target. */
  private depth(targets: Readonly<Record<string, number>>, kept: readonly string[] | undefined): void {
    const failureUs = this.failures.at(-1)?.atUs ?? Number.POSITIVE_INFINITY;
    for (const [instance, id] of Object.entries(targets)) {
      const taken = this.taken.get(instance) ?? [];
      // A survivor (up when the line is chosen) that did not keep its present state fell back past it too.
      const present = kept !== undefined && !this.down.has(instance) && !kept.includes(instance) ? 1 : 0;
      this.depths.push(taken.filter((c) => c.t <= failureUs && c.id > id).length + present);
    }
  }

  /** An instance's progress or liveness changed: is it behind what each open failure needs of it? */
  private moved(instance: string, nowUs: Micros): void {
    const up = !this.down.has(instance) && !this.restoring.has(instance);
    for (const failure of this.failures) {
      // Recovered after its instant is final; at its instant, another crash of that instant reopens it.
      if (failure.recoveredUs !== undefined && failure.recoveredUs > failure.atUs) continue;
      const target = failure.targets.get(instance);
      if (target === undefined) continue;
      if (up && this.progress.get(instance)! >= target) failure.behind.delete(instance);
      else failure.behind.add(instance);
      failure.recoveredUs = failure.behind.size === 0 ? nowUs : undefined;
    }
  }

  result(): Record<string, unknown> {
    const recovered = this.failures.filter((f) => f.recoveredUs !== undefined).map((f) => f.recoveredUs! - f.atUs);
    const blocked = Object.values(this.blockedUs).reduce((a, b) => a + b, 0);
    const total = this.serviceUs + blocked;
    return {
      operators: this.progress.size,
      eventsProcessed: this.events,
      lostWorkEvents: this.redone,
      lostWorkUs: this.redoneUs,
      failures: this.failures.length,
      recovered: recovered.length,
      unrecovered: this.failures.length - recovered.length,
      recoveryUs: {
        mean: recovered.length === 0 ? 0 : Math.round(recovered.reduce((a, b) => a + b, 0) / recovered.length),
        max: recovered.length === 0 ? 0 : Math.max(...recovered),
        each: recovered,
      },
      blockedUs: { ...this.blockedUs },
      wasteFraction: total === 0 ? 0 : Math.round(((this.redoneUs + blocked) / total) * 10_000) / 10_000,
      restores: this.restores,
      restoresToStart: this.restoresToStart,
      rollbacks: this.rollbacks,
      rolledBackToStart: this.rolledBackToStart,
      rollbackDepth: {
        max: this.depths.length === 0 ? 0 : Math.max(...this.depths),
        mean: this.depths.length === 0 ? 0 : Math.round((this.depths.reduce((a, b) => a + b, 0) / this.depths.length) * 100) / 100,
      },
    };
  }
}

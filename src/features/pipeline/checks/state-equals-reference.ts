/**
 * `state-equals-reference`: at the end of the run, every operator instance's state equals the
 * state it reaches in a fault-free run of the same scenario and seed — the exactly-once promise.
 *
 * The reference is in the trace: a `state` record of the world with `reference` (instance → final
 * digest) and `processed` (instance → events it processed), written at time 0 by the run's builder,
 * which ran the scenario once without faults first. The checker then folds `state` records (an
 * instance's digest after each event, `init` at its start) and `ckpt` `restore` records (its digest
 * after a restore), keeping the last digest per instance.
 *
 * Anomalies:
 *  - `diverged`: the final digest differs from the reference (events lost, processed twice, or
 *    state corrupted by a restore); cites the instance's last state record and its last restore.
 *  - `missing`: an instance of the reference never reported a state.
 *  - `no-reference`: the trace has no reference record, so nothing can be judged — a failure.
 * Stats: instances compared, matching, and how many events the run processed in all against the
 * reference (more: work redone after failures; fewer: the run had not caught up at its end).
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, verdictOf, type CheckerDefinition, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

export const stateEqualsReference: CheckerDefinition = {
  name: 'state-equals-reference',
  description: 'every operator ends in the state a fault-free run of the same seed reaches',
  create: () => new StateEqualsReference(),
  vacuous: (stats) => (stats.instances === 0 ? '0 operator instances in the reference' : undefined),
};

interface Last {
  digest: string;
  /** The instance's last state or restore record, cited only if it diverged (records are never changed once written). */
  record: TraceRecord;
  restore?: TraceRecord;
  processed: number;
}

class StateEqualsReference implements TraceChecker {
  readonly name = stateEqualsReference.name;
  readonly kinds = ['state', 'ckpt'] as const;
  /** It counts steps and prints no event id: the numbers, not names made for every step. */
  readonly eventIds = 'numbers' as const;
  private reference: Record<string, string> | undefined;
  private referenceProcessed: Record<string, number> = {};
  private readonly last = new Map<string, Last>();

  observe(record: TraceRecord): void {
    if (record.k === 'state' && record.a === 'world' && typeof record.reference === 'object') {
      this.reference = record.reference as Record<string, string>;
      this.referenceProcessed = (record.processed ?? {}) as Record<string, number>;
      return;
    }
    const restore = record.k === 'ckpt' && record.op === 'restore';
    if ((record.k !== 'state' && !restore) || typeof record.digest !== 'string') return;
    let last = this.last.get(record.a);
    if (last === undefined) {
      last = { digest: record.digest, record, processed: 0 };
      this.last.set(record.a, last);
    }
    last.digest = record.digest;
    last.record = record;
    if (restore) last.restore = record;
    if (record.k === 'state' && (typeof record.event === 'number' || typeof record.event === 'string')) last.processed++;
  }

  verdict(): Verdict {
    const reference = this.reference;
    if (reference === undefined) {
      return verdictOf([{ anomaly: 'no-reference', message: 'the trace holds no fault-free reference, so final states cannot be judged', cites: [] }], {});
    }
    const violations: Violation[] = [];
    let matching = 0;
    let processed = 0;
    let referenceProcessed = 0;
    for (const [instance, digest] of Object.entries(reference)) {
      const last = this.last.get(instance);
      referenceProcessed += this.referenceProcessed[instance] ?? 0;
      if (last === undefined) {
        violations.push({ anomaly: 'missing', message: `operator ${instance} never reported a state`, cites: [] });
        continue;
      }
      processed += last.processed;
      if (last.digest === digest) {
        matching++;
        continue;
      }
      const expected = this.referenceProcessed[instance];
      const how = expected === undefined ? '' : ` after processing ${last.processed} events (the fault-free run processed ${expected})`;
      const restored = last.restore === undefined ? '' : `; it was last restored at ${last.restore.t}us`;
      violations.push({
        anomaly: 'diverged',
        message: `operator ${instance} ends with state ${last.digest}, the fault-free run with ${digest}${how}${restored}`,
        cites: last.restore === undefined ? [cite(last.record)] : [cite(last.restore), cite(last.record)],
      });
    }
    return verdictOf(violations, { instances: Object.keys(reference).length, matching, processed, referenceProcessed });
  }
}

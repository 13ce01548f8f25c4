/**
 * `conservation`: an application invariant holds in every global snapshot — the conserved
 * quantity (a bank's money) summed over every operator's snapshot, channel state included, equals
 * what the operators held at the start.
 *
 * The total comes from the operators' `state` `init` records (`conserved`); each local snapshot
 * reports its share (its state's plus the in-flight events its image holds). A cut is judged once
 * complete (`cut-records.ts`). An operator a recovery line sends back to its initial state holds
 * its initial share there (a line can mix initial states and checkpoints).
 *
 * Anomalies: `not-conserved` (the cut's sum differs from the initial total; cites the cut's
 * completion and its first snapshot); `no-invariant` when no operator declares a conserved
 * quantity — the check cannot see, so it fails rather than pass vacuously.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { verdictOf, type CheckerDefinition, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { CutCollector, type Cut } from './cut-records.ts';

export const conservation: CheckerDefinition = {
  name: 'conservation',
  description: 'the conserved quantity the operators declare is the same in every global snapshot as at the start',
  create: () => new Conservation(),
  vacuous: (stats) => (stats.cuts === 0 ? '0 cuts: no global snapshot completed' : undefined),
};

class Conservation implements TraceChecker {
  readonly name = conservation.name;
  private total = 0;
  private declared = false;
  /** Each operator's initial share, from its `init` record. */
  private readonly initial = new Map<string, number>();
  private readonly violations: Violation[] = [];
  private readonly collector = new CutCollector((cut) => this.check(cut));
  private cuts = 0;

  observe(record: TraceRecord): void {
    if (record.k === 'state' && record.init === true && typeof record.conserved === 'number' && !this.initial.has(record.a)) {
      this.initial.set(record.a, record.conserved);
      this.total += record.conserved;
      this.declared = true;
      return;
    }
    this.collector.observe(record);
  }

  verdict(): Verdict {
    if (!this.declared) {
      return verdictOf([{ anomaly: 'no-invariant', message: 'no operator declares a conserved quantity, so there is nothing to check', cites: [] }], { cuts: this.cuts });
    }
    return verdictOf(this.violations, { cuts: this.cuts, total: this.total });
  }

  private check(cut: Cut): void {
    // A recovery line of initial states reports no shares; it holds the initial total by definition.
    if (cut.snapshots.every((s) => s.conserved === undefined)) return;
    this.cuts++;
    const sum = cut.snapshots.reduce((acc, s) => acc + (s.conserved ?? (s.id === 0 ? (this.initial.get(s.instance) ?? 0) : 0)), 0);
    if (sum === this.total) return;
    const first = cut.snapshots.find((s) => s.cite !== undefined)?.cite;
    this.violations.push({
      anomaly: 'not-conserved',
      message: `${cut.name} holds ${sum} in all (states and channels), but the operators started with ${this.total}: ${sum > this.total ? 'created' : 'lost'} ${Math.abs(sum - this.total)}`,
      cites: first === undefined ? [cut.cite] : [first, cut.cite],
    });
  }
}

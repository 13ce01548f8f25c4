/**
 * `state-machine-safety` (Raft, Figure 3): every node of a group applies the same command at each
 * index, in index order, without gaps — so every replica passes through the same states.
 *
 * Anomalies: `divergent-apply` (two nodes applied different entries at one index, citing both
 * `raft-apply` records), `apply-gap` (a node applied an index other than the next one, after its
 * last apply or the snapshot it restored), `divergent-snapshot` (two snapshots of one index with
 * different state digests).
 *
 * Breaks under `raft.unsafe.commit-previous-term-by-count` (Figure 8) and under two leaders in a
 * term (`raft.unsafe.skip-vote-fsync` with power losses).
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { formatMicros } from '../../../kernel/contract/index.ts';
import { cite, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { nodeKey, raftOp } from '../shared/trace.ts';

type Stats = { applied: number; indices: number };

export const stateMachineSafety: CheckerDefinition<Stats> = {
  name: 'state-machine-safety',
  live: true,
  description: 'every node of a Raft group applies the same command at each index, in order',
  create: () => new StateMachineSafety(),
  vacuous: (stats) => (stats.applied === 0 ? '0 entries applied' : undefined),
};

class StateMachineSafety implements TraceChecker<Stats> {
  readonly name = stateMachineSafety.name;
  /** `group|index` → the entry first applied there. */
  private readonly applied = new Map<string, { digest: string; term: number; cite: Citation }>();
  private readonly snapshots = new Map<string, { digest: string; cite: Citation }>();
  /** Node → the index it applied last (or restored). */
  private readonly last = new Map<string, number>();
  private readonly violations: Violation[] = [];
  private applies = 0;

  observe(record: TraceRecord): void {
    const op = raftOp(record);
    if (op === 'raft-apply') this.apply(record);
    else if (op === 'raft-recover') this.last.set(nodeKey(record), record.snapshotIndex as number);
    else if (op === 'raft-install') this.snapshot(record, true);
    else if (op === 'raft-snapshot') this.snapshot(record, false);
  }

  private apply(record: TraceRecord): void {
    this.applies++;
    const group = record.group as string;
    const index = record.index as number;
    const node = nodeKey(record);
    const last = this.last.get(node) ?? 0;
    if (index !== last + 1) {
      this.violations.push({
        anomaly: 'apply-gap',
        message: `group ${group}: ${record.a} applied entry ${index} at ${formatMicros(record.t)} after entry ${last}`,
        cites: [cite(record)],
      });
    }
    this.last.set(node, index);
    const key = `${group}|${index}`;
    const digest = record.digest as string;
    const first = this.applied.get(key);
    if (first === undefined) return void this.applied.set(key, { digest, term: record.term as number, cite: cite(record) });
    if (first.digest === digest && first.term === record.term) return;
    this.violations.push({
      anomaly: 'divergent-apply',
      message: `group ${group}: ${record.a} applied entry ${index} of term ${record.term as number} at ${formatMicros(record.t)}, where ${first.cite.a} applied another, of term ${first.term}, at ${formatMicros(first.cite.t)}`,
      cites: [first.cite, cite(record)],
    });
  }

  private snapshot(record: TraceRecord, installed: boolean): void {
    const group = record.group as string;
    const index = record.index as number;
    if (installed) this.last.set(nodeKey(record), index);
    const key = `${group}|${index}`;
    const digest = record.digest as string;
    const first = this.snapshots.get(key);
    if (first === undefined) return void this.snapshots.set(key, { digest, cite: cite(record) });
    if (first.digest === digest) return;
    this.violations.push({
      anomaly: 'divergent-snapshot',
      message: `group ${group}: ${record.a}'s snapshot at entry ${index} (${formatMicros(record.t)}) holds another state than ${first.cite.a}'s (${formatMicros(first.cite.t)})`,
      cites: [first.cite, cite(record)],
    });
  }

  verdict(): Verdict<Stats> {
    return verdictOf(this.violations, { applied: this.applies, indices: this.applied.size });
  }
}

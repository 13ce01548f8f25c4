/**
 * `leader-completeness` (Raft, Figure 3): an entry committed in a term is in the log of every leader
 * of a later term — so a committed entry is never overwritten.
 *
 * The committed entries of a group are learned from `raft-commit` records (a node's commit index,
 * with the terms of its log up to there, from the log model). Anomalies:
 *  - `committed-changed`: a node committed a different entry (another term) at an index already
 *    committed — two nodes disagree on what is committed;
 *  - `committed-truncated`: a node removed a committed entry from its log (the overwrite itself);
 *  - `leader-missing-committed`: a node became leader without a committed entry.
 * Each cites the commit record and the record that contradicts it.
 *
 * Breaks under `raft.unsafe.commit-previous-term-by-count` (the Raft paper's Figure 8; see
 * scenarios/drills/raft-figure-8.yaml).
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { formatMicros } from '../../../kernel/contract/index.ts';
import { cite, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { raftOp } from '../shared/trace.ts';
import { LogModels, type NodeLog } from './log-model.ts';

type Stats = { committed: number; leaders: number };

export const leaderCompleteness: CheckerDefinition<Stats> = {
  name: 'leader-completeness',
  live: true,
  description: 'every Raft leader holds every entry committed before its term; no committed entry is overwritten',
  create: () => new LeaderCompleteness(),
  vacuous: (stats) => (stats.committed === 0 ? '0 entries committed' : undefined),
};

interface Committed {
  readonly term: number;
  readonly cite: Citation;
}

class LeaderCompleteness implements TraceChecker<Stats> {
  readonly name = leaderCompleteness.name;
  private readonly models = new LogModels();
  /** Per group: index → the entry committed there. */
  private readonly committed = new Map<string, Map<number, Committed>>();
  private readonly violations: Violation[] = [];
  private leaders = 0;

  observe(record: TraceRecord): void {
    const op = raftOp(record);
    if (op === undefined) return;
    if (op === 'raft-truncate') this.truncated(record);
    this.models.observe(op, record);
    if (op === 'raft-commit') this.commit(record);
    else if (op === 'raft-role' && record.role === 'leader') this.leader(record);
  }

  private group(record: TraceRecord): Map<number, Committed> {
    const group = record.group as string;
    let committed = this.committed.get(group);
    if (committed === undefined) this.committed.set(group, (committed = new Map()));
    return committed;
  }

  private commit(record: TraceRecord): void {
    const log = this.models.of(record);
    const committed = this.group(record);
    const to = Math.min(record.index as number, log.lastIndex);
    for (let index = Math.max(log.base, log.checkedTo) + 1; index <= to; index++) {
      const term = log.termAt(index)!;
      const earlier = committed.get(index);
      if (earlier === undefined) {
        committed.set(index, { term, cite: cite(record) });
      } else if (earlier.term !== term) {
        this.violations.push({
          anomaly: 'committed-changed',
          message: `group ${record.group as string}: ${record.a} committed entry ${index} of term ${term} at ${formatMicros(record.t)}, but the entry of term ${earlier.term} was committed there at ${formatMicros(earlier.cite.t)}`,
          cites: [earlier.cite, cite(record)],
        });
      }
    }
    log.checkedTo = Math.max(log.checkedTo, to);
  }

  private truncated(record: TraceRecord): void {
    const log = this.models.of(record);
    const committed = this.group(record);
    for (let index = (record.index as number) + 1; index <= log.lastIndex; index++) {
      const entry = committed.get(index);
      if (entry === undefined || log.termAt(index) !== entry.term) continue;
      this.violations.push({
        anomaly: 'committed-truncated',
        message: `group ${record.group as string}: ${record.a} truncated its log to ${record.index as number} at ${formatMicros(record.t)}, removing entry ${index} (term ${entry.term}), committed at ${formatMicros(entry.cite.t)}`,
        cites: [entry.cite, cite(record)],
      });
      return;
    }
  }

  private leader(record: TraceRecord): void {
    this.leaders++;
    const log: NodeLog = this.models.of(record);
    for (const [index, entry] of this.group(record)) {
      if (index <= log.base || log.termAt(index) === entry.term) continue;
      const has = log.termAt(index);
      this.violations.push({
        anomaly: 'leader-missing-committed',
        message: `group ${record.group as string}: ${record.a} became leader of term ${record.term as number} at ${formatMicros(record.t)} ${has === undefined ? 'without' : `with an entry of term ${has} in place of`} entry ${index} (term ${entry.term}), committed at ${formatMicros(entry.cite.t)}`,
        cites: [entry.cite, cite(record)],
      });
      return;
    }
  }

  verdict(): Verdict<Stats> {
    let committed = 0;
    for (const group of this.committed.values()) committed += group.size;
    return verdictOf(this.violations, { committed, leaders: this.leaders });
  }
}

/**
 * `election-safety` (Raft, Figure 3): at most one leader per term in each Raft group.
 *
 * Anomalies: `two-leaders` (two nodes became leader in the same term of the same group, citing both
 * `raft-role` records) and `double-vote` (a node gave its vote to two candidates in one term — the
 * cause of two leaders when votes are not durable, citing both `raft-vote` records). A vote is
 * recorded only once it is answered, so a vote a power loss took before anyone heard of it is no
 * double vote.
 *
 * Breaks under `raft.unsafe.skip-vote-fsync` with power losses (see raft-node.ts).
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { formatMicros } from '../../../kernel/contract/index.ts';
import { cite, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { raftOp } from '../shared/trace.ts';

type Stats = { leaders: number; terms: number; votes: number };

export const electionSafety: CheckerDefinition<Stats> = {
  name: 'election-safety',
  live: true,
  description: 'at most one leader per term in each Raft group',
  create: () => new ElectionSafety(),
  vacuous: (stats) => (stats.leaders === 0 ? '0 leaders elected' : undefined),
};

class ElectionSafety implements TraceChecker<Stats> {
  readonly name = electionSafety.name;
  /** `group|term` → the leader and its record. */
  private readonly leaders = new Map<string, { actor: string; cite: Citation }>();
  /** `group|term|voter` → the candidate voted for. */
  private readonly votes = new Map<string, { candidate: string; cite: Citation }>();
  private readonly violations: Violation[] = [];
  private leaderCount = 0;

  observe(record: TraceRecord): void {
    const op = raftOp(record);
    if (op === 'raft-role' && record.role === 'leader') this.leader(record);
    else if (op === 'raft-vote') this.vote(record);
  }

  private leader(record: TraceRecord): void {
    this.leaderCount++;
    const key = `${record.group as string}|${record.term as number}`;
    const earlier = this.leaders.get(key);
    if (earlier === undefined) return void this.leaders.set(key, { actor: record.a, cite: cite(record) });
    if (earlier.actor === record.a) return;
    this.violations.push({
      anomaly: 'two-leaders',
      message: `group ${record.group as string}: ${record.a} became leader of term ${record.term as number} at ${formatMicros(record.t)}, but ${earlier.actor} already led that term (since ${formatMicros(earlier.cite.t)})`,
      cites: [earlier.cite, cite(record)],
    });
  }

  private vote(record: TraceRecord): void {
    const key = `${record.group as string}|${record.term as number}|${record.a}`;
    const candidate = record.for as string;
    const earlier = this.votes.get(key);
    if (earlier === undefined) return void this.votes.set(key, { candidate, cite: cite(record) });
    if (earlier.candidate === candidate) return;
    this.violations.push({
      anomaly: 'double-vote',
      message: `group ${record.group as string}: ${record.a} voted for ${candidate} in term ${record.term as number} at ${formatMicros(record.t)}, having voted for ${earlier.candidate} in that term at ${formatMicros(earlier.cite.t)}`,
      cites: [earlier.cite, cite(record)],
    });
  }

  verdict(): Verdict<Stats> {
    return verdictOf(this.violations, { leaders: this.leaderCount, terms: this.leaders.size, votes: this.votes.size });
  }
}

/**
 * `raft-progress` (liveness): when the run ends — after the final phase, with every fault healed —
 * each Raft group has one leader that every running voter follows in the leader's term, and every
 * running voter's commit index has caught up with the highest commit index of its group.
 *
 * Anomalies: `no-leader` (the running voters do not agree on one leader of one term, citing each
 * one's last `raft-role` or `raft-recover` record) and `behind` (a voter's last commit is below the
 * group's, citing both commits). Voters whose last record is a crash are not judged.
 *
 * How it fails: a final phase shorter than an election (about fetch timeout plus twice the election
 * timeout after the last fault heals) — or a liveness bug, such as a node following, forever, a
 * leader it was only told about.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { formatMicros } from '../../../kernel/contract/index.ts';
import { cite, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { raftOp } from '../shared/trace.ts';

type Stats = { groups: number; voters: number };

export const raftProgress: CheckerDefinition<Stats> = {
  name: 'raft-progress',
  description: 'at the end of the run every Raft group has one leader that all running voters follow, and all have caught up with its commit index',
  create: () => new RaftProgress(),
  vacuous: (stats) => (stats.groups === 0 ? '0 Raft groups' : undefined),
};

interface Voter {
  role: string;
  term: number;
  leader: string | undefined;
  roleCite: Citation;
  commit: number;
  commitCite: Citation | undefined;
  down: boolean;
}

class RaftProgress implements TraceChecker<Stats> {
  readonly name = raftProgress.name;
  /** group → actor → its last known state. */
  private readonly groups = new Map<string, Map<string, Voter>>();
  /** actor → the groups it hosts. */
  private readonly hosted = new Map<string, Set<string>>();

  observe(record: TraceRecord): void {
    if (record.k === 'crash' || record.k === 'restart') {
      for (const group of this.hosted.get(record.a) ?? []) this.groups.get(group)!.get(record.a)!.down = record.k === 'crash';
      return;
    }
    const op = raftOp(record);
    if (op !== 'raft-role' && op !== 'raft-recover' && op !== 'raft-commit' && op !== 'raft-install') return;
    const voter = this.voter(record);
    if (op === 'raft-role' || op === 'raft-recover') {
      voter.role = op === 'raft-recover' ? 'follower' : (record.role as string);
      voter.term = record.term as number;
      voter.leader = record.leader as string | undefined;
      voter.roleCite = cite(record);
    }
    if (op === 'raft-commit' || op === 'raft-install' || (op === 'raft-recover' && (record.snapshotIndex as number) > voter.commit)) {
      voter.commit = (op === 'raft-recover' ? record.snapshotIndex : record.index) as number;
      voter.commitCite = cite(record);
    }
  }

  private voter(record: TraceRecord): Voter {
    const group = record.group as string;
    let voters = this.groups.get(group);
    if (voters === undefined) this.groups.set(group, (voters = new Map()));
    let voter = voters.get(record.a);
    if (voter === undefined) {
      voter = { role: 'follower', term: 0, leader: undefined, roleCite: cite(record), commit: 0, commitCite: undefined, down: false };
      voters.set(record.a, voter);
      let groups = this.hosted.get(record.a);
      if (groups === undefined) this.hosted.set(record.a, (groups = new Set()));
      groups.add(group);
    }
    return voter;
  }

  verdict(): Verdict<Stats> {
    const violations: Violation[] = [];
    let count = 0;
    for (const [group, voters] of this.groups) {
      const up = [...voters].filter(([, v]) => !v.down);
      count += voters.size;
      const leaders = up.filter(([, v]) => v.role === 'leader');
      const leader = leaders.length === 1 ? leaders[0]! : undefined;
      const astray = leader === undefined ? up : up.filter(([actor, v]) => actor !== leader[0] && (v.role !== 'follower' || v.leader !== leader[0] || v.term !== leader[1].term));
      if (astray.length > 0) {
        const states = astray.map(([actor, v]) => `${actor} ${v.role}${v.leader === undefined ? '' : ` of ${v.leader}`} in term ${v.term}`).join(', ');
        violations.push({
          anomaly: 'no-leader',
          message: `group ${group}: at the end, ${leader === undefined ? `${leaders.length} leaders among the running voters` : `not every running voter follows ${leader[0]} (term ${leader[1].term})`}: ${states}`,
          cites: astray.map(([, v]) => v.roleCite).sort((x, y) => x.t - y.t || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.n - y.n)),
        });
      }
      const top = up.reduce<Voter | undefined>((best, [, v]) => (best === undefined || v.commit > best.commit ? v : best), undefined);
      for (const [actor, v] of up) {
        if (top === undefined || v.commit >= top.commit || top.commitCite === undefined) continue;
        violations.push({
          anomaly: 'behind',
          message: `group ${group}: at the end, ${actor} has committed up to ${v.commit}, the group up to ${top.commit} (at ${formatMicros(top.commitCite.t)})`,
          cites: [...(v.commitCite === undefined ? [] : [v.commitCite]), top.commitCite],
        });
      }
    }
    return verdictOf(violations, { groups: this.groups.size, voters: count });
  }
}

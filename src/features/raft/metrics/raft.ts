/**
 * The metric `raft`, per run (all groups together): elections won, terms in which candidates ran
 * but no leader was elected (split votes, lost candidacies), the highest term, the highest
 * commit index any node reached, snapshots taken and installed, and the teaching client's replies
 * with their slowest latency (about a failover's cost when a leader is lost mid-request).
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';
import { raftOp } from '../shared/trace.ts';

export class RaftMetric implements TraceMetric {
  readonly name = 'raft';
  private elections = 0;
  private maxTerm = 0;
  private committed = 0;
  private snapshots = 0;
  private installs = 0;
  private replies = 0;
  /** `group|term` of every candidacy, and of every term that got a leader. */
  private readonly candidateTerms = new Set<string>();
  private readonly leaderTerms = new Set<string>();
  private maxReplyUs = 0;

  observe(record: TraceRecord): void {
    if (record.k === 'client' && record.op === 'raft-reply') {
      this.replies++;
      this.maxReplyUs = Math.max(this.maxReplyUs, record.latencyUs as number);
      return;
    }
    const op = raftOp(record);
    if (op === 'raft-role' && record.role === 'leader') {
      this.elections++;
      this.leaderTerms.add(`${record.group as string}|${record.term as number}`);
    } else if (op === 'raft-role' && record.role === 'candidate') this.candidateTerms.add(`${record.group as string}|${record.term as number}`);
    else if (op === 'raft-term') this.maxTerm = Math.max(this.maxTerm, record.term as number);
    else if (op === 'raft-commit') this.committed = Math.max(this.committed, record.index as number);
    else if (op === 'raft-snapshot') this.snapshots++;
    else if (op === 'raft-install') this.installs++;
  }

  result(): Record<string, number> {
    let leaderless = 0;
    for (const term of this.candidateTerms) if (!this.leaderTerms.has(term)) leaderless++;
    return { elections: this.elections, leaderlessTerms: leaderless, maxTerm: this.maxTerm, committed: this.committed, snapshots: this.snapshots, installs: this.installs, clientReplies: this.replies, maxReplyUs: this.maxReplyUs };
  }
}

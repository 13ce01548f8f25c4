/**
 * Raft as a feature: the engine (actors/raft-node.ts, hosted by any actor — the log feature's
 * controller quorum runs on it), a teaching section `raft:` (a replicated counter service with a
 * client, KRaft's timeout names and two clearly named unsafe knobs), the four Raft safety checkers
 * and a progress check over the trace (they judge every Raft group in a run, whoever hosts it) and
 * the `raft` metric.
 */
import { defineFeature } from '../../scenario/feature.ts';
import { electionSafety } from './checks/election-safety.ts';
import { leaderCompleteness } from './checks/leader-completeness.ts';
import { logMatching } from './checks/log-matching.ts';
import { raftProgress } from './checks/raft-progress.ts';
import { stateMachineSafety } from './checks/state-machine-safety.ts';
import { checkRaft, raftActorNames, resolveRaft } from './scenario/resolve.ts';
import { raftSchema } from './scenario/schema.ts';

export type { RaftSpec } from './scenario/resolve.ts';

/** The Raft checkers, for features that host Raft groups and want them named by default. */
export const RAFT_CHECKERS = [electionSafety, logMatching, leaderCompleteness, stateMachineSafety, raftProgress] as const;

export default defineFeature({
  name: 'raft',
  description: 'Raft (KRaft-style): a replicated counter service with pre-vote, fetch-based replication and snapshots, and the Raft safety checkers.',
  sections: {
    raft: raftSchema.optional().describe('A Raft group of voters replicating named counters, with an optional client (the Raft teaching feature). Default none.'),
  },
  checkers: [...RAFT_CHECKERS],
  actorNames: raftActorNames,
  crossCheck: checkRaft,
  resolve: (s) => (s.raft === undefined ? {} : { raft: resolveRaft(s.raft) }),
  // Its build side (actors and metric): RAFT_BUILD in scenario/build.ts (features/builds.ts).
});

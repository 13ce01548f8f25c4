/**
 * The `raft:` section built: one `RaftServer` per voter node and the optional client, which stops
 * sending at the end of the safety phase so the final phase shows the group settle.
 */
import type { Scenario } from '../../../scenario/types.ts';
import type { World } from '../../../world/index.ts';
import type { FeatureBuild } from '../../../scenario/feature.ts';
import { RaftClient, RaftServer } from '../actors/index.ts';
import { RaftMetric } from '../metrics/raft.ts';

export function buildRaft(world: World, scenario: Scenario): void {
  const raft = scenario.raft;
  if (raft === undefined) return;
  const voters = raft.servers.map((s) => s.actor);
  const options = {
    group: raft.group,
    voters,
    electionTimeoutUs: raft.electionTimeoutUs,
    fetchTimeoutUs: raft.fetchTimeoutUs,
    snapshotRecords: raft.snapshotRecords,
    preVote: raft.preVote,
    unsafe: { commitPreviousTermByCount: raft.commitPreviousTermByCount, skipVoteFsync: raft.skipVoteFsync },
  };
  for (const { actor, node } of raft.servers) world.spawn(actor, node, () => new RaftServer(options));
  const client = raft.client;
  if (client !== undefined) {
    const config = { servers: voters, everyUs: client.everyUs, timeoutUs: client.timeoutUs, keys: client.keys, stopUs: scenario.durationUs };
    world.spawn(client.actor, client.node, () => new RaftClient(config));
  }
}

/** The raft feature's build side (scenario/feature.ts `FeatureBuild`). */
export const RAFT_BUILD: FeatureBuild = {
  build(world, scenario) {
    if (scenario.raft === undefined) return [];
    buildRaft(world, scenario);
    return [new RaftMetric()];
  },
};

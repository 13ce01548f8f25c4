/**
 * The `raft:` section checked across sections and resolved: one voter per node (`raft-<node>`) and
 * the optional client (`raft-client`). Building it (spawning the actors) is scenario/build.ts, loaded
 * only once a scenario is valid.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { Names } from '../../../scenario/name-messages.ts';
import type { Report } from '../../../scenario/paths.ts';
import type { ScenarioFields } from '../../../scenario/written-types.ts';
import type { WrittenRaft } from './schema.ts';

export interface RaftSpec {
  readonly group: string;
  readonly servers: readonly { readonly actor: string; readonly node: string }[];
  readonly electionTimeoutUs: Micros;
  readonly fetchTimeoutUs: Micros;
  readonly snapshotRecords: number;
  readonly preVote: boolean;
  readonly commitPreviousTermByCount: boolean;
  readonly skipVoteFsync: boolean;
  readonly client?: { readonly actor: string; readonly node: string; readonly everyUs: Micros; readonly timeoutUs: Micros; readonly keys: number };
}

declare module '../../../scenario/types.ts' {
  interface FeatureSections {
    /** The teaching Raft group; absent when the file has none. */
    readonly raft?: RaftSpec;
  }
}

/** A voter's actor name. */
export const serverActor = (node: string) => `raft-${node}`;
export const CLIENT_ACTOR = 'raft-client';

export function raftActorNames(s: ScenarioFields): string[] {
  if (s.raft === undefined) return [];
  return [...s.raft.nodes.map(serverActor), ...(s.raft.client === undefined ? [] : [CLIENT_ACTOR])];
}

export function checkRaft(s: ScenarioFields, names: Names, report: Report): void {
  const raft = s.raft;
  if (raft === undefined) return;
  const taken = new Set([...Object.keys(s.services), ...Object.keys(s.workload)]);
  const known = (node: string, path: (string | number)[]) => {
    if (names.nodes.has(node)) return true;
    report(path, `unknown node "${node}"; the nodes are ${[...names.nodes.keys()].join(', ')}`);
    return false;
  };
  raft.nodes.forEach((node, i) => {
    const path = ['raft', 'nodes', i];
    if (!known(node, path)) return;
    if (raft.nodes.indexOf(node) !== i) report(path, `node "${node}" is listed twice: one Raft voter per node`);
    else if (taken.has(serverActor(node))) report(path, `its voter would be named "${serverActor(node)}", which a service or producer already is`);
  });
  if (raft.client !== undefined) known(raft.client.node, ['raft', 'client', 'node']);
}

export function resolveRaft(raft: WrittenRaft): RaftSpec {
  const client = raft.client;
  return {
    group: raft.group,
    servers: raft.nodes.map((node) => ({ actor: serverActor(node), node })),
    electionTimeoutUs: raft['controller.quorum.election.timeout.ms'],
    fetchTimeoutUs: raft['controller.quorum.fetch.timeout.ms'],
    snapshotRecords: raft['snapshot.records'],
    preVote: raft['pre-vote'],
    commitPreviousTermByCount: raft.unsafe['commit-previous-term-by-count'],
    skipVoteFsync: raft.unsafe['skip-vote-fsync'],
    ...(client === undefined ? {} : { client: { actor: CLIENT_ACTOR, node: client.node, everyUs: client.every, timeoutUs: client.timeout, keys: client.keys } }),
  };
}


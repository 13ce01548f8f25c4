/**
 * What one Raft group is configured with, and the state machine it replicates. Names follow
 * KRaft's configuration (`controller.quorum.election.timeout.ms` becomes `electionTimeoutUs`);
 * times are integer µs.
 *
 * The two `unsafe` knobs exist for teaching; each breaks one guarantee on purpose (see
 * raft-node.ts for what breaks and how the checkers catch it). Both default to off.
 */
import { MS, type Context, type Micros } from '../../../kernel/contract/index.ts';

/**
 * The replicated state machine. `apply` must be deterministic (the same commands in the same order
 * give the same state and results on every node); `snapshot` returns plain data (it is written to
 * disk and shipped to followers), and `restore` replaces the whole state with one.
 */
export interface StateMachine<C, R = unknown> {
  apply(command: C, index: number): R;
  snapshot(): unknown;
  restore(snapshot: unknown): void;
}

/** What the hosting actor hears from its Raft node. */
export interface RaftCallbacks<C, R = unknown> {
  /** This node won an election for `term` (its no-op entry is not committed yet). */
  onLeader?(ctx: Context, term: number): void;
  /** This node follows `leader` (undefined: none known yet) in `term`; also after a leader resigns. */
  onFollower?(ctx: Context, term: number, leader: string | undefined): void;
  /** A committed command was applied at `index` with `result` (on every node, the leader included). */
  onApplied?(ctx: Context, index: number, command: C, result: R): void;
}

export interface RaftOptions {
  /** The group's name: in every message, every trace record and every file name, so groups never mix. */
  readonly group: string;
  /** The actor ids of every voter, this one included, in the same order on every node. */
  readonly voters: readonly string[];
  /** `controller.quorum.election.timeout.ms`: a node without a leader waits this long, plus up to as long again at random, before an election. Default 1000 ms. */
  readonly electionTimeoutUs?: Micros;
  /** `controller.quorum.fetch.timeout.ms`: a follower whose fetches go unanswered this long starts an election; a leader fetched by no majority this long resigns. Default 2000 ms. */
  readonly fetchTimeoutUs?: Micros;
  /** How long the leader holds a fetch that finds nothing new (KRaft's fetch max wait). Default 500 ms. */
  readonly fetchMaxWaitUs?: Micros;
  /** How often a candidate asks again the voters that have not answered (`controller.quorum.retry.backoff.ms`). Default 100 ms. */
  readonly retryBackoffUs?: Micros;
  /** Entries in one fetch response, at most. Default 64. */
  readonly maxFetchEntries?: number;
  /** Snapshot the state machine every this many applied entries; 0: never. Default 0. */
  readonly snapshotRecords?: number;
  /** Pre-vote (KIP-996): a node must win a pre-vote round before it bumps its term. Default true. */
  readonly preVote?: boolean;
  /** Bytes of one log entry on disk and on the wire. Default 128. */
  readonly entryBytes?: number;
  readonly unsafe?: {
    /**
     * The Raft paper's Figure 8: the leader counts replicas of entries from earlier terms to commit
     * them, and appends no no-op at the start of its term. A committed entry can be overwritten.
     */
    readonly commitPreviousTermByCount?: boolean;
    /** Term and vote are never made durable (RAM disk) and votes are answered at once: a power loss forgets a vote, and a node may vote twice in one term. */
    readonly skipVoteFsync?: boolean;
  };
}

export type ResolvedRaftOptions = Required<Omit<RaftOptions, 'unsafe'>> & { readonly unsafe: { readonly commitPreviousTermByCount: boolean; readonly skipVoteFsync: boolean } };

export function resolveRaftOptions(options: RaftOptions): ResolvedRaftOptions {
  return {
    group: options.group,
    voters: options.voters,
    electionTimeoutUs: options.electionTimeoutUs ?? 1000 * MS,
    fetchTimeoutUs: options.fetchTimeoutUs ?? 2000 * MS,
    fetchMaxWaitUs: options.fetchMaxWaitUs ?? 500 * MS,
    retryBackoffUs: options.retryBackoffUs ?? 100 * MS,
    maxFetchEntries: options.maxFetchEntries ?? 64,
    snapshotRecords: options.snapshotRecords ?? 0,
    preVote: options.preVote ?? true,
    entryBytes: options.entryBytes ?? 128,
    unsafe: { commitPreviousTermByCount: options.unsafe?.commitPreviousTermByCount ?? false, skipVoteFsync: options.unsafe?.skipVoteFsync ?? false },
  };
}

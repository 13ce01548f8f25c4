/**
 * The messages of one Raft group, as KRaft names its RPCs (KIP-595, KIP-630, KIP-996): `Vote`
 * (pre-vote and real), `BeginQuorumEpoch`, `Fetch` and `FetchSnapshot`, each with its response.
 * Every message names its `group`, so one actor may host several groups and route by it, and
 * carries the sender's `term` (KRaft's leader epoch).
 *
 * Guarantee: plain structured-cloneable data (no classes), so messages cross worker threads.
 */
import type { Message } from '../../../kernel/contract/index.ts';

/** One log entry: its index, the term of the leader that appended it, and the command (null: the leader's no-op, KRaft's LeaderChange record). */
export interface RaftEntry<C = unknown> {
  readonly i: number;
  readonly t: number;
  readonly c: C | null;
}

/** A snapshot's identity (KIP-630's SnapshotId): the last entry it covers. */
export interface SnapshotId {
  readonly index: number;
  readonly term: number;
}

interface GroupMessage extends Message {
  readonly group: string;
  readonly term: number;
}

/** Vote (pre-vote when `preVote`): `term` is the term the candidate runs in (its own + 1 for a pre-vote). */
export interface VoteRequest extends GroupMessage {
  readonly type: 'raft-vote';
  readonly candidate: string;
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly preVote: boolean;
}

export interface VoteResponse extends GroupMessage {
  readonly type: 'raft-vote-resp';
  readonly granted: boolean;
  readonly preVote: boolean;
  /** The term the request ran in, so a late answer to an old round is recognised. */
  readonly round: number;
  /** The leader the voter follows, if any: a rejected candidate learns where to fetch. */
  readonly leader?: string;
}

/** A new leader announces its term, so followers fetch from it without waiting for a timeout. */
export interface BeginQuorumEpoch extends GroupMessage {
  readonly type: 'raft-begin-epoch';
  readonly leader: string;
}

/** A follower asks the leader for entries from `fetchOffset`; it holds every entry before it, the last of term `lastFetchedTerm`. */
export interface FetchRequest extends GroupMessage {
  readonly type: 'raft-fetch';
  readonly fetchOffset: number;
  readonly lastFetchedTerm: number;
}

export interface FetchResponse extends GroupMessage {
  readonly type: 'raft-fetch-resp';
  readonly leader: string | undefined;
  /** Echo of the request, so the follower knows which of its fetches this answers. */
  readonly fetchOffset: number;
  readonly entries: readonly RaftEntry[];
  /** The leader's commit index (KRaft's high watermark: the entries before it, counted from 1, are committed). */
  readonly commit: number;
  /** The follower's log diverges: truncate to at most `endIndex` (the end of `term` in the leader's log) and fetch again. */
  readonly diverging?: { readonly term: number; readonly endIndex: number };
  /** The entries the follower needs are compacted away: fetch this snapshot. */
  readonly snapshot?: SnapshotId;
  /**
   * The fetch was not checked against the leader's log (KRaft's FENCED_LEADER_EPOCH: it named an
   * older term; NOT_LEADER_OR_FOLLOWER: this node does not lead): its `commit` and `entries` say
   * nothing about the follower's log, which must not commit on them.
   */
  readonly error?: 'fenced' | 'not-leader';
}

export interface FetchSnapshotRequest extends GroupMessage {
  readonly type: 'raft-fetch-snapshot';
  readonly snapshot: SnapshotId;
}

export interface FetchSnapshotResponse extends GroupMessage {
  readonly type: 'raft-fetch-snapshot-resp';
  readonly leader: string | undefined;
  /** Absent when the leader no longer has that snapshot (the follower fetches again and learns the newer one). */
  readonly snapshot?: SnapshotId & { readonly chain: string; readonly state: unknown };
}

export type RaftMessage = VoteRequest | VoteResponse | BeginQuorumEpoch | FetchRequest | FetchResponse | FetchSnapshotRequest | FetchSnapshotResponse;

const TYPES: ReadonlySet<string> = new Set<RaftMessage['type']>(['raft-vote', 'raft-vote-resp', 'raft-begin-epoch', 'raft-fetch', 'raft-fetch-resp', 'raft-fetch-snapshot', 'raft-fetch-snapshot-resp']);

/** True for a message of the Raft protocol (of any group). */
export function isRaftMessage(message: Message): message is RaftMessage {
  return TYPES.has(message.type);
}

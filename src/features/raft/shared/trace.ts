/**
 * The Raft trace records: what raft-node.ts writes and the checkers and metric read. Every record is
 * of kind `log`, with `op` one of these and `group` the Raft group's name, so the checkers judge
 * each group on its own — the teaching feature's, and any other feature's that hosts a `RaftNode`.
 *
 *  - `raft-term` {term, why}: the node's current term changed (why: election, higher-term).
 *  - `raft-vote` {term, for}: the node voted (durably, unless the skip-vote-fsync knob) for `for`.
 *  - `raft-role` {term, role, leader?, why?}: follower / prospective / candidate / leader.
 *  - `raft-append` {index, term, digest, chain}: an entry entered the node's log; `chain` digests
 *    the node's whole log up to it, as the node computed it.
 *  - `raft-truncate` {index}: entries after `index` were removed.
 *  - `raft-commit` {index, term}: the node's commit index moved to `index` (entry of `term`).
 *  - `raft-apply` {index, term, digest}: the entry at `index` was applied to the state machine.
 *  - `raft-snapshot` {index, term, chain, digest}: the node compacted its log up to `index`.
 *  - `raft-install` {index, term, chain, lastIndex, digest}: a follower installed the leader's
 *    snapshot; its log now ends at `lastIndex`.
 *  - `raft-recover` {term, votedFor, lastIndex, lastTerm, chain, snapshotIndex}: what a (re)start
 *    found on disk.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';

export type RaftOp = 'raft-term' | 'raft-vote' | 'raft-role' | 'raft-append' | 'raft-truncate' | 'raft-commit' | 'raft-apply' | 'raft-snapshot' | 'raft-install' | 'raft-recover';

/** The record's Raft op, or undefined for a record that is not a Raft record. */
export function raftOp(record: TraceRecord): RaftOp | undefined {
  if (record.k !== 'log' || typeof record.group !== 'string' || typeof record.op !== 'string' || !record.op.startsWith('raft-')) return undefined;
  return record.op as RaftOp;
}

/** A key naming one node of one group: `group/actor`. */
export function nodeKey(record: TraceRecord): string {
  return `${record.group as string}/${record.a}`;
}

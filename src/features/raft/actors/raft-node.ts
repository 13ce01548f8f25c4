/**
 * One node of a Raft group, KRaft-style (KIP-595 election and fetch-based replication, KIP-996
 * pre-vote, KIP-630 snapshots), as a component any actor hosts: the actor forwards the group's
 * messages and timers to it and gives it a replicated state machine.
 *
 * ```ts
 * const raft = new RaftNode<Cmd>({ group: 'meta', voters: ['c1', 'c2', 'c3'] }, machine, callbacks);
 * start(ctx)   { raft.start(ctx); }            // and recover(ctx) { raft.start(ctx); }: reads the disk
 * onMessage(ctx, m, from) { if (raft.handles(m)) return raft.onMessage(ctx, m, from); … }
 * onTimer(ctx, w)         { if (raft.handlesTimer(w)) return raft.onTimer(ctx, w); … }
 * raft.propose(ctx, cmd)  // leader: { ok: true, index, term }; otherwise { ok: false, leader? }
 * ```
 *
 * The protocol: a node without a leader waits `electionTimeoutUs` plus up to as much again at
 * random, then asks for pre-votes at its term + 1 (voters grant one only if the candidate's log is
 * as up to date as theirs and they have no live leader), and with a majority of them bumps its term,
 * votes for itself (fsynced) and asks for votes. The winner appends a no-op (KRaft's LeaderChange
 * record) and announces itself (BeginQuorumEpoch). Followers pull: each fetches from the end of its
 * log, naming the term of its last entry; the leader answers with entries, with where the follower's
 * log diverges (it truncates and fetches again), or with the snapshot to fetch when the entries are
 * compacted away. A follower fetches again only once what it appended is fsynced, so a fetch offset
 * is an acknowledgement of durable entries; the leader commits the largest index a majority has
 * durably (itself by its own fsyncs), and only an index whose entry is of its own term. A leader no
 * majority has fetched from for `fetchTimeoutUs` resigns; a follower whose fetches go unanswered
 * that long starts an election.
 *
 * Guarantee (checked over the trace by checks/): at most one leader per term; logs that agree on
 * an entry's index and term agree on every entry before it; every leader holds every entry
 * committed before its term; every node applies the same command at each index — under crashes,
 * power loss (unsynced writes lost, torn appends), partitions, message loss and clock skew (no
 * decision reads a clock: timeouts are relative). Liveness needs a majority up and connected.
 *
 * How it breaks, by configuration:
 *  - `unsafe.commitPreviousTermByCount` (the Raft paper's Figure 8): the leader commits an entry
 *    of an earlier term once a majority holds it, and appends no no-op. A later leader elected
 *    without that entry overwrites it: `leader-completeness` and `state-machine-safety` fail.
 *  - `unsafe.skipVoteFsync`: term and vote are never made durable (kept on the node's RAM disk, as
 *    if the quorum-state file were never fsynced) and a vote is answered at once; a power loss makes
 *    the voter forget its vote, and it may vote again in the same term for another candidate: two
 *    leaders in one term, `election-safety` fails (scenarios/drills/raft-vote-fsync.yaml).
 *  - a disk that loses acknowledged writes (the `lose-unsynced` fault, "fsyncgate"): a follower
 *    forgets entries it acknowledged and commitments may be lost. Raft assumes durable storage.
 *
 * Trace records (kind `log`, every one with `group`): `raft-term`, `raft-vote`, `raft-role`,
 * `raft-append`, `raft-truncate`, `raft-commit`, `raft-apply`, `raft-snapshot`, `raft-install`,
 * `raft-recover` (see trace.ts).
 */
import type { Context, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { RaftCallbacks, RaftOptions, StateMachine } from './config.ts';
import type { RaftMessage } from './messages.ts';
import { isRaftMessage } from './messages.ts';
import type { Meta, RaftRole } from './raft-core.ts';
import { RaftElection } from './raft-election.ts';
import { RaftLog } from './raft-log.ts';

export type { RaftRole } from './raft-core.ts';

export type ProposeResult = { readonly ok: true; readonly index: number; readonly term: number } | { readonly ok: false; readonly leader: string | undefined };

export class RaftNode<C, R = unknown> extends RaftElection<C, R> {
  constructor(options: RaftOptions, machine: StateMachine<C, R>, callbacks: RaftCallbacks<C, R> = {}) {
    super(options, machine, callbacks);
  }

  get term(): number {
    return this.currentTerm;
  }

  /** The node as Raft's paper names its state: term, vote, role, leader, commit and apply indexes, and the log's tail (index and term of its last entries). */
  inspect(): unknown {
    const last = this.log.lastIndex();
    const tail: Array<{ index: number; term: number | undefined }> = [];
    for (let index = Math.max(this.log.snapIndex + 1, last - 9); index <= last; index++) tail.push({ index, term: this.log.termAt(index) });
    return {
      currentTerm: this.currentTerm,
      votedFor: this.votedFor,
      role: this.roleNow,
      leader: this.leader ?? null,
      commitIndex: this.commitIndex,
      lastApplied: this.lastApplied,
      durableIndex: this.durableIndex,
      snapshotIndex: this.log.snapIndex,
      lastIndex: last,
      lastTerm: this.log.lastTerm(),
      logTail: tail,
    };
  }

  get role(): RaftRole {
    return this.roleNow;
  }

  get isLeader(): boolean {
    return this.roleNow === 'leader';
  }

  /** The leader this node knows of in its term (itself when leading), or undefined. */
  get leaderId(): string | undefined {
    return this.leader;
  }

  get committed(): number {
    return this.commitIndex;
  }

  /** True for a message of this node's group. */
  handles(message: { readonly type: string }): message is RaftMessage {
    return isRaftMessage(message) && message.group === this.options.group;
  }

  handlesTimer(wakeup: Wakeup): boolean {
    return wakeup.name.startsWith(this.timerPrefix);
  }

  /** At the start and after every restart: reads term, vote, snapshot and log from the disk. */
  start(ctx: Context): void {
    this.self = ctx.self;
    assert(this.options.voters.includes(this.self), () => `raft ${this.options.group}: ${this.self} is not one of the voters ${this.options.voters.join(', ')}`);
    const meta = ctx.disk.get(this.metaFile) as Meta | undefined;
    this.log = RaftLog.load<C>(ctx.disk, this.options.group, this.options.entryBytes);
    // Never behind its own log (only the skip-vote-fsync knob loses a term the log kept): a node that
    // led or followed a term must not append or lead in an older one.
    this.currentTerm = Math.max(meta?.term ?? 0, this.log.lastTerm());
    this.votedFor = meta?.term === this.currentTerm ? meta.votedFor : null;
    const snapshot = this.log.snapshot;
    if (snapshot !== undefined) this.machine.restore(snapshot.state);
    this.commitIndex = this.lastApplied = this.log.snapIndex;
    // What the page cache holds after a process crash may not be durable yet: nothing counts until an fsync says so.
    this.durableIndex = this.log.snapIndex;
    this.record(ctx, 'raft-recover', {
      term: this.currentTerm,
      votedFor: this.votedFor,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      chain: this.log.lastChain(),
      snapshotIndex: this.log.snapIndex,
    });
    this.sync(ctx);
    this.becomeFollower(ctx, undefined);
  }

  /**
   * Appends a command, if this node leads: it commits once a majority holds it durably, and is
   * then applied everywhere (`onApplied`). Otherwise returns the leader it knows of, if any.
   */
  propose(ctx: Context, command: C): ProposeResult {
    if (this.roleNow !== 'leader') return { ok: false, leader: this.leader };
    const index = this.appendAsLeader(ctx, command);
    return index === undefined ? { ok: false, leader: this.leader } : { ok: true, index, term: this.currentTerm };
  }

  onMessage(ctx: Context, message: RaftMessage, from: string): void {
    switch (message.type) {
      case 'raft-vote':
        return this.onVote(ctx, message, from);
      case 'raft-vote-resp':
        return this.onVoteResponse(ctx, message, from);
      case 'raft-begin-epoch':
        return this.onBeginEpoch(ctx, message);
      case 'raft-fetch':
        return this.onFetch(ctx, message, from);
      case 'raft-fetch-resp':
        return this.onFetchResponse(ctx, message, from);
      case 'raft-fetch-snapshot':
        return this.onFetchSnapshot(ctx, message, from);
      case 'raft-fetch-snapshot-resp':
        return this.onFetchSnapshotResponse(ctx, message, from);
    }
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    const key = wakeup.name.slice(this.timerPrefix.length);
    if (key === 'synced') return this.synced(ctx);
    this.timers.delete(key);
    if (key === 'election') return this.electionTimeout(ctx);
    if (key === 'fetch-timeout') return this.startElection(ctx);
    if (key === 'refetch') return this.sendFetch(ctx);
    if (key === 'retry') return this.askVotes(ctx);
    if (key === 'check-quorum') return this.checkQuorum(ctx);
    if (key.startsWith('park:')) return this.answerParked(ctx, key.slice('park:'.length));
  }
}

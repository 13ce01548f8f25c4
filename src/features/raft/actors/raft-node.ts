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
import type { Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, digestOf, RAM_DISK_DIR } from '../../../kernel/contract/index.ts';
import { resolveRaftOptions, type RaftCallbacks, type RaftOptions, type ResolvedRaftOptions, type StateMachine } from './config.ts';
import type { BeginQuorumEpoch, FetchRequest, FetchResponse, FetchSnapshotRequest, FetchSnapshotResponse, RaftEntry, RaftMessage, VoteRequest, VoteResponse } from './messages.ts';
import { isRaftMessage } from './messages.ts';
import { RaftLog } from './raft-log.ts';

export type RaftRole = 'follower' | 'prospective' | 'candidate' | 'leader';

export type ProposeResult = { readonly ok: true; readonly index: number; readonly term: number } | { readonly ok: false; readonly leader: string | undefined };

interface Meta {
  readonly term: number;
  readonly votedFor: string | null;
}

/** Bytes of a request or response without entries. */
const HEADER_BYTES = 64;

export class RaftNode<C, R = unknown> {
  readonly options: ResolvedRaftOptions;
  private readonly metaFile: string;
  private readonly timerPrefix: string;
  private self = '';
  private log!: RaftLog<C>;

  // Durable (written to the meta file).
  private currentTerm = 0;
  private votedFor: string | null = null;

  // Volatile.
  private roleNow: RaftRole = 'follower';
  private leader: string | undefined;
  private commitIndex = 0;
  private lastApplied = 0;
  /** When this node last heard from a leader of its term (a fetch answered, an announcement). */
  private leaderContactUs: Micros = -Infinity;
  /** The leader this node just timed out on, and in which term: in the first pre-vote round after, a voter naming it is not followed. */
  private abandoned: { term: number; leader: string } | undefined;
  /** Votes (or pre-votes) granted to this node in the running round. */
  private readonly granted = new Set<string>();

  // Durability: entries up to `durableIndex` are fsynced; `inFlight` is what the running fsync covers.
  private durableIndex = 0;
  private inFlight: { index: number; then: (() => void)[] } | undefined;
  private waiting: (() => void)[] = [];
  private syncWanted = false;

  // Follower: the fetch in flight (its offset), if any.
  private fetching: number | undefined;

  // Leader: each voter's matched index (from its last fetch), when it last fetched, and fetches held.
  private readonly matched = new Map<string, number>();
  private readonly fetchedAt = new Map<string, Micros>();
  private readonly parked = new Map<string, FetchRequest>();

  private readonly timers = new Map<string, TimerId>();

  constructor(
    options: RaftOptions,
    private readonly machine: StateMachine<C, R>,
    private readonly callbacks: RaftCallbacks<C, R> = {},
  ) {
    this.options = resolveRaftOptions(options);
    assert(new Set(this.options.voters).size === this.options.voters.length, () => `raft ${options.group}: voters listed twice: ${options.voters.join(', ')}`);
    // The skip-vote-fsync knob keeps term and vote where no fsync reaches them (tmpfs): every power loss forgets them.
    this.metaFile = `${this.options.unsafe.skipVoteFsync ? RAM_DISK_DIR : ''}raft-${options.group}.meta`;
    this.timerPrefix = `raft:${options.group}:`;
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

  // ---- roles -------------------------------------------------------------------------------

  /** Follows `leader` in the current term (undefined: none known; an election timer runs). */
  private becomeFollower(ctx: Context, leader: string | undefined, newTerm = false): void {
    const changed = newTerm || this.roleNow !== 'follower' || this.leader !== leader;
    // A leader is live only once heard from (a fetch answered, an announcement), not when named by another voter.
    if (this.leader !== leader) this.leaderContactUs = -Infinity;
    this.leaveLeadership(ctx);
    this.roleNow = 'follower';
    this.leader = leader;
    this.granted.clear();
    this.disarm(ctx, 'retry');
    if (leader === undefined) {
      this.disarm(ctx, 'fetch-timeout');
      this.arm(ctx, 'election', this.randomElectionTimeout(ctx));
    } else {
      this.disarm(ctx, 'election');
      this.arm(ctx, 'fetch-timeout', this.options.fetchTimeoutUs);
      this.fetching = undefined;
      this.whenDurable(ctx, () => this.sendFetch(ctx));
    }
    if (changed) {
      this.record(ctx, 'raft-role', { term: this.currentTerm, role: 'follower', ...(leader === undefined ? {} : { leader }) });
      this.callbacks.onFollower?.(ctx, this.currentTerm, leader);
    }
  }

  /** A higher term seen anywhere: adopt it (no vote yet in it) and follow `leader` if known. */
  private stepDown(ctx: Context, term: number, leader: string | undefined): void {
    assert(term > this.currentTerm, 'raft: stepDown only to a higher term');
    this.setTerm(ctx, term, null, 'higher-term');
    this.becomeFollower(ctx, leader, true);
  }

  private electionTimeout(ctx: Context): void {
    // A prospective or candidate node that did not win in time starts over (with a pre-vote again).
    // By now the leader it timed out on has been silent to every voter, or is alive: either way a
    // voter naming it may be believed again (a node cut off from a live leader must rejoin it).
    this.abandoned = undefined;
    this.startElection(ctx);
  }

  private startElection(ctx: Context): void {
    if (this.roleNow === 'leader') return;
    this.disarm(ctx, 'fetch-timeout');
    if (this.leader !== undefined) this.abandoned = { term: this.currentTerm, leader: this.leader };
    this.leader = undefined;
    if (this.options.preVote) this.becomeProspective(ctx);
    else this.becomeCandidate(ctx);
  }

  private becomeProspective(ctx: Context): void {
    this.roleNow = 'prospective';
    this.granted.clear();
    this.granted.add(this.self);
    this.record(ctx, 'raft-role', { term: this.currentTerm, role: 'prospective' });
    this.arm(ctx, 'election', this.randomElectionTimeout(ctx));
    if (this.hasMajority(this.granted)) return this.becomeCandidate(ctx);
    this.askVotes(ctx);
  }

  private becomeCandidate(ctx: Context): void {
    this.roleNow = 'candidate';
    this.setTerm(ctx, this.currentTerm + 1, this.self, 'election');
    this.granted.clear();
    this.granted.add(this.self);
    this.record(ctx, 'raft-role', { term: this.currentTerm, role: 'candidate' });
    this.record(ctx, 'raft-vote', { term: this.currentTerm, for: this.self });
    this.arm(ctx, 'election', this.randomElectionTimeout(ctx));
    const term = this.currentTerm;
    // Ask only once the self-vote is durable: a restarted node must not vote for another in this term.
    this.afterVoteDurable(ctx, () => {
      if (this.roleNow !== 'candidate' || this.currentTerm !== term) return;
      if (this.hasMajority(this.granted)) return this.becomeLeader(ctx);
      this.askVotes(ctx);
    });
  }

  private becomeLeader(ctx: Context): void {
    this.disarm(ctx, 'election');
    this.disarm(ctx, 'retry');
    this.roleNow = 'leader';
    this.leader = this.self;
    this.matched.clear();
    this.fetchedAt.clear();
    this.record(ctx, 'raft-role', { term: this.currentTerm, role: 'leader', leader: this.self });
    // KRaft's LeaderChange record: an entry of this term, so that earlier entries commit with it.
    if (!this.options.unsafe.commitPreviousTermByCount) this.appendAsLeader(ctx, null);
    for (const voter of this.others()) ctx.send<BeginQuorumEpoch>(voter, { type: 'raft-begin-epoch', group: this.options.group, term: this.currentTerm, leader: this.self }, { bytes: HEADER_BYTES });
    this.arm(ctx, 'check-quorum', this.options.fetchTimeoutUs);
    this.callbacks.onLeader?.(ctx, this.currentTerm);
  }

  /** Clears what only a leader keeps (held fetches and their timers). */
  private leaveLeadership(ctx: Context): void {
    if (this.roleNow !== 'leader') return;
    for (const voter of this.parked.keys()) this.disarm(ctx, `park:${voter}`);
    this.parked.clear();
    this.disarm(ctx, 'check-quorum');
  }

  /** A leader that no majority fetched from within the fetch timeout resigns (KRaft's check quorum). */
  private checkQuorum(ctx: Context): void {
    if (this.roleNow !== 'leader') return;
    const since = ctx.now() - this.options.fetchTimeoutUs;
    const live = new Set([this.self, ...this.others().filter((v) => (this.fetchedAt.get(v) ?? -Infinity) >= since)]);
    if (this.hasMajority(live)) return this.arm(ctx, 'check-quorum', this.options.fetchTimeoutUs);
    this.record(ctx, 'raft-role', { term: this.currentTerm, role: 'follower', why: 'check-quorum' });
    this.leaveLeadership(ctx);
    this.roleNow = 'follower';
    this.leader = undefined;
    this.arm(ctx, 'election', this.randomElectionTimeout(ctx));
    this.callbacks.onFollower?.(ctx, this.currentTerm, undefined);
  }

  // ---- votes -------------------------------------------------------------------------------

  private askVotes(ctx: Context): void {
    const preVote = this.roleNow === 'prospective';
    if (!preVote && this.roleNow !== 'candidate') return;
    const request: VoteRequest = {
      type: 'raft-vote',
      group: this.options.group,
      term: preVote ? this.currentTerm + 1 : this.currentTerm,
      candidate: this.self,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      preVote,
    };
    for (const voter of this.others()) if (!this.granted.has(voter)) ctx.send(voter, request, { bytes: HEADER_BYTES });
    this.arm(ctx, 'retry', this.options.retryBackoffUs);
  }

  private onVote(ctx: Context, request: VoteRequest, from: string): void {
    const upToDate = request.lastTerm > this.log.lastTerm() || (request.lastTerm === this.log.lastTerm() && request.lastIndex >= this.log.lastIndex());
    const liveLeader = this.roleNow === 'leader' || (this.leader !== undefined && ctx.now() - this.leaderContactUs < this.options.fetchTimeoutUs);
    // Only a leader heard from lately is named: a candidate told of a dead one would follow it and never elect.
    const answer = (granted: boolean) =>
      ctx.send<VoteResponse>(
        from,
        { type: 'raft-vote-resp', group: this.options.group, term: this.currentTerm, granted, preVote: request.preVote, round: request.term, ...(liveLeader ? { leader: this.leader } : {}) },
        { bytes: HEADER_BYTES },
      );
    // KIP-996: no pre-vote while this node has a live leader, so a partitioned node rejoining cannot disrupt it.
    if (request.preVote) return answer(request.term > this.currentTerm && upToDate && !liveLeader);
    if (request.term < this.currentTerm) return answer(false);
    if (request.term > this.currentTerm) this.stepDown(ctx, request.term, undefined);
    const free = this.votedFor === null || this.votedFor === request.candidate;
    if (!free || !upToDate || this.roleNow === 'leader') return answer(false);
    if (this.votedFor === null) {
      this.setTerm(ctx, this.currentTerm, request.candidate, 'vote');
      this.record(ctx, 'raft-vote', { term: this.currentTerm, for: request.candidate });
    }
    this.arm(ctx, 'election', this.randomElectionTimeout(ctx));
    const term = this.currentTerm;
    this.afterVoteDurable(ctx, () => {
      if (this.currentTerm === term) answer(true);
    });
  }

  private onVoteResponse(ctx: Context, response: VoteResponse, from: string): void {
    if (response.term > this.currentTerm) return this.stepDown(ctx, response.term, response.leader);
    const round = this.roleNow === 'prospective' ? this.currentTerm + 1 : this.currentTerm;
    if (response.round !== round) return;
    if (this.roleNow === 'prospective' && response.preVote) {
      if (response.granted) {
        this.granted.add(from);
        if (this.hasMajority(this.granted)) this.becomeCandidate(ctx);
      } else if (response.leader !== undefined && response.leader !== this.self && response.term === this.currentTerm && !this.isAbandoned(response.leader)) {
        // A voter follows a live leader of this term: follow it too — unless it is the one this node
        // just timed out on (the voter has not timed out yet; following it again would livelock).
        this.becomeFollower(ctx, response.leader);
      }
    } else if (this.roleNow === 'candidate' && !response.preVote && response.granted) {
      this.granted.add(from);
      if (this.hasMajority(this.granted)) this.becomeLeader(ctx);
    }
  }

  private onBeginEpoch(ctx: Context, message: BeginQuorumEpoch): void {
    if (message.term < this.currentTerm) return;
    if (message.term > this.currentTerm) this.stepDown(ctx, message.term, message.leader);
    // Two leaders in one term cannot both announce themselves unless votes were forgotten (the unsafe knob); keep leading and let the checkers tell.
    else if (this.roleNow === 'leader') return;
    else this.becomeFollower(ctx, message.leader);
    this.leaderContactUs = ctx.now();
  }

  // ---- replication: the leader's side ---------------------------------------------------------

  private appendAsLeader(ctx: Context, command: C | null): number | undefined {
    const entry: RaftEntry<C> = { i: this.log.lastIndex() + 1, t: this.currentTerm, c: command };
    if (!this.appendEntry(ctx, entry)) return undefined;
    this.sync(ctx);
    for (const voter of [...this.parked.keys()]) this.answerParked(ctx, voter);
    return entry.i;
  }

  private onFetch(ctx: Context, request: FetchRequest, from: string): void {
    if (request.term > this.currentTerm) this.stepDown(ctx, request.term, undefined);
    // Not validated against this log: the answer carries no entries and no commit index the follower may use.
    if (request.term < this.currentTerm || this.roleNow !== 'leader') return this.answerFetch(ctx, from, request, { error: this.roleNow === 'leader' ? 'fenced' : 'not-leader' });
    this.fetchedAt.set(from, ctx.now());
    const previous = request.fetchOffset - 1;
    if (previous < this.log.snapIndex) return this.answerFetch(ctx, from, request, { snapshot: { index: this.log.snapIndex, term: this.log.snapshot!.term } });
    const term = this.log.termAt(previous);
    if (term !== request.lastFetchedTerm) {
      const end = this.log.endOfTermAtMost(request.lastFetchedTerm);
      return this.answerFetch(ctx, from, request, { diverging: { term: end.term, endIndex: Math.min(end.endIndex, previous) } });
    }
    // The follower holds every entry up to `previous`, durably (it fetches only after its fsync).
    this.matched.set(from, previous);
    const commitBefore = this.commitIndex;
    this.advanceLeaderCommit(ctx);
    // Nothing new to send, and no new commit index to tell: hold the fetch.
    if (previous === this.log.lastIndex() && this.commitIndex === commitBefore) {
      // Until something is (or the commit index moves), at most fetchMaxWait: KRaft's long poll.
      this.parked.set(from, request);
      this.arm(ctx, `park:${from}`, this.options.fetchMaxWaitUs);
      return;
    }
    this.answerFetch(ctx, from, request, { entries: previous === this.log.lastIndex() ? [] : this.log.slice(request.fetchOffset, this.options.maxFetchEntries) });
  }

  private answerParked(ctx: Context, voter: string): void {
    const request = this.parked.get(voter);
    if (request === undefined) return;
    this.parked.delete(voter);
    this.disarm(ctx, `park:${voter}`);
    const entries = request.fetchOffset <= this.log.lastIndex() ? this.log.slice(request.fetchOffset, this.options.maxFetchEntries) : [];
    this.answerFetch(ctx, voter, request, { entries });
  }

  private answerFetch(ctx: Context, to: string, request: FetchRequest, body: Partial<Pick<FetchResponse, 'entries' | 'diverging' | 'snapshot' | 'error'>>): void {
    const entries = body.entries ?? [];
    const response: FetchResponse = {
      type: 'raft-fetch-resp',
      group: this.options.group,
      term: this.currentTerm,
      leader: this.leader,
      fetchOffset: request.fetchOffset,
      commit: this.commitIndex,
      ...body,
      entries,
    };
    ctx.send(to, response, { bytes: HEADER_BYTES + entries.length * this.options.entryBytes });
  }

  /** The largest index a majority holds durably; committed only if of this term (unless the Figure 8 knob). */
  private advanceLeaderCommit(ctx: Context): void {
    if (this.roleNow !== 'leader') return;
    const held = this.options.voters.map((v) => (v === this.self ? this.durableIndex : (this.matched.get(v) ?? 0))).sort((a, b) => b - a);
    const index = held[this.majority() - 1]!;
    if (index <= this.commitIndex) return;
    const term = this.log.termAt(index);
    if (term !== this.currentTerm && !this.options.unsafe.commitPreviousTermByCount) return;
    this.commitTo(ctx, index);
    for (const voter of [...this.parked.keys()]) this.answerParked(ctx, voter);
  }

  private onFetchSnapshot(ctx: Context, request: FetchSnapshotRequest, from: string): void {
    if (request.term > this.currentTerm) this.stepDown(ctx, request.term, undefined);
    const snapshot = this.roleNow === 'leader' && request.term === this.currentTerm ? this.log.snapshot : undefined;
    const current = snapshot !== undefined && snapshot.index === request.snapshot.index && snapshot.term === request.snapshot.term;
    ctx.send<FetchSnapshotResponse>(
      from,
      { type: 'raft-fetch-snapshot-resp', group: this.options.group, term: this.currentTerm, leader: this.leader, ...(current ? { snapshot } : {}) },
      { bytes: HEADER_BYTES + (current ? this.options.entryBytes * 16 : 0) },
    );
  }

  // ---- replication: the follower's side -------------------------------------------------------

  private sendFetch(ctx: Context): void {
    if (this.roleNow !== 'follower' || this.leader === undefined || this.leader === this.self) return;
    const fetchOffset = this.log.lastIndex() + 1;
    this.fetching = fetchOffset;
    ctx.send<FetchRequest>(this.leader, { type: 'raft-fetch', group: this.options.group, term: this.currentTerm, fetchOffset, lastFetchedTerm: this.log.lastTerm() }, { bytes: HEADER_BYTES });
    // A lost request or answer is sent again; the leader holds a fetch for at most fetchMaxWait.
    this.arm(ctx, 'refetch', 2 * this.options.fetchMaxWaitUs);
  }

  /**
   * A fetch answer names a term and its leader: follow that leader, and return true when the answer
   * came from the leader itself (contact; a hint from another voter is no sign the leader lives).
   */
  private acceptFromLeader(ctx: Context, term: number, leader: string | undefined, from: string): boolean {
    if (term > this.currentTerm) this.stepDown(ctx, term, leader);
    if (term < this.currentTerm || leader === undefined || leader === this.self || this.roleNow === 'leader') return false;
    if (this.roleNow !== 'follower' || this.leader !== leader) this.becomeFollower(ctx, leader);
    if (from !== leader) return false;
    this.leaderContactUs = ctx.now();
    this.arm(ctx, 'fetch-timeout', this.options.fetchTimeoutUs);
    return true;
  }

  private onFetchResponse(ctx: Context, response: FetchResponse, from: string): void {
    if (!this.acceptFromLeader(ctx, response.term, response.leader, from)) return;
    if (response.fetchOffset !== this.fetching) return;
    this.fetching = undefined;
    this.disarm(ctx, 'refetch');
    // A fetch of an older term, answered without looking at the log: ask again in this term.
    if (response.error !== undefined) return this.sendFetch(ctx);
    if (response.snapshot !== undefined) {
      ctx.send<FetchSnapshotRequest>(this.leader!, { type: 'raft-fetch-snapshot', group: this.options.group, term: this.currentTerm, snapshot: response.snapshot }, { bytes: HEADER_BYTES });
      this.arm(ctx, 'refetch', 2 * this.options.fetchMaxWaitUs);
      return;
    }
    if (response.diverging !== undefined) {
      // Never below the entries both logs share (see raft-log.ts endOfTermAtMost): the entry at fetchOffset-1 conflicts.
      const mine = this.log.endOfTermAtMost(response.diverging.term).endIndex;
      this.truncateTo(ctx, Math.max(this.log.snapIndex, Math.min(response.diverging.endIndex, mine, response.fetchOffset - 2)));
      return this.sendFetch(ctx);
    }
    for (const entry of response.entries as readonly RaftEntry<C>[]) {
      if (this.log.termAt(entry.i) === entry.t) continue;
      if (entry.i <= this.log.lastIndex()) this.truncateTo(ctx, entry.i - 1);
      if (!this.appendEntry(ctx, entry)) break;
    }
    const matched = Math.min(this.log.lastIndex(), response.fetchOffset - 1 + response.entries.length);
    const commit = Math.min(response.commit, matched);
    if (commit > this.commitIndex) this.commitTo(ctx, commit);
    this.whenDurable(ctx, () => this.sendFetch(ctx));
  }

  private onFetchSnapshotResponse(ctx: Context, response: FetchSnapshotResponse, from: string): void {
    if (!this.acceptFromLeader(ctx, response.term, response.leader, from)) return;
    this.disarm(ctx, 'refetch');
    const snapshot = response.snapshot;
    if (snapshot !== undefined && snapshot.index > this.log.snapIndex && snapshot.index > this.lastApplied) {
      this.log.install(snapshot);
      this.durableIndex = Math.min(this.durableIndex, this.log.snapIndex);
      if (this.inFlight !== undefined) this.inFlight.index = Math.min(this.inFlight.index, this.log.snapIndex);
      this.machine.restore(snapshot.state);
      this.commitIndex = this.lastApplied = snapshot.index;
      this.record(ctx, 'raft-install', { index: snapshot.index, term: snapshot.term, chain: snapshot.chain, lastIndex: this.log.lastIndex(), digest: digestOf(snapshot.state) });
      this.sync(ctx);
    }
    this.whenDurable(ctx, () => this.sendFetch(ctx));
  }

  // ---- the log, commit and apply --------------------------------------------------------------

  private appendEntry(ctx: Context, entry: RaftEntry<C>): boolean {
    const chain = this.log.append(entry);
    if (chain === false) return false;
    this.record(ctx, 'raft-append', { index: entry.i, term: entry.t, digest: digestOf(entry.c), chain });
    return true;
  }

  private truncateTo(ctx: Context, index: number): void {
    if (index >= this.log.lastIndex()) return;
    // Committed entries are never truncated — unless an unsafe knob broke Raft (then the checkers tell, citing it).
    const unsafe = this.options.unsafe.commitPreviousTermByCount || this.options.unsafe.skipVoteFsync;
    assert(index >= this.commitIndex || unsafe, () => `raft ${this.options.group}: truncating to ${index} below the commit index ${this.commitIndex}`);
    this.log.truncateAfter(index);
    this.durableIndex = Math.min(this.durableIndex, index);
    if (this.inFlight !== undefined) this.inFlight.index = Math.min(this.inFlight.index, index);
    this.record(ctx, 'raft-truncate', { index });
  }

  private commitTo(ctx: Context, index: number): void {
    this.commitIndex = index;
    this.record(ctx, 'raft-commit', { index, term: this.log.termAt(index) });
    while (this.lastApplied < this.commitIndex) {
      const entry = this.log.entryAt(this.lastApplied + 1);
      // Only the Figure 8 knob can leave an index committed here and then truncated away.
      if (entry === undefined) break;
      this.lastApplied = entry.i;
      this.record(ctx, 'raft-apply', { index: entry.i, term: entry.t, digest: digestOf(entry.c) });
      if (entry.c !== null) {
        const result = this.machine.apply(entry.c, entry.i);
        this.callbacks.onApplied?.(ctx, entry.i, entry.c, result);
      }
    }
    this.maybeSnapshot(ctx);
  }

  private maybeSnapshot(ctx: Context): void {
    const every = this.options.snapshotRecords;
    if (every <= 0 || this.lastApplied - this.log.snapIndex < every) return;
    const index = this.lastApplied;
    const state = this.machine.snapshot();
    this.log.compact({ index, term: this.log.termAt(index)!, chain: this.log.chainAt(index)!, state });
    this.record(ctx, 'raft-snapshot', { index, term: this.log.snapshot!.term, chain: this.log.snapshot!.chain, digest: digestOf(state) });
    this.sync(ctx);
  }

  // ---- durability ---------------------------------------------------------------------------

  private setTerm(ctx: Context, term: number, votedFor: string | null, why: string): void {
    if (term !== this.currentTerm) this.record(ctx, 'raft-term', { term, why });
    this.currentTerm = term;
    this.votedFor = votedFor;
    ctx.disk.put(this.metaFile, { term, votedFor } satisfies Meta, 32);
  }

  /** Runs `then` once the vote just written is durable — at once under the skip-vote-fsync knob. */
  private afterVoteDurable(ctx: Context, then: () => void): void {
    if (this.options.unsafe.skipVoteFsync) return then();
    this.waiting.push(then);
    this.sync(ctx);
  }

  /** Runs `then` once everything written so far is durable. */
  private whenDurable(ctx: Context, then: () => void): void {
    if (this.durableIndex >= this.log.lastIndex()) return then();
    // The fsync in flight covers the whole log: it will do.
    if (this.inFlight !== undefined && this.inFlight.index >= this.log.lastIndex()) return void this.inFlight.then.push(then);
    this.waiting.push(then);
    this.sync(ctx);
  }

  /** Asks for an fsync covering every write so far (one at a time; later ones wait for the next). */
  private sync(ctx: Context): void {
    if (this.inFlight !== undefined) {
      this.syncWanted = true;
      return;
    }
    this.syncWanted = false;
    this.inFlight = { index: this.log.lastIndex(), then: this.waiting };
    this.waiting = [];
    ctx.disk.fsync({ name: `${this.timerPrefix}synced` });
  }

  private synced(ctx: Context): void {
    const done = this.inFlight;
    assert(done !== undefined, 'raft: an fsync completes only after `sync` issued it');
    this.inFlight = undefined;
    this.durableIndex = Math.max(this.durableIndex, Math.min(done.index, this.log.lastIndex()));
    if (this.syncWanted || this.waiting.length > 0 || this.durableIndex < this.log.lastIndex()) this.sync(ctx);
    for (const then of done.then) then();
    this.advanceLeaderCommit(ctx);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private isAbandoned(leader: string): boolean {
    return this.abandoned !== undefined && this.abandoned.term === this.currentTerm && this.abandoned.leader === leader;
  }

  private others(): string[] {
    return this.options.voters.filter((v) => v !== this.self);
  }

  private majority(): number {
    return Math.floor(this.options.voters.length / 2) + 1;
  }

  private hasMajority(voters: ReadonlySet<string>): boolean {
    let count = 0;
    for (const v of this.options.voters) if (voters.has(v)) count++;
    return count >= this.majority();
  }

  private randomElectionTimeout(ctx: Context): Micros {
    const base = this.options.electionTimeoutUs;
    return base + ctx.rng(`raft-${this.options.group}-election`).int(0, base);
  }

  private arm(ctx: Context, key: string, delay: Micros): void {
    this.disarm(ctx, key);
    this.timers.set(key, ctx.setTimer(delay, `${this.timerPrefix}${key}`));
  }

  private disarm(ctx: Context, key: string): void {
    const id = this.timers.get(key);
    if (id === undefined) return;
    ctx.cancelTimer(id);
    this.timers.delete(key);
  }

  private record(ctx: Context, op: string, fields: Record<string, unknown>): void {
    ctx.record('log', { op, group: this.options.group, ...fields });
  }
}

/**
 * Raft roles and elections (KIP-595 with KIP-996 pre-vote): a node without a leader waits a
 * randomized election timeout, asks for pre-votes at its term + 1 and, with a majority, bumps its
 * term, votes for itself (fsynced) and asks for votes; the winner appends a no-op and announces
 * itself (BeginQuorumEpoch). A leader no majority fetched from within the fetch timeout resigns.
 *
 * Guarantee: one vote per term, answered only once durable (unless `unsafe.skipVoteFsync`); a vote
 * only for a candidate whose log is as up to date; no pre-vote granted while a leader was heard
 * from lately, so a rejoining node cannot disrupt a live leader; a leader named by another voter is
 * not taken as alive until heard from, and in the first pre-vote round after a fetch timeout the
 * leader just timed out on is not followed again on a voter's word (the pre-vote livelock).
 *
 * How it fails: split votes retry after a new randomized timeout; without a majority up and
 * connected no leader is elected.
 */
import type { Context } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { BeginQuorumEpoch, VoteRequest, VoteResponse } from './messages.ts';
import { HEADER_BYTES } from './raft-core.ts';
import { RaftSnapshots } from './raft-snapshots.ts';

export abstract class RaftElection<C, R = unknown> extends RaftSnapshots<C, R> {
  /** Follows `leader` in the current term (undefined: none known; an election timer runs). */
  protected override becomeFollower(ctx: Context, leader: string | undefined, newTerm = false): void {
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
  protected override stepDown(ctx: Context, term: number, leader: string | undefined): void {
    assert(term > this.currentTerm, 'raft: stepDown only to a higher term');
    this.setTerm(ctx, term, null, 'higher-term');
    this.becomeFollower(ctx, leader, true);
  }

  protected electionTimeout(ctx: Context): void {
    // A prospective or candidate node that did not win in time starts over (with a pre-vote again).
    // By now the leader it timed out on has been silent to every voter, or is alive: either way a
    // voter naming it may be believed again (a node cut off from a live leader must rejoin it).
    this.abandoned = undefined;
    this.startElection(ctx);
  }

  protected startElection(ctx: Context): void {
    if (this.roleNow === 'leader') return;
    this.disarm(ctx, 'fetch-timeout');
    if (this.leader !== undefined) this.abandoned = { term: this.currentTerm, leader: this.leader };
    this.leader = undefined;
    if (this.options.preVote) this.becomeProspective(ctx);
    else this.becomeCandidate(ctx);
  }

  protected becomeProspective(ctx: Context): void {
    this.roleNow = 'prospective';
    this.granted.clear();
    this.granted.add(this.self);
    this.record(ctx, 'raft-role', { term: this.currentTerm, role: 'prospective' });
    this.arm(ctx, 'election', this.randomElectionTimeout(ctx));
    if (this.hasMajority(this.granted)) return this.becomeCandidate(ctx);
    this.askVotes(ctx);
  }

  protected becomeCandidate(ctx: Context): void {
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

  protected becomeLeader(ctx: Context): void {
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
  protected leaveLeadership(ctx: Context): void {
    if (this.roleNow !== 'leader') return;
    for (const voter of this.parked.keys()) this.disarm(ctx, `park:${voter}`);
    this.parked.clear();
    this.disarm(ctx, 'check-quorum');
  }

  /** A leader that no majority fetched from within the fetch timeout resigns (KRaft's check quorum). */
  protected checkQuorum(ctx: Context): void {
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

  protected askVotes(ctx: Context): void {
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

  protected onVote(ctx: Context, request: VoteRequest, from: string): void {
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

  protected onVoteResponse(ctx: Context, response: VoteResponse, from: string): void {
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

  protected onBeginEpoch(ctx: Context, message: BeginQuorumEpoch): void {
    if (message.term < this.currentTerm) return;
    if (message.term > this.currentTerm) this.stepDown(ctx, message.term, message.leader);
    // Two leaders in one term cannot both announce themselves unless votes were forgotten (the unsafe knob); keep leading and let the checkers tell.
    else if (this.roleNow === 'leader') return;
    else this.becomeFollower(ctx, message.leader);
    this.leaderContactUs = ctx.now();
  }
}

/**
 * Raft replication, KRaft's pull way (KIP-595): followers fetch from the end of their log naming
 * the term of their last entry; the leader answers with entries, with where the logs diverge, or
 * with the snapshot to fetch, and holds a fetch with nothing new for up to `fetchMaxWaitUs` (long
 * poll). A fetch offset acknowledges durable entries (a follower fetches again only after its
 * fsync), so the leader commits the largest index a majority holds, if of its own term.
 *
 * Guarantee: a follower commits only on an answer that checked its log against the leader's (an
 * answer with an `error` carries no entries and is never committed on), and never past what it
 * matched; the leader never commits an entry of an earlier term by counting (Raft's Figure 8) —
 * unless `unsafe.commitPreviousTermByCount`.
 *
 * How it fails: a lost request or answer is retried after twice the long-poll wait; a follower
 * that hears nothing from the leader for `fetchTimeoutUs` starts an election (raft-election.ts).
 */
import type { Context } from '../../../kernel/contract/index.ts';
import type { FetchRequest, FetchResponse, FetchSnapshotRequest, RaftEntry } from './messages.ts';
import { HEADER_BYTES, RaftCore } from './raft-core.ts';

export abstract class RaftReplication<C, R = unknown> extends RaftCore<C, R> {
  protected appendAsLeader(ctx: Context, command: C | null): number | undefined {
    const entry: RaftEntry<C> = { i: this.log.lastIndex() + 1, t: this.currentTerm, c: command };
    if (!this.appendEntry(ctx, entry)) return undefined;
    this.sync(ctx);
    for (const voter of [...this.parked.keys()]) this.answerParked(ctx, voter);
    return entry.i;
  }

  protected onFetch(ctx: Context, request: FetchRequest, from: string): void {
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

  protected answerParked(ctx: Context, voter: string): void {
    const request = this.parked.get(voter);
    if (request === undefined) return;
    this.parked.delete(voter);
    this.disarm(ctx, `park:${voter}`);
    const entries = request.fetchOffset <= this.log.lastIndex() ? this.log.slice(request.fetchOffset, this.options.maxFetchEntries) : [];
    this.answerFetch(ctx, voter, request, { entries });
  }

  protected answerFetch(ctx: Context, to: string, request: FetchRequest, body: Partial<Pick<FetchResponse, 'entries' | 'diverging' | 'snapshot' | 'error'>>): void {
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
  protected override advanceLeaderCommit(ctx: Context): void {
    if (this.roleNow !== 'leader') return;
    const held = this.options.voters.map((v) => (v === this.self ? this.durableIndex : (this.matched.get(v) ?? 0))).sort((a, b) => b - a);
    const index = held[this.majority() - 1]!;
    if (index <= this.commitIndex) return;
    const term = this.log.termAt(index);
    if (term !== this.currentTerm && !this.options.unsafe.commitPreviousTermByCount) return;
    this.commitTo(ctx, index);
    for (const voter of [...this.parked.keys()]) this.answerParked(ctx, voter);
  }

  protected sendFetch(ctx: Context): void {
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
  protected acceptFromLeader(ctx: Context, term: number, leader: string | undefined, from: string): boolean {
    if (term > this.currentTerm) this.stepDown(ctx, term, leader);
    if (term < this.currentTerm || leader === undefined || leader === this.self || this.roleNow === 'leader') return false;
    if (this.roleNow !== 'follower' || this.leader !== leader) this.becomeFollower(ctx, leader);
    if (from !== leader) return false;
    this.leaderContactUs = ctx.now();
    this.arm(ctx, 'fetch-timeout', this.options.fetchTimeoutUs);
    return true;
  }

  protected onFetchResponse(ctx: Context, response: FetchResponse, from: string): void {
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
}

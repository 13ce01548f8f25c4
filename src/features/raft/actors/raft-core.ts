/**
 * The state a Raft node keeps, and what every layer of the engine shares: term and vote on disk,
 * the fsync pipeline, the log's append/truncate/commit/apply, timers and trace records. The
 * protocol is layered on it — replication (raft-replication.ts), snapshots (raft-snapshots.ts),
 * elections (raft-election.ts) — and `RaftNode` (raft-node.ts) is the public face.
 *
 * Guarantee: an entry counts as durable (`durableIndex`) only once an fsync issued after it was
 * written completes; a term and vote are written before anything acts on them, and made durable
 * before a vote is sent (`afterVoteDurable`); committed entries are applied once each, in index
 * order. A committed entry is never truncated (asserted) — unless an unsafe knob broke Raft.
 *
 * How it fails: an fsync completion without a `sync` that issued it is a bug (asserted).
 */
import type { Context, Micros, TimerId } from '../../../kernel/contract/index.ts';
import { assert, digestOf, RAM_DISK_DIR } from '../../../kernel/contract/index.ts';
import { resolveRaftOptions, type RaftCallbacks, type RaftOptions, type ResolvedRaftOptions, type StateMachine } from './config.ts';
import type { FetchRequest, RaftEntry } from './messages.ts';
import { RaftLog } from './raft-log.ts';

export type RaftRole = 'follower' | 'prospective' | 'candidate' | 'leader';

/** The quorum-state file: term and vote. */
export interface Meta {
  readonly term: number;
  readonly votedFor: string | null;
}

/** Bytes of a request or response without entries. */
export const HEADER_BYTES = 64;

export abstract class RaftCore<C, R = unknown> {
  readonly options: ResolvedRaftOptions;
  protected readonly metaFile: string;
  protected readonly timerPrefix: string;
  protected self = '';
  protected log!: RaftLog<C>;

  // Durable (written to the meta file).
  protected currentTerm = 0;
  protected votedFor: string | null = null;

  // Volatile.
  protected roleNow: RaftRole = 'follower';
  protected leader: string | undefined;
  protected commitIndex = 0;
  protected lastApplied = 0;
  /** When this node last heard from a leader of its term (a fetch answered, an announcement). */
  protected leaderContactUs: Micros = -Infinity;
  /** The leader this node just timed out on, and in which term: in the first pre-vote round after, a voter naming it is not followed. */
  protected abandoned: { term: number; leader: string } | undefined;
  /** Votes (or pre-votes) granted to this node in the running round. */
  protected readonly granted = new Set<string>();

  // Durability: entries up to `durableIndex` are fsynced; `inFlight` is what the running fsync covers.
  protected durableIndex = 0;
  protected inFlight: { index: number; then: (() => void)[] } | undefined;
  protected waiting: (() => void)[] = [];
  protected syncWanted = false;

  // Follower: the fetch in flight (its offset), if any.
  protected fetching: number | undefined;

  // Leader: each voter's matched index (from its last fetch), when it last fetched, and fetches held.
  protected readonly matched = new Map<string, number>();
  protected readonly fetchedAt = new Map<string, Micros>();
  protected readonly parked = new Map<string, FetchRequest>();

  protected readonly timers = new Map<string, TimerId>();

  constructor(
    options: RaftOptions,
    protected readonly machine: StateMachine<C, R>,
    protected readonly callbacks: RaftCallbacks<C, R> = {},
  ) {
    this.options = resolveRaftOptions(options);
    assert(new Set(this.options.voters).size === this.options.voters.length, () => `raft ${options.group}: voters listed twice: ${options.voters.join(', ')}`);
    // The skip-vote-fsync knob keeps term and vote where no fsync reaches them (tmpfs): every power loss forgets them.
    this.metaFile = `${this.options.unsafe.skipVoteFsync ? RAM_DISK_DIR : ''}raft-${options.group}.meta`;
    this.timerPrefix = `raft:${options.group}:`;
  }

  // Implemented by the layers above (replication, snapshots, election), called from this one.
  protected abstract becomeFollower(ctx: Context, leader: string | undefined, newTerm?: boolean): void;
  protected abstract stepDown(ctx: Context, term: number, leader: string | undefined): void;
  protected abstract advanceLeaderCommit(ctx: Context): void;
  protected abstract maybeSnapshot(ctx: Context): void;

  protected setTerm(ctx: Context, term: number, votedFor: string | null, why: string): void {
    if (term !== this.currentTerm) this.record(ctx, 'raft-term', { term, why });
    this.currentTerm = term;
    this.votedFor = votedFor;
    ctx.disk.put(this.metaFile, { term, votedFor } satisfies Meta, 32);
  }

  /** Runs `then` once the vote just written is durable — at once under the skip-vote-fsync knob. */
  protected afterVoteDurable(ctx: Context, then: () => void): void {
    if (this.options.unsafe.skipVoteFsync) return then();
    this.waiting.push(then);
    this.sync(ctx);
  }

  /** Runs `then` once everything written so far is durable. */
  protected whenDurable(ctx: Context, then: () => void): void {
    if (this.durableIndex >= this.log.lastIndex()) return then();
    // The fsync in flight covers the whole log: it will do.
    if (this.inFlight !== undefined && this.inFlight.index >= this.log.lastIndex()) return void this.inFlight.then.push(then);
    this.waiting.push(then);
    this.sync(ctx);
  }

  /** Asks for an fsync covering every write so far (one at a time; later ones wait for the next). */
  protected sync(ctx: Context): void {
    if (this.inFlight !== undefined) {
      this.syncWanted = true;
      return;
    }
    this.syncWanted = false;
    this.inFlight = { index: this.log.lastIndex(), then: this.waiting };
    this.waiting = [];
    ctx.disk.fsync({ name: `${this.timerPrefix}synced` });
  }

  protected synced(ctx: Context): void {
    const done = this.inFlight;
    assert(done !== undefined, 'raft: an fsync completes only after `sync` issued it');
    this.inFlight = undefined;
    this.durableIndex = Math.max(this.durableIndex, Math.min(done.index, this.log.lastIndex()));
    if (this.syncWanted || this.waiting.length > 0 || this.durableIndex < this.log.lastIndex()) this.sync(ctx);
    for (const then of done.then) then();
    this.advanceLeaderCommit(ctx);
  }

  protected appendEntry(ctx: Context, entry: RaftEntry<C>): boolean {
    const chain = this.log.append(entry);
    if (chain === false) return false;
    this.record(ctx, 'raft-append', { index: entry.i, term: entry.t, digest: digestOf(entry.c), chain });
    return true;
  }

  protected truncateTo(ctx: Context, index: number): void {
    if (index >= this.log.lastIndex()) return;
    // Committed entries are never truncated — unless an unsafe knob broke Raft (then the checkers tell, citing it).
    const unsafe = this.options.unsafe.commitPreviousTermByCount || this.options.unsafe.skipVoteFsync;
    assert(index >= this.commitIndex || unsafe, () => `raft ${this.options.group}: truncating to ${index} below the commit index ${this.commitIndex}`);
    this.log.truncateAfter(index);
    this.durableIndex = Math.min(this.durableIndex, index);
    if (this.inFlight !== undefined) this.inFlight.index = Math.min(this.inFlight.index, index);
    this.record(ctx, 'raft-truncate', { index });
  }

  protected commitTo(ctx: Context, index: number): void {
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

  protected isAbandoned(leader: string): boolean {
    return this.abandoned !== undefined && this.abandoned.term === this.currentTerm && this.abandoned.leader === leader;
  }

  protected others(): string[] {
    return this.options.voters.filter((v) => v !== this.self);
  }

  protected majority(): number {
    return Math.floor(this.options.voters.length / 2) + 1;
  }

  protected hasMajority(voters: ReadonlySet<string>): boolean {
    let count = 0;
    for (const v of this.options.voters) if (voters.has(v)) count++;
    return count >= this.majority();
  }

  protected randomElectionTimeout(ctx: Context): Micros {
    const base = this.options.electionTimeoutUs;
    return base + ctx.rng(`raft-${this.options.group}-election`).int(0, base);
  }

  protected arm(ctx: Context, key: string, delay: Micros): void {
    this.disarm(ctx, key);
    this.timers.set(key, ctx.setTimer(delay, `${this.timerPrefix}${key}`));
  }

  protected disarm(ctx: Context, key: string): void {
    const id = this.timers.get(key);
    if (id === undefined) return;
    ctx.cancelTimer(id);
    this.timers.delete(key);
  }

  protected record(ctx: Context, op: string, fields: Record<string, unknown>): void {
    ctx.record('log', { op, group: this.options.group, ...fields });
  }
}

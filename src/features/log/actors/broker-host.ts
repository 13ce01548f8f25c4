/**
 * What a partition role (leader or follower) may ask of the broker it runs in: its identity and
 * configuration, request numbers, group-committed fsyncs, named timers routed back to it, the
 * broker's replica fetcher for each leader it follows, and its purgatory of parked fetches.
 * Roles are plain objects inside the broker actor, so they use the broker's `Context`.
 *
 * Guarantee (what the broker promises its roles): request numbers above every earlier
 * incarnation's (`requestNumbersFrom`); a `flush` callback runs only after an fsync issued after
 * the call, so it covers everything appended before it; a role timer never fires once cancelled or
 * once the broker crashed.
 *
 * How it fails: the numbers stay above an earlier incarnation's only while it sent fewer than 1024
 * requests per µs of its life; and the broker does not know when a role resigns — a timer a role
 * leaves armed still fires, so a role cancels its timers as it resigns.
 */
import type { Context, Micros, TimerId } from '../../../kernel/contract/index.ts';
import type { ClusterConfig, TopicConfig } from './config.ts';
import type { FetchPartition, FetchPartitionReply } from './messages.ts';
import type { Replica } from './replica.ts';

export interface BrokerHost {
  readonly id: string;
  readonly config: ClusterConfig;
  /** The controller ISR proposals go to (with a quorum, the active one as the broker last learned). */
  readonly activeController: string;
  topic(name: string): TopicConfig;
  /** A request number no earlier incarnation of this broker used. */
  nextReq(): number;
  /**
   * True when the flush policy is `every-write` and acknowledgements wait for the fsync: a leader
   * then counts only fsynced data toward the high watermark, and a follower fetches again only
   * once what it replicated is fsynced.
   */
  readonly waitsForFlush: boolean;
  /**
   * Issues (or joins) an fsync of the broker's logs; `then`, if given, runs once it has completed,
   * with the broker's context. Without one the fsync is only asked for (a leader's every-write
   * append): nothing is kept for it, where a no-op callback per produce was.
   */
  flush(ctx: Context, then?: (ctx: Context) => void): void;
  /** A timer that calls `fire` after `delay`, unless cancelled or the broker crashed. */
  timer(ctx: Context, delay: Micros, fire: (ctx: Context) => void): RoleTimer;
  cancelTimer(ctx: Context, timer: RoleTimer | undefined): void;
  /**
   * Leaders' periodic maintenance (ISR expiry, request timeouts, a lost ISR proposal) must run at
   * the first maintenance tick at or after `dueUs`; ticks at which no leader has anything due are
   * skipped.
   */
  maintainBy(ctx: Context, dueUs: Micros): void;
  /** The broker's one replica fetcher for partitions led by `leader` (Kafka's num.replica.fetchers = 1). */
  fetcherFor(leader: string): Fetcher;
  /**
   * A leader's log end or high watermark moved: fetches parked on the partition may now be answered.
   * `moved`: what moved — the log end alone (an append), the high watermark alone, or anything (a
   * leadership); default `any`.
   */
  readable(ctx: Context, replica: Replica, moved?: PartitionMove): void;
}

/**
 * What moved on a led partition, for the fetches parked on it: its log end alone (an append), its
 * high watermark alone, or anything (its leadership changed hands).
 */
export type PartitionMove = 'log-end' | 'high-watermark' | 'any';

/**
 * A pending role timer: the kernel's timer and what it runs when it fires. It is the timer's own
 * data, so it needs no table: a cancelled kernel timer never fires (a table of callbacks by token,
 * set and deleted for every parked fetch and waiting produce, rehashed and shrank over and over).
 */
export interface RoleTimer {
  readonly id: TimerId;
  readonly fire: (ctx: Context) => void;
}

/** The broker's replica fetcher for one leader broker, as its partitions see it (replica-fetcher.ts). */
export interface Fetcher {
  /** The partition is ready to fetch (again): it is in the next request. */
  add(ctx: Context, member: FetcherMember): void;
  remove(member: FetcherMember): void;
}

/** A partition a fetcher fetches: a follower role (follower.ts). */
export interface FetcherMember {
  readonly replica: Replica;
  /** False once the role resigned: replies for it are dropped. */
  readonly active: boolean;
  /** Aligned and not backing off: in the next request. */
  readonly fetching: boolean;
  /** Its part of the next request. */
  fetchPartition(): FetchPartition;
  /** Its part of a reply; true if it appended. */
  onFetched(ctx: Context, reply: FetchPartitionReply): boolean;
}

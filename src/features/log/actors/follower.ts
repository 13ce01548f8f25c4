/**
 * A follower of one partition at one broker, for one leader epoch: it first aligns its log with the
 * leader's, then fetches from the leader in a loop (pull, as Kafka replicates) and appends what it
 * gets.
 *
 * Alignment, by `truncation`:
 *  - `leader-epoch` (KIP-101, with KIP-279's iteration): the follower asks the leader where its
 *    latest epoch ends in the leader's log (OffsetsForLeaderEpoch) and truncates there; if the
 *    leader answers with an older epoch the follower does not have, it asks again about its own
 *    largest older epoch. Its log is then a prefix of the leader's, whatever its high watermark.
 *  - `high-watermark` (Kafka before 0.11, for teaching): the follower truncates to its own high
 *    watermark, which lags the leader's by one fetch and, after a restart, by up to one checkpoint
 *    interval. If it is then elected, acknowledged events it had are gone (KIP-101's first
 *    scenario); and a fetch beyond the leader's log end truncates to the leader's end.
 *
 * Guarantee: the follower's fetch offset (what the leader counts toward the high watermark) is
 * its log end, and with `flush: every-write` it fetches again only after that end is fsynced, so
 * what the leader counts survives a power loss of the follower.
 */
import type { Context } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { BrokerHost, RoleTimer } from './broker-host.ts';
import type { EpochEndReply, FetchReply } from './messages.ts';
import type { Replica, Role } from './replica.ts';

/** A follower that hears nothing back for this long past the fetch's wait asks again. */
const SILENCE_US = 1_000_000;

export class FollowerRole implements Role {
  readonly kind = 'follower';
  private awaiting: { readonly req: number; readonly what: 'fetch' | 'epoch-end'; readonly epoch: number } | null = null;
  private timer: RoleTimer | undefined;
  /**
   * The fetch last given up on for silence, still welcome while the log end is where it asked from:
   * a reply carrying a batch of gigabytes (a checkpoint image) can take longer than the silence.
   */
  private abandoned: { readonly req: number; readonly offset: number } | null = null;
  private aligned = false;
  private active = true;

  constructor(
    private readonly host: BrokerHost,
    private readonly replica: Replica,
    readonly leader: string,
    readonly epoch: number,
  ) {}

  start(ctx: Context): void {
    this.replica.record(ctx, 'follower', this.replica.log.logEnd, { leader: this.leader, hw: this.replica.hw });
    // After a restart the page cache may hold writes no fsync covered: make them durable before
    // the leader is told about them.
    if (this.host.waitsForFlush) this.host.flush(ctx, () => this.align(ctx));
    else this.align(ctx);
  }

  resign(ctx: Context): void {
    this.active = false;
    this.awaiting = null;
    this.host.cancelTimer(ctx, this.timer);
  }

  private align(ctx: Context): void {
    if (!this.active) return;
    if (this.host.config.truncation === 'high-watermark') {
      this.replica.truncate(ctx, this.replica.hw, 'high-watermark');
      return this.beginFetching(ctx);
    }
    const latest = this.replica.log.epochs.latest();
    if (latest < 0) return this.beginFetching(ctx);
    this.askEpochEnd(ctx, latest);
  }

  private beginFetching(ctx: Context): void {
    this.aligned = true;
    this.fetch(ctx);
  }

  private askEpochEnd(ctx: Context, epoch: number): void {
    const req = this.host.nextReq();
    this.awaiting = { req, what: 'epoch-end', epoch };
    const { topic, partition } = this.replica;
    ctx.send(this.leader, { type: 'epoch-end', req, topic, partition, epoch, leaderEpoch: this.epoch });
    this.armSilence(ctx, 0);
  }

  onEpochEndReply(ctx: Context, reply: EpochEndReply): void {
    const asked = this.awaiting;
    if (!this.active || asked === null || asked.what !== 'epoch-end' || asked.req !== reply.req) return;
    this.awaiting = null;
    this.host.cancelTimer(ctx, this.timer);
    if (reply.error !== undefined) return this.backoff(ctx);
    const log = this.replica.log;
    if (reply.epoch < 0) {
      // The leader has no epoch as old as ours: nothing we hold past its first epoch is shared.
      this.replica.truncate(ctx, reply.endOffset, 'leader-epoch');
      return this.beginFetching(ctx);
    }
    if (reply.epoch === asked.epoch || log.epochs.has(reply.epoch)) {
      const ours = log.epochs.endOffsetFor(reply.epoch, log.logEnd).end;
      this.replica.truncate(ctx, Math.min(reply.endOffset, ours), 'leader-epoch');
      return this.beginFetching(ctx);
    }
    // KIP-279: the leader's answer names an epoch we never had; ask about our largest older one.
    const older = log.epochs.largestBelow(reply.epoch);
    if (older < 0) {
      this.replica.truncate(ctx, log.logStart, 'leader-epoch');
      return this.beginFetching(ctx);
    }
    this.askEpochEnd(ctx, older);
  }

  private fetch(ctx: Context): void {
    if (!this.active) return;
    const req = this.host.nextReq();
    this.awaiting = { req, what: 'fetch', epoch: this.epoch };
    const config = this.host.config;
    const { topic, partition } = this.replica;
    ctx.send(this.leader, {
      type: 'fetch',
      req,
      topic,
      partition,
      offset: this.replica.log.logEnd,
      maxBytes: config.replicaFetchMaxBytes,
      maxWaitUs: config.replicaFetchWaitMaxUs,
      replica: this.host.id,
      leaderEpoch: this.epoch,
    });
    this.armSilence(ctx, config.replicaFetchWaitMaxUs);
  }

  onFetchReply(ctx: Context, reply: FetchReply): void {
    const asked = this.awaiting;
    const late = this.abandoned?.req === reply.req && this.abandoned.offset === this.replica.log.logEnd;
    if (!this.active || asked === null || asked.what !== 'fetch' || (asked.req !== reply.req && !late)) return;
    this.awaiting = null;
    this.abandoned = null;
    this.host.cancelTimer(ctx, this.timer);
    if (reply.error === 'offset-out-of-range') return this.outOfRange(ctx, reply);
    if (reply.error !== undefined) return this.backoff(ctx);
    // The leader answers a replica's fetch only in the epoch the fetch named, with its own positions.
    assert(reply.leaderEpoch === this.epoch, () => `${this.replica.key}: a fetch is answered in the follower's epoch, but epoch ${reply.leaderEpoch} answered a follower of epoch ${this.epoch}`);
    assert(reply.logStart <= reply.highWatermark && reply.highWatermark <= reply.logEnd, () => `${this.replica.key}: the leader's log start ≤ high watermark ≤ log end, but ${reply.logStart} / ${reply.highWatermark} / ${reply.logEnd}`);
    const { appended, full } = this.appendAll(ctx, reply);
    const replica = this.replica;
    const hw = Math.min(reply.highWatermark, replica.log.logEnd);
    if (hw > replica.hw) replica.setHighWatermark(ctx, hw);
    replica.assertPositions('fetch applied');
    if (full) this.backoff(ctx);
    else if (appended && this.host.waitsForFlush) this.host.flush(ctx, () => this.fetch(ctx));
    else this.fetch(ctx);
  }

  private appendAll(ctx: Context, reply: FetchReply): { appended: boolean; full: boolean } {
    const log = this.replica.log;
    let appended = false;
    for (const batch of reply.batches) {
      const end = batch.base + batch.events.length;
      if (end <= log.logEnd) continue;
      // A cleaned leader's log has gaps: the next batch it holds may start past our end.
      // The leader returns whole batches from the one holding our offset; we only ever fetch at
      // our log end, which is a batch boundary in the leader's log once aligned.
      assert(batch.base === log.logEnd || (log.compacted && batch.base > log.logEnd), () => `${this.replica.key}: fetched batches continue the log, but one starts at ${batch.base} and the log ends at ${log.logEnd}`);
      // A full disk: keep what fitted, and ask again from the log end after a backoff.
      if (!this.replica.append(ctx, batch, 'replicate')) return { appended, full: true };
      appended = true;
    }
    return { appended, full: false };
  }

  private outOfRange(ctx: Context, reply: FetchReply): void {
    const replica = this.replica;
    if (replica.log.logEnd < reply.logStart) {
      replica.reset(ctx, reply.logStart, 'below-leader-log-start');
      return this.fetch(ctx);
    }
    if (this.host.config.truncation === 'high-watermark') {
      // Before KIP-101 a follower ahead of its leader simply cut its log to the leader's end.
      replica.truncate(ctx, reply.logEnd, 'leader-log-end');
      return this.fetch(ctx);
    }
    this.aligned = false;
    this.align(ctx);
  }

  private backoff(ctx: Context): void {
    this.timer = this.host.timer(ctx, this.host.config.replicaFetchBackoffUs, (c) => (this.aligned ? this.fetch(c) : this.align(c)));
  }

  /** If the leader never answers (it crashed, or a partition ate the message), try again. */
  private armSilence(ctx: Context, waitUs: number): void {
    this.host.cancelTimer(ctx, this.timer);
    this.timer = this.host.timer(ctx, waitUs + SILENCE_US, (c) => {
      if (!this.active || this.awaiting === null) return;
      if (this.awaiting.what === 'fetch') this.abandoned = { req: this.awaiting.req, offset: this.replica.log.logEnd };
      this.awaiting = null;
      if (this.aligned) this.fetch(c);
      else this.align(c);
    });
  }
}

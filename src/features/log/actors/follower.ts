/**
 * A follower of one partition at one broker, for one leader epoch: it first aligns its log with the
 * leader's, then joins its broker's replica fetcher for that leader (replica-fetcher.ts), which
 * pulls for every partition the broker follows from that leader in one fetch loop (as Kafka
 * replicates), and appends what it gets. Its first fetch goes as soon as it is aligned. Errors are
 * per partition: a partition that gets one backs off `replica.fetch.backoff.ms` on its own while the
 * others go on fetching (Kafka's AbstractFetcherThread: partitionsWithError → delayPartitions).
 * Among them the not-leader of a leader that has not yet learned it leads: brokers hear the
 * controller at different times, so a follower that learns its role first (in a fresh cluster, the
 * broker on the controller's node) waits the backoff (1 s) before it asks again, as in Kafka, whose
 * fetcher warns that UNKNOWN_TOPIC_OR_PARTITION "may be returned transiently when the partition is
 * being created". It is in the ISR, so acks=all writes to the partition wait for it meanwhile.
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
 * its log end, and with `flush: every-write` its fetcher asks again only after that end is
 * fsynced, so what the leader counts survives a power loss of the follower.
 */
import type { Context } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { BrokerHost, FetcherMember, RoleTimer } from './broker-host.ts';
import type { EpochEndPartitionReply, FetchPartition, FetchPartitionReply } from './messages.ts';
import type { Replica, Role } from './replica.ts';
import { SILENCE_US } from './replica-fetcher.ts';

export class FollowerRole implements Role, FetcherMember {
  readonly kind = 'follower';
  private awaiting: { readonly req: number; readonly epoch: number } | null = null;
  private timer: RoleTimer | undefined;
  private aligned = false;
  /** Aligned and not backing off: its fetcher includes it in the next fetch. */
  fetching = false;
  active = true;

  constructor(
    private readonly host: BrokerHost,
    readonly replica: Replica,
    readonly leader: string,
    readonly epoch: number,
  ) {}

  start(ctx: Context): void {
    this.replica.record(ctx, 'follower', this.replica.log.logEnd, { leader: this.leader, hw: this.replica.hw });
    // After a restart the page cache may hold writes no fsync covered: make them durable before
    // the leader is told about them.
    if (this.host.waitsForFlush) this.host.flush(ctx, (c) => this.align(c));
    else this.align(ctx);
  }

  resign(ctx: Context): void {
    this.active = false;
    this.fetching = false;
    this.awaiting = null;
    this.host.cancelTimer(ctx, this.timer);
    this.host.fetcherFor(this.leader).remove(this);
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
    this.resume(ctx);
  }

  /** Back in its fetcher's next request. */
  private resume(ctx: Context): void {
    if (!this.active) return;
    this.fetching = true;
    this.host.fetcherFor(this.leader).add(ctx, this);
  }

  private askEpochEnd(ctx: Context, epoch: number): void {
    const req = this.host.nextReq();
    this.awaiting = { req, epoch };
    const { topic, partition } = this.replica;
    ctx.send(this.leader, { type: 'epoch-end', req, partitions: [{ topic, partition, epoch, leaderEpoch: this.epoch }] });
    this.armSilence(ctx);
  }

  onEpochEndReply(ctx: Context, req: number, reply: EpochEndPartitionReply): void {
    const asked = this.awaiting;
    if (!this.active || asked === null || asked.req !== req) return;
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

  /** This partition's part of its fetcher's next request: from its log end, in its epoch. */
  fetchPartition(): FetchPartition {
    const { topic, partition, log } = this.replica;
    return { topic, partition, offset: log.logEnd, maxBytes: this.host.config.replicaFetchMaxBytes, leaderEpoch: this.epoch };
  }

  /** This partition's part of a fetch reply; true if it appended (its fetcher then fsyncs before asking again). */
  onFetched(ctx: Context, reply: FetchPartitionReply): boolean {
    if (reply.error === 'offset-out-of-range') {
      this.outOfRange(ctx, reply);
      return false;
    }
    if (reply.error !== undefined) {
      this.backoff(ctx);
      return false;
    }
    // The leader answers a replica's fetch only in the epoch the fetch named, with its own positions.
    assert(reply.leaderEpoch === this.epoch, () => `${this.replica.key}: a fetch is answered in the follower's epoch, but epoch ${reply.leaderEpoch} answered a follower of epoch ${this.epoch}`);
    assert(reply.logStart <= reply.highWatermark && reply.highWatermark <= reply.logEnd, () => `${this.replica.key}: the leader's log start ≤ high watermark ≤ log end, but ${reply.logStart} / ${reply.highWatermark} / ${reply.logEnd}`);
    const { appended, full } = this.appendAll(ctx, reply);
    const replica = this.replica;
    const hw = Math.min(reply.highWatermark, replica.log.logEnd);
    if (hw > replica.hw) replica.setHighWatermark(ctx, hw);
    replica.assertPositions('fetch applied');
    if (full) this.backoff(ctx);
    return appended;
  }

  private appendAll(ctx: Context, reply: FetchPartitionReply): { appended: boolean; full: boolean } {
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

  private outOfRange(ctx: Context, reply: FetchPartitionReply): void {
    const replica = this.replica;
    if (replica.log.logEnd < reply.logStart) {
      replica.reset(ctx, reply.logStart, 'below-leader-log-start');
      return;
    }
    if (this.host.config.truncation === 'high-watermark') {
      // Before KIP-101 a follower ahead of its leader simply cut its log to the leader's end.
      replica.truncate(ctx, reply.logEnd, 'leader-log-end');
      return;
    }
    this.aligned = false;
    this.fetching = false;
    this.align(ctx);
  }

  /** Out of its fetcher's requests for `replica.fetch.backoff.ms`, then back (or aligning again). */
  private backoff(ctx: Context): void {
    this.fetching = false;
    this.host.cancelTimer(ctx, this.timer);
    this.timer = this.host.timer(ctx, this.host.config.replicaFetchBackoffUs, (c) => (this.aligned ? this.resume(c) : this.align(c)));
  }

  /** If the leader never answers the epoch question (it crashed, or a partition ate the message), ask again. */
  private armSilence(ctx: Context): void {
    this.host.cancelTimer(ctx, this.timer);
    this.timer = this.host.timer(ctx, SILENCE_US, (c) => {
      if (!this.active || this.awaiting === null) return;
      this.awaiting = null;
      this.align(c);
    });
  }
}

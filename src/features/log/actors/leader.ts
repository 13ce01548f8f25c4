/**
 * The leader of one partition at one broker, for one leader epoch: it appends produced batches,
 * serves fetches from followers and consumers, tracks each follower's position, proposes ISR
 * changes to the controller and advances the high watermark.
 *
 * Guarantees, as Kafka gives them:
 *  - The high watermark is the smallest log end among the leader and every member of the *maximal*
 *    ISR (the committed ISR plus any pending change), so an ISR shrink takes effect only once the
 *    controller has made it durable, and a follower being added counts as soon as it is proposed.
 *  - `acks=all` is answered only when the high watermark passes the batch and the ISR then has at
 *    least `min.insync.replicas` members (else `not-enough-replicas-after-append`); a write that
 *    finds the ISR already too small is refused (`not-enough-replicas`) without being appended.
 *  - With `flush: every-write` (and no `ack.before.flush`), the leader's own contribution to the
 *    high watermark and its `acks=1` replies wait for the fsync that covers the batch.
 *  - A follower leaves the ISR when it has not caught up for `replica.lag.time.max.ms`, and is
 *    proposed back once its log reaches the high watermark and the start of this epoch.
 *
 * A batch larger than its topic's `max.message.bytes` — serialized, header and records' overhead
 * counted (`batchSizeInBytes`), as the producers count it against `max.request.size` — is refused
 * whole (`message-too-large`, Kafka's MESSAGE_TOO_LARGE), after the ISR check and before the
 * sequence check, as Kafka orders them.
 *
 * How it breaks, by configuration: `acks=1` is answered before any follower has the batch;
 * `min.insync.replicas=1` lets the ISR shrink to the leader alone and `acks=all` then means `acks=1`;
 * `flush: never` or an interval acknowledges data that a power loss of every replica's node destroys.
 */
import type { Context, Micros } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { BrokerHost } from './broker-host.ts';
import { assertPartitionState } from './elections.ts';
import { batchSizeInBytes, type Batch, type DescribeProducersRequest, type EpochEndPartition, type EpochEndPartitionReply, type FetchPartition, type FetchPartitionReply, type LogError, type ProducePartition } from './messages.ts';
import type { Replica, Role } from './replica.ts';

interface FollowerProgress {
  readonly broker: string;
  /** The follower's log end as its last fetch said, -1 until it fetches in this epoch. */
  logEnd: number;
  lastCaughtUpUs: Micros;
  lastFetchUs: Micros;
  leaderEndAtLastFetch: number;
}

/** One partition's outcome of a produce request: an error, or the offset its batch got. */
export interface ProduceOutcome {
  readonly error?: LogError;
  readonly offset?: number;
  readonly duplicate?: boolean;
}

/** Hands a partition's outcome back to the broker, which answers once every partition of the request has one. */
export type ProduceRespond = (ctx: Context, outcome: ProduceOutcome) => void;

interface WaitingProduce {
  readonly respond: ProduceRespond;
  readonly offset: number;
  /** Offset after the batch: the high watermark must reach it. */
  readonly end: number;
  readonly deadlineUs: Micros;
  readonly duplicate: boolean;
}

/**
 * The batch a leader appends for a produced one: its offset, epoch and append time, and what the
 * producer sent. Built as one literal per combination of the optional fields, in one key order,
 * rather than completed property by property: a property added to a literal goes to a second,
 * out-of-object store (an allocation, and a shape change, per append — every batch is kept all run).
 */
function batchOf(request: ProducePartition, base: number, epoch: number, ts: Micros): Batch {
  const { events, bytes, pid, payloads } = request;
  let batch: Batch;
  if (pid === undefined) batch = payloads === undefined ? { base, epoch, events, bytes, ts } : { base, epoch, events, bytes, ts, payloads };
  else {
    const seq = request.seq ?? 0;
    batch = payloads === undefined ? { base, epoch, events, bytes, ts, pid, seq } : { base, epoch, events, bytes, ts, pid, seq, payloads };
  }
  // Keys only on compacted topics' records (the checkpoint tier's), a few batches per run.
  return request.keys === undefined ? batch : { ...batch, keys: request.keys };
}

/** No brokers: `lowestEnd`'s default, one array rather than one per high-watermark check. */
const NONE: readonly string[] = [];

export class LeaderRole implements Role {
  readonly kind = 'leader';
  /**
   * Each follower's progress, in the replica list's order: a few entries (the replication factor
   * less one), found by a loop — the high watermark looks up every ISR member at every follower
   * fetch and fsync, where a Map hashed the broker's name for each.
   */
  private readonly progress: FollowerProgress[] = [];
  private pending: { readonly isr: readonly string[]; readonly sentUs: Micros } | null = null;
  private waiting: WaitingProduce[] = [];
  private active = true;

  constructor(
    private readonly host: BrokerHost,
    readonly replica: Replica,
    readonly epoch: number,
  ) {}

  start(ctx: Context): void {
    const now = ctx.now();
    // A new leader does not know where its followers are; it gives each a full lag period to show up.
    for (const broker of this.replica.meta.replicas) {
      if (broker !== this.host.id) this.progress.push({ broker, logEnd: -1, lastCaughtUpUs: now, lastFetchUs: now, leaderEndAtLastFetch: 0 });
    }
    const log = this.replica.log;
    assert(this.epoch === this.replica.leaderEpoch && this.replica.meta.leader === this.host.id, () => `${this.replica.key}: a leader leads in its replica's epoch, but epoch ${this.epoch}, replica epoch ${this.replica.leaderEpoch}, leader ${this.replica.meta.leader}`);
    log.epochs.assign(this.epoch, log.logEnd);
    this.replica.record(ctx, 'leader', log.logEnd, { isr: this.replica.meta.isr, hw: this.replica.hw });
    // After a restart, what the page cache holds may not be durable yet, and only durable data
    // counts toward the high watermark: make it so now rather than at the next produce.
    if (this.host.waitsForFlush && this.replica.flushedEnd < log.logEnd) this.host.flush(ctx);
    this.advanceHighWatermark(ctx);
    this.host.maintainBy(ctx, this.nextDue(ctx.now()));
  }

  resign(ctx: Context): void {
    this.active = false;
    for (const w of this.waiting) w.respond(ctx, { error: 'not-leader' });
    this.waiting = [];
  }

  // --- produce -----------------------------------------------------------------------------------

  /** One partition's batch of a produce request; its outcome goes to `respond`, now or when safe. */
  onProduce(ctx: Context, request: ProducePartition, acks: 0 | 1 | -1, timeoutUs: Micros, respond: ProduceRespond): void {
    const replica = this.replica;
    const topic = this.host.topic(request.topic);
    if (acks === -1 && replica.meta.isr.length < topic.minInsyncReplicas) {
      replica.record(ctx, 'reject', replica.log.logEnd, { error: 'not-enough-replicas', isr: replica.meta.isr, events: request.events.length });
      return respond(ctx, { error: 'not-enough-replicas' });
    }
    // As Kafka validates a batch before appending it: larger than the topic allows, it is refused whole.
    if (topic.maxMessageBytes !== undefined && batchSizeInBytes(request.bytes, request.events.length) > topic.maxMessageBytes) {
      replica.record(ctx, 'reject', replica.log.logEnd, { error: 'message-too-large', bytes: request.bytes, max: topic.maxMessageBytes, events: request.events.length });
      return respond(ctx, { error: 'message-too-large' });
    }
    let offset: number;
    let duplicate = false;
    const sequence = request.pid === undefined ? undefined : replica.producers.check(request.pid, request.seq ?? 0, request.events.length);
    if (sequence?.kind === 'out-of-order') return respond(ctx, { error: 'out-of-order-sequence' });
    if (sequence?.kind === 'duplicate') {
      offset = sequence.offset;
      // The producer table describes the log: a batch it remembers is in it.
      assert(offset < replica.log.logEnd, () => `${replica.key}: a duplicate's original is in the log, but pid ${request.pid} seq ${request.seq} was at ${offset} and the log ends at ${replica.log.logEnd}`);
      duplicate = true;
      replica.record(ctx, 'duplicate', offset, { pid: request.pid, seq: request.seq, events: request.events.length });
    } else {
      offset = replica.log.logEnd;
      // A full disk refuses the write (Kafka's KafkaStorageException); the producer retries.
      if (!replica.append(ctx, batchOf(request, offset, this.epoch, ctx.now()), 'append')) return respond(ctx, { error: 'kafka-storage-error' });
      this.host.readable(ctx, replica, 'log-end');
    }
    this.acknowledgeWhenSafe(ctx, request, acks, timeoutUs, respond, offset, duplicate);
  }

  private acknowledgeWhenSafe(ctx: Context, request: ProducePartition, acks: 0 | 1 | -1, timeoutUs: Micros, respond: ProduceRespond, offset: number, duplicate: boolean): void {
    // With `flush: every-write` every append is fsynced; only the moment of the reply differs.
    const flushes = this.host.config.flush.kind === 'every-write';
    if (acks === 1 && this.host.waitsForFlush) {
      this.host.flush(ctx, (c) => respond(c, { offset, duplicate }));
      return;
    }
    if (flushes) this.host.flush(ctx);
    if (acks === 1) respond(ctx, { offset, duplicate });
    if (acks !== -1) return;
    const end = duplicate ? offset + request.events.length : this.replica.log.logEnd;
    const deadlineUs = ctx.now() + timeoutUs;
    this.waiting.push({ respond, offset, end, deadlineUs, duplicate });
    this.advanceHighWatermark(ctx);
    // Still waiting: answered at the next tick if the high watermark already covers it, else timed out at a tick.
    if (this.waiting.length > 0 && this.waiting[this.waiting.length - 1]!.respond === respond) this.host.maintainBy(ctx, end <= this.replica.hw ? ctx.now() : deadlineUs);
  }

  /** Answers `acks=all` requests the high watermark now covers, and those past their timeout. */
  private completeWaiting(ctx: Context): void {
    if (this.waiting.length === 0) return;
    const hw = this.replica.hw;
    const now = ctx.now();
    const enough = this.replica.meta.isr.length >= this.host.topic(this.replica.topic).minInsyncReplicas;
    // Those still waiting move down in place, in their order (no array per high-watermark move);
    // answering one only sends its reply, so nothing else touches the list meanwhile.
    const waiting = this.waiting;
    let kept = 0;
    for (let i = 0; i < waiting.length; i++) {
      const w = waiting[i]!;
      if (w.end <= hw) {
        if (enough) w.respond(ctx, { offset: w.offset, duplicate: w.duplicate });
        else w.respond(ctx, { error: 'not-enough-replicas-after-append' });
      } else if (w.deadlineUs <= now) {
        w.respond(ctx, { error: 'request-timed-out' });
      } else {
        waiting[kept++] = w;
      }
    }
    // `pop`, not a store to `length`: V8 sets an array's length through a runtime call.
    while (waiting.length > kept) waiting.pop();
  }

  // --- fetch -------------------------------------------------------------------------------------

  /**
   * One partition of a fetch as it arrives: an error to answer it with, or undefined after
   * recording a follower's position (Kafka's updateFollowerFetchState).
   */
  acceptFetch(ctx: Context, part: FetchPartition, replica: string | undefined): LogError | undefined {
    const error = this.fetchError(part, replica);
    if (error === undefined && replica !== undefined) this.followerFetched(ctx, replica, part.offset);
    return error;
  }

  /**
   * Why one partition of a fetch cannot be read here: the fetcher's stale or future leader epoch (a
   * follower always sends its epoch; a consumer sends the one its metadata names, KIP-320), or an
   * offset outside the log.
   */
  fetchError(part: FetchPartition, replica: string | undefined): LogError | undefined {
    if ((replica !== undefined || part.leaderEpoch !== undefined) && part.leaderEpoch !== this.epoch) return (part.leaderEpoch ?? -1) < this.epoch ? 'fenced-leader-epoch' : 'unknown-leader-epoch';
    const log = this.replica.log;
    if (part.offset > log.logEnd || part.offset < log.logStart) return 'offset-out-of-range';
    return undefined;
  }

  /** One partition of an OffsetsForLeaderEpoch request, answered from this leader's epoch cache (or fenced). */
  epochEnd(part: EpochEndPartition): EpochEndPartitionReply {
    const { topic, partition } = part;
    if (part.leaderEpoch !== this.epoch) {
      const error: LogError = part.leaderEpoch < this.epoch ? 'fenced-leader-epoch' : 'unknown-leader-epoch';
      return { topic, partition, error, epoch: -1, endOffset: -1 };
    }
    const found = this.replica.log.epochs.endOffsetFor(part.epoch, this.replica.log.logEnd);
    return { topic, partition, epoch: found.epoch, endOffset: found.end };
  }

  onDescribeProducers(ctx: Context, request: DescribeProducersRequest, from: string): void {
    const { req, topic, partition, pid } = request;
    const state = this.replica.producers.committed(pid, this.replica.hw);
    ctx.send(from, { type: 'describe-producers-reply', req, topic, partition, lastSequence: state.lastSeq, uncommitted: state.uncommitted });
  }

  /** Where a fetch's reads stop: followers read up to the log end, consumers only what is committed. */
  readBound(replica: string | undefined): number {
    return replica !== undefined ? this.replica.log.logEnd : this.replica.hw;
  }

  read(part: FetchPartition, replica: string | undefined, maxBytes: number, minOne: boolean): Batch[] {
    return this.replica.log.read(part.offset, this.readBound(replica), maxBytes, minOne);
  }

  /** One partition of a fetch reply: `batches` or `error`, with this leader's positions. */
  fetchReply(part: FetchPartition, batches: readonly Batch[], error?: LogError): FetchPartitionReply {
    const log = this.replica.log;
    // Followers and consumers rely on the high watermark and log end the reply carries.
    this.replica.assertPositions('fetch reply');
    const { topic, partition } = part;
    // Two literals rather than a spread of a conditional object: one per partition of every fetch reply.
    if (error === undefined) return { topic, partition, batches, highWatermark: this.replica.hw, logStart: log.logStart, logEnd: log.logEnd, leaderEpoch: this.epoch };
    return { topic, partition, error, batches, highWatermark: this.replica.hw, logStart: log.logStart, logEnd: log.logEnd, leaderEpoch: this.epoch };
  }

  // --- followers, ISR and high watermark ---------------------------------------------------------

  /** Kafka's `updateFollowerFetchState`: a follower is caught up if it reached the log end as of its previous fetch. */
  private followerFetched(ctx: Context, follower: string, offset: number): void {
    const p = this.progressOf(follower);
    if (p === undefined) return;
    const now = ctx.now();
    const logEnd = this.replica.log.logEnd;
    if (offset >= logEnd) p.lastCaughtUpUs = now;
    else if (offset >= p.leaderEndAtLastFetch) p.lastCaughtUpUs = Math.max(p.lastCaughtUpUs, p.lastFetchUs);
    p.leaderEndAtLastFetch = logEnd;
    p.lastFetchUs = now;
    // onFetch answered an offset past the log end with offset-out-of-range: progress never overtakes the leader.
    assert(offset <= logEnd, () => `${this.replica.key}: follower ${follower} is at or behind the leader, but at ${offset} of a log ending at ${logEnd}`);
    p.logEnd = offset;
    this.maybeExpandIsr(ctx, follower, offset);
    this.advanceHighWatermark(ctx);
  }

  private maybeExpandIsr(ctx: Context, follower: string, offset: number): void {
    const meta = this.replica.meta;
    if (this.pending !== null || meta.isr.includes(follower)) return;
    const epochStart = this.replica.log.epochs.startOf(this.epoch) ?? this.replica.log.logEnd;
    if (offset < this.replica.hw || offset < epochStart) return;
    this.propose(ctx, meta.replicas.filter((b) => meta.isr.includes(b) || b === follower));
  }

  /** Periodic: shrinks the ISR of followers that stopped catching up; resends a lost proposal. */
  maintain(ctx: Context): void {
    const now = ctx.now();
    this.completeWaiting(ctx);
    if (this.pending !== null) {
      if (now - this.pending.sentUs >= this.host.config.brokerHeartbeatIntervalUs) this.propose(ctx, this.pending.isr);
      return;
    }
    const lagMax = this.host.config.replicaLagTimeMaxUs;
    const isr = this.replica.meta.isr;
    const lagging = isr.filter((b) => b !== this.host.id && now - (this.progressOf(b)?.lastCaughtUpUs ?? now) > lagMax);
    if (lagging.length > 0) this.propose(ctx, isr.filter((b) => !lagging.includes(b)));
  }

  /**
   * The earliest time at which `maintain` would do something, as it stands now (Infinity: never
   * until the state changes): a waiting request the high watermark covers (now) or its timeout; a
   * proposal to resend; else the first moment a member of the ISR has lagged too long.
   */
  nextDue(now: Micros): Micros {
    let due = Infinity;
    const hw = this.replica.hw;
    for (const w of this.waiting) due = Math.min(due, w.end <= hw ? now : w.deadlineUs);
    if (this.pending !== null) return Math.min(due, this.pending.sentUs + this.host.config.brokerHeartbeatIntervalUs);
    const lagMax = this.host.config.replicaLagTimeMaxUs;
    for (const b of this.replica.meta.isr) {
      const caughtUp = b === this.host.id ? undefined : this.progressOf(b)?.lastCaughtUpUs;
      if (caughtUp !== undefined) due = Math.min(due, caughtUp + lagMax + 1);
    }
    return due;
  }

  private propose(ctx: Context, isr: readonly string[]): void {
    const { topic, partition, partitionEpoch, replicas } = this.replica.meta;
    assertPartitionState({ topic, partition, replicas, leader: this.host.id, isr }, `leader ${this.host.id} proposes`);
    this.pending = { isr, sentUs: ctx.now() };
    ctx.send(this.host.activeController, { type: 'alter-isr', topic, partition, leaderEpoch: this.epoch, partitionEpoch, isr });
    this.host.maintainBy(ctx, this.pending.sentUs + this.host.config.brokerHeartbeatIntervalUs);
  }

  /** The controller changed the partition (same epoch): a committed or refused ISR change. */
  onPartitionState(ctx: Context): void {
    this.pending = null;
    this.advanceHighWatermark(ctx);
    this.completeWaiting(ctx);
    if (this.active) this.host.maintainBy(ctx, this.nextDue(ctx.now()));
  }

  /** The broker's fsync completed: fsynced data now counts toward the high watermark. */
  onFlushed(ctx: Context): void {
    if (this.active) this.advanceHighWatermark(ctx);
  }

  private advanceHighWatermark(ctx: Context): void {
    const replica = this.replica;
    // KIP-966: with ELR the high watermark waits while the ISR is below min.insync.replicas, so a
    // replica that leaves such an ISR (into the ELR) holds everything committed.
    if (this.host.config.eligibleLeaderReplicas && replica.meta.isr.length < this.host.topic(replica.topic).minInsyncReplicas) return;
    const own = this.host.waitsForFlush ? replica.flushedEnd : replica.log.logEnd;
    // The high watermark is a minimum over the maximal ISR (the committed one and the members a
    // pending change adds), the leader's own log end included.
    const isr = replica.meta.isr;
    assert(isr.includes(this.host.id), () => `${replica.key}: the ISR contains the leader, but leader ${this.host.id}, ISR [${isr.join(', ')}]`);
    const committed = this.lowestEnd(isr, own);
    const hw = committed === undefined || this.pending === null ? committed : this.lowestEnd(this.pending.isr, committed, isr);
    if (hw === undefined || hw <= replica.hw) return;
    replica.setHighWatermark(ctx, hw);
    this.completeWaiting(ctx);
    this.host.readable(ctx, replica, 'high-watermark');
  }

  /** The smallest of `bound` and the log ends of `brokers` (but the leader and those in `counted`); undefined while one has not fetched in this epoch. */
  private lowestEnd(brokers: readonly string[], bound: number, counted: readonly string[] = NONE): number | undefined {
    let lowest = bound;
    for (const broker of brokers) {
      if (broker === this.host.id || counted.includes(broker)) continue;
      const p = this.progressOf(broker);
      if (p === undefined || p.logEnd < 0) return undefined;
      lowest = Math.min(lowest, p.logEnd);
    }
    return lowest;
  }

  private progressOf(broker: string): FollowerProgress | undefined {
    for (const p of this.progress) if (p.broker === broker) return p;
    return undefined;
  }
}

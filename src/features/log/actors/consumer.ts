/**
 * A consumer-group member: it joins its group at the coordinator, fetches the partitions it is
 * assigned from their leaders (up to the high watermark, so it only sees committed events),
 * processes at most `max.poll.records` per poll, and commits its position every
 * `auto.commit.interval.ms`. The commit is a cumulative acknowledgement: everything before the
 * committed offset is done. A restarted consumer, or the next owner of a partition after a
 * rebalance, resumes from the last committed offset (the Diaspora stream API's contract); with none
 * committed it starts as `auto.offset.reset` says (earliest: the log start; latest: the high
 * watermark).
 *
 * Fetching, as Kafka's consumer fetcher: one FetchRequest per leader broker for every assigned
 * partition it leads that is ready (client-fetcher.ts), at most one in flight per broker, within
 * `fetch.max.bytes` and each partition's `max.partition.fetch.bytes` (the first batch of the first
 * partition with data may exceed both, so a batch larger than the limits is still read), held by
 * the leader until `fetch.min.bytes` are there or `fetch.max.wait.ms` passes. Each partition's part
 * is its own: its records are buffered and polled `max.poll.records` at a time, and it is fetched
 * again only once they are all polled; an error on it (not-leader, fenced or unknown leader epoch,
 * offset out of range) is handled for it alone while the others' records are delivered.
 *
 * Every poll is a `client` record `op: consume` with the event ids, the partition and the offset
 * of the first event; every new assignment is `op: assign`; every commit the coordinator accepted
 * is `op: commit`. The nonmonotonic and skip checkers follow a consumer's offsets per partition
 * between two assignments.
 *
 * Guarantee: at least once. Events processed after the last commit are processed again after a
 * crash or a rebalance — by design, never lost by the consumer.
 *
 * Truncation detection (KIP-320, Kafka ≥ 2.3): the consumer remembers the leader epoch of the last
 * record it consumed, and fetches with the leader epoch its metadata names (a leader of another
 * epoch answers fenced or unknown leader epoch, and the consumer refreshes its metadata or waits).
 * When its metadata names a new leader epoch for a partition, it validates its position before it
 * fetches from the new leader (Kafka's AWAIT_VALIDATION): it asks where the epoch of its last
 * record ends (OffsetsForLeaderEpoch, one request per broker for every partition to validate
 * there); if the log ends
 * there below its position — an unclean election truncated records it already consumed — it moves
 * back to that offset (`client` record `op: truncation-detected`, with the offsets it consumed that
 * no longer exist) and reads the new leader's records from there: none skipped, none read twice.
 * Without it (pre-2.3 clients) its position past the new log end would be out of range and reset
 * by `auto.offset.reset` — to the log start (re-reading everything) or the end (skipping).
 *
 * Committed offsets are validated the same way (KIP-320): a commit carries the leader epoch of the
 * last record consumed, the group keeps it with the offset, and the member that resumes from that
 * offset after a (re)assignment or a restart takes the epoch with it, so its first fetch from the
 * partition's leader asks where that epoch ends before it reads. A committed offset beyond the new
 * leader's log for that epoch — an unclean election truncated records the group had already
 * consumed, and new records may since have taken those offsets — is `truncation-detected` (with
 * `committed: true`) and the member reads from where the epoch ends; none of the new records is
 * skipped. When the leader does not know the epoch at all (its log holds nothing of it or after it)
 * the position is reset by `auto.offset.reset` (`reset` in the record), as Kafka's consumer does.
 * An offset committed without an epoch (none consumed since the assignment that set it) is not
 * validated: past the log end it is out of range and reset by `auto.offset.reset`; below it, a
 * truncation is not seen.
 */
import type { Actor, Context, EventId, Disconnect, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, requestNumbersFrom } from '../../../kernel/contract/index.ts';
import { ClientFetcher } from './client-fetcher.ts';
import type { LogConsumerConfig } from './config.ts';
import { ClientNetwork } from './client-network.ts';
import { CONTROLLER_RETRY, ControllerView } from './controller-view.ts';
import { ExponentialBackoff, RETRY_BACKOFF_MAX_DEFAULT_US } from './exponential-backoff.ts';
import type { Batch, ClientInbound, ClientToController, EpochEndPartitionReply, EpochEndReply, FetchPartition, FetchPartitionReply, GroupAssignment, OffsetFetchReply } from './messages.ts';
import type { MetadataView } from './metadata-view.ts';

interface PartitionFetch {
  readonly partition: number;
  /** Next offset to consume; -1 until the committed offset (or the reset policy) says. */
  position: number;
  committed: number;
  /** Queued for, or carried by, a fetch to its leader. */
  fetching: boolean;
  /** Fetched and not yet polled, in offset order (the first may start below the position). */
  buffered: Batch[];
  /** The processing pause before it polls again. */
  timer: TimerId | undefined;
  /** The leader epoch of the batch holding the last record consumed (KIP-320). */
  epoch?: number;
  /** The leader epoch the position was last checked against, sent with its fetches. */
  checkedEpoch?: number;
  /** The position came from the group's committed offset and has not been validated yet. */
  fromCommit?: boolean;
  /** An OffsetsForLeaderEpoch request in flight: its number and the leader epoch it was sent in. */
  validating?: { readonly req: number; readonly leaderEpoch: number };
}

/** Partitions to validate, per broker, in the OffsetsForLeaderEpoch request to send; or one sent, awaiting its reply. */
interface Validation {
  readonly broker: string;
  readonly members: { readonly p: PartitionFetch; readonly leaderEpoch: number }[];
}

export class LogConsumer implements Actor<ClientInbound> {
  private readonly metadata: MetadataView;
  private generation = -1;
  private assignment = new Map<number, PartitionFetch>();
  private readonly fetcher: ClientFetcher<PartitionFetch>;
  /** OffsetsForLeaderEpoch requests: to send at the end of this step, per broker; and out, by request number. */
  private validationsQueued = new Map<string, Validation>();
  private validationsOut = new Map<number, Validation>();
  private offsetRequest: number | undefined;
  private reqCounter = 0;
  private joinTimer: TimerId | undefined;
  /** Where group requests go: the active controller (it hosts the group coordinator) as last learned. */
  private readonly controllers: ControllerView;
  /**
   * The pause before a group request refused with NOT_CONTROLLER (no active controller named) goes
   * to the next member: `retry.backoff.ms` doubling with each refusal in a row up to 1 s, ±20 %, as
   * Kafka's consumer backs off its coordinator lookup (KIP-580, AbstractCoordinator's retryBackoff).
   */
  private readonly coordinatorBackoff: ExponentialBackoff;
  /** Group requests refused in a row; any other answer of a controller ends the run. */
  private coordinatorRefusals = 0;
  /** Metadata and the brokers whose connection broke, in reconnect backoff (client-network.ts). */
  private readonly network: ClientNetwork;
  /** When the oldest group heartbeat still unanswered was sent. */
  private heartbeatUnansweredSinceUs: number | undefined;

  constructor(private readonly config: LogConsumerConfig) {
    this.network = new ClientNetwork(config.brokers, config.requestTimeoutUs, config.retryBackoffUs, () => ++this.reqCounter);
    this.metadata = this.network.metadata;
    this.controllers = new ControllerView(config.controllers ?? [config.controller]);
    this.coordinatorBackoff = new ExponentialBackoff(config.retryBackoffUs, RETRY_BACKOFF_MAX_DEFAULT_US);
    const owner = { partOf: (p: PartitionFetch) => this.partOf(p), onFetched: (ctx: Context, p: PartitionFetch, part: FetchPartitionReply, broker: string) => this.fetched(ctx, p, part, broker), onUnanswered: (ctx: Context, broker: string, members: readonly PartitionFetch[]) => this.unanswered(ctx, broker, members), retry: (ctx: Context, p: PartitionFetch) => this.retry(ctx, p) };
    const { fetchMaxWaitUs: maxWaitUs, fetchMaxBytes: maxBytes, fetchMinBytes: minBytes, requestTimeoutUs: timeoutUs, retryBackoffUs: backoffUs } = config;
    this.fetcher = new ClientFetcher(owner, { maxWaitUs, maxBytes, minBytes, timeoutUs, backoffUs, timerName: 'fetch-timeout' }, () => ++this.reqCounter, this.network.connections);
  }

  start(ctx: Context): void {
    this.reqCounter = requestNumbersFrom(ctx.now());
    this.metadata.refresh(ctx, ++this.reqCounter);
    this.join(ctx);
    ctx.setTimer(this.config.heartbeatIntervalUs, 'heartbeat');
    ctx.setTimer(this.config.commitIntervalUs, 'commit');
  }

  onMessage(ctx: Context, message: ClientInbound, from: string): void {
    this.network.heard(from);
    this.handle(ctx, message, from);
    this.sendRequests(ctx);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    this.tick(ctx, wakeup);
    this.sendRequests(ctx);
  }

  private handle(ctx: Context, message: ClientInbound, from: string): void {
    switch (message.type) {
      case 'not-controller':
        if (this.stillWanted(message.request)) this.controllers.onNotController(ctx, message, from, () => this.coordinatorBackoff.backoff(this.coordinatorRefusals++, ctx.rng('coordinator-backoff')));
        return;
      case 'metadata-reply':
        this.metadata.onReply(ctx, message);
        return;
      case 'group-assignment':
        this.coordinatorRefusals = 0;
        return this.assigned(ctx, message);
      case 'group-heartbeat-reply':
        this.coordinatorRefusals = 0;
        this.heartbeatUnansweredSinceUs = undefined;
        if (message.error !== undefined) this.join(ctx);
        return;
      case 'offset-fetch-reply':
        this.coordinatorRefusals = 0;
        return this.offsetsFetched(ctx, message);
      case 'offset-commit-reply': {
        this.coordinatorRefusals = 0;
        const p = this.assignment.get(message.partition);
        if (message.error !== undefined || p === undefined) return;
        p.committed = Math.max(p.committed, message.offset);
        ctx.record('client', { op: 'commit', group: this.config.group, topic: this.config.topic, partition: message.partition, offset: message.offset });
        return;
      }
      case 'fetch-reply':
        this.fetcher.onReply(ctx, message);
        return;
      case 'epoch-end-reply':
        return this.validatedAll(ctx, message, from);
      default:
        return;
    }
  }

  private tick(ctx: Context, wakeup: Wakeup): void {
    if (this.fetcher.onTimer(ctx, wakeup)) return;
    switch (wakeup.name) {
      case 'heartbeat':
        if (this.generation >= 0) this.heartbeat(ctx);
        ctx.setTimer(this.config.heartbeatIntervalUs, 'heartbeat');
        return;
      case CONTROLLER_RETRY:
        if (this.stillWanted(wakeup.data as ClientToController)) this.controllers.onRetry(ctx, wakeup);
        return;
      case 'commit':
        this.commit(ctx);
        ctx.setTimer(this.config.commitIntervalUs, 'commit');
        return;
      case 'join-timeout':
        this.joinTimer = undefined;
        this.controllers.unanswered();
        return this.join(ctx);
      case 'metadata-timeout':
        if (this.metadata.onTimeout(ctx, wakeup.data as number)) this.metadata.refresh(ctx, ++this.reqCounter);
        return;
      case 'offset-timeout':
        if (wakeup.data !== this.offsetRequest) return;
        this.controllers.unanswered();
        return this.fetchOffsets(ctx);
      case 'poll': {
        const { partition, generation } = wakeup.data as { partition: number; generation: number };
        const p = this.assignment.get(partition);
        if (generation !== this.generation || p === undefined) return;
        p.timer = undefined;
        return this.poll(ctx, p);
      }
      case 'validate-timeout': {
        const validation = this.validationsOut.get(wakeup.data as number);
        if (validation === undefined) return;
        this.validationsOut.delete(wakeup.data as number);
        const members = validation.members.filter(({ p }) => p.validating?.req === wakeup.data);
        for (const { p } of members) p.validating = undefined;
        return this.unanswered(ctx, validation.broker, members.map(({ p }) => p));
      }
    }
  }

  /**
   * A connection broke: a broker's or the controller's process died on a live host (Kafka's
   * NetworkClient disconnect). A fetch or epoch request in flight to the broker fails now: metadata
   * is asked for elsewhere and the partition is fetched again after `retry.backoff.ms`, or after the
   * broker's reconnect backoff if it is still named leader then. The group coordinator (the
   * controller) gone: the consumer looks for it at the next quorum member, and sends a join or
   * offset request still unanswered there now.
   */
  onDisconnect(ctx: Context, { peer }: Disconnect): void {
    if (!this.config.brokers.includes(peer)) return this.coordinatorLost(ctx, peer);
    const wait = this.network.disconnected(ctx, peer);
    const failed = this.fetcher.disconnected(ctx, peer);
    for (const [req, validation] of this.validationsOut) {
      if (validation.broker !== peer) continue;
      this.validationsOut.delete(req);
      for (const { p } of validation.members) if (p.validating?.req === req) failed.push(p);
    }
    for (const p of failed) {
      if (this.assignment.get(p.partition) !== p) continue;
      p.fetching = false;
      p.validating = undefined;
      this.fetcher.backOff(ctx, p, wait);
    }
    this.sendRequests(ctx);
  }

  private coordinatorLost(ctx: Context, controller: string): void {
    if (controller !== this.controllers.target) return;
    this.controllers.unanswered();
    if (this.joinTimer !== undefined) {
      ctx.cancelTimer(this.joinTimer);
      this.joinTimer = undefined;
      this.join(ctx);
    }
    if (this.offsetRequest !== undefined) this.fetchOffsets(ctx);
  }

  // --- group membership --------------------------------------------------------------------------

  /**
   * Heartbeats the coordinator; when none was answered for a session timeout, the controller asked
   * may be down, and the next heartbeat goes to the next quorum member (Kafka's consumer marks its
   * coordinator dead and looks for it again).
   */
  private heartbeat(ctx: Context): void {
    const now = ctx.now();
    if (this.heartbeatUnansweredSinceUs === undefined) this.heartbeatUnansweredSinceUs = now;
    else if (now - this.heartbeatUnansweredSinceUs >= this.config.sessionTimeoutUs) {
      this.controllers.unanswered();
      this.heartbeatUnansweredSinceUs = now;
    }
    this.controllers.send(ctx, { type: 'group-heartbeat', group: this.config.group, generation: this.generation });
  }

  /** Whether a request refused by a non-active controller is still worth sending again. */
  private stillWanted(request: ClientToController): boolean {
    switch (request.type) {
      case 'join-group':
        return this.joinTimer !== undefined;
      case 'offset-fetch':
        return request.req === this.offsetRequest;
      case 'group-heartbeat':
      case 'offset-commit':
        return request.generation === this.generation;
      default:
        return false;
    }
  }

  private join(ctx: Context): void {
    if (this.joinTimer !== undefined) return;
    const { group, topic, sessionTimeoutUs } = this.config;
    this.controllers.send(ctx, { type: 'join-group', group, topic, sessionTimeoutUs });
    this.joinTimer = ctx.setTimer(this.config.requestTimeoutUs, 'join-timeout');
  }

  /** A new assignment: forget positions (eager rebalance) and resume from the committed offsets. */
  private assigned(ctx: Context, message: GroupAssignment): void {
    if (this.joinTimer !== undefined) ctx.cancelTimer(this.joinTimer);
    this.joinTimer = undefined;
    for (const p of this.assignment.values()) if (p.timer !== undefined) ctx.cancelTimer(p.timer);
    this.fetcher.clear(ctx);
    this.validationsQueued.clear();
    this.generation = message.generation;
    this.assignment = new Map(message.partitions.map((partition) => [partition, { partition, position: -1, committed: -1, fetching: false, buffered: [], timer: undefined }]));
    ctx.record('client', { op: 'assign', group: this.config.group, topic: this.config.topic, generation: message.generation, partitions: message.partitions });
    this.fetchOffsets(ctx);
  }

  private fetchOffsets(ctx: Context): void {
    if (this.assignment.size === 0) return;
    const req = ++this.reqCounter;
    this.offsetRequest = req;
    this.controllers.send(ctx, { type: 'offset-fetch', req, group: this.config.group, topic: this.config.topic, partitions: [...this.assignment.keys()] });
    ctx.setTimer(this.config.requestTimeoutUs, 'offset-timeout', req);
  }

  private offsetsFetched(ctx: Context, reply: OffsetFetchReply): void {
    if (reply.req !== this.offsetRequest) return;
    this.offsetRequest = undefined;
    [...this.assignment.entries()].forEach(([partition, p], i) => {
      const committed = reply.offsets[i] ?? null;
      assert(committed === null || committed >= 0, () => `${this.config.topic}-${partition}: committed offsets are positions, but ${committed}`);
      p.committed = committed ?? -1;
      // KIP-320: the committed epoch is validated against the leader before the first read.
      const epoch = committed === null ? null : (reply.leaderEpochs[i] ?? null);
      if (epoch !== null) {
        p.epoch = epoch;
        p.fromCommit = true;
      }
      // No committed offset: ask from 0; the leader's out-of-range answer says where the log starts.
      p.position = committed ?? (this.config.autoOffsetReset === 'earliest' ? 0 : -1);
      this.ready(ctx, p);
    });
  }

  private commit(ctx: Context): void {
    for (const [partition, p] of this.assignment) {
      if (p.position < 0 || p.position <= p.committed) continue;
      const req = ++this.reqCounter;
      const { group, topic } = this.config;
      const epoch = p.epoch === undefined ? {} : { leaderEpoch: p.epoch };
      this.controllers.send(ctx, { type: 'offset-commit', req, group, generation: this.generation, topic, partition, offset: p.position, ...epoch });
    }
  }

  // --- fetching ----------------------------------------------------------------------------------

  /**
   * The partition has nothing left to poll: it goes in its leader's next fetch — after validating
   * its position (KIP-320) when its metadata names a leader epoch it was not checked against.
   */
  private ready(ctx: Context, p: PartitionFetch): void {
    const { topic } = this.config;
    const leader = this.metadata.usableLeaderOf(topic, p.partition);
    const leaderEpoch = this.metadata.known(topic, p.partition)?.leaderEpoch;
    if (leader === null || leaderEpoch === undefined) {
      this.metadata.refresh(ctx, ++this.reqCounter);
      return this.retryLater(ctx, p);
    }
    if (leaderEpoch !== p.checkedEpoch) {
      // Nothing consumed yet (no epoch to validate): the position holds in any epoch.
      if (p.epoch === undefined) p.checkedEpoch = leaderEpoch;
      else return this.validate(p, leader, leaderEpoch);
    }
    p.fetching = true;
    this.fetcher.want(leader, p);
  }

  /** This partition's part of the next fetch; position -1 (latest, nothing committed) asks a huge offset, whose out-of-range answer carries the high watermark. */
  private partOf(p: PartitionFetch): FetchPartition {
    const offset = p.position < 0 ? Number.MAX_SAFE_INTEGER : p.position;
    const epoch = p.checkedEpoch === undefined ? {} : { leaderEpoch: p.checkedEpoch };
    return { topic: this.config.topic, partition: p.partition, offset, maxBytes: this.config.maxPartitionFetchBytes, ...epoch };
  }

  /** Sends the OffsetsForLeaderEpoch requests this step queued (one per broker) and the fetches (one per broker without one out). */
  private sendRequests(ctx: Context): void {
    for (const validation of this.validationsQueued.values()) {
      const req = ++this.reqCounter;
      const partitions = validation.members.map(({ p, leaderEpoch }) => {
        p.validating = { req, leaderEpoch };
        return { topic: this.config.topic, partition: p.partition, epoch: p.epoch!, leaderEpoch };
      });
      ctx.send(validation.broker, { type: 'epoch-end', req, partitions });
      this.validationsOut.set(req, validation);
      ctx.setTimer(this.config.requestTimeoutUs, 'validate-timeout', req);
    }
    this.validationsQueued.clear();
    this.fetcher.send(ctx);
  }

  /** KIP-320: queues the question to the leader (in `leaderEpoch`) of where the epoch of the last record consumed ends. */
  private validate(p: PartitionFetch, leader: string, leaderEpoch: number): void {
    let validation = this.validationsQueued.get(leader);
    if (validation === undefined) this.validationsQueued.set(leader, (validation = { broker: leader, members: [] }));
    validation.members.push({ p, leaderEpoch });
    p.validating = { req: -1, leaderEpoch };
  }

  private validatedAll(ctx: Context, reply: EpochEndReply, from: string): void {
    const validation = this.validationsOut.get(reply.req);
    if (validation === undefined) return;
    this.validationsOut.delete(reply.req);
    this.metadata.reachable(from);
    reply.partitions.forEach((part, i) => {
      const member = validation.members[i];
      if (member !== undefined && this.assignment.get(part.partition) === member.p && member.p.validating?.req === reply.req) this.validated(ctx, member.p, part);
    });
  }

  private validated(ctx: Context, p: PartitionFetch, reply: EpochEndPartitionReply): void {
    const { leaderEpoch } = p.validating!;
    p.validating = undefined;
    if (reply.error !== undefined) {
      // Fenced (our metadata is behind) or not the leader: refresh; unknown epoch (the leader is behind): wait.
      if (reply.error !== 'unknown-leader-epoch') this.metadata.refresh(ctx, ++this.reqCounter);
      return this.retryLater(ctx, p);
    }
    p.checkedEpoch = leaderEpoch;
    const committed = p.fromCommit === true ? { committed: true } : {};
    p.fromCommit = undefined;
    const { group, topic } = this.config;
    if (reply.endOffset >= 0 && reply.endOffset < p.position) {
      ctx.record('client', { op: 'truncation-detected', group, topic, partition: reply.partition, from: reply.endOffset, to: p.position, epoch: reply.epoch, generation: this.generation, ...committed });
      p.position = reply.endOffset;
      p.epoch = reply.epoch >= 0 ? reply.epoch : undefined;
    } else if (reply.endOffset < 0 && committed.committed === true) {
      // The leader knows nothing of the committed epoch: nothing says where the logs diverge, so the
      // position is reset as auto.offset.reset says (Kafka's consumer does the same).
      ctx.record('client', { op: 'truncation-detected', group, topic, partition: reply.partition, to: p.position, epoch: p.epoch, generation: this.generation, reset: this.config.autoOffsetReset, committed: true });
      p.position = this.config.autoOffsetReset === 'earliest' ? 0 : -1;
      p.epoch = undefined;
    }
    this.ready(ctx, p);
  }

  /** Requests to `broker` went unanswered: it may be gone. As a Kafka consumer, give up on it and ask another broker who leads now. */
  private unanswered(ctx: Context, broker: string, members: readonly PartitionFetch[]): void {
    this.metadata.unreachable(ctx, broker);
    this.metadata.refresh(ctx, ++this.reqCounter);
    for (const p of members) {
      if (this.assignment.get(p.partition) !== p) continue;
      p.fetching = false;
      this.ready(ctx, p);
    }
  }

  private retryLater(ctx: Context, p: PartitionFetch): void {
    this.fetcher.backOff(ctx, p);
  }

  private retry(ctx: Context, p: PartitionFetch): void {
    if (this.assignment.get(p.partition) === p) this.ready(ctx, p);
  }

  private fetched(ctx: Context, p: PartitionFetch, reply: FetchPartitionReply, broker: string): void {
    if (this.assignment.get(reply.partition) !== p || !p.fetching) return;
    p.fetching = false;
    this.metadata.reachable(broker);
    switch (reply.error) {
      case undefined:
        break;
      case 'offset-out-of-range':
        p.position = this.config.autoOffsetReset === 'earliest' ? reply.logStart : reply.highWatermark;
        return this.ready(ctx, p);
      case 'unknown-leader-epoch':
        // The leader has not yet heard of the epoch our metadata names: ask it again shortly.
        return this.retryLater(ctx, p);
      default:
        // Not the leader, or fenced (our metadata is behind): who leads now, and in which epoch?
        this.metadata.refresh(ctx, ++this.reqCounter);
        return this.retryLater(ctx, p);
    }
    // A consumer sees only committed events: the leader reads up to its high watermark.
    const last = reply.batches[reply.batches.length - 1];
    const end = last === undefined ? reply.highWatermark : last.base + last.events.length;
    assert(p.position >= 0 && end <= reply.highWatermark && reply.highWatermark <= reply.logEnd, () => `${this.config.topic}-${reply.partition}: position ≥ 0 and fetched end ≤ high watermark ≤ log end, but ${p.position}, ${end} / ${reply.highWatermark} / ${reply.logEnd}`);
    p.buffered = [...reply.batches];
    this.poll(ctx, p);
  }

  /**
   * One poll of the partition: up to `max.poll.records` of its buffered records, then their
   * processing time before the next poll; once nothing is buffered, it is fetched again.
   */
  private poll(ctx: Context, p: PartitionFetch): void {
    const { group, topic, maxPollRecords, processingUs } = this.config;
    for (;;) {
      // A poll's records are at consecutive offsets from `first` (as its record says): a gap a
      // compacted log's cleaner left between batches ends the poll, and the position moves past
      // the last record taken, not by their count.
      const events: EventId[] = [];
      let first = p.position;
      while (p.buffered.length > 0 && events.length < maxPollRecords) {
        const batch = p.buffered[0]!;
        if (events.length > 0 && batch.base > p.position) break;
        let i = Math.max(0, p.position - batch.base);
        for (; i < batch.events.length && events.length < maxPollRecords; i++) {
          if (events.length === 0) first = batch.base + i;
          events.push(batch.events[i]!);
          p.position = batch.base + i + 1;
          p.epoch = batch.epoch;
        }
        if (i >= batch.events.length) p.buffered.shift();
      }
      if (events.length === 0) return this.ready(ctx, p);
      ctx.record('client', { op: 'consume', events, group, topic, partition: p.partition, offset: first, generation: this.generation });
      if (processingUs > 0) {
        p.timer = ctx.setTimer(processingUs * events.length, 'poll', { partition: p.partition, generation: this.generation });
        return;
      }
    }
  }
}

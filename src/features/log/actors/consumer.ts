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
 * Every poll is a `client` record `op: consume` with the event ids, the partition and the offset
 * of the first event; every new assignment is `op: assign`; every commit the coordinator accepted
 * is `op: commit`. The nonmonotonic and skip checkers follow a consumer's offsets per partition
 * between two assignments.
 *
 * Guarantee: at least once. Events processed after the last commit are processed again after a
 * crash or a rebalance — by design, never lost by the consumer.
 *
 * Truncation detection (KIP-320, Kafka ≥ 2.3): the consumer remembers the leader epoch of the last
 * record it consumed. When a partition's leader epoch has changed since it last checked, it asks the
 * new leader where that epoch ends (OffsetsForLeaderEpoch) before it fetches again; if the log ends
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
import type { Actor, Context, Disconnect, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, requestNumbersFrom } from '../../../kernel/contract/index.ts';
import type { LogConsumerConfig } from './config.ts';
import { ConnectionStates } from './connection-states.ts';
import { CONTROLLER_RETRY, ControllerView } from './controller-view.ts';
import { fetchOne, type ClientInbound, type ClientToController, type EpochEndReply, type FetchPartitionReply, type GroupAssignment, type OffsetFetchReply } from './messages.ts';
import { MetadataView } from './metadata-view.ts';

interface PartitionFetch {
  /** Next offset to consume; -1 until the committed offset (or the reset policy) says. */
  position: number;
  committed: number;
  req: number | undefined;
  /** The broker the fetch in flight went to. */
  broker?: string;
  timer: TimerId | undefined;
  /** The leader epoch of the batch holding the last record consumed (KIP-320). */
  epoch?: number;
  /** The leader epoch the position was last checked against. */
  checkedEpoch?: number;
  /** The position came from the group's committed offset and has not been validated yet. */
  fromCommit?: boolean;
  /** An OffsetsForLeaderEpoch request in flight: its number and the leader epoch it was sent in. */
  validating?: { readonly req: number; readonly leaderEpoch: number };
}

export class LogConsumer implements Actor<ClientInbound> {
  private readonly metadata: MetadataView;
  private generation = -1;
  private assignment = new Map<number, PartitionFetch>();
  private offsetRequest: number | undefined;
  private reqCounter = 0;
  private joinTimer: TimerId | undefined;
  /** Where group requests go: the active controller (it hosts the group coordinator) as last learned. */
  private readonly controllers: ControllerView;
  /** Brokers whose connection broke, in reconnect backoff. */
  private readonly connections = new ConnectionStates();
  /** When the oldest group heartbeat still unanswered was sent. */
  private heartbeatUnansweredSinceUs: number | undefined;

  constructor(private readonly config: LogConsumerConfig) {
    this.metadata = new MetadataView(config.brokers, config.requestTimeoutUs);
    this.controllers = new ControllerView(config.controllers ?? [config.controller]);
  }

  start(ctx: Context): void {
    this.reqCounter = requestNumbersFrom(ctx.now());
    this.metadata.refresh(ctx, ++this.reqCounter);
    this.join(ctx);
    ctx.setTimer(this.config.heartbeatIntervalUs, 'heartbeat');
    ctx.setTimer(this.config.commitIntervalUs, 'commit');
  }

  onMessage(ctx: Context, message: ClientInbound, from: string): void {
    this.connections.heard(from);
    switch (message.type) {
      case 'not-controller':
        if (this.stillWanted(message.request)) this.controllers.onNotController(ctx, message, from, this.config.retryBackoffUs);
        return;
      case 'metadata-reply':
        this.metadata.onReply(ctx, message);
        return;
      case 'group-assignment':
        return this.assigned(ctx, message);
      case 'group-heartbeat-reply':
        this.heartbeatUnansweredSinceUs = undefined;
        if (message.error !== undefined) this.join(ctx);
        return;
      case 'offset-fetch-reply':
        return this.offsetsFetched(ctx, message);
      case 'offset-commit-reply': {
        const p = this.assignment.get(message.partition);
        if (message.error !== undefined || p === undefined) return;
        p.committed = Math.max(p.committed, message.offset);
        ctx.record('client', { op: 'commit', group: this.config.group, topic: this.config.topic, partition: message.partition, offset: message.offset });
        return;
      }
      case 'fetch-reply':
        // Each fetch asks for one partition: its reply's one partition.
        return this.fetched(ctx, message.req, message.partitions[0]!);
      case 'epoch-end-reply':
        return this.validated(ctx, message);
      default:
        return;
    }
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
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
      case 'fetch': {
        const { partition, generation } = wakeup.data as { partition: number; generation: number };
        if (generation !== this.generation) return;
        // A fetch that got no answer may have gone to a leader that is gone: ask another broker who leads now.
        const p = this.assignment.get(partition);
        if (p?.req !== undefined) {
          if (p.broker !== undefined) this.metadata.unreachable(ctx, p.broker);
          this.metadata.refresh(ctx, ++this.reqCounter);
        }
        this.fetch(ctx, partition);
        return;
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
    this.connections.disconnected(ctx.now(), peer);
    this.metadata.disconnected(ctx, peer);
    this.metadata.refresh(ctx, ++this.reqCounter);
    for (const [partition, p] of this.assignment) {
      if (p.req === undefined || p.broker !== peer) continue;
      if (p.timer !== undefined) ctx.cancelTimer(p.timer);
      p.req = undefined;
      p.validating = undefined;
      const wait = Math.max(this.config.retryBackoffUs, this.connections.readyAt(peer) - ctx.now());
      p.timer = ctx.setTimer(wait, 'fetch', { partition, generation: this.generation });
    }
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
    this.generation = message.generation;
    this.assignment = new Map(message.partitions.map((partition) => [partition, { position: -1, committed: -1, req: undefined, timer: undefined }]));
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
      this.fetch(ctx, partition);
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

  private fetch(ctx: Context, partition: number): void {
    const p = this.assignment.get(partition);
    if (p === undefined) return;
    const leader = this.metadata.usableLeaderOf(this.config.topic, partition);
    if (leader === null) {
      this.metadata.refresh(ctx, ++this.reqCounter);
      return this.retryLater(ctx, partition, p);
    }
    const req = ++this.reqCounter;
    p.req = req;
    p.broker = leader;
    // Position -1 (latest, nothing committed): a huge offset is out of range, and the answer
    // carries the high watermark to start from.
    const offset = p.position < 0 ? Number.MAX_SAFE_INTEGER : p.position;
    ctx.send(leader, fetchOne(req, { topic: this.config.topic, partition, offset, maxBytes: this.config.fetchMaxBytes }, this.config.fetchMaxWaitUs));
    p.timer = ctx.setTimer(this.config.fetchMaxWaitUs + this.config.requestTimeoutUs, 'fetch', { partition, generation: this.generation });
  }

  /** KIP-320: asks the leader (in `leaderEpoch`) where the epoch of the last record consumed ends. */
  private validate(ctx: Context, partition: number, p: PartitionFetch, leaderEpoch: number): void {
    const leader = this.metadata.usableLeaderOf(this.config.topic, partition);
    if (leader === null) return this.retryLater(ctx, partition, p);
    const req = ++this.reqCounter;
    p.req = req;
    p.broker = leader;
    p.validating = { req, leaderEpoch };
    ctx.send(leader, { type: 'epoch-end', req, topic: this.config.topic, partition, epoch: p.epoch!, leaderEpoch });
    p.timer = ctx.setTimer(this.config.requestTimeoutUs, 'fetch', { partition, generation: this.generation });
  }

  private validated(ctx: Context, reply: EpochEndReply): void {
    const p = this.assignment.get(reply.partition);
    if (p === undefined || p.req !== reply.req || p.validating?.req !== reply.req) return;
    if (p.timer !== undefined) ctx.cancelTimer(p.timer);
    p.req = undefined;
    p.timer = undefined;
    const { leaderEpoch } = p.validating;
    p.validating = undefined;
    if (reply.error !== undefined) {
      this.metadata.refresh(ctx, ++this.reqCounter);
      return this.retryLater(ctx, reply.partition, p);
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
    this.fetch(ctx, reply.partition);
  }

  private retryLater(ctx: Context, partition: number, p: PartitionFetch): void {
    p.req = undefined;
    p.timer = ctx.setTimer(this.config.retryBackoffUs, 'fetch', { partition, generation: this.generation });
  }

  private fetched(ctx: Context, req: number, reply: FetchPartitionReply): void {
    const p = this.assignment.get(reply.partition);
    if (p === undefined || p.req !== req) return;
    if (p.timer !== undefined) ctx.cancelTimer(p.timer);
    if (p.broker !== undefined) this.metadata.reachable(p.broker);
    p.req = undefined;
    p.timer = undefined;
    if ((reply.error === undefined || reply.error === 'offset-out-of-range') && reply.leaderEpoch !== p.checkedEpoch) {
      // A new leader since the position was last checked: where does our last epoch end in its log?
      if (p.epoch === undefined) p.checkedEpoch = reply.leaderEpoch;
      else return this.validate(ctx, reply.partition, p, reply.leaderEpoch);
    }
    if (reply.error === 'offset-out-of-range') {
      const earliest = this.config.autoOffsetReset === 'earliest';
      p.position = earliest ? reply.logStart : reply.highWatermark;
      return this.fetch(ctx, reply.partition);
    }
    if (reply.error !== undefined) {
      this.metadata.refresh(ctx, ++this.reqCounter);
      return this.retryLater(ctx, reply.partition, p);
    }
    // A consumer sees only committed events: the leader reads up to its high watermark.
    const last = reply.batches[reply.batches.length - 1];
    const end = last === undefined ? reply.highWatermark : last.base + last.events.length;
    assert(p.position >= 0 && end <= reply.highWatermark && reply.highWatermark <= reply.logEnd, () => `${this.config.topic}-${reply.partition}: position ≥ 0 and fetched end ≤ high watermark ≤ log end, but ${p.position}, ${end} / ${reply.highWatermark} / ${reply.logEnd}`);
    const events: string[] = [];
    const first = p.position;
    for (const batch of reply.batches) {
      for (let i = 0; i < batch.events.length && events.length < this.config.maxPollRecords; i++) {
        if (batch.base + i < p.position) continue;
        events.push(batch.events[i]!);
        p.epoch = batch.epoch;
      }
    }
    if (events.length === 0) return this.fetch(ctx, reply.partition);
    p.position += events.length;
    const { group, topic } = this.config;
    ctx.record('client', { op: 'consume', events, group, topic, partition: reply.partition, offset: first, generation: this.generation });
    const processing = this.config.processingUs * events.length;
    if (processing === 0) return this.fetch(ctx, reply.partition);
    p.timer = ctx.setTimer(processing, 'fetch', { partition: reply.partition, generation: this.generation });
  }
}

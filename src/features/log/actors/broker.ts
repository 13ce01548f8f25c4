/**
 * A broker: the actor that holds replicas of partitions on its node's disk, leads some and follows
 * others as the controller says, answers clients' metadata, produce and fetch requests, and keeps
 * its session with the controller alive with heartbeats.
 *
 * What it keeps durably is only its logs (and high-watermark checkpoints): after a restart it knows
 * nothing of roles until the controller answers its first heartbeat, which carries a new
 * incarnation so the controller can tell a restart it did not see. Until then it ignores pushed
 * partition state, so a push sent to its previous incarnation cannot make it lead again by mistake.
 *
 * Metadata replies name the active controller as the broker knows it from the quorum (the one that
 * last answered its heartbeat or pushed it partition state, or that a NOT_CONTROLLER named), not
 * the first configured member; none while it knows none (after a restart, or an unanswered
 * heartbeat), as Kafka answers -1.
 *
 * Flushing: with `flush: every-write` every append is followed by an fsync; fsyncs are group
 * committed (appends while one is in flight wait for the next). With an interval the broker fsyncs
 * on a timer; with `never` it does not fsync at all, and only the page cache holds the data —
 * which survives a process crash but not a power loss of the node.
 *
 * Fetches (Kafka's FetchRequest, many partitions each) are answered at once when any partition
 * has data or an error, else parked in the broker's purgatory (Kafka's DelayedFetch) until an
 * append or a high-watermark move gives one of them data, the broker stops leading one, or the
 * fetch's wait expires. The waits are checked as Kafka's purgatory checks them: a completed
 * DelayedFetch leaves its timing wheel's bucket and fires nothing, and the expiration reaper wakes
 * for what is due — here one timer armed at the earliest wait's end (request-deadlines.ts), not a
 * timer per parked fetch, so a fetch answered in time costs no event (three fetches in four of an
 * x-ray hour park, and a cancelled timer still pops: ≈ 23 % of that hour's events were such). As
 * follower, the broker runs one replica fetcher per leader broker (replica-fetcher.ts), which
 * fetches all the partitions it follows from that broker together.
 *
 * Retention runs every `retentionCheckIntervalUs`: a `delete` topic drops old segments, a `compact`
 * topic is cleaned instead (`PartitionLog.compact`), each replica on its own, as Kafka's cleaner does.
 *
 * How it fails: a broker that is partitioned from the controller keeps leading until it learns
 * otherwise; with `acks=1` it goes on acknowledging writes that the new leader never sees. With
 * `acks=all` it cannot: its followers moved to the new epoch and no longer fetch from it.
 */
import type { Actor, Context, Disconnect, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { MS, assert, requestNumbersFrom } from '../../../kernel/contract/index.ts';
import type { BrokerHost, PartitionMove, RoleTimer } from './broker-host.ts';
import { DELETE_RETENTION_DEFAULT_US, type ClusterConfig, type TopicConfig } from './config.ts';
import { assertPartitionState } from './elections.ts';
import { FollowerRole } from './follower.ts';
import { LeaderRole, type ProduceOutcome } from './leader.ts';
import { fetchedBytes, fetchReplyBytes, tpKey, type BrokerInbound, type DescribeProducersRequest, type EpochEndRequest, type FetchPartition, type FetchPartitionReply, type FetchRequest, type PartitionMeta, type ProducePartition, type ProducePartitionReply, type ProduceRequest } from './messages.ts';
import { Replica } from './replica.ts';
import { REPLICA_FETCH_TIMEOUT, ReplicaFetcher } from './replica-fetcher.ts';
import { RequestDeadlines } from './request-deadlines.ts';

/** Whether a fetch's reply as read now may go: a partition has an error, or there are `fetch.min.bytes` to return (Kafka's DelayedFetch). */
function answerable(partitions: readonly FetchPartitionReply[], minBytes: number | undefined): boolean {
  let bytes = 0;
  for (const part of partitions) {
    if (part.error !== undefined) return true;
    bytes += fetchedBytes(part);
  }
  return bytes > 0 && bytes >= (minBytes ?? 1);
}

/** Whether a fetch asks for `replica`'s partition (a loop: this runs for every parked fetch at every append). */
function asks(request: FetchRequest, replica: Replica): boolean {
  for (const part of request.partitions) if (part.topic === replica.topic && part.partition === replica.partition) return true;
  return false;
}

/** The wake-up of the broker's fsync (readonly: one object serves every fsync). */
const FLUSHED: Wakeup = { name: 'flushed' };

/** A fetch held until one of its partitions has data (Kafka's DelayedFetch). */
interface ParkedFetch {
  readonly request: FetchRequest;
  readonly from: string;
}

/** The timer of the purgatory's waits (see the header). */
const FETCH_EXPIRY = 'fetch-expiry';

export class Broker implements Actor<BrokerInbound>, BrokerHost {
  readonly waitsForFlush: boolean;
  private readonly topics = new Map<string, TopicConfig>();
  private readonly replicas = new Map<string, Replica>();
  /** The same replicas by topic, then partition number: found per request without building a key. */
  private readonly byTopic = new Map<string, Replica[]>();
  /** The metadata cache: every partition as the controller last described it. */
  private readonly image = new Map<string, PartitionMeta>();
  private version = 0;
  private incarnation = 0;
  private registered = false;
  /** The controller heartbeats and ISR proposals go to: with a quorum, the active one as last learned. */
  activeController: string;
  /** The active controller as last confirmed (answered, pushed, or named by a NOT_CONTROLLER); what metadata replies name. */
  private knownController: string | undefined;
  /** Whether the last heartbeat was answered (with a quorum, an unanswered one moves to the next member). */
  private heartbeatAnswered = true;
  private reqCounter = 0;
  /**
   * The group-committed fsync: whether one is in flight, the callbacks it will run, and what it
   * covers — each replica with its log end and truncation count when it was issued, the first
   * `flushCovers` entries of three parallel arrays. At most one fsync is in flight, so the arrays
   * are the broker's own, reused by every fsync (an every-write broker issues tens of thousands an
   * hour), and never shortened: a store to an array's `length` is a runtime call in V8.
   */
  private flushing = false;
  private flushCallbacks: ((ctx: Context) => void)[] = [];
  private flushWaiting: ((ctx: Context) => void)[] = [];
  /** The list a completed fsync's callbacks were in, emptied: the next fsync's waiting list (not one array per fsync). */
  private flushSpare: ((ctx: Context) => void)[] | undefined;
  /** An fsync was asked for without a callback since the last one was issued. */
  private flushAsked = false;
  private readonly flushReplicas: Replica[] = [];
  private readonly flushEnds: number[] = [];
  private readonly flushTruncations: number[] = [];
  private flushCovers = 0;
  /** The replicas whose fsynced end a completed fsync moved (reused like the arrays above). */
  private readonly flushMoved: Replica[] = [];
  /** Maintenance ticks fall every `maintenanceUs` from boot; the one armed (if any) and the last that ran. */
  private maintenanceGrid = 0;
  private maintenanceArmed: { readonly id: TimerId; readonly at: Micros } | undefined;
  private maintenanceRan = -1;
  /** The replica fetcher per leader broker followed. */
  private readonly fetchers = new Map<string, ReplicaFetcher>();
  private readonly parked: ParkedFetch[] = [];
  /** When each parked fetch's wait ends (`fetch.max.wait.ms`, `replica.fetch.wait.max.ms`). */
  private readonly purgatory = new RequestDeadlines<ParkedFetch>(FETCH_EXPIRY);
  /**
   * While a produce request is being appended (`appending`): the partitions whose parked fetches to
   * wake after it, each with what moved — the first `wokenCount` entries of two parallel arrays,
   * the broker's own and reused by every request (a `Map` per produce request before).
   */
  private appending = false;
  private readonly wokenReplicas: Replica[] = [];
  private readonly wokenMoves: PartitionMove[] = [];
  private wokenCount = 0;

  constructor(
    readonly id: string,
    readonly config: ClusterConfig,
  ) {
    this.waitsForFlush = config.flush.kind === 'every-write' && !config.ackBeforeFlush;
    this.activeController = config.controller;
    for (const topic of config.topics) this.topics.set(topic.name, topic);
  }

  start(ctx: Context): void {
    this.boot(ctx);
  }

  recover(ctx: Context): void {
    this.boot(ctx);
  }

  /** Each partition it holds as Kafka's tools would show it: role, log start and end, high watermark, ISR, epochs. */
  inspect(): unknown {
    const partitions = [...this.replicas.values()].map((replica) => ({
      partition: replica.key,
      role: replica.role instanceof LeaderRole ? 'leader' : replica.role instanceof FollowerRole ? 'follower' : 'none',
      leader: replica.meta.leader,
      logStart: replica.log.logStart,
      logEnd: replica.log.logEnd,
      highWatermark: replica.hw,
      flushedEnd: replica.flushedEnd,
      isr: [...replica.meta.isr],
      leaderEpoch: replica.leaderEpoch,
      partitionEpoch: replica.partitionEpoch,
      latestEpoch: replica.log.epochs.latest(),
    }));
    return { broker: this.id, partitions };
  }

  private boot(ctx: Context): void {
    this.incarnation = ctx.now();
    this.knownController = undefined;
    // Request numbers start from the clock so no reply to an earlier incarnation can match one.
    this.reqCounter = requestNumbersFrom(ctx.now());
    this.heartbeat(ctx);
    this.maintenanceGrid = ctx.now();
    ctx.setTimer(this.config.hwCheckpointIntervalUs, 'hw-checkpoint');
    ctx.setTimer(this.config.retentionCheckIntervalUs, 'retention');
    if (this.config.flush.kind === 'interval') ctx.setTimer(this.config.flush.intervalUs, 'flush-interval');
  }

  // --- BrokerHost --------------------------------------------------------------------------------

  topic(name: string): TopicConfig {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new Error(`broker ${this.id}: unknown topic ${name}`);
    return topic;
  }

  nextReq(): number {
    return ++this.reqCounter;
  }

  flush(ctx: Context, then?: (ctx: Context) => void): void {
    if (then === undefined) this.flushAsked = true;
    else this.flushWaiting.push(then);
    if (!this.flushing) this.startFlush(ctx);
  }

  timer(ctx: Context, delay: Micros, fire: (ctx: Context) => void): RoleTimer {
    const timer = { id: 0, fire };
    timer.id = ctx.setTimer(delay, 'role-timer', timer);
    return timer;
  }

  cancelTimer(ctx: Context, timer: RoleTimer | undefined): void {
    if (timer !== undefined) ctx.cancelTimer(timer.id);
  }

  maintainBy(ctx: Context, dueUs: Micros): void {
    if (dueUs === Infinity) return;
    const period = this.maintenanceUs();
    const now = ctx.now();
    const from = Math.max(dueUs, now);
    let tick = this.maintenanceGrid + Math.max(1, Math.ceil((from - this.maintenanceGrid) / period)) * period;
    if (tick <= this.maintenanceRan) tick += period;
    const armed = this.maintenanceArmed;
    if (armed !== undefined) {
      if (armed.at <= tick) return;
      ctx.cancelTimer(armed.id);
    }
    // The tick's timer is set one period ahead, as a timer re-armed at every tick would be, so that
    // it keeps its place among other events at the same instant (a heartbeat, say): a tick further
    // off is prepared by a `maintenance-due` wakeup one period before it.
    const setAt = tick - period;
    const id = setAt > now ? ctx.setTimer(setAt - now, 'maintenance-due') : ctx.setTimer(tick - now, 'maintenance');
    this.maintenanceArmed = { id, at: tick };
  }

  fetcherFor(leader: string): ReplicaFetcher {
    let fetcher = this.fetchers.get(leader);
    if (fetcher === undefined) this.fetchers.set(leader, (fetcher = new ReplicaFetcher(this, leader)));
    return fetcher;
  }

  /**
   * Answers the fetches parked on `replica`'s partition that now can be. A fetch reads up to a
   * bound — a consumer's the high watermark, a follower's the log end — and a move of the other one
   * alone (`moved`) leaves what it reads as it was when it was last looked at: every move of its
   * own bound or of a leadership comes here, and so is it not read again unless `mayHaveChanged`
   * says so. Half the reads of an x-ray hour were consumers' after an append (session 10), and of
   * the rest 40 % were followers' after a high-watermark move: their replies built and dropped.
   */
  readable(ctx: Context, replica: Replica, moved: PartitionMove = 'any'): void {
    if (this.parked.length === 0) return;
    if (this.appending) {
      // Moves merged over one produce request: two different ones are anything.
      // Only the first `wokenCount` entries are this request's.
      let i = 0;
      while (i < this.wokenCount && this.wokenReplicas[i] !== replica) i++;
      if (i === this.wokenCount) {
        this.wokenReplicas[this.wokenCount] = replica;
        this.wokenMoves[this.wokenCount++] = moved;
      } else if (this.wokenMoves[i] !== moved) {
        this.wokenMoves[i] = 'any';
      }
      return;
    }
    // The fetches still parked move down in place, in their order (no array per append and per
    // high-watermark move); answering one only sends, so nothing else touches the list meanwhile.
    const parked = this.parked;
    let kept = 0;
    for (let i = 0; i < parked.length; i++) {
      const p = parked[i]!;
      const bound: PartitionMove = p.request.replica !== undefined ? 'log-end' : 'high-watermark';
      const reads = asks(p.request, replica) && (moved === 'any' || moved === bound || this.mayHaveChanged(p.request));
      const partitions = reads ? this.readFetch(p.request) : undefined;
      if (partitions === undefined || !answerable(partitions, p.request.minBytes)) {
        parked[kept++] = p;
        continue;
      }
      this.purgatory.delete(p);
      this.sendFetchReply(ctx, p.request, p.from, partitions);
    }
    // `pop`, not a store to `length`: V8 sets an array's length through a runtime call.
    while (parked.length > kept) parked.pop();
  }

  // --- messages ----------------------------------------------------------------------------------

  /**
   * A peer's process died on a live host (kernel/contract/disconnect.ts): when it is a leader this
   * broker fetches from, its replica fetcher fails the fetch in flight and backs off. Other peers
   * (clients, the controller) are left to the timeouts, as before.
   */
  onDisconnect(ctx: Context, { peer }: Disconnect): void {
    this.fetchers.get(peer)?.disconnected(ctx);
  }

  onMessage(ctx: Context, message: BrokerInbound, from: string): void {
    switch (message.type) {
      case 'metadata':
        return this.onMetadata(ctx, message.req, from);
      case 'produce':
        return this.onProduce(ctx, message, from);
      case 'fetch':
        return this.onFetch(ctx, message, from);
      case 'epoch-end':
        return this.onEpochEnd(ctx, message, from);
      case 'describe-producers':
        return this.onDescribeProducers(ctx, message, from);
      case 'fetch-reply':
        return this.fetchers.get(from)?.onReply(ctx, message);
      case 'epoch-end-reply':
        for (const part of message.partitions) this.followerOf(part.topic, part.partition)?.onEpochEndReply(ctx, message.req, part);
        return;
      case 'broker-heartbeat-reply':
        if (message.incarnation !== this.incarnation) return;
        if (message.error === 'not-controller') return this.redirected(ctx, from, message.controller);
        this.heartbeatAnswered = true;
        this.knownController = from;
        this.registered = true;
        if (message.partitions !== undefined) this.applyState(ctx, message.partitions, message.version, true);
        return;
      case 'partition-state':
        if (!this.registered) return;
        // Only the active controller pushes partition state.
        this.knownController = from;
        this.applyState(ctx, message.partitions, message.version, false);
        return;
      case 'alter-isr-reply':
        if (!this.registered) return;
        this.applyState(ctx, [message.state], this.version, false);
        this.leaderOf(message.topic, message.partition)?.onPartitionState(ctx);
        return;
    }
  }

  /**
   * Kafka's appendRecords: each partition's batch goes to its leader role (or gets its error), and
   * the reply (acks 1 or all) goes out once every partition has its outcome (Kafka's DelayedProduce
   * waits for the slowest). Fetches parked on the partitions are woken after all the appends, once.
   */
  private onProduce(ctx: Context, request: ProduceRequest, from: string): void {
    const outcomes: ProducePartitionReply[] = new Array(request.partitions.length);
    let left = request.partitions.length;
    const respond = (i: number, part: ProducePartition) => (c: Context, outcome: ProduceOutcome) => {
      const { topic, partition } = part;
      outcomes[i] = outcome.error !== undefined ? { topic, partition, error: outcome.error } : { topic, partition, offset: outcome.offset!, ...(outcome.duplicate ? { duplicate: true } : {}) };
      if (--left === 0 && request.acks !== 0) c.send(from, { type: 'produce-reply', req: request.req, partitions: outcomes });
    };
    this.appending = true;
    for (let i = 0; i < request.partitions.length; i++) {
      const part = request.partitions[i]!;
      const leader = this.leaderOf(part.topic, part.partition);
      if (leader !== undefined) leader.onProduce(ctx, part, request.acks, request.timeoutUs, respond(i, part));
      else respond(i, part)(ctx, { error: this.topics.has(part.topic) ? 'not-leader' : 'unknown-partition' });
    }
    this.appending = false;
    // Waking a fetch only sends its reply: nothing appends meanwhile, so the entries stay as they are.
    const woken = this.wokenCount;
    this.wokenCount = 0;
    for (let i = 0; i < woken; i++) this.readable(ctx, this.wokenReplicas[i]!, this.wokenMoves[i]!);
  }

  /**
   * Kafka's fetchMessages: validate every partition (recording followers' positions), then answer
   * or park. A fetch with nothing to read parks without its replies built and dropped (three fetches
   * in four of an x-ray hour are long polls that wait): nothing to read is every partition led here,
   * without error, at its read bound — found in the same pass, since recording a follower's position
   * moves no log end or epoch that a partition's error or read bound depends on.
   */
  private onFetch(ctx: Context, request: FetchRequest, from: string): void {
    let now = request.maxWaitUs <= 0;
    let atBounds = true;
    for (const part of request.partitions) {
      const leader = this.leaderOf(part.topic, part.partition);
      if (leader === undefined || leader.acceptFetch(ctx, part, request.replica) !== undefined) now = true;
      else if (part.offset < leader.readBound(request.replica)) atBounds = false;
    }
    if (now || !atBounds) {
      const partitions = this.readFetch(request);
      if (now || answerable(partitions, request.minBytes)) return this.sendFetchReply(ctx, request, from, partitions);
    }
    const parked = { request, from };
    this.parked.push(parked);
    this.purgatory.set(ctx, parked, ctx.now() + request.maxWaitUs);
  }

  /**
   * Reads every partition in request order (Kafka's readFromLocalLog): each up to its own limit and
   * what is left of the request's, except that the first partition with data returns at least one batch.
   */
  private readFetch(request: FetchRequest): FetchPartitionReply[] {
    let left = request.maxBytes ?? Infinity;
    let minOne = true;
    return request.partitions.map((part): FetchPartitionReply => {
      const leader = this.leaderOf(part.topic, part.partition);
      if (leader === undefined) return this.notLeader(part);
      const error = leader.fetchError(part, request.replica);
      if (error !== undefined) return leader.fetchReply(part, [], error);
      const batches = leader.read(part, request.replica, Math.min(part.maxBytes, left), minOne);
      let bytes = 0;
      for (const batch of batches) bytes += batch.bytes;
      if (bytes > 0) minOne = false;
      left = Math.max(0, left - bytes);
      return leader.fetchReply(part, batches);
    });
  }

  /**
   * Whether something that wakes no parked fetch may have changed what it reads: a partition that
   * would now be answered with an error (retention moved its log start past the offset, a leader
   * epoch moved: `readFetch`'s checks, without its reads), or one of a compacted log (the cleaner
   * rewrites what a read returns). Otherwise a partition's reads change only with its log end
   * (appends; a leader truncates only as it stops leading) or its high watermark, each of which
   * wakes the fetches bounded by it — unsynced data a disk drops can only leave less to read.
   */
  private mayHaveChanged(request: FetchRequest): boolean {
    for (const part of request.partitions) {
      const leader = this.leaderOf(part.topic, part.partition);
      if (leader === undefined || leader.fetchError(part, request.replica) !== undefined || leader.replica.log.compacted) return true;
    }
    return false;
  }

  private sendFetchReply(ctx: Context, request: FetchRequest, from: string, partitions: FetchPartitionReply[]): void {
    ctx.send(from, { type: 'fetch-reply', req: request.req, partitions }, { bytes: fetchReplyBytes(partitions) });
  }

  /** A parked fetch's wait is over (it was still parked: an answered one leaves the purgatory's deadlines). */
  private fetchExpired(ctx: Context, parked: ParkedFetch): void {
    const i = this.parked.indexOf(parked);
    assert(i >= 0, () => `broker ${this.id}: a fetch whose wait ends is parked, but fetch ${parked.request.req} from ${parked.from} is not`);
    this.parked.splice(i, 1);
    this.sendFetchReply(ctx, parked.request, parked.from, this.readFetch(parked.request));
  }

  private notLeader(part: FetchPartition): FetchPartitionReply {
    const replica = this.replicaOf(part.topic, part.partition);
    const { topic, partition } = part;
    return { topic, partition, error: 'not-leader', batches: [], highWatermark: replica?.hw ?? 0, logStart: replica?.log.logStart ?? 0, logEnd: replica?.log.logEnd ?? 0, leaderEpoch: replica?.leaderEpoch ?? -1 };
  }

  /** OffsetsForLeaderEpoch: each partition answered by its leader role, or not-leader. */
  private onEpochEnd(ctx: Context, request: EpochEndRequest, from: string): void {
    const partitions = request.partitions.map((part) => this.leaderOf(part.topic, part.partition)?.epochEnd(part) ?? { topic: part.topic, partition: part.partition, error: 'not-leader' as const, epoch: -1, endOffset: -1 });
    ctx.send(from, { type: 'epoch-end-reply', req: request.req, partitions });
  }

  private onDescribeProducers(ctx: Context, request: DescribeProducersRequest, from: string): void {
    const leader = this.leaderOf(request.topic, request.partition);
    if (leader !== undefined) return leader.onDescribeProducers(ctx, request, from);
    const { req, topic, partition } = request;
    ctx.send(from, { type: 'describe-producers-reply', req, topic, partition, error: 'not-leader', lastSequence: -1, uncommitted: false });
  }

  private replicaOf(topic: string, partition: number): Replica | undefined {
    return this.byTopic.get(topic)?.[partition];
  }

  private leaderOf(topic: string, partition: number): LeaderRole | undefined {
    const role = this.replicaOf(topic, partition)?.role;
    return role instanceof LeaderRole ? role : undefined;
  }

  private followerOf(topic: string, partition: number): FollowerRole | undefined {
    const role = this.replicaOf(topic, partition)?.role;
    return role instanceof FollowerRole ? role : undefined;
  }

  // --- partition state from the controller --------------------------------------------------------

  /**
   * Applies partition states. The broker's metadata version only advances when it has seen every
   * change (a full image, or the next push in sequence); after a lost push its heartbeat asks for
   * the full image again.
   */
  private applyState(ctx: Context, partitions: readonly PartitionMeta[], version: number, full: boolean): void {
    for (const meta of partitions) this.apply(ctx, meta);
    if (full ? version >= this.version : version === this.version + 1) this.version = version;
  }

  private apply(ctx: Context, meta: PartitionMeta): void {
    const key = tpKey(meta.topic, meta.partition);
    const known = this.image.get(key);
    if (known === undefined || newer(meta, known)) this.image.set(key, meta);
    if (!meta.replicas.includes(this.id)) return;
    let replica = this.replicas.get(key);
    if (replica === undefined) {
      const topic = this.topic(meta.topic);
      replica = new Replica(ctx, meta.topic, meta.partition, meta, topic.segmentBytes, topic.cleanupPolicy === 'compact');
      this.replicas.set(key, replica);
      let partitions = this.byTopic.get(meta.topic);
      if (partitions === undefined) this.byTopic.set(meta.topic, (partitions = []));
      partitions[meta.partition] = replica;
    } else if (!newer(meta, { leaderEpoch: replica.leaderEpoch, partitionEpoch: replica.partitionEpoch })) {
      return;
    }
    assertPartitionState(meta, `broker ${this.id} applies`);
    const newEpoch = meta.leaderEpoch > replica.leaderEpoch;
    replica.meta = meta;
    replica.partitionEpoch = meta.partitionEpoch;
    if (!newEpoch) {
      if (replica.role instanceof LeaderRole) replica.role.onPartitionState(ctx);
      return;
    }
    replica.role?.resign(ctx);
    replica.role = undefined;
    replica.leaderEpoch = meta.leaderEpoch;
    if (meta.leader === this.id) {
      const role = new LeaderRole(this, replica, meta.leaderEpoch);
      replica.role = role;
      role.start(ctx);
    } else if (meta.leader !== null) {
      const role = new FollowerRole(this, replica, meta.leader, meta.leaderEpoch);
      replica.role = role;
      role.start(ctx);
    } else {
      replica.record(ctx, 'offline', replica.log.logEnd);
    }
    // Fetches parked on the partition are answered now if it changed hands (Kafka's DelayedFetch, case A).
    this.readable(ctx, replica);
  }

  // --- timers ------------------------------------------------------------------------------------

  onTimer(ctx: Context, wakeup: Wakeup): void {
    switch (wakeup.name) {
      case 'role-timer':
        return (wakeup.data as RoleTimer).fire(ctx);
      case FETCH_EXPIRY:
        for (const parked of this.purgatory.expired(ctx, wakeup) ?? []) this.fetchExpired(ctx, parked);
        return;
      case REPLICA_FETCH_TIMEOUT:
        for (const fetcher of this.fetchers.values()) if (fetcher.onTimer(ctx, wakeup)) return;
        return;
      case 'flushed':
        return this.flushDone(ctx);
      case 'heartbeat':
        return this.heartbeat(ctx);
      case 'maintenance':
        return this.maintain(ctx);
      case 'maintenance-due':
        this.maintenanceArmed = { id: ctx.setTimer(this.maintenanceUs(), 'maintenance'), at: ctx.now() + this.maintenanceUs() };
        return;
      case 'hw-checkpoint':
        for (const replica of this.replicas.values()) replica.checkpointHighWatermark(ctx.disk);
        ctx.setTimer(this.config.hwCheckpointIntervalUs, 'hw-checkpoint');
        return;
      case 'retention':
        this.applyRetention(ctx);
        ctx.setTimer(this.config.retentionCheckIntervalUs, 'retention');
        return;
      case 'flush-interval':
        this.flush(ctx);
        if (this.config.flush.kind === 'interval') ctx.setTimer(this.config.flush.intervalUs, 'flush-interval');
        return;
    }
  }

  /** Metadata: the partitions as the controller last described them, and the active controller it knows (not merely the first). */
  private onMetadata(ctx: Context, req: number, from: string): void {
    const controller = this.knownController === undefined ? {} : { controller: this.knownController };
    ctx.send(from, { type: 'metadata-reply', req, ...controller, partitions: [...this.image.values()] }, { bytes: 64 + 48 * this.image.size });
  }

  private heartbeat(ctx: Context): void {
    // A quorum member that left the last heartbeat unanswered may be down: try the next one.
    if (!this.heartbeatAnswered) {
      this.activeController = this.nextController(this.activeController);
      this.knownController = undefined;
    }
    this.heartbeatAnswered = false;
    this.sendHeartbeat(ctx);
    ctx.setTimer(this.config.brokerHeartbeatIntervalUs, 'heartbeat');
  }

  private sendHeartbeat(ctx: Context): void {
    ctx.send(this.activeController, { type: 'broker-heartbeat', broker: this.id, incarnation: this.incarnation, version: this.version });
  }

  /** NOT_CONTROLLER: heartbeat at once to the active controller it named, or else to the next member. */
  private redirected(ctx: Context, from: string, controller: string | undefined): void {
    if (from !== this.activeController) return;
    this.activeController = controller ?? this.nextController(from);
    this.knownController = controller;
    this.heartbeatAnswered = true;
    if (controller !== undefined) this.sendHeartbeat(ctx);
  }

  private nextController(current: string): string {
    const quorum = this.config.controllers ?? [this.config.controller];
    return quorum[(quorum.indexOf(current) + 1) % quorum.length]!;
  }

  /**
   * A maintenance tick: every leader maintains, as at every tick of a fixed period, and the next
   * tick armed is the first at which a leader has something due (a tick at which none has is a
   * no-op, so skipping it changes nothing but the number of events).
   */
  private maintain(ctx: Context): void {
    this.maintenanceArmed = undefined;
    this.maintenanceRan = ctx.now();
    let due = Infinity;
    for (const replica of this.replicas.values()) {
      if (!(replica.role instanceof LeaderRole)) continue;
      replica.role.maintain(ctx);
      due = Math.min(due, replica.role.nextDue(ctx.now()));
    }
    this.maintainBy(ctx, due);
  }

  /** How often leaders check their followers' lag and their pending requests' timeouts. */
  private maintenanceUs(): Micros {
    return Math.max(MS, Math.min(100 * MS, Math.floor(this.config.replicaLagTimeMaxUs / 4)));
  }

  private applyRetention(ctx: Context): void {
    for (const replica of this.replicas.values()) {
      const topic = this.topic(replica.topic);
      if (topic.cleanupPolicy === 'compact') {
        const cleaned = replica.log.compact(ctx.now(), replica.hw, topic.deleteRetentionUs ?? DELETE_RETENTION_DEFAULT_US);
        if (cleaned.batchesRemoved > 0) replica.record(ctx, 'compact', replica.log.logStart, { ...cleaned });
        continue;
      }
      const start = replica.log.applyRetention(ctx.now(), replica.hw, topic);
      if (start !== undefined) replica.record(ctx, 'retention', start);
    }
  }

  // --- group-committed fsync ---------------------------------------------------------------------

  private startFlush(ctx: Context): void {
    let i = 0;
    for (const replica of this.replicas.values()) {
      this.flushReplicas[i] = replica;
      this.flushEnds[i] = replica.log.logEnd;
      this.flushTruncations[i++] = replica.truncations;
    }
    this.flushCovers = i;
    this.flushing = true;
    this.flushAsked = false;
    this.flushCallbacks = this.flushWaiting;
    this.flushWaiting = this.flushSpare ?? [];
    this.flushSpare = undefined;
    ctx.disk.fsync(FLUSHED);
  }

  private flushDone(ctx: Context): void {
    if (!this.flushing) return;
    this.flushing = false;
    let moved = 0;
    for (let i = 0; i < this.flushCovers; i++) {
      const replica = this.flushReplicas[i]!;
      if (replica.truncations === this.flushTruncations[i] && this.flushEnds[i]! > replica.flushedEnd) {
        replica.flushedEnd = this.flushEnds[i]!;
        this.flushMoved[moved++] = replica;
      }
      replica.assertPositions('fsync completed');
    }
    // A callback that flushes again starts the next fsync at once, which overwrites the arrays
    // above (read by now) and takes a list of callbacks of its own: this one is no longer the
    // broker's once its callbacks have run, and is kept, emptied, for a later fsync.
    const callbacks = this.flushCallbacks;
    for (const then of callbacks) then(ctx);
    // `pop`, not a store to `length` (a runtime call in V8); most lists hold one callback or none.
    while (callbacks.length > 0) callbacks.pop();
    this.flushSpare = callbacks;
    if (this.waitsForFlush) {
      // A leader counts only fsynced data toward its high watermark here, and recomputes it at
      // every other change of what it counts (a follower's fetch, an ISR change, its start): a
      // leader whose fsynced end this fsync left where it was would find its high watermark where
      // it is. So only those it moved are told, in the broker's order (the covered arrays' order).
      for (let i = 0; i < moved; i++) {
        const role = this.flushMoved[i]!.role;
        if (role instanceof LeaderRole) role.onFlushed(ctx);
      }
    } else {
      // Its own log end counts, which appends move without recomputing (acks 0 and 1): every leader is told.
      for (const replica of this.replicas.values()) if (replica.role instanceof LeaderRole) replica.role.onFlushed(ctx);
    }
    // Not while a callback's fsync is in flight: that one's completion starts the next (a second
    // start here would put two fsyncs in flight and drop the first one's callbacks).
    if (!this.flushing && (this.flushWaiting.length > 0 || this.flushAsked)) this.startFlush(ctx);
  }
}

/** Whether partition state `a` is more recent than `b`. */
function newer(a: Pick<PartitionMeta, 'leaderEpoch' | 'partitionEpoch'>, b: Pick<PartitionMeta, 'leaderEpoch' | 'partitionEpoch'>): boolean {
  return a.leaderEpoch > b.leaderEpoch || (a.leaderEpoch === b.leaderEpoch && a.partitionEpoch > b.partitionEpoch);
}

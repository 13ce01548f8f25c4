/**
 * The forwarder's producing half: batches ("plans") sent to a partition of the next tier's log
 * with an idempotent producer id and sequence numbers that were made durable before the first
 * send, so any re-send — a retry after a timeout, or the same plan after a restart — is recognised
 * by the broker as a batch it already appended and answered with the original offset.
 *
 * Each lane (one source stream → one destination partition) has its own producer id, obtained once
 * from the destination's controller and kept in the forwarder's state file. A lane never has more
 * than `IDEMPOTENCE_WINDOW` plans outstanding, because the broker remembers a producer's last five
 * batches: a re-sent plan is always among them.
 *
 * Sending is Kafka's Sender: the plans ready to go are drained per leader broker, one request to
 * each carrying the next plan of every lane that broker leads — within the endpoint's
 * `max.request.size` if it has one (`maxRequestBytes`: a plan that would take the request past it
 * closes it, and it and the later lanes' plans wait for the next, the first always goes, as Kafka's
 * drain, which breaks there and adds up the batches' serialized sizes, `batchSizeInBytes`, and
 * nothing for the request header) — again while each broker has fewer
 * than `MAX_IN_FLIGHT` requests outstanding (max.in.flight.requests.per.connection = 5). Each
 * broker's request starts at its own drain index, as Kafka 3.x's RecordAccumulator keeps one per
 * node (`nodesDrainIndex`, log/actors/drain-index.ts): at the lane whose plan closed that broker's
 * last request — that plan opens the next one — or, when no plan closed it (every lane visited),
 * at the lane before that request's start. So under `max.request.size` the lanes share the requests
 * (taken always from lane 0, the first lanes' backlog filled every request and a later lane on the
 * same broker starved for as long as they had plans to send), and one broker's requests never
 * move another's start. Two lanes of 1 000 B after one of 1 500 B under a 2 001 B limit go as
 * [0], [1], [2, 3], [0], [1], as in Kafka. What is not Kafka's: the lanes stand for partitions
 * (several lanes onto one partition are visited in turn, one per request), and the requests of a
 * round go to the brokers in the order of their first lane, where Kafka's Sender goes by node id.
 * The reply has an outcome per partition, and each lane handles its own: one lane's `not-leader`
 * backs off that lane only.
 *
 * Its network layer is the log clients' (ClientNetwork, as Kafka's NetworkClient): a broker whose
 * process died on a live host is found out at once, its host closing the connection
 * (`disconnected`); one whose node died, by the request timeout — or, on a connection not yet set
 * up, by the connection set-up timeout (KIP-601: 10 s, doubling to 30 s), after which the requests
 * out to it go back unattempted and wait out the broker's reconnect backoff. A broker the sink has
 * no working connection to gets one request (standing for the connection attempt) until it
 * answers, then up to five (Kafka's `NetworkClient.isReady`). A timed-out request closes the
 * connection: every request out to that broker fails with it. That protocol is the producer's too
 * (in-flight-requests.ts); the sink says what it means for lanes. Metadata is asked of the broker
 * with the fewest produce requests out (Kafka's leastLoadedNode), not of one busy with a lane's plans.
 *
 * Retries back off exponentially per lane, as Kafka's producer does (KIP-580, the log clients'
 * ExponentialBackoff): `retryBackoffUs` doubling per consecutive failure up to `maxBackoffUs`,
 * spread ±20 % from the sink's seeded stream, so a link that is down for hours costs a few
 * messages per minute, not thousands per second, and lanes that failed together do not all retry
 * in the same microsecond.
 *
 * A plan larger than the topic's `max.message.bytes` (MESSAGE_TOO_LARGE) is not retried as it is:
 * the owner splits it into two plans under the same sequence numbers, as Kafka's producer splits
 * such a batch, or — one event alone too large — fails that event and gives the plans after it
 * the sequence numbers it leaves free (Kafka's sequence adjustment after a failed batch). Either
 * is safe: a refused plan was not appended, so nothing after it was either.
 *
 * Guarantee: each plan is appended to its lane's partition at most once and, retried until
 * acknowledged, at least once — a re-send is answered `duplicate` with the original offset — and a
 * lane's plans are appended in `destSeq` order (at most `IDEMPOTENCE_WINDOW` out, which the broker
 * orders by sequence). The sink itself gives no plan up — every refusal and timeout is retried;
 * only its owner fails an event, one alone over MESSAGE_TOO_LARGE.
 *
 * How it breaks: the broker must still hold what it acknowledged. With `acks: 1`, or
 * `min.insync.replicas` 1 and an unclean leader election, a new leader that never had an
 * acknowledged plan has neither the plan nor its producer state, and the sink, holding the ack,
 * never sends it again: the plan is lost (forwarder.ts lists this among its breaks). Shown by
 * test/features/forward/forward.test.ts (exactly once through crashes, outages and failovers,
 * re-sends answered `duplicate`) and test/features/pipeline/log-pipeline.test.ts (acks=1 with an
 * unclean election loses acknowledged records).
 */
import type { Context, EventId, Disconnect, Micros, TimerId } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import { batchSizeInBytes, produceBytes, type ClientInbound, type LogError, type ProducePartitionReply, type ProduceReply } from '../../log/actors/messages.ts';
import { ClientNetwork, DrainIndex, ExponentialBackoff, InFlightRequests, itemsPerLeader, type Lost } from '../../log/actors/index.ts';
import type { ForwarderConfig } from './config.ts';
import { Marks } from './marks.ts';

/** A batch as planned: what it carries, and which source positions it covers. */
export interface Plan {
  readonly destSeq: number;
  readonly events: readonly EventId[];
  readonly bytes: number;
  /** Source position of the first event (buffer seq or source offset) and one past the last. */
  readonly srcFirst: number;
  readonly srcEnd: number;
  /** One payload per event, stored in the log with the batch (pipelines); absent for forwarders. */
  readonly payloads?: readonly unknown[];
}

/** The durable part of a lane. */
export interface LaneState {
  pid: number | null;
  nextDestSeq: number;
  /** Log source: next source offset to plan. Unused for the edge buffer (it keeps its own). */
  nextSrc: number;
  plans: Plan[];
}

/** Requests in flight to one broker, at most (Kafka's max.in.flight.requests.per.connection default). */
const MAX_IN_FLIGHT = 5;

/** A produce request in flight: the plans it carries (at most one per lane). */
interface Outstanding {
  /** In request order, as the reply's partitions are. */
  readonly parts: readonly { readonly lane: number; readonly plan: Plan }[];
  /** Lanes that backed off since: their outcomes are ignored (their plans will be re-sent). */
  readonly dropped: Marks;
}

export interface SinkEvents {
  /** The destination stored the plan (or already had it: `duplicate`). */
  forwarded(ctx: Context, lane: number, plan: Plan, offset: number, duplicate: boolean): void;
  /** A producer id arrived for a lane; it must be made durable before use. */
  pidAssigned(ctx: Context, lane: number, pid: number): void;
  /** The leader refused the plan; the sink backs off and re-sends it, unless this changes the lane. */
  refused?(ctx: Context, lane: number, plan: Plan, error: LogError): void;
  /**
   * The plan is larger than the topic accepts (not retriable as it is): the owner replaces it by
   * `splitPlan`'s halves, or fails its one event; the sink then re-sends the lane's plans.
   */
  tooLarge(ctx: Context, lane: number, plan: Plan): void;
}

/**
 * A refused plan's two halves, under the same contiguous sequence numbers (each at least one
 * event), or undefined when it holds a single event and cannot be split. Bytes are shared out
 * evenly; the source range is cut at the same count (ranges only bound what a half releases).
 */
export function splitPlan(plan: Plan): [Plan, Plan] | undefined {
  const n = plan.events.length;
  if (n < 2) return undefined;
  const half = Math.ceil(n / 2);
  const each = plan.bytes / n;
  const part = (from: number, to: number): Plan => {
    const bytes = Math.round(each * to) - Math.round(each * from);
    const payloads = plan.payloads === undefined ? {} : { payloads: plan.payloads.slice(from, to) };
    return { destSeq: plan.destSeq + from, events: plan.events.slice(from, to), bytes, srcFirst: plan.srcFirst + from, srcEnd: to === n ? plan.srcEnd : plan.srcFirst + to, ...payloads };
  };
  return [part(0, half), part(half, n)];
}

/** What the sink needs of its owner's configuration (a forwarder's, or a pipeline's log transport's). */
export type SinkConfig = Pick<ForwarderConfig, 'sink' | 'requestTimeoutUs' | 'retryBackoffUs' | 'maxBackoffUs'>;

/** How the sink produces, beyond the forwarder's defaults. */
export interface SinkOptions {
  /** Default all (-1): only acks=all keeps an acknowledged plan through a clean leader failover. */
  readonly acks?: 1 | -1;
  /** A lane's transactional id, so that a restarted owner gets the lane's producer id back. */
  readonly transactionalIdOf?: (lane: number) => string;
}

export class IdempotentSink {
  private readonly network: ClientNetwork;
  /** Produce requests in flight and their connection protocol (in-flight-requests.ts). */
  private readonly outstanding: InFlightRequests<Outstanding>;
  /** Per lane: destSeqs sent and not answered (at most `IDEMPOTENCE_WINDOW`). */
  private readonly sent: Marks[];
  /** Per lane: failures since its last stored plan, which set its next pause. */
  private readonly failures: number[];
  private readonly retryBackoff: ExponentialBackoff;
  private readonly retryTimers: (TimerId | undefined)[];
  private readonly pidRequests = new Map<number, number>();
  /** Where each broker's next request starts in the list of lanes it leads (Kafka 3.x's nodesDrainIndex: see the header). */
  private readonly drainIndex = new DrainIndex();
  /**
   * `send`'s scratch, reused by every call (it runs at every pump of its owner; arrays, a `Map` and
   * closures per call were ≈ 6 % of an x-ray run's allocation): the lanes with something to send,
   * each with its leader and the index of its next plan to send; per lane, its place among those
   * (−1: nothing to send); per broker, the lanes it leads; and the requests of a round, each with
   * its leader and parts (a fresh array: the request keeps it). Only the first entries are
   * meaningful, as many as the call counted.
   */
  private readonly pendingLane: number[] = [];
  private readonly pendingLeader: string[] = [];
  private readonly pendingNext: number[] = [];
  private readonly pendingOf: number[] = [];
  private readonly lanesOf = new Map<string, number[]>();
  private readonly roundLeader: string[] = [];
  private readonly roundParts: { lane: number; plan: Plan }[][] = [];
  private req: number;

  constructor(
    ctx: Context,
    private readonly config: SinkConfig,
    lanes: number,
    private readonly events: SinkEvents,
    private readonly options: SinkOptions = {},
  ) {
    // Metadata goes to the broker with the fewest produce requests out (Kafka's leastLoadedNode), as the producer's.
    this.network = new ClientNetwork(config.sink.brokers, config.requestTimeoutUs, config.retryBackoffUs, () => ++this.req, { load: (broker) => this.outstanding.count(broker) });
    this.outstanding = new InFlightRequests(this.network, config.requestTimeoutUs, 'forward:request-timeout', { lost: (ctx, broker, requests) => this.lost(ctx, broker, requests) });
    this.sent = Array.from({ length: lanes }, () => new Marks());
    this.failures = Array.from({ length: lanes }, () => 0);
    this.retryTimers = Array.from({ length: lanes }, () => undefined);
    this.retryBackoff = new ExponentialBackoff(config.retryBackoffUs, config.maxBackoffUs);
    // Requests numbered from a random base: replies meant for an earlier incarnation never match.
    this.req = ctx.rng('forward-req').int(1, 2 ** 40);
  }

  start(ctx: Context): void {
    this.network.refresh(ctx);
  }

  requestPid(ctx: Context, lane: number): void {
    if ([...this.pidRequests.values()].includes(lane)) return;
    const req = ++this.req;
    this.pidRequests.set(req, lane);
    const transactionalId = this.options.transactionalIdOf?.(lane);
    ctx.send(this.config.sink.controller, { type: 'init-producer-id', req, ...(transactionalId === undefined ? {} : { transactionalId }) });
    ctx.setTimer(this.config.requestTimeoutUs, 'forward:pid-timeout', req);
  }

  /**
   * Sends the plans of every lane (index = lane) that are durable and not outstanding, in order,
   * grouped per leader broker: each round one request per broker with a free slot and a lane with
   * something to send, carrying the next such plan of each of its lanes, taken from its drain
   * index on (`drainBroker`). A lane that is backing off or has no producer id waits.
   */
  send(ctx: Context, lanes: readonly LaneState[], durable: (lane: number, plan: Plan) => boolean): void {
    const { topic } = this.config.sink;
    const { pendingLane, pendingLeader, pendingNext, pendingOf } = this;
    // Per lane with something to send, in lane order: its leader, and its next plan to send.
    // Most pumps (an operator step's outputs, a reply) find most lanes with nothing unsent.
    let pending = 0;
    for (let lane = 0; lane < lanes.length; lane++) {
      pendingOf[lane] = -1;
      const state = lanes[lane]!;
      if (state.pid === null || this.retryTimers[lane] !== undefined) continue;
      const next = this.nextToSend(lane, state.plans, 0, durable);
      if (next === state.plans.length) continue;
      const leader = this.network.metadata.usableLeaderOf(topic, this.partitionOf(lane));
      if (leader === null) {
        this.network.refresh(ctx);
        this.backOff(ctx, lane);
        continue;
      }
      // A broker in reconnect backoff (its connection broke or never came up) is not connected to before it ends.
      const readyAt = this.network.connections.readyAt(leader);
      if (readyAt > ctx.now()) {
        this.waitUntil(ctx, lane, readyAt);
        continue;
      }
      pendingOf[lane] = pending;
      pendingLane[pending] = lane;
      pendingLeader[pending] = leader;
      pendingNext[pending++] = next;
    }
    if (pending === 0) return;
    // Per broker, the lanes whose partition it leads as last known, in lane order.
    itemsPerLeader(lanes.length, (lane) => this.network.metadata.leaderOf(topic, this.partitionOf(lane)), this.lanesOf);
    const { roundLeader, roundParts } = this;
    for (;;) {
      // This round's requests: one per broker with a free slot and a lane with a plan left to send, in the order first met.
      let requests = 0;
      for (let k = 0; k < pending; k++) {
        const leader = pendingLeader[k]!;
        if (pendingNext[k] === lanes[pendingLane[k]!]!.plans.length) continue;
        let r = 0;
        while (r < requests && roundLeader[r] !== leader) r++;
        // No connection yet: one request stands for Kafka's connection attempt (in-flight-requests.ts).
        if (r < requests || !this.outstanding.maySend(leader, MAX_IN_FLIGHT)) continue;
        roundLeader[requests++] = leader;
      }
      if (requests === 0) return;
      for (let r = 0; r < requests; r++) roundParts[r] = this.drainBroker(roundLeader[r]!, lanes, durable);
      for (let r = 0; r < requests; r++) this.sendRequest(ctx, roundLeader[r]!, roundParts[r]!, lanes);
    }
  }

  /**
   * One request's parts for `leader`, as Kafka 3.x's `drainBatchesForOneNode`: its lanes from its
   * drain index on, wrapping around once, the next plan of each lane with one to send, one lane per
   * partition (a second lane onto the same partition waits), until a plan would take the request
   * past `max.request.size` (the first always goes): there the request ends, and the index stays
   * at that lane, whose plan opens the broker's next request; otherwise it ends at the last lane
   * visited (log/actors/drain-index.ts).
   */
  private drainBroker(leader: string, lanes: readonly LaneState[], durable: (lane: number, plan: Plan) => boolean): { lane: number; plan: Plan }[] {
    const { pendingNext, pendingOf } = this;
    const list = this.lanesOf.get(leader)!;
    const maxRequestBytes = this.config.sink.maxRequestBytes ?? Infinity;
    const parts: { lane: number; plan: Plan }[] = [];
    let bytes = 0;
    this.drainIndex.drain(leader, list, (lane) => {
      const k = pendingOf[lane]!;
      const plans = lanes[lane]!.plans;
      if (k < 0 || pendingNext[k] === plans.length) return 'go';
      assert(this.pendingLeader[k] === leader, () => `lane ${lane}'s leader is ${this.pendingLeader[k]}, drained as ${leader}'s`);
      // One batch per partition per request: a second lane onto the same partition waits a round.
      if (this.hasPartitionOf(parts, lane)) return 'go';
      const plan = plans[pendingNext[k]!]!;
      const size = batchSizeInBytes(plan.bytes, plan.events.length);
      // The first plan that would take the request past max.request.size ends it: Kafka's
      // drainBatchesForOneNode breaks there, so a smaller plan of a later lane does not overtake it.
      if (parts.length > 0 && bytes + size > maxRequestBytes) return 'stop';
      pendingNext[k] = this.nextToSend(lane, plans, pendingNext[k]! + 1, durable);
      parts.push({ lane, plan });
      bytes += size;
      return 'go';
    });
    assert(parts.length > 0, () => `a request to ${leader}, which has a lane with a plan to send, carries none`);
    return parts;
  }

  /** The index of the lane's first plan from `from` on that is durable and not outstanding; `plans.length` if none. */
  private nextToSend(lane: number, plans: readonly Plan[], from: number, durable: (lane: number, plan: Plan) => boolean): number {
    const sent = this.sent[lane]!;
    for (let i = from; i < plans.length; i++) if (!sent.has(plans[i]!.destSeq) && durable(lane, plans[i]!)) return i;
    return plans.length;
  }

  /** Whether a request's parts already carry a plan for `lane`'s partition. */
  private hasPartitionOf(parts: readonly { lane: number }[], lane: number): boolean {
    const partition = this.partitionOf(lane);
    for (const part of parts) if (this.partitionOf(part.lane) === partition) return true;
    return false;
  }

  private sendRequest(ctx: Context, leader: string, parts: { lane: number; plan: Plan }[], lanes: readonly LaneState[]): void {
    const req = ++this.req;
    const { topic } = this.config.sink;
    const partitions = parts.map(({ lane, plan }) => {
      const { events, bytes, payloads, destSeq: seq } = plan;
      const partition = this.partitionOf(lane);
      const pid = lanes[lane]!.pid!;
      this.sent[lane]!.add(seq);
      return payloads === undefined ? { topic, partition, events, bytes, pid, seq } : { topic, partition, events, bytes, pid, seq, payloads };
    });
    ctx.send(leader, { type: 'produce', req, partitions, acks: this.options.acks ?? -1, timeoutUs: this.config.requestTimeoutUs }, { bytes: produceBytes(partitions) });
    this.outstanding.add(ctx, req, leader, { parts, dropped: new Marks() });
  }

  /** The lane's partition leader as last known, or null (a metadata refresh is then on its way). */
  leaderOf(ctx: Context, lane: number): string | null {
    const leader = this.network.metadata.usableLeaderOf(this.config.sink.topic, this.partitionOf(lane));
    if (leader === null) this.network.refresh(ctx);
    return leader;
  }

  partitionOf(lane: number): number {
    return lane % this.config.sink.partitions;
  }

  /** Handles a reply meant for the sink (`from` its sender); returns the lane to pump again, or undefined. */
  onMessage(ctx: Context, message: ClientInbound, from: string): number | undefined {
    if (this.config.sink.brokers.includes(from)) this.network.heard(from);
    switch (message.type) {
      case 'metadata-reply':
        this.network.metadata.onReply(ctx, message);
        return undefined;
      case 'init-producer-id-reply': {
        const lane = this.pidRequests.get(message.req);
        if (lane === undefined) return undefined;
        this.pidRequests.delete(message.req);
        this.events.pidAssigned(ctx, lane, message.pid);
        return lane;
      }
      case 'produce-reply':
        return this.onProduceReply(ctx, message);
      default:
        return undefined;
    }
  }

  /** Handles a timer meant for the sink; returns the lane to pump again, or undefined (or -1: not ours). */
  onTimer(ctx: Context, name: string, data: unknown): number | undefined | -1 {
    switch (name) {
      case 'forward:request-timeout':
        this.outstanding.onTimer(ctx, { name, data });
        return undefined;
      case 'forward:retry':
        this.retryTimers[data as number] = undefined;
        return data as number;
      case 'forward:pid-timeout': {
        const lane = this.pidRequests.get(data as number);
        if (lane === undefined) return undefined;
        this.pidRequests.delete(data as number);
        this.requestPid(ctx, lane);
        return undefined;
      }
      case 'metadata-timeout':
        if (this.network.metadata.onTimeout(ctx, data as number)) this.network.refresh(ctx);
        return undefined;
      default:
        return -1;
    }
  }

  /**
   * A connection broke — a process died on a live host (kernel/contract/disconnect.ts). To a broker,
   * as Kafka's NetworkClient (in-flight-requests.ts): reconnect backoff, metadata elsewhere, and
   * every request in flight to it fails now, as at its timeout (its lanes back off and re-send) — but
   * a refused request that was itself the connection attempt never reached the broker and goes back
   * unattempted. The owner passes on every disconnect; others' are not the sink's.
   */
  disconnected(ctx: Context, disconnect: Disconnect): void {
    if (this.config.sink.brokers.includes(disconnect.peer)) this.outstanding.disconnected(ctx, disconnect);
  }

  /**
   * Requests to one broker that will not be answered (in-flight-requests.ts): their plans are no
   * longer sent, then each request's lanes are handled — all marks first, since a lane that backs
   * off forgets its marks.
   */
  private lost(ctx: Context, broker: string, requests: readonly Lost<Outstanding>[]): void {
    for (const { request } of requests) this.unmark(request);
    // One that never reached the broker: its lanes send again when its reconnect backoff ends, no failure counted.
    const readyAt = this.network.connections.readyAt(broker);
    for (const { request, outcome } of requests) {
      if (outcome === 'put-back') this.waitUntilEach(ctx, request, readyAt);
      else this.failed(ctx, request);
    }
  }

  /** Each lane still in the request sends again at `readyAt`, no failure counted. */
  private waitUntilEach(ctx: Context, entry: Outstanding, readyAt: Micros): void {
    for (const { lane } of entry.parts) if (!entry.dropped.has(lane)) this.waitUntil(ctx, lane, readyAt);
  }

  /** The lane sends again at `atUs` (a broker's reconnect backoff), without counting a failure. */
  private waitUntil(ctx: Context, lane: number, atUs: Micros): void {
    if (this.retryTimers[lane] !== undefined) return;
    this.retryTimers[lane] = ctx.setTimer(Math.max(0, atUs - ctx.now()), 'forward:retry', lane);
  }

  /** A request that failed as a whole: each lane still in it backs off and re-sends. */
  private failed(ctx: Context, entry: Outstanding): void {
    for (const { lane } of entry.parts) if (!entry.dropped.has(lane)) this.backOff(ctx, lane);
  }

  /** Each lane's outcome on its own; returns a lane that stored its plan (its owner pumps again), if any. */
  private onProduceReply(ctx: Context, reply: ProduceReply): number | undefined {
    const entry = this.outstanding.answered(reply.req);
    if (entry === undefined) return undefined;
    this.unmark(entry);
    let stored: number | undefined;
    reply.partitions.forEach((part, i) => {
      const sent = entry.parts[i];
      if (sent !== undefined && !entry.dropped.has(sent.lane) && this.onOutcome(ctx, sent.lane, sent.plan, part)) stored = sent.lane;
    });
    return stored;
  }

  private onOutcome(ctx: Context, lane: number, plan: Plan, reply: ProducePartitionReply): boolean {
    const { topic } = this.config.sink;
    if (reply.error === 'message-too-large') {
      ctx.record('client', { op: 'forward-retry', events: plan.events, topic, partition: this.partitionOf(lane), error: reply.error, bytes: plan.bytes, cover: 'forward.retry' });
      this.events.tooLarge(ctx, lane, plan);
      this.backOff(ctx, lane);
      return false;
    }
    if (reply.error !== undefined) {
      if (reply.error === 'not-leader' || reply.error === 'unknown-partition') this.network.refresh(ctx);
      ctx.record('client', { op: 'forward-retry', events: plan.events, topic, partition: this.partitionOf(lane), error: reply.error, cover: 'forward.retry' });
      this.backOff(ctx, lane);
      this.events.refused?.(ctx, lane, plan, reply.error);
      return false;
    }
    this.failures[lane] = 0;
    this.events.forwarded(ctx, lane, plan, reply.offset ?? -1, reply.duplicate === true);
    return true;
  }

  /** The request's plans are no longer outstanding (it left the requests in flight). */
  private unmark(entry: Outstanding): void {
    for (const { lane, plan } of entry.parts) {
      if (entry.dropped.has(lane)) continue;
      // A plan is outstanding at most once per lane (`send` skips what is sent), so its mark is there.
      const marked = this.sent[lane]!.delete(plan.destSeq);
      assert(marked, () => `sink lane ${lane}: an outstanding plan is marked sent, but seq ${plan.destSeq} was not`);
    }
  }

  /** Everything outstanding on the lane will be re-sent after a pause that grows per failure. */
  private backOff(ctx: Context, lane: number): void {
    if (this.retryTimers[lane] !== undefined) return;
    // Its plans leave the requests in flight (their outcomes will be ignored); a request left with none is forgotten.
    for (const [req, entry] of this.outstanding) {
      if (!entry.parts.some((part) => part.lane === lane)) continue;
      entry.dropped.add(lane);
      if (entry.parts.some((part) => !entry.dropped.has(part.lane))) continue;
      this.outstanding.forget(req);
    }
    this.sent[lane]!.clear();
    const pause = this.retryBackoff.backoff(this.failures[lane]!++, ctx.rng('forward-retry-backoff'));
    this.retryTimers[lane] = ctx.setTimer(pause, 'forward:retry', lane);
  }
}

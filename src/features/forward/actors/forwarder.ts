/**
 * The forwarder actor: store and forward from one tier to the next (the Diaspora stream API's
 * forward command). It reads from its source — its own durable edge buffer that instruments
 * produce into (store protocol: `produce` / `produce-ack`), or a topic of a log service — and
 * produces to a topic of the next tier's log service.
 *
 * Guarantee (exactly once, end to end): every event the forwarder accepted — acknowledged into its
 * buffer, or committed in its source topic — is stored in the destination topic exactly once,
 * through any number of forwarder crashes (process or power loss), link outages and destination
 * leader failovers, provided the destination acknowledges with `acks=all` and keeps
 * `min.insync.replicas` ≥ 2 of its replicas (so an acknowledged batch is never lost there). How:
 * at least once by retrying until acknowledged, and de-duplication at the receiver by idempotent
 * producer id and sequence numbers that are durable before a batch is first sent (sink.ts).
 *
 * How it breaks, by configuration:
 * - `overflow: drop-oldest` loses acknowledged events when the buffer fills (a long outage);
 *   each loss is a `client` record `op: drop` with the event ids, so the loss is reported exactly;
 * - `overflow: block` loses nothing acknowledged, but instruments whose retries run out give up
 *   (`op: error` at the instrument): data never taken in;
 * - a log source whose retention deletes events before they are forwarded (`op: forward-gap`);
 * - a destination that can lose acknowledged batches (acks=1, min.insync.replicas=1, unclean
 *   election) can lose forwarded events, and the forwarder's retry then cannot tell.
 *
 * Trace: `client` records `op: forward-route` at every (re)start (what feeds what, for the
 * `forwarded-once` checker), `intake` when the buffer takes a request in, `forward` when a batch is planned
 * (from a log source, with `srcTopic`, `srcPartition` and `srcEnd`, the source position after it), `forwarded` when the destination
 * stored it (`duplicate: true` when it already had it), `drop`, and `buffer` with the fill level
 * after every change (for timelines and the `forward` metric).
 */
import type { Actor, Context, Disconnect, Message, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { ClientInbound } from '../../log/actors/messages.ts';
import type { ProduceRequest as StoreProduce } from '../../store/actors/messages.ts';
import { IDEMPOTENCE_WINDOW, type ForwarderConfig } from './config.ts';
import { EdgeBuffer, type BufferedEvent } from './edge-buffer.ts';
import { LogSource } from './log-source.ts';
import { IdempotentSink, splitPlan, type LaneState, type Plan } from './sink.ts';

/** The paths a forwarder marks with `cover` (fault-coverage metric). */
export const FORWARD_COVERAGE_PATHS = ['forward.retry', 'forward.duplicate', 'forward.drop', 'forward.block', 'forward.gap'] as const;

interface DurableState {
  lanes: LaneState[];
  /** Edge buffer: seq of the next event to plan (everything below was planned or dropped). */
  bufferNext: number;
}

interface PendingAck {
  readonly to: string;
  readonly req: number;
  readonly offset: number;
  /** The fsync generation that must complete first, and when the spill disk finishes. */
  readonly generation: number;
  readonly writtenAt: Micros;
}

const STATE_FILE = 'state';

export class Forwarder implements Actor<ClientInbound | StoreProduce> {
  private state!: DurableState;
  private buffer: EdgeBuffer | undefined;
  private source: LogSource | undefined;
  private sink!: IdempotentSink;
  /** Generation of the last fsync issued, and of the last one completed. */
  private issued = 0;
  private durable = 0;
  private dirty = false;
  /** Plans (by lane and destSeq) and the fsync generation that makes them durable. */
  private readonly planGeneration = new Map<string, number>();
  private readonly pendingAcks: PendingAck[] = [];
  private blocked = false;

  constructor(private readonly config: ForwarderConfig) {
    if (config.maxInFlight < 1 || config.maxInFlight > IDEMPOTENCE_WINDOW) throw new Error(`forwarder: maxInFlight must be 1..${IDEMPOTENCE_WINDOW}, got ${config.maxInFlight}`);
  }

  start(ctx: Context): void {
    this.state = { lanes: Array.from({ length: this.laneCount() }, () => ({ pid: null, nextDestSeq: 0, nextSrc: 0, plans: [] })), bufferNext: 0 };
    this.begin(ctx);
  }

  recover(ctx: Context): void {
    const saved = ctx.disk.get(STATE_FILE) as DurableState | undefined;
    if (saved === undefined) return this.start(ctx);
    this.state = structuredClone(saved);
    // After a process crash the state file may hold plans that were never fsynced (the page cache
    // survived); a later power loss could still take them back, and re-planning those events with
    // other batch boundaries would confuse the broker's idempotence. So nothing is re-sent before
    // an fsync covers it.
    this.dirty = true;
    this.begin(ctx);
  }

  onMessage(ctx: Context, message: ClientInbound | StoreProduce, from: string): void {
    if (message.type === 'produce') return this.intake(ctx, message as StoreProduce, from);
    const sinkLane = this.sink.onMessage(ctx, message as ClientInbound, from);
    const sourceLane = this.source?.onMessage(ctx, message, from);
    if (sinkLane !== undefined || sourceLane !== undefined) this.pump(ctx);
  }

  /** A source or destination broker's process died: what is in flight to it fails now (sink.ts, log-source.ts). */
  onDisconnect(ctx: Context, disconnect: Disconnect): void {
    this.sink.disconnected(ctx, disconnect);
    this.source?.disconnected(ctx, disconnect.peer);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'forward:durable') return this.madeDurable(ctx, wakeup.data as number);
    if (wakeup.name === 'forward:spill-written') return this.releaseAcks(ctx);
    const fetched = this.source?.onTimer(ctx, wakeup.name, wakeup.data) ?? false;
    const lane = this.sink.onTimer(ctx, wakeup.name, wakeup.data);
    if (fetched || lane !== -1) this.pump(ctx);
  }

  // --- start -------------------------------------------------------------------------------------

  private laneCount(): number {
    return this.config.source.kind === 'buffer' ? this.config.sink.partitions : this.config.source.partitions;
  }

  private begin(ctx: Context): void {
    const { source, sink } = this.config;
    const from = source.kind === 'buffer' ? { buffer: ctx.self } : { service: source.service, topic: source.topic };
    ctx.record('client', { op: 'forward-route', from, to: { service: sink.service, topic: sink.topic } });
    this.sink = new IdempotentSink(ctx, this.config, this.state.lanes.length, {
      forwarded: (c, lane, plan, offset, duplicate) => this.forwarded(c, lane, plan, offset, duplicate),
      pidAssigned: (c, lane, pid) => this.pidAssigned(c, lane, pid),
      tooLarge: (c, lane, plan) => this.tooLarge(c, lane, plan),
    });
    this.sink.start(ctx);
    if (source.kind === 'buffer') {
      this.buffer = new EdgeBuffer(source.buffer, ctx.disk);
      const planned = new Set(this.state.lanes.flatMap((lane) => lane.plans.flatMap((plan) => plan.events.map(String))));
      this.buffer.recover(this.state.bufferNext, planned);
      this.recordFill(ctx);
    } else {
      this.source = new LogSource(ctx, source, this.config);
      this.source.start(ctx, this.state.lanes.map((lane) => lane.nextSrc));
    }
    this.state.lanes.forEach((lane, i) => {
      if (lane.pid === null) this.sink.requestPid(ctx, i);
      for (const plan of lane.plans) this.planGeneration.set(`${i}:${plan.destSeq}`, this.issued + 1);
    });
    this.pump(ctx);
  }

  // --- intake (edge buffer) ----------------------------------------------------------------------

  private intake(ctx: Context, request: StoreProduce, from: string): void {
    if (this.buffer === undefined) return; // not an edge forwarder: nothing to take in
    const offered = this.buffer.offer(request.events, request.eventBytes, ctx.now());
    if (offered.kind === 'blocked') {
      // No reply: the instrument's request times out and is retried — the backpressure it feels.
      if (!this.blocked) ctx.record('client', { op: 'buffer', state: 'blocked', refused: request.events.length, cover: 'forward.block', ...this.buffer.fill() });
      this.blocked = true;
      return;
    }
    if (offered.kind === 'accepted') {
      ctx.record('client', { op: 'intake', events: request.events });
      if (offered.dropped.length > 0) this.recordDrops(ctx, offered.dropped);
      this.blocked = false;
      this.recordFill(ctx);
      this.dirty = true;
    }
    // A duplicate is acknowledged like the original, once what holds it is durable.
    const writtenAt = offered.kind === 'accepted' ? offered.writtenAt : ctx.now();
    this.pendingAcks.push({ to: from, req: request.req, offset: 0, generation: this.issued + 1, writtenAt });
    if (writtenAt > ctx.now()) ctx.setTimer(writtenAt - ctx.now(), 'forward:spill-written');
    this.pump(ctx);
    // Nothing new to write (a duplicate while idle): still needs an fsync generation to wait for.
    if (!this.dirty && this.issued < this.pendingAcks[this.pendingAcks.length - 1]!.generation) this.flush(ctx);
  }

  private recordDrops(ctx: Context, dropped: readonly BufferedEvent[]): void {
    ctx.record('client', { op: 'drop', events: dropped.map((e) => e.id), bytes: dropped.reduce((sum, e) => sum + e.bytes, 0), reason: 'buffer-full', cover: 'forward.drop' });
  }

  private recordFill(ctx: Context): void {
    if (this.buffer === undefined) return;
    const source = this.config.source;
    const capacity = source.kind === 'buffer' ? source.buffer.capacityBytes : 0;
    ctx.record('client', { op: 'buffer', ...this.buffer.fill(), capacityBytes: capacity });
  }

  private releaseAcks(ctx: Context): void {
    const now = ctx.now();
    // An ack leaves once its fsync generation completed; completed generations were issued.
    assert(this.durable <= this.issued, () => `forwarder: durable generation ≤ issued, but ${this.durable} > ${this.issued}`);
    for (let i = 0; i < this.pendingAcks.length; ) {
      const ack = this.pendingAcks[i]!;
      if (ack.generation <= this.durable && ack.writtenAt <= now) {
        ctx.send(ack.to, { type: 'produce-ack', req: ack.req, offset: ack.offset });
        this.pendingAcks.splice(i, 1);
      } else {
        i++;
      }
    }
  }

  // --- planning and sending ----------------------------------------------------------------------

  /** Plans batches while lanes have room, makes them durable, and sends what is durable. */
  private pump(ctx: Context): void {
    this.state.lanes.forEach((lane, i) => {
      while (lane.pid !== null && lane.plans.length < this.config.maxInFlight) {
        const plan = this.plan(ctx, lane, i);
        if (plan === undefined) break;
        // Plans of a lane carry contiguous destination sequence numbers: the broker's idempotence expects them.
        const previous = lane.plans[lane.plans.length - 1];
        assert(previous === undefined || plan.destSeq === previous.destSeq + previous.events.length, () => `forwarder lane ${i}: destination sequences contiguous, but plan at ${plan.destSeq} follows one at ${previous!.destSeq} of ${previous!.events.length} events`);
        lane.plans.push(plan);
        this.planGeneration.set(`${i}:${plan.destSeq}`, this.issued + 1);
        ctx.record('client', { op: 'forward', events: plan.events, topic: this.config.sink.topic, partition: this.sink.partitionOf(i), seq: plan.destSeq, ...this.sourcePosition(i, plan) });
        this.dirty = true;
      }
    });
    if (this.dirty) this.flush(ctx);
    this.sink.send(ctx, this.state.lanes, (i, plan) => (this.planGeneration.get(`${i}:${plan.destSeq}`) ?? 0) <= this.durable);
    // What planning took from the source is fetched again, one request per broker.
    this.source?.send(ctx);
  }

  /**
   * Where a plan leaves a log source's partition (lane `i` reads partition `i`): the next offset to
   * plan, which the flush that follows makes the forwarder's committed position — what a timeline
   * draws its lag against. An edge buffer's sequence numbers are no log position, so none then.
   */
  private sourcePosition(i: number, plan: Plan): { srcTopic: string; srcPartition: number; srcEnd: number } | Record<string, never> {
    const { source } = this.config;
    return source.kind === 'log' ? { srcTopic: source.topic, srcPartition: i, srcEnd: plan.srcEnd } : {};
  }

  private plan(ctx: Context, lane: LaneState, i: number): Plan | undefined {
    const taken = this.buffer !== undefined ? this.takeFromBuffer() : this.takeFromSource(ctx, lane, i);
    if (taken === undefined) return undefined;
    const plan: Plan = { destSeq: lane.nextDestSeq, ...taken };
    lane.nextDestSeq += plan.events.length;
    return plan;
  }

  private takeFromBuffer(): Omit<Plan, 'destSeq'> | undefined {
    const events = this.buffer!.take(this.config.batchBytes);
    if (events.length === 0) return undefined;
    this.state.bufferNext = this.buffer!.nextUnplannedSeq();
    return { events: events.map((e) => e.id), bytes: sum(events), srcFirst: events[0]!.seq, srcEnd: events[events.length - 1]!.seq + 1 };
  }

  private takeFromSource(ctx: Context, lane: LaneState, i: number): Omit<Plan, 'destSeq'> | undefined {
    if (!this.source!.hasPending(i)) return undefined;
    const events = this.source!.take(ctx, i, this.config.batchBytes);
    // The committed source position only moves forward: nothing below it is planned twice.
    assert(events[0]!.offset >= lane.nextSrc, () => `forwarder lane ${i}: source positions monotone, but planning offset ${events[0]!.offset} below the committed position ${lane.nextSrc}`);
    lane.nextSrc = events[events.length - 1]!.offset + 1;
    return { events: events.map((e) => e.id), bytes: sum(events), srcFirst: events[0]!.offset, srcEnd: lane.nextSrc };
  }

  /** Writes the state file and issues an fsync covering it (and every buffer write before it). */
  private flush(ctx: Context): void {
    if (this.buffer !== undefined) this.state.bufferNext = this.buffer.nextUnplannedSeq();
    ctx.disk.put(STATE_FILE, structuredClone(this.state), 256 + 64 * this.state.lanes.length);
    this.dirty = false;
    this.issued++;
    ctx.disk.fsync({ name: 'forward:durable', data: this.issued });
  }

  private madeDurable(ctx: Context, generation: number): void {
    assert(generation <= this.issued, () => `forwarder: an fsync completes only after it was issued, but generation ${generation} of ${this.issued}`);
    this.durable = Math.max(this.durable, generation);
    this.releaseAcks(ctx);
    this.pump(ctx);
  }

  /**
   * The destination refused a plan as larger than its topic accepts. Several events: the plan is
   * split in two (Kafka's producer splits such a batch). One event: it can never be stored, so it
   * is dropped and reported (`op: drop`, reason `message-too-large`: Kafka fails the record), and
   * the lane's later plans move down into the sequence numbers it leaves free. The changed plans
   * are made durable before they are sent, as every plan is.
   */
  private tooLarge(ctx: Context, lane: number, plan: Plan): void {
    const state = this.state.lanes[lane]!;
    const index = state.plans.findIndex((p) => p.destSeq === plan.destSeq);
    if (index < 0) return;
    const halves = splitPlan(plan);
    if (halves !== undefined) {
      state.plans.splice(index, 1, ...halves);
    } else {
      state.plans.splice(index, 1);
      ctx.record('client', { op: 'drop', events: plan.events, bytes: plan.bytes, reason: 'message-too-large', topic: this.config.sink.topic, cover: 'forward.drop' });
      for (let i = index; i < state.plans.length; i++) state.plans[i] = { ...state.plans[i]!, destSeq: state.plans[i]!.destSeq - plan.events.length };
      state.nextDestSeq -= plan.events.length;
      if (this.buffer !== undefined) {
        this.buffer.release(plan.srcFirst, plan.srcEnd);
        this.recordFill(ctx);
      }
    }
    for (const key of [...this.planGeneration.keys()]) if (key.startsWith(`${lane}:`)) this.planGeneration.delete(key);
    for (const p of state.plans) this.planGeneration.set(`${lane}:${p.destSeq}`, this.issued + 1);
    this.dirty = true;
  }

  private pidAssigned(ctx: Context, lane: number, pid: number): void {
    const state = this.state.lanes[lane]!;
    if (state.pid !== null) return;
    state.pid = pid;
    // The id must be durable before any batch numbered under it is sent; `pump` flushes (dirty).
    this.dirty = true;
  }

  private forwarded(ctx: Context, lane: number, plan: Plan, offset: number, duplicate: boolean): void {
    const state = this.state.lanes[lane]!;
    const index = state.plans.findIndex((p) => p.destSeq === plan.destSeq);
    if (index < 0) return; // already acknowledged (a re-send answered twice)
    state.plans.splice(index, 1);
    this.planGeneration.delete(`${lane}:${plan.destSeq}`);
    const { topic } = this.config.sink;
    ctx.record('client', { op: 'forwarded', events: plan.events, topic, partition: this.sink.partitionOf(lane), offset, ...(duplicate ? { duplicate: true, cover: 'forward.duplicate' } : {}) });
    if (this.buffer !== undefined) {
      this.buffer.release(plan.srcFirst, plan.srcEnd);
      this.recordFill(ctx);
    }
    // The acknowledgement need not be durable at once: a plan re-sent after a crash is recognised.
    ctx.disk.put(STATE_FILE, structuredClone(this.state), 256 + 64 * this.state.lanes.length);
  }
}

function sum(events: readonly { readonly bytes: number }[]): number {
  let total = 0;
  for (const e of events) total += e.bytes;
  return total;
}

export type ForwarderMessage = Message;

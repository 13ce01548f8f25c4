/**
 * Persistent streams on the replicated log (`src/features/log/actors/`): the operator's output stream is
 * a topic it produces to, each input stream a topic whose partition `index` it consumes.
 *
 * Producing: one lane per output partition, the forwarder's idempotent sink (`IdempotentSink`):
 * acks=all, at most five batches in flight, retries with backoff, leader discovery through the
 * cluster's metadata. A lane's producer id comes from the controller under a transactional id
 * (`<instance>><stream>/<partition>`), so every incarnation of the instance gets the same one. Each
 * output takes the lane's next sequence number; the image keeps, per lane, the first sequence not
 * yet acknowledged (`outputs`) and the outputs from there on (`outbox`), so a restored operator
 * re-emits its outbox and then regenerates its later outputs under the very same sequence numbers
 * (outputs are a function of the input order, which the log replays unchanged).
 *
 * Exactly-once of outputs across a restore: the leader remembers only a producer's last five
 * batches, and regenerated batches need not have the old boundaries, so retrying them would be
 * refused as out of order once a replay is longer than a few batches. Instead a lane, before it
 * sends anything after `open`, asks the leader for the producer's last *committed* sequence number
 * (DescribeProducers) and drops every output at or below it: the partition already holds them,
 * because a leader appends a producer's batches only in sequence order. An `out-of-order-sequence`
 * refusal (a batch of a dead incarnation landed after that answer) makes the lane ask again.
 *
 * Consuming: per input, the forwarders' log source (`LogSource`, a Kafka consumer's fetching) from
 * the leader, up to the high watermark, a bounded amount ahead; at most `MAX_BUFFERED` events are handed to the operator
 * and not yet processed. Positions are offsets; a restore seeks back to the image's and the log
 * replays from there.
 *
 * Sizes (Kafka's producer `max.request.size`, the stream's `maxRequestBytes`, 1 MiB unless the
 * scenario raises it; none on a node-local stream, which is not a Kafka topic, compared as Kafka
 * does with the serialized size: payload plus the batch header and each record's overhead, the log
 * feature's `batchSizeInBytes`, so an output of exactly the limit is refused): an output larger
 * than it fails as it is emitted — a `client` error record `record-too-large` (Kafka's
 * RecordTooLargeException, counted by the log metric), never sent and never numbered, so a replay
 * refuses it the same way — and neither a batch nor a request grows past it. The scenario refuses
 * at load a stream whose events are larger (their sizes are fixed by the scenario), so this is what
 * a run sees only when it is built without that check.
 *
 * Pipeline output (a stream nobody in the pipeline reads) is recorded (`client` `output`) when its
 * lane's batch is acknowledged. How it breaks: an output that a crashed incarnation stored but never
 * saw acknowledged is dropped by the next one as already stored, and so never recorded — the
 * output metrics under-count it (never double-count). With acks=1 and unclean leader election the
 * log itself loses acknowledged outputs and inputs; the state checker then sees the difference.
 * An operator whose outputs depend on arrival order (an `account`, which also generates) would
 * regenerate different outputs under the same sequence numbers: its exactly-once does not hold here.
 */
import type { Context, Disconnect, Message, Wakeup } from '../../../../kernel/contract/index.ts';
import { MS, SECOND } from '../../../../kernel/contract/index.ts';
import type { Marker, OutboxItem } from '../../../checkpoint/actors/index.ts';
import { IDEMPOTENCE_WINDOW, IdempotentSink, LogSource, Marks, splitPlan, type LaneState, type Plan } from '../../../forward/actors/index.ts';
import { batchSizeInBytes, type ClientInbound, type DescribeProducersReply, type LogError } from '../../../log/actors/index.ts';
import type { StreamEvent } from '../event.ts';
import { recordOutput, type InstanceRoutes, type OperatorTransport, type Resume, type TransportSink } from './transport.ts';

/** Events handed to the operator and not yet processed, per input partition. */
export const MAX_BUFFERED = 64;
/** Events per produced batch, at most. */
const MAX_BATCH = 64;
/** Serialized bytes per produced batch, at most (at least one event), within `max.request.size` if less. */
const MAX_BATCH_BYTES = 16 << 20;
/**
 * The operator's Kafka clients (Kafka Streams' producer and consumer): request.timeout.ms 30 s and
 * retry.backoff.ms 100 ms — Streams keeps the clients' defaults for both (it sets only
 * auto.offset.reset, linger.ms, max.poll.records) — a lane's backoff growing to 5 s.
 */
const CLIENT = { requestTimeoutUs: 30 * SECOND, retryBackoffUs: 100 * MS, maxBackoffUs: 5 * SECOND, readAheadBytes: 64 << 20 };

/** What the log transport may change about how it produces. */
export interface LogTransportOptions {
  /** Default all (-1); 1 is the configuration that loses acknowledged outputs on unclean failover. */
  readonly acks?: 1 | -1;
}

interface Output {
  readonly seq: number;
  readonly event: StreamEvent;
}

interface Lane extends LaneState {
  /** Sequence number of the next output emitted. */
  nextSeq: number;
  /** Emitted, not yet planned. */
  queued: Output[];
  /** Plans acknowledged but behind an unacknowledged one (they stay in the outbox). */
  readonly acked: Marks;
  /** The leader said which sequence numbers it already holds; until then nothing is sent. */
  described: boolean;
  describeReq: number | undefined;
}

interface Input {
  readonly key: string;
  readonly partition: number;
  readonly source: LogSource;
  started: boolean;
  buffered: number;
}

export class LogTransport implements OperatorTransport {
  readonly markerInputs: readonly string[] = [];
  private readonly lanes: Lane[] = [];
  private readonly sink: IdempotentSink | undefined;
  private readonly inputs: Input[] = [];
  /** Serialized bytes (`batchSizeInBytes`) of one produced batch at most: `MAX_BATCH_BYTES`, or the stream's `max.request.size` if less. */
  private readonly batchBytes: number;
  /** Bumped by every `open`, so a delivery loop interrupted by a restore stops. */
  private incarnation = 0;
  private req: number;

  constructor(
    ctx: Context,
    private readonly routes: InstanceRoutes,
    private readonly target: TransportSink,
    options: LogTransportOptions = {},
  ) {
    this.req = ctx.rng('log-transport-req').int(1, 2 ** 40);
    const output = routes.output.log;
    this.batchBytes = Math.min(MAX_BATCH_BYTES, output?.maxRequestBytes ?? Infinity);
    if (output !== undefined) {
      const events = {
        forwarded: (c: Context, lane: number, plan: Plan) => this.forwarded(c, lane, plan),
        pidAssigned: (_c: Context, lane: number, pid: number) => void (this.lanes[lane]!.pid = pid),
        refused: (c: Context, lane: number, _plan: Plan, error: LogError) => this.refused(c, lane, error),
        tooLarge: (c: Context, lane: number, plan: Plan) => this.tooLarge(c, lane, plan),
      };
      const transactionalIdOf = (lane: number) => `${routes.instance}>${routes.output.stream}/${lane}`;
      this.sink = new IdempotentSink(ctx, { sink: output, ...CLIENT }, output.partitions, events, { acks: options.acks ?? -1, transactionalIdOf });
      for (let p = 0; p < output.partitions; p++) {
        this.lanes.push({ pid: null, nextDestSeq: 0, nextSrc: 0, plans: [], nextSeq: 0, queued: [], acked: new Marks(), described: false, describeReq: undefined });
      }
      this.sink.start(ctx);
    }
    for (const input of routes.inputs) {
      const source = new LogSource(ctx, input.log, CLIENT);
      this.inputs.push({ key: `${input.stream}/${routes.index}`, partition: routes.index, source, started: false, buffered: 0 });
    }
  }

  open(ctx: Context, resume: Resume): void {
    this.incarnation++;
    this.lanes.forEach((lane, p) => {
      lane.nextSeq = resume.outputs[this.laneKey(p)] ?? 0;
      lane.queued = [];
      lane.plans = [];
      lane.acked.clear();
      lane.described = false;
    });
    this.emit(ctx, resume.outbox.filter((item) => item.stream === this.routes.output.stream).map((item) => item.event as StreamEvent));
    this.lanes.forEach((lane, p) => (lane.pid === null ? this.sink!.requestPid(ctx, p) : this.describe(ctx, p)));
    for (const input of this.inputs) {
      const position = resume.inputs[input.key] ?? 0;
      input.buffered = 0;
      if (input.started) input.source.seek(ctx, input.partition, position);
      else input.source.startAt(ctx, new Map([[input.partition, position]]));
      input.started = true;
    }
  }

  emit(ctx: Context, events: readonly StreamEvent[]): void {
    if (this.sink === undefined) return;
    const { topic, maxRequestBytes } = this.routes.output.log!;
    for (const event of events) {
      const p = event.key % this.lanes.length;
      if (maxRequestBytes !== undefined && batchSizeInBytes(event.bytes, 1) > maxRequestBytes) {
        ctx.record('client', { op: 'error', events: [event.id], topic, partition: this.sink.partitionOf(p), error: 'record-too-large', bytes: event.bytes, max: maxRequestBytes });
        continue;
      }
      const lane = this.lanes[p]!;
      lane.queued.push({ seq: lane.nextSeq++, event });
    }
    this.pump(ctx);
  }

  marker(_ctx: Context, _marker: Marker): void {
    // Strategies over persistent streams checkpoint independently; there is nothing to mark.
  }

  consumed(ctx: Context, channel: string): void {
    const input = this.inputs.find((i) => i.key === channel);
    if (input === undefined) return;
    input.buffered = Math.max(0, input.buffered - 1);
    this.deliver(ctx, input);
  }

  /** Per lane, the first sequence number not known to be stored: where a restore resumes numbering. */
  outputs(): Record<string, number> {
    const outputs: Record<string, number> = {};
    this.lanes.forEach((lane, p) => (outputs[this.laneKey(p)] = this.unacknowledged(lane)[0]?.seq ?? lane.nextSeq));
    return outputs;
  }

  outbox(): OutboxItem[] {
    const stream = this.routes.output.stream;
    return this.lanes.flatMap((lane) => this.unacknowledged(lane).map(({ event }) => ({ stream, event })));
  }

  onMessage(ctx: Context, message: Message, from: string): boolean {
    const inbound = message as unknown as ClientInbound;
    switch (inbound.type) {
      case 'metadata-reply':
        for (const input of this.inputs) input.source.onMessage(ctx, inbound, from);
        this.sink?.onMessage(ctx, inbound, from);
        return true;
      case 'fetch-reply':
        for (const input of this.inputs) if (input.source.onMessage(ctx, inbound, from) !== undefined) this.deliver(ctx, input);
        return true;
      case 'describe-producers-reply':
        this.described(ctx, inbound);
        return true;
      case 'produce-reply':
      case 'init-producer-id-reply': {
        const lane = this.sink?.onMessage(ctx, inbound, from);
        if (lane !== undefined) this.afterSink(ctx, lane, inbound.type);
        return true;
      }
      default:
        return false;
    }
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === 'log:describe') {
      const { lane, req } = wakeup.data as { lane: number; req: number };
      if (this.lanes[lane]?.describeReq === req) this.describe(ctx, lane);
      return true;
    }
    let ours = false;
    for (const input of this.inputs) {
      if (input.source.onTimer(ctx, wakeup.name, wakeup.data)) ours = true;
    }
    if (wakeup.name === 'forward:fetch') return true;
    if (this.sink === undefined) return ours || wakeup.name === 'metadata-timeout';
    const lane = this.sink.onTimer(ctx, wakeup.name, wakeup.data);
    if (typeof lane === 'number' && lane >= 0) this.pump(ctx);
    return ours || lane !== -1 || wakeup.name === 'metadata-timeout';
  }

  /** A broker's process died: what the sink and the sources have in flight to it fails now (sink.ts, log-source.ts). */
  disconnected(ctx: Context, disconnect: Disconnect): void {
    this.sink?.disconnected(ctx, disconnect);
    for (const input of this.inputs) input.source.disconnected(ctx, disconnect.peer);
  }

  // --- producing ----------------------------------------------------------------------------

  private laneKey(p: number): string {
    return `${this.routes.output.stream}/${p}`;
  }

  /** Outputs not known to be stored, in sequence order: every plan from the first unacknowledged, then the queue. */
  private unacknowledged(lane: Lane): Output[] {
    const planned = lane.plans.flatMap((plan) => (plan.payloads as StreamEvent[]).map((event, i) => ({ seq: plan.destSeq + i, event })));
    return [...planned, ...lane.queued];
  }

  private afterSink(ctx: Context, lane: number, type: string): void {
    // A fresh producer id: learn what the partition already holds under it before sending.
    if (type === 'init-producer-id-reply') this.describe(ctx, lane);
    else this.pump(ctx);
  }

  private describe(ctx: Context, p: number): void {
    const lane = this.lanes[p]!;
    lane.described = false;
    const leader = this.sink!.leaderOf(ctx, p);
    const req = ++this.req;
    lane.describeReq = req;
    if (leader !== null) {
      const { topic } = this.routes.output.log!;
      ctx.send(leader, { type: 'describe-producers', req, topic, partition: this.sink!.partitionOf(p), pid: lane.pid });
    }
    ctx.setTimer(leader === null ? CLIENT.retryBackoffUs : CLIENT.requestTimeoutUs, 'log:describe', { lane: p, req });
  }

  private described(ctx: Context, reply: DescribeProducersReply): void {
    const p = this.lanes.findIndex((lane) => lane.describeReq === reply.req);
    if (p < 0) return;
    const lane = this.lanes[p]!;
    // Not the leader, or the producer's last batches are not committed yet: ask again shortly (the timer).
    if (reply.error !== undefined || reply.uncommitted) return;
    lane.describeReq = undefined;
    lane.described = true;
    // Everything at or below the last committed sequence is stored; the rest is planned afresh.
    lane.queued = this.unacknowledged(lane).filter((output) => output.seq > reply.lastSequence);
    lane.plans = [];
    lane.acked.clear();
    this.pump(ctx);
  }

  private refused(ctx: Context, p: number, error: LogError): void {
    if (error === 'out-of-order-sequence') this.describe(ctx, p);
  }

  /**
   * The leader refused a plan as larger than the topic's `max.message.bytes`: split it (Kafka's
   * producer splits such a batch), or, one output alone too large, fail that output — a `client`
   * error record (`message-too-large`, counted by the log metric) — and number the outputs after it
   * one lower, into the sequence number it leaves free. A regenerated replay is refused at the same
   * output and numbered the same way. The stream then lacks that output, which the state checker sees.
   */
  private tooLarge(ctx: Context, p: number, plan: Plan): void {
    const lane = this.lanes[p]!;
    const index = lane.plans.indexOf(plan);
    if (index < 0) return;
    const halves = splitPlan(plan);
    if (halves !== undefined) {
      lane.plans.splice(index, 1, ...halves);
      return;
    }
    lane.plans.splice(index, 1);
    const { topic } = this.routes.output.log!;
    ctx.record('client', { op: 'error', events: plan.events, topic, partition: this.sink!.partitionOf(p), error: 'message-too-large', bytes: plan.bytes });
    for (let i = index; i < lane.plans.length; i++) lane.plans[i] = { ...lane.plans[i]!, destSeq: lane.plans[i]!.destSeq - 1 };
    lane.queued = lane.queued.map((output) => ({ seq: output.seq - 1, event: output.event }));
    lane.nextSeq--;
  }

  /** Plans what each described lane has queued, then sends every lane's plans together (one request per leader). */
  private pump(ctx: Context): void {
    for (const lane of this.lanes) {
      if (lane.pid === null || !lane.described) continue;
      while (lane.plans.length < IDEMPOTENCE_WINDOW && lane.queued.length > 0) lane.plans.push(planOf(lane.queued, this.batchBytes));
    }
    this.sink!.send(ctx, this.lanes, this.durable);
  }

  /** A lane's plan may be sent once the lane is described and while the plan is not acknowledged (one function for every pump). */
  private readonly durable = (p: number, plan: Plan): boolean => this.lanes[p]!.described && !this.lanes[p]!.acked.has(plan.destSeq);

  private forwarded(ctx: Context, p: number, plan: Plan): void {
    const lane = this.lanes[p]!;
    if (!lane.plans.includes(plan)) return; // planned before a restore or a describe: sent again under the same numbers
    lane.acked.add(plan.destSeq);
    if (this.routes.output.consumers.length === 0) recordOutput(ctx, plan.payloads as StreamEvent[]);
    while (lane.plans.length > 0 && lane.acked.has(lane.plans[0]!.destSeq)) lane.acked.delete(lane.plans.shift()!.destSeq);
  }

  // --- consuming ----------------------------------------------------------------------------

  private deliver(ctx: Context, input: Input): void {
    const incarnation = this.incarnation;
    while (input.buffered < MAX_BUFFERED && input.source.hasPending(input.partition)) {
      const [fetched] = input.source.take(ctx, input.partition, 0);
      if (fetched.payload === undefined) throw new Error(`${this.routes.instance}: ${input.key}@${fetched.offset} (${fetched.id}) has no payload; only pipeline operators may write a pipeline's stream`);
      input.buffered++;
      this.target.deliver(ctx, input.key, fetched.offset, fetched.payload as StreamEvent);
      // Delivering may have restored the operator; `open` has then moved the input back.
      if (this.incarnation !== incarnation) return;
    }
    input.source.send(ctx);
  }
}

/**
 * Takes the next plan off the front of a lane's queue: consecutive sequence numbers, at most
 * `MAX_BATCH` events and `maxBytes` serialized (with the batch and record overhead, as Kafka sizes
 * a batch against `max.request.size`; at least one event).
 */
function planOf(queued: Output[], maxBytes: number): Plan {
  let bytes = 0;
  let count = 0;
  while (count < queued.length && count < MAX_BATCH && (count === 0 || batchSizeInBytes(bytes + queued[count]!.event.bytes, count + 1) <= maxBytes)) bytes += queued[count++]!.event.bytes;
  const outputs = queued.splice(0, count);
  const first = outputs[0]!.seq;
  return { destSeq: first, events: outputs.map((o) => o.event.id), bytes, srcFirst: first, srcEnd: first + count, payloads: outputs.map((o) => o.event) };
}

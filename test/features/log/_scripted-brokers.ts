/**
 * Scripted brokers for client tests: they answer metadata (partitions 0 and 2 led by b1, 1 and 3 by
 * b2, each holding `EVENTS` records), produce requests (appended at once, or refused with
 * `produceError`, answered after `produceDelayUs`), fetches (holding one with nothing to return for its wait, as
 * a leader does) and OffsetsForLeaderEpoch, and record every request they get.
 */
import type { FetchPartitionReply, FetchRequest, LogConsumerConfig, LogError, LogProducerConfig, PartitionMeta, ProduceRequest } from '../../../src/features/log/actors/index.ts';
import type { Actor, Context, Message, Wakeup } from '../../../src/kernel/contract/index.ts';
import type { TraceRecord } from '../../../src/kernel/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';

/** Partitions 0 and 2 are led by b1, 1 and 3 by b2; each holds `EVENTS` records. */
export const LEADS: Record<string, number[]> = { b1: [0, 2], b2: [1, 3] };
export const EVENTS = 5;

/** Answers a metadata request as a broker `b1` that leads all four partitions of topic `t` alone. */
export function answerSoleLeaderMetadata(ctx: Context, message: Message & Record<string, unknown>, from: string): void {
  const partitions: PartitionMeta[] = [0, 1, 2, 3].map((partition) => ({ topic: 't', partition, replicas: ['b1'], leader: 'b1', leaderEpoch: 1, partitionEpoch: 1, isr: ['b1'] }));
  ctx.send(from, { type: 'metadata-reply', req: message.req, partitions });
}

/**
 * A broker of topic `t` whose metadata places each partition's leadership as `leads` says (broker →
 * its partitions, one replica each), answered `metadataDelayUs` after it is asked (at once by
 * default); it answers each produce request 20 ms after it came, and keeps them.
 */
export class PlacedLeader implements Actor<Message> {
  readonly produces: ProduceRequest[] = [];
  constructor(
    private readonly leads: Readonly<Record<string, readonly number[]>>,
    private readonly metadataDelayUs = 0,
  ) {}
  start(): void {}
  onMessage(ctx: Context, message: Message & Record<string, unknown>, from: string): void {
    if (message.type === 'metadata') {
      const partitions: PartitionMeta[] = Object.entries(this.leads).flatMap(([leader, ps]) => ps.map((partition) => ({ topic: 't', partition, replicas: [leader], leader, leaderEpoch: 1, partitionEpoch: 1, isr: [leader] })));
      const reply = { type: 'metadata-reply', req: message.req, partitions };
      if (this.metadataDelayUs === 0) return ctx.send(from, reply);
      return void ctx.setTimer(this.metadataDelayUs, 'answer', { from, reply });
    }
    if (message.type !== 'produce') return;
    const request = message as unknown as ProduceRequest;
    this.produces.push(request);
    ctx.setTimer(20 * MS, 'answer', { from, reply: { type: 'produce-reply', req: request.req, partitions: request.partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: 0 })) } });
  }
  onTimer(ctx: Context, wakeup: Wakeup): void {
    const { from, reply } = wakeup.data as { from: string; reply: Message };
    ctx.send(from, reply);
  }
}

/** A broker `b1` leading all four partitions of `t` alone, as `answerSoleLeaderMetadata` answers (a PlacedLeader). */
export class SoleLeader extends PlacedLeader {
  constructor() {
    super({ b1: [0, 1, 2, 3] });
  }
}

export interface Scripted {
  /** The leader epoch of every partition (bumped to make a leader change). */
  epoch: number;
  /** Partitions that answer not-leader. */
  notLeader: Set<number>;
  /** Partitions metadata names no leader for (offline). */
  leaderless?: Set<number>;
  /** How long a broker takes to answer a produce request (0: at once). */
  produceDelayUs?: number;
  /** An error every produce request is refused with, for every partition (appended otherwise). */
  produceError?: LogError;
  /** What each broker received, in order. */
  received: { t: number; to: string; message: Message & Record<string, unknown> }[];
}

export class ScriptedBroker implements Actor<Message> {
  constructor(
    private readonly name: string,
    private readonly script: Scripted,
  ) {}

  start(): void {}

  onMessage(ctx: Context, message: Message & Record<string, unknown>, from: string): void {
    this.script.received.push({ t: ctx.now(), to: this.name, message });
    switch (message.type) {
      case 'metadata': {
        const partitions: PartitionMeta[] = Object.entries(LEADS).flatMap(([leader, ps]) => ps.map((partition) => ({ topic: 't', partition, replicas: [leader], leader: this.script.leaderless?.has(partition) ? null : leader, leaderEpoch: this.script.epoch, partitionEpoch: this.script.epoch, isr: [leader] })));
        return ctx.send(from, { type: 'metadata-reply', req: message.req, partitions });
      }
      case 'fetch': {
        const request = message as unknown as FetchRequest;
        const reply = () => ({ type: 'fetch-reply', req: request.req, partitions: request.partitions.map((part) => this.part(part.partition, part.offset, part.leaderEpoch)) });
        const now = reply();
        // Nothing to return: hold the request for its wait, as a leader does.
        if (now.partitions.every((p) => p.error === undefined && p.batches.length === 0)) return void ctx.setTimer(request.maxWaitUs, 'answer', { from, reply: now });
        return ctx.send(from, now);
      }
      case 'produce': {
        // Appended at once (the offsets are not followed), or refused: the client's connection works.
        const parts = message.partitions as { topic: string; partition: number }[];
        const outcome = this.script.produceError === undefined ? { offset: 0 } : { offset: -1, error: this.script.produceError };
        const reply = { type: 'produce-reply', req: message.req, partitions: parts.map((p) => ({ topic: p.topic, partition: p.partition, ...outcome })) };
        if (this.script.produceDelayUs) return void ctx.setTimer(this.script.produceDelayUs, 'answer', { from, reply });
        return ctx.send(from, reply);
      }
      case 'epoch-end': {
        const parts = message.partitions as { topic: string; partition: number; epoch: number }[];
        return ctx.send(from, { type: 'epoch-end-reply', req: message.req, partitions: parts.map((p) => ({ topic: p.topic, partition: p.partition, epoch: p.epoch, endOffset: EVENTS })) });
      }
    }
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    const { from, reply } = wakeup.data as { from: string; reply: Message };
    ctx.send(from, reply);
  }

  private part(partition: number, offset: number, leaderEpoch: number | undefined): FetchPartitionReply {
    const positions = { topic: 't', partition, batches: [], highWatermark: EVENTS, logStart: 0, logEnd: EVENTS, leaderEpoch: this.script.epoch };
    if (this.script.notLeader.has(partition)) return { ...positions, error: 'not-leader' };
    if (leaderEpoch !== undefined && leaderEpoch < this.script.epoch) return { ...positions, error: 'fenced-leader-epoch' };
    if (offset >= EVENTS) return positions;
    const events = Array.from({ length: EVENTS - offset }, (_, i) => `t${partition}-${offset + i}`);
    return { ...positions, batches: [{ base: offset, epoch: 1, events, bytes: events.length * 100, ts: 0 }] };
  }
}

export const fetches = (script: Scripted, to: string) => script.received.filter((r) => r.to === to && r.message.type === 'fetch').map((r) => r.message as unknown as FetchRequest & { t?: number });
export const partitionsOf = (request: FetchRequest) => request.partitions.map((p) => p.partition);

/** Answers the group protocol: one member, partitions 0–3, nothing committed. */
export class ScriptedCoordinator implements Actor<Message> {
  start(): void {}
  onMessage(ctx: Context, message: Message & Record<string, unknown>, from: string): void {
    if (message.type === 'join-group') ctx.send(from, { type: 'group-assignment', group: 'g', generation: 1, partitions: [0, 1, 2, 3] });
    if (message.type === 'offset-fetch') ctx.send(from, { type: 'offset-fetch-reply', req: message.req, offsets: [null, null, null, null], leaderEpochs: [null, null, null, null] });
    if (message.type === 'group-heartbeat') ctx.send(from, { type: 'group-heartbeat-reply', group: 'g' });
  }
}

/**
 * Where a pause of KIP-144/580's exponential backoff falls (exponential-backoff.ts): the n-th one
 * (n from 0) is `baseUs × 2^n`, that term stopping at `maxUs`, spread ±20 %, never above `maxUs`.
 */
export function backoffRange(baseUs: number, maxUs: number, n: number): { lo: number; hi: number } {
  const term = Math.min(maxUs, baseUs * 2 ** n);
  return { lo: 0.8 * term, hi: Math.min(maxUs, 1.2 * term) };
}

/** The n-th connection set-up timeout (KIP-601: 10 s doubling to 30 s, ±20 %). */
export const setupTimeoutRange = (n: number) => backoffRange(10 * SECOND, 30 * SECOND, n);

/** A world with scripted brokers b1–b3 on nodes n1–n3, the scripted group coordinator `ctl` on nc, and node nx for the client. */
export function scriptedWorld(seed: number): { world: World; script: Scripted } {
  const script: Scripted = { epoch: 1, notLeader: new Set(), received: [] };
  const world = new World({ seed });
  world.addSite('dc', { nodes: ['n1', 'n2', 'n3', 'nc', 'nx'] });
  for (const [i, b] of ['b1', 'b2', 'b3'].entries()) world.spawn(b, `n${i + 1}`, () => new ScriptedBroker(b, script));
  world.spawn('ctl', 'nc', () => new ScriptedCoordinator());
  return { world, script };
}

/** A consumer of topic t in group g on the scripted brokers, with Kafka's defaults unless `overrides` say otherwise. */
export function scriptedConsumer(overrides: Partial<LogConsumerConfig> = {}): LogConsumerConfig {
  return {
    group: 'g', topic: 't', brokers: ['b1', 'b2', 'b3'], controller: 'ctl',
    maxPollRecords: 500, fetchMaxWaitUs: 500 * MS, fetchMinBytes: 1, fetchMaxBytes: 50 << 20, maxPartitionFetchBytes: 1 << 20,
    autoOffsetReset: 'earliest', heartbeatIntervalUs: 3 * SECOND, sessionTimeoutUs: 45 * SECOND, processingUs: 0,
    commitIntervalUs: 5 * SECOND, requestTimeoutUs: 30 * SECOND, retryBackoffUs: 100 * MS,
    ...overrides,
  };
}

/** A producer of topic t on the scripted brokers (acks=all, request.timeout.ms 30 s, retry.backoff.ms 100 ms) unless `overrides` say otherwise. */
export function scriptedProducer(overrides: Partial<LogProducerConfig> = {}): LogProducerConfig {
  return {
    topic: 't', brokers: ['b1', 'b2', 'b3'], controller: 'ctl', ratePerSec: 10, eventBytes: 1000, acks: -1, lingerUs: 0, batchBytes: 16_384,
    requestTimeoutUs: 30 * SECOND, retries: 1000, retryBackoffUs: 100 * MS, deliveryTimeoutUs: 300 * SECOND, maxInFlight: 5, idempotence: false,
    partitioner: 'round-robin', keys: 0, stopAtUs: 200 * SECOND,
    ...overrides,
  };
}

/**
 * Listens to `client`'s produce requests to b1 and b2: per broker, each send (time, and how many were
 * then out to it) and when the client first heard from it (metadata or produce reply: the connection is up).
 */
export function producesPerBroker(world: World, client: string) {
  const brokers = new Map(['b1', 'b2'].map((b) => [b, { sends: [] as { t: number; inFlight: number }[], inFlight: 0, heardAt: Infinity }]));
  world.trace.listen((r: TraceRecord) => {
    if (r.k === 'send' && r.a === client && r.msg === 'produce') {
      const b = brokers.get(r.to as string)!;
      b.sends.push({ t: r.t, inFlight: ++b.inFlight });
    }
    if (r.k === 'recv' && r.a === client && brokers.has(r.from as string)) {
      const b = brokers.get(r.from as string)!;
      if (r.msg === 'produce-reply') b.inFlight--;
      b.heardAt = Math.min(b.heardAt, r.t);
    }
  });
  return brokers;
}

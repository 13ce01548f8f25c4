/**
 * The Kafka gateway: real Kafka clients' requests, arriving at an emulated broker's listener, made
 * into the log's own protocol messages (features/log/actors/messages.ts) to the same actors the
 * simulation runs — Metadata, Produce and Fetch to the broker behind the listener, ListOffsets as
 * an empty fetch to it, InitProducerId to the controller — and their replies made into Kafka
 * responses. Group membership and committed offsets are kept here (groups.ts).
 *
 * Each listener has a gateway actor, `<service>-kafka-<i>` for broker i, placed on the node where
 * the clients are: its messages cross the network model like any actor's, so a partition between
 * the clients' node and a broker, or a link's latency, acts on real clients too. Every request is a
 * `client` record at that actor (`op: request`, the API, the client id), every answer another
 * (`op: response`); a produce is also `op: produce` with the event ids it carries, and `op: ack`
 * once the client has been sent success for them — what `no-acked-loss` compares with the final
 * read. Event ids: `kafka-p<pid>-<topic>-<partition>-<seq>` per record of an idempotent producer
 * (so a retry names the same events), `kafka-<i>-<n>` otherwise.
 *
 * Records are stored in the log with their value, headers and timestamp (base64, so the brokers'
 * files stay JSON) and key, and fetched back as record batches v2; a batch written by a simulated
 * producer reads back with its event id as the value.
 *
 * How it fails: a request the actors never answer (a partition, a crash) is answered
 * REQUEST_TIMED_OUT after the client's own timeout, so no client waits forever; compression other
 * than none and gzip gets UNSUPPORTED_COMPRESSION_TYPE; transactions are not supported.
 */
import { formatMicros, type Message, type Micros } from '../../../kernel/index.ts';
import { fetchOne, produceOne, type Batch, type FetchPartitionReply, type FetchReply, type FetchRequest, type LogError, type MetadataReply, type NotControllerReply, type PartitionMeta, type ProduceReply } from '../../../features/log/index.ts';
import type { Delivery, SendDropped } from '../protocol.ts';
import type { LocalActors } from '../emulation.ts';
import * as api from './apis.ts';
import { ERROR, type BrokerAddress, type RequestHeader } from './apis.ts';
import { GroupCoordinator } from './groups.ts';
import { decodeBatches, encodeBatch, UnsupportedCompression, type KafkaRecord } from './record-batch.ts';
import type { Connection, Response } from './server.ts';
import { WireError, type Reader } from './wire.ts';

/** What the gateway needs of the emulation. */
export interface GatewayHost {
  sendFrom(from: string, to: string, message: Message, bytes: number): number;
  recordAt(actor: string, kind: 'client' | 'recv' | 'drop', fields: Record<string, unknown>): void;
  isUp(node: string): boolean;
  now(): Micros;
}

export interface KafkaService {
  readonly brokers: readonly string[];
  readonly controller: string;
  /** The controller quorum's members (`controller` first; one for a single controller). */
  readonly controllers: readonly string[];
  /** Broker actor id → its node. */
  readonly nodeOf: ReadonlyMap<string, string>;
  readonly topics: readonly { readonly name: string; readonly partitions: number }[];
}

export interface GatewayOptions {
  service: KafkaService;
  /** The gateway actor of each broker, in broker order. */
  gateways: readonly string[];
  host: string;
  basePort: number;
  /**
   * The end of the scenario's safety phase, emulated µs: later produces are refused
   * (POLICY_VIOLATION, not retriable), so every write a client is told of precedes the final read.
   */
  produceUntilUs: Micros;
  /** Emulated µs per real ms (1000 × the emulation's speed). */
  usPerMs: number;
  say: (line: string) => void;
}

/** A record's value, headers and timestamp as kept in a `Batch`'s payloads (null: a null value). */
interface StoredRecord {
  readonly v: string;
  readonly ts: number;
  readonly h?: [string, string | null][];
}

/** Real milliseconds a request to an actor may stay unanswered beyond the client's own timeout. */
const REPLY_MARGIN_MS = 500;
/** How long to wait for a reply when the client's request names no timeout. */
const CONTROL_TIMEOUT_MS = 5000;
const ERRORS: Record<LogError, number> = {
  'not-leader': ERROR.NOT_LEADER_OR_FOLLOWER,
  'not-enough-replicas': ERROR.NOT_ENOUGH_REPLICAS,
  'not-enough-replicas-after-append': ERROR.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  'out-of-order-sequence': ERROR.OUT_OF_ORDER_SEQUENCE_NUMBER,
  'offset-out-of-range': ERROR.OFFSET_OUT_OF_RANGE,
  'fenced-leader-epoch': ERROR.FENCED_LEADER_EPOCH,
  'unknown-leader-epoch': ERROR.UNKNOWN_LEADER_EPOCH,
  'unknown-partition': ERROR.UNKNOWN_TOPIC_OR_PARTITION,
  'request-timed-out': ERROR.REQUEST_TIMED_OUT,
  'illegal-generation': ERROR.ILLEGAL_GENERATION,
  'unknown-member': ERROR.UNKNOWN_MEMBER_ID,
  'stale-partition-epoch': ERROR.NOT_LEADER_OR_FOLLOWER,
  'kafka-storage-error': ERROR.KAFKA_STORAGE_ERROR,
  'message-too-large': ERROR.MESSAGE_TOO_LARGE,
};

export class KafkaGateway implements LocalActors {
  readonly groups: GroupCoordinator;
  private readonly waiting = new Map<number, { resolve: (reply: Message | undefined) => void; timer: NodeJS.Timeout }>();
  private readonly owned: ReadonlySet<string>;
  private req = 0;
  /** The controller InitProducerId goes to: the active one as last learned. */
  private controller: string;
  private eventCount = 0;
  /** The leader clients were last told of, per `topic-partition`, to say when it changes. */
  private readonly toldLeader = new Map<string, string>();
  /** When each kind of notice was last printed (emulated µs), so that a fault does not flood the output. */
  private readonly noticed = new Map<string, Micros>();

  constructor(
    private readonly host: GatewayHost,
    private readonly options: GatewayOptions,
  ) {
    this.owned = new Set(options.gateways);
    this.controller = options.service.controller;
    this.groups = new GroupCoordinator({
      rebalanced: (group, generation, members, reason) => {
        this.host.recordAt(options.gateways[0]!, 'client', { op: 'rebalance', group, generation, members, reason });
        options.say(`group ${group}: generation ${generation}, members [${members.join(', ')}] (${reason})`);
      },
      committed: (group, topic, partition, offset) => this.host.recordAt(options.gateways[0]!, 'client', { op: 'commit', group, topic, partition, offset }),
    });
  }

  /** The address clients are given for broker `i` (0-based). */
  address(i: number): BrokerAddress {
    return { nodeId: i + 1, host: this.options.host, port: this.options.basePort + i };
  }

  // --- LocalActors ---

  owns(actor: string): boolean {
    return this.owned.has(actor);
  }

  deliver(delivery: Delivery): void {
    const { to, from, message, sendN } = delivery;
    if (delivery.blocked !== undefined) {
      this.host.recordAt(to, 'drop', { from, msg: message.type, s: sendN, cause: delivery.blocked });
      return;
    }
    this.host.recordAt(to, 'recv', { from, msg: message.type, s: sendN });
    const req = (message as { req?: unknown }).req;
    const waiting = typeof req === 'number' ? this.waiting.get(req) : undefined;
    if (waiting === undefined) return;
    this.waiting.delete(req as number);
    clearTimeout(waiting.timer);
    waiting.resolve(message);
  }

  dropped(drop: SendDropped): void {
    this.host.recordAt(drop.from, 'drop', { to: drop.to, msg: drop.msg, s: drop.sendN, cause: drop.cause });
  }

  /** Answers every request still waiting (at the end of the run). */
  close(): void {
    for (const [req, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      this.waiting.delete(req);
      waiting.resolve(undefined);
    }
  }

  // --- requests ---

  /** The request handler of broker `i`'s listener. */
  handler(i: number): (connection: Connection, header: RequestHeader, body: Reader) => Promise<Response | null> {
    const gateway = this.options.gateways[i]!;
    return async (connection, header, body) => {
      const client = header.clientId ?? '';
      const name = apiName(header.apiKey);
      this.host.recordAt(gateway, 'client', { op: 'request', api: name, v: header.apiVersion, client, conn: connection.id, corr: header.correlationId });
      const response = await this.answer(i, gateway, client, header, body);
      if (response === null) return null;
      return {
        body: response.body,
        sent: () => {
          this.host.recordAt(gateway, 'client', { op: 'response', api: name, client, conn: connection.id, corr: header.correlationId });
          response.sent?.();
        },
      };
    };
  }

  private async answer(i: number, gateway: string, client: string, header: RequestHeader, body: Reader): Promise<Response | null> {
    switch (header.apiKey) {
      case api.API.ApiVersions:
        return { body: api.encodeApiVersions(header.apiVersion) };
      case api.API.Metadata:
        return { body: await this.metadata(i, gateway, api.decodeMetadata(body).topics) };
      case api.API.Produce:
        return this.produce(i, gateway, client, api.decodeProduce(body));
      case api.API.Fetch:
        return { body: await this.fetch(i, gateway, api.decodeFetch(body)) };
      case api.API.ListOffsets:
        return { body: await this.listOffsets(i, gateway, api.decodeListOffsets(body)) };
      case api.API.FindCoordinator: {
        api.decodeFindCoordinator(body);
        const live = this.liveBroker();
        return { body: api.encodeFindCoordinator(live < 0 ? ERROR.COORDINATOR_NOT_AVAILABLE : ERROR.NONE, this.address(Math.max(0, live))) };
      }
      case api.API.JoinGroup: {
        const request = api.decodeJoinGroup(body);
        return new Promise((resolve) => this.groups.join(request, client || 'client', (r) => resolve({ body: api.encodeJoinGroup(r) })));
      }
      case api.API.SyncGroup: {
        const request = api.decodeSyncGroup(body);
        return new Promise((resolve) => this.groups.sync(request, (error, assignment) => resolve({ body: api.encodeSyncGroup(error, assignment) })));
      }
      case api.API.Heartbeat: {
        const h = api.decodeHeartbeat(body);
        return { body: api.encodeErrorOnly(this.groups.heartbeat(h.groupId, h.generation, h.memberId)) };
      }
      case api.API.LeaveGroup: {
        const l = api.decodeLeaveGroup(body);
        return { body: api.encodeErrorOnly(this.groups.leave(l.groupId, l.memberId)) };
      }
      case api.API.OffsetCommit: {
        const request = api.decodeOffsetCommit(body);
        const error = this.groups.commit(request);
        return { body: api.encodeOffsetCommit(request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, error })) }))) };
      }
      case api.API.OffsetFetch: {
        const request = api.decodeOffsetFetch(body);
        const topics = request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((partition) => ({ partition, offset: this.groups.committed(request.groupId, t.name, partition), metadata: '', error: ERROR.NONE })),
        }));
        return { body: api.encodeOffsetFetch(topics) };
      }
      case api.API.InitProducerId: {
        const request = api.decodeInitProducerId(body);
        const message = { type: 'init-producer-id', req: ++this.req, ...(request.transactionalId === null ? {} : { transactionalId: request.transactionalId }) };
        const reply = await this.callController(gateway, message);
        const pid = (reply as { pid?: number } | undefined)?.pid;
        return { body: api.encodeInitProducerId(pid === undefined ? ERROR.COORDINATOR_NOT_AVAILABLE : ERROR.NONE, pid ?? -1, 0) };
      }
      default:
        return { body: api.unsupportedBody(header.apiKey) };
    }
  }

  /**
   * Asks the active controller: a quorum member that is not answers NOT_CONTROLLER, naming the
   * active one when it knows it; ask that one, or else the next member (at most one round).
   */
  private async callController(gateway: string, message: Message & { req: number }): Promise<Message | undefined> {
    const { controllers } = this.options.service;
    let to = this.controller;
    for (let tries = 0; tries <= controllers.length; tries++) {
      const reply = await this.call(gateway, to, { ...message, req: ++this.req }, CONTROL_TIMEOUT_MS);
      const next = reply?.type === 'not-controller' ? (reply as NotControllerReply).controller : undefined;
      if (reply !== undefined && reply.type !== 'not-controller') return reply;
      to = this.controller = next ?? controllers[(controllers.indexOf(to) + 1) % controllers.length]!;
    }
    return undefined;
  }

  /** Sends a message from a gateway actor and waits for the reply with its `req`, or `timeoutMs` of real time. */
  private call(gateway: string, to: string, message: Message & { req: number }, timeoutMs: number, bytes = 64): Promise<Message | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(message.req);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(message.req, { resolve, timer });
      this.host.sendFrom(gateway, to, message, bytes);
    });
  }

  private async metadata(i: number, gateway: string, wanted: string[] | null): Promise<Buffer> {
    const { service } = this.options;
    const reply = (await this.call(gateway, service.brokers[i]!, { type: 'metadata', req: ++this.req }, CONTROL_TIMEOUT_MS)) as MetadataReply | undefined;
    const known = new Map((reply?.partitions ?? []).map((p) => [`${p.topic}-${p.partition}`, p] as const));
    const idOf = (broker: string) => service.brokers.indexOf(broker) + 1;
    const topics = (wanted ?? service.topics.map((t) => t.name)).map((name) => {
      const topic = service.topics.find((t) => t.name === name);
      if (topic === undefined) return { error: ERROR.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: [] };
      const partitions = Array.from({ length: topic.partitions }, (_, partition) => {
        const meta: PartitionMeta | undefined = known.get(`${name}-${partition}`);
        const leader = meta?.leader == null ? -1 : idOf(meta.leader);
        if (meta?.leader != null) this.tellLeader(`${name}-${partition}`, meta.leader, meta.leaderEpoch);
        return { error: leader < 0 ? ERROR.LEADER_NOT_AVAILABLE : ERROR.NONE, partition, leader, replicas: (meta?.replicas ?? []).map(idOf), isr: (meta?.isr ?? []).map(idOf) };
      });
      return { error: ERROR.NONE, name, partitions };
    });
    return api.encodeMetadata({ brokers: service.brokers.map((_, j) => this.address(j)), controllerId: this.liveBroker() + 1, topics });
  }

  private async produce(i: number, gateway: string, client: string, request: api.ProduceRequest): Promise<Response | null> {
    const acks = request.acks === 0 ? 0 : request.acks === 1 ? 1 : -1;
    const acked: (() => void)[] = [];
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const result = await this.producePartition(i, gateway, client, t.name, p.partition, p.records, acks, request.timeoutMs);
            if (result.ack !== undefined) acked.push(result.ack);
            return { partition: p.partition, error: result.error, baseOffset: result.offset };
          }),
        ),
      })),
    );
    const recordAcks = () => acked.forEach((ack) => ack());
    if (acks === 0) {
      // Kafka answers nothing to acks=0: the client counts a request as done once it is sent.
      recordAcks();
      return null;
    }
    return { body: api.encodeProduce(topics), sent: recordAcks };
  }

  private async producePartition(
    i: number,
    gateway: string,
    client: string,
    topic: string,
    partition: number,
    records: Buffer | null,
    acks: 0 | 1 | -1,
    timeoutMs: number,
  ): Promise<{ error: number; offset: number; ack?: () => void }> {
    const config = this.options.service.topics.find((t) => t.name === topic);
    if (config === undefined || partition < 0 || partition >= config.partitions) return { error: ERROR.UNKNOWN_TOPIC_OR_PARTITION, offset: -1 };
    if (this.host.now() >= this.options.produceUntilUs) {
      this.notice('over', `the safety phase ended at ${formatMicros(this.options.produceUntilUs)}: produces are refused (POLICY_VIOLATION) so that the final read sees every write a client was told of`);
      return { error: ERROR.POLICY_VIOLATION, offset: -1 };
    }
    let batches;
    try {
      batches = decodeBatches(records ?? Buffer.alloc(0));
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      this.options.say(`refused a produce from ${client || 'a client'} to ${topic}-${partition}: ${error.message}`);
      return { error: error instanceof UnsupportedCompression ? ERROR.UNSUPPORTED_COMPRESSION_TYPE : ERROR.CORRUPT_MESSAGE, offset: -1 };
    }
    let first: { error: number; offset: number } | undefined;
    const acked: (() => void)[] = [];
    // One produce message per batch, in order: the leader checks each batch's sequence numbers.
    for (const batch of batches) {
      const idempotent = batch.producerId >= 0;
      const events = batch.records.map((_, k) => (idempotent ? `kafka-p${batch.producerId}-${topic}-${partition}-${batch.baseSequence + k}` : `kafka-${i + 1}-${++this.eventCount}`));
      const bytes = batch.records.reduce((n, r) => n + (r.key?.length ?? 0) + (r.value?.length ?? 0), 0);
      const keys = batch.records.some((r) => r.key !== null) ? { keys: batch.records.map((r) => (r.key === null ? null : r.key.toString('base64'))) } : {};
      const part = { topic, partition, events, bytes, ...(idempotent ? { pid: batch.producerId, seq: batch.baseSequence } : {}), payloads: batch.records.map(storedRecord), ...keys };
      const message = produceOne(++this.req, part, acks, Math.round(timeoutMs * this.options.usPerMs));
      this.host.recordAt(gateway, 'client', { op: 'produce', events, topic, partition, acks, client });
      const ack = (offset: number, extra: Record<string, unknown> = {}) => () => this.host.recordAt(gateway, 'client', { op: 'ack', events, topic, partition, offset, acks, client, ...extra });
      if (acks === 0) {
        this.host.sendFrom(gateway, this.options.service.brokers[i]!, message, bytes + 64);
        acked.push(ack(-1));
        first ??= { error: ERROR.NONE, offset: -1 };
        continue;
      }
      const reply = ((await this.call(gateway, this.options.service.brokers[i]!, message, timeoutMs + REPLY_MARGIN_MS, bytes + 64)) as ProduceReply | undefined)?.partitions[0];
      if (reply === undefined) this.notice(`timeout ${i}`, `a produce to ${this.options.service.brokers[i]} got no answer within ${timeoutMs} ms: ${client || 'the client'} is told REQUEST_TIMED_OUT`);
      const error = reply === undefined ? 'request-timed-out' : reply.error;
      if (error !== undefined) {
        this.host.recordAt(gateway, 'client', { op: 'error', events, topic, partition, error, client });
        first ??= { error: ERRORS[error], offset: -1 };
        // Later batches would fail the sequence check or land after a gap: stop here, as a broker would.
        break;
      }
      acked.push(ack(reply!.offset!, reply!.duplicate ? { duplicate: true } : {}));
      first ??= { error: ERROR.NONE, offset: reply!.offset! };
    }
    const result = first ?? { error: ERROR.NONE, offset: -1 };
    return { ...result, ack: result.error === ERROR.NONE ? () => acked.forEach((a) => a()) : undefined };
  }

  private async fetch(i: number, gateway: string, request: api.FetchRequest): Promise<Buffer> {
    const wanted = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, ...p })));
    // The client's request as it sent it (it groups partitions per leader): one simulated fetch to
    // the listener's broker for every partition it names that exists, held there until min.bytes
    // are there, an error, or max.wait passes; each partition answered on its own.
    const known = wanted.filter((w) => this.knownPartition(w.topic, w.partition));
    const partitions = known.map((w) => ({ topic: w.topic, partition: w.partition, offset: w.offset, maxBytes: w.maxBytes }));
    const message: FetchRequest = { type: 'fetch', req: ++this.req, partitions, maxWaitUs: Math.round(request.maxWaitMs * this.options.usPerMs), maxBytes: request.maxBytes, minBytes: request.minBytes };
    const reply = known.length === 0 ? undefined : ((await this.call(gateway, this.options.service.brokers[i]!, message, request.maxWaitMs + CONTROL_TIMEOUT_MS)) as FetchReply | undefined);
    const replies = wanted.map((w) => {
      const k = known.indexOf(w);
      return k < 0 ? undefined : reply?.partitions[k];
    });
    const byTopic = new Map<string, api.FetchPartitionResult[]>();
    wanted.forEach((w, k) => {
      const reply = replies[k];
      const result: api.FetchPartitionResult =
        reply === undefined
          ? { partition: w.partition, error: this.knownPartition(w.topic, w.partition) ? ERROR.NOT_LEADER_OR_FOLLOWER : ERROR.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, records: Buffer.alloc(0) }
          : { partition: w.partition, error: reply.error === undefined ? ERROR.NONE : ERRORS[reply.error], highWatermark: reply.highWatermark, records: Buffer.concat(reply.batches.map((b) => kafkaBatch(b, reply.leaderEpoch))) };
      if (reply !== undefined && reply.batches.length > 0) {
        const events = reply.batches.reduce((n, b) => n + b.events.length, 0);
        this.host.recordAt(gateway, 'client', { op: 'fetched', topic: w.topic, partition: w.partition, offset: w.offset, count: events, hw: reply.highWatermark });
      }
      byTopic.set(w.topic, [...(byTopic.get(w.topic) ?? []), result]);
    });
    return api.encodeFetch([...byTopic].map(([name, partitions]) => ({ name, partitions })));
  }

  private async fetchPartition(i: number, gateway: string, topic: string, partition: number, offset: number, maxBytes: number, maxWaitMs: number): Promise<FetchPartitionReply | undefined> {
    if (!this.knownPartition(topic, partition)) return undefined;
    const message = fetchOne(++this.req, { topic, partition, offset, maxBytes }, Math.round(maxWaitMs * this.options.usPerMs));
    const reply = (await this.call(gateway, this.options.service.brokers[i]!, message, maxWaitMs + CONTROL_TIMEOUT_MS)) as FetchReply | undefined;
    return reply?.partitions[0];
  }

  private async listOffsets(i: number, gateway: string, request: ReturnType<typeof api.decodeListOffsets>): Promise<Buffer> {
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            // An empty fetch from offset 0: its reply carries the log start and high watermark (or not-leader).
            const reply = await this.fetchPartition(i, gateway, t.name, p.partition, 0, 0, 0);
            if (reply === undefined) return { partition: p.partition, error: this.knownPartition(t.name, p.partition) ? ERROR.REQUEST_TIMED_OUT : ERROR.UNKNOWN_TOPIC_OR_PARTITION, offset: -1 };
            if (reply.error !== undefined && reply.error !== 'offset-out-of-range') return { partition: p.partition, error: ERRORS[reply.error], offset: -1 };
            return { partition: p.partition, error: ERROR.NONE, offset: p.timestamp === -2 ? reply.logStart : reply.highWatermark };
          }),
        ),
      })),
    );
    return api.encodeListOffsets(topics);
  }

  private tellLeader(partition: string, leader: string, epoch: number): void {
    const before = this.toldLeader.get(partition);
    this.toldLeader.set(partition, leader);
    if (before !== undefined && before !== leader) this.options.say(`[${formatMicros(this.host.now())}] clients now see ${leader} leading ${partition} (epoch ${epoch}; it was ${before})`);
  }

  /** Prints a line, at most once a second of emulated time per `key`. */
  private notice(key: string, line: string): void {
    const now = this.host.now();
    if (now - (this.noticed.get(key) ?? -Infinity) < 1_000_000) return;
    this.noticed.set(key, now);
    this.options.say(`[${formatMicros(now)}] ${line}`);
  }

  /**
   * The broker clients are sent to for group coordination and, as "controller", for InitProducerId
   * (kafkajs asks the controller): the first one up, -1 when none is. Both are served the same
   * wherever they arrive, so any live broker will do.
   */
  private liveBroker(): number {
    return this.options.service.brokers.findIndex((b) => this.host.isUp(this.options.service.nodeOf.get(b)!));
  }

  private knownPartition(topic: string, partition: number): boolean {
    const config = this.options.service.topics.find((t) => t.name === topic);
    return config !== undefined && partition >= 0 && partition < config.partitions;
  }
}

function storedRecord(record: KafkaRecord): StoredRecord | null {
  if (record.value === null && record.headers.length === 0) return null;
  const headers = record.headers.length === 0 ? {} : { h: record.headers.map((h): [string, string | null] => [h.key, h.value === null ? null : h.value.toString('base64')]) };
  return { v: (record.value ?? Buffer.alloc(0)).toString('base64'), ts: record.timestamp, ...headers };
}

/** A stored batch as Kafka's record batch; a simulated producer's events read back with their id as the value. */
function kafkaBatch(batch: Batch, leaderEpoch: number): Buffer {
  const records: KafkaRecord[] = batch.events.map((event, k) => {
    const stored = batch.payloads?.[k] as StoredRecord | null | undefined;
    const key = batch.keys?.[k];
    return {
      timestamp: stored?.ts ?? Math.floor(batch.ts / 1000),
      key: key === undefined || key === null ? null : Buffer.from(key, 'base64'),
      value: stored === undefined ? Buffer.from(String(event), 'utf8') : stored === null ? null : Buffer.from(stored.v, 'base64'),
      headers: (stored?.h ?? []).map(([k2, v]) => ({ key: k2, value: v === null ? null : Buffer.from(v, 'base64') })),
    };
  });
  return encodeBatch({ baseOffset: batch.base, partitionLeaderEpoch: batch.epoch ?? leaderEpoch, producerId: batch.pid ?? -1, producerEpoch: batch.pid === undefined ? -1 : 0, baseSequence: batch.seq ?? -1, records });
}

const API_NAMES = new Map(Object.entries(api.API).map(([name, key]) => [key as number, name]));

function apiName(key: number): string {
  return API_NAMES.get(key) ?? `api-${key}`;
}


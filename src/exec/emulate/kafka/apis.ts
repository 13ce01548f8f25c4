/**
 * The Kafka requests the emulator answers, at the versions it advertises, as plain objects: a
 * decoder per request and an encoder per response.
 *
 * Versions: for each API the lowest version that both kafkajs 2.x and librdkafka 2.x (kcat) will
 * use, all below the API's first flexible version, so no compact strings or tagged fields are
 * needed. librdkafka enables a feature only when the advertised range overlaps its own per feature
 * (MsgVer2 needs Produce 3 and Fetch 4, the balanced consumer FindCoordinator 0, OffsetCommit 1–2,
 * OffsetFetch 1, JoinGroup/SyncGroup/Heartbeat/LeaveGroup 0, idempotence InitProducerId 0, time
 * based offsets ListOffsets 1); both clients then send the highest version in the range, which is
 * the one version advertised. ApiVersions itself is answered at 0–2; a client asking a newer one
 * (librdkafka starts with 3) gets Kafka's answer: UNSUPPORTED_VERSION in the v0 format, with the
 * list, and retries.
 *
 * How it fails: a request that does not parse throws a `WireError` (the server closes the
 * connection, as a broker does); an API or version outside the table is not decoded at all —
 * the server answers it with UNSUPPORTED_VERSION (apis `unsupportedBody`).
 */
import { Reader, Writer } from './wire.ts';

export const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  ApiVersions: 18,
  InitProducerId: 22,
} as const;

/** [api key, min version, max version], as ApiVersions advertises them. */
export const SUPPORTED_VERSIONS: readonly (readonly [number, number, number])[] = [
  [API.Produce, 3, 3],
  [API.Fetch, 4, 4],
  [API.ListOffsets, 1, 1],
  [API.Metadata, 1, 1],
  [API.OffsetCommit, 2, 2],
  [API.OffsetFetch, 1, 1],
  [API.FindCoordinator, 0, 0],
  [API.JoinGroup, 0, 0],
  [API.Heartbeat, 0, 0],
  [API.LeaveGroup, 0, 0],
  [API.SyncGroup, 0, 0],
  [API.ApiVersions, 0, 2],
  [API.InitProducerId, 0, 0],
];

export function supported(apiKey: number, version: number): boolean {
  return SUPPORTED_VERSIONS.some(([key, min, max]) => key === apiKey && version >= min && version <= max);
}

/** Kafka's error codes that the emulator answers with. */
export const ERROR = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  UNSUPPORTED_VERSION: 35,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  KAFKA_STORAGE_ERROR: 56,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
} as const;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Request header v1 (every non-flexible request); a flexible one's tagged fields follow, unread. */
export function decodeHeader(reader: Reader): RequestHeader {
  return { apiKey: reader.int16(), apiVersion: reader.int16(), correlationId: reader.int32(), clientId: reader.nullableString() };
}

/** A response frame: size, correlation id (response header v0), body. */
export function frameResponse(correlationId: number, body: Buffer): Buffer {
  return new Writer().int32(body.length + 4).int32(correlationId).raw(body).buffer();
}

/** The body of an answer to an API or version outside the table: its error code first, as every v0 response begins. */
export function unsupportedBody(apiKey: number): Buffer {
  return apiKey === API.ApiVersions ? encodeApiVersions(0, ERROR.UNSUPPORTED_VERSION) : new Writer().int16(ERROR.UNSUPPORTED_VERSION).buffer();
}

// --- ApiVersions v0–2 --------------------------------------------------------------------------

export function encodeApiVersions(version: number, error: number = ERROR.NONE): Buffer {
  const w = new Writer().int16(error).array(SUPPORTED_VERSIONS, (w, [key, min, max]) => w.int16(key).int16(min).int16(max));
  if (version >= 1) w.int32(0);
  return w.buffer();
}

// --- Metadata v1 -------------------------------------------------------------------------------

/** Null asks for every topic. */
export function decodeMetadata(r: Reader): { topics: string[] | null } {
  return { topics: r.nullableArray((r) => r.string()) };
}

export interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionMetadata {
  error: number;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  error: number;
  name: string;
  partitions: PartitionMetadata[];
}

export function encodeMetadata(m: { brokers: BrokerAddress[]; controllerId: number; topics: TopicMetadata[] }): Buffer {
  return new Writer()
    .array(m.brokers, (w, b) => w.int32(b.nodeId).string(b.host).int32(b.port).string(null))
    .int32(m.controllerId)
    .array(m.topics, (w, t) =>
      w
        .int16(t.error)
        .string(t.name)
        .bool(false)
        .array(t.partitions, (w, p) =>
          w
            .int16(p.error)
            .int32(p.partition)
            .int32(p.leader)
            .array(p.replicas, (w, id) => w.int32(id))
            .array(p.isr, (w, id) => w.int32(id)),
        ),
    )
    .buffer();
}

// --- Produce v3 --------------------------------------------------------------------------------

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: { name: string; partitions: { partition: number; records: Buffer | null }[] }[];
}

export function decodeProduce(r: Reader): ProduceRequest {
  return {
    transactionalId: r.nullableString(),
    acks: r.int16(),
    timeoutMs: r.int32(),
    topics: r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ partition: r.int32(), records: r.bytes() })) })),
  };
}

export interface ProducePartitionResult {
  partition: number;
  error: number;
  baseOffset: number;
}

export function encodeProduce(topics: { name: string; partitions: ProducePartitionResult[] }[]): Buffer {
  return new Writer()
    .array(topics, (w, t) => w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(p.error).int64(p.baseOffset).int64(-1)))
    .int32(0)
    .buffer();
}

// --- Fetch v4 ----------------------------------------------------------------------------------

export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: { name: string; partitions: { partition: number; offset: number; maxBytes: number }[] }[];
}

export function decodeFetch(r: Reader): FetchRequest {
  r.int32(); // replica id: -1 for consumers
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  r.int8(); // isolation level: there are no transactions to hide
  const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ partition: r.int32(), offset: r.int64(), maxBytes: r.int32() })) }));
  return { maxWaitMs, minBytes, maxBytes, topics };
}

export interface FetchPartitionResult {
  partition: number;
  error: number;
  highWatermark: number;
  records: Buffer;
}

export function encodeFetch(topics: { name: string; partitions: FetchPartitionResult[] }[]): Buffer {
  return new Writer()
    .int32(0)
    .array(topics, (w, t) =>
      w.string(t.name).array(t.partitions, (w, p) =>
        w
          .int32(p.partition)
          .int16(p.error)
          .int64(p.highWatermark)
          .int64(p.highWatermark) // last stable offset: no transactions
          .int32(0) // no aborted transactions
          .bytes(p.records),
      ),
    )
    .buffer();
}

// --- ListOffsets v1 ----------------------------------------------------------------------------

/** Timestamps -1 (latest) and -2 (earliest) are the ones clients send; others are answered as latest. */
export function decodeListOffsets(r: Reader): { topics: { name: string; partitions: { partition: number; timestamp: number }[] }[] } {
  r.int32(); // replica id
  return { topics: r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ partition: r.int32(), timestamp: r.int64() })) })) };
}

export function encodeListOffsets(topics: { name: string; partitions: { partition: number; error: number; offset: number }[] }[]): Buffer {
  return new Writer().array(topics, (w, t) => w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(p.error).int64(-1).int64(p.offset))).buffer();
}

// --- FindCoordinator v0 ------------------------------------------------------------------------

export function decodeFindCoordinator(r: Reader): { key: string } {
  return { key: r.string() };
}

export function encodeFindCoordinator(error: number, broker: BrokerAddress): Buffer {
  return new Writer().int16(error).int32(broker.nodeId).string(broker.host).int32(broker.port).buffer();
}

// --- JoinGroup v0, SyncGroup v0, Heartbeat v0, LeaveGroup v0 ---------------------------------

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  memberId: string;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
}

export function decodeJoinGroup(r: Reader): JoinGroupRequest {
  return {
    groupId: r.string(),
    sessionTimeoutMs: r.int32(),
    memberId: r.string(),
    protocolType: r.string(),
    protocols: r.array((r) => ({ name: r.string(), metadata: r.bytes() ?? Buffer.alloc(0) })),
  };
}

export interface JoinGroupResponse {
  error: number;
  generation: number;
  protocol: string;
  leader: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

export function encodeJoinGroup(j: JoinGroupResponse): Buffer {
  return new Writer()
    .int16(j.error)
    .int32(j.generation)
    .string(j.protocol)
    .string(j.leader)
    .string(j.memberId)
    .array(j.members, (w, m) => w.string(m.memberId).bytes(m.metadata))
    .buffer();
}

export interface SyncGroupRequest {
  groupId: string;
  generation: number;
  memberId: string;
  assignments: { memberId: string; assignment: Buffer }[];
}

export function decodeSyncGroup(r: Reader): SyncGroupRequest {
  return { groupId: r.string(), generation: r.int32(), memberId: r.string(), assignments: r.array((r) => ({ memberId: r.string(), assignment: r.bytes() ?? Buffer.alloc(0) })) };
}

export function encodeSyncGroup(error: number, assignment: Buffer): Buffer {
  return new Writer().int16(error).bytes(assignment).buffer();
}

export function decodeHeartbeat(r: Reader): { groupId: string; generation: number; memberId: string } {
  return { groupId: r.string(), generation: r.int32(), memberId: r.string() };
}

export function decodeLeaveGroup(r: Reader): { groupId: string; memberId: string } {
  return { groupId: r.string(), memberId: r.string() };
}

/** Heartbeat v0 and LeaveGroup v0 answer with an error code alone. */
export function encodeErrorOnly(error: number): Buffer {
  return new Writer().int16(error).buffer();
}

// --- OffsetCommit v2, OffsetFetch v1 -----------------------------------------------------------

export interface OffsetCommitRequest {
  groupId: string;
  generation: number;
  memberId: string;
  topics: { name: string; partitions: { partition: number; offset: number; metadata: string | null }[] }[];
}

export function decodeOffsetCommit(r: Reader): OffsetCommitRequest {
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  r.int64(); // retention time: offsets are kept for the whole run
  const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ partition: r.int32(), offset: r.int64(), metadata: r.nullableString() })) }));
  return { groupId, generation, memberId, topics };
}

export function encodeOffsetCommit(topics: { name: string; partitions: { partition: number; error: number }[] }[]): Buffer {
  return new Writer().array(topics, (w, t) => w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(p.error))).buffer();
}

export function decodeOffsetFetch(r: Reader): { groupId: string; topics: { name: string; partitions: number[] }[] } {
  return { groupId: r.string(), topics: r.array((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) })) };
}

export function encodeOffsetFetch(topics: { name: string; partitions: { partition: number; offset: number; metadata: string; error: number }[] }[]): Buffer {
  return new Writer()
    .array(topics, (w, t) => w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int64(p.offset).string(p.metadata).int16(p.error)))
    .buffer();
}

// --- InitProducerId v0 -------------------------------------------------------------------------

export function decodeInitProducerId(r: Reader): { transactionalId: string | null; timeoutMs: number } {
  return { transactionalId: r.nullableString(), timeoutMs: r.int32() };
}

export function encodeInitProducerId(error: number, producerId: number, epoch: number): Buffer {
  return new Writer().int32(0).int16(error).int64(producerId).int16(epoch).buffer();
}

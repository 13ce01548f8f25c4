/**
 * The wire protocol of the replicated log, as plain data: what producers, consumers, brokers and
 * the controller say to each other. Names follow Kafka's requests (Produce, Fetch,
 * OffsetsForLeaderEpoch, Metadata, BrokerHeartbeat, AlterPartition, InitProducerId, JoinGroup,
 * Heartbeat, OffsetCommit, OffsetFetch) so that a Kafka reader recognises each exchange.
 *
 * Every request carries a `req` number chosen by the sender so that a late reply to an abandoned
 * request (after a timeout or a restart) can be told apart and ignored. Messages never carry class
 * instances, so they can cross worker threads unchanged.
 */
import type { EventId, Micros } from '../../../kernel/contract/index.ts';

/** `topic-partition`, the key of a partition everywhere in the protocol and the trace. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * A record batch as it is stored in a replica's log and shipped by Fetch: consecutive offsets
 * `base … base + events.length - 1`, all appended by the leader of one epoch.
 */
export interface Batch {
  readonly base: number;
  /** The leader epoch under which the leader appended the batch. */
  readonly epoch: number;
  /** Event ids, one per offset. */
  readonly events: readonly EventId[];
  /** Payload bytes of the whole batch. */
  readonly bytes: number;
  /** When the leader appended it (Kafka's LogAppendTime), used by time-based retention. */
  readonly ts: Micros;
  /** Idempotent producer id and the sequence number of the first event, when the producer has one. */
  readonly pid?: number;
  readonly seq?: number;
  /**
   * The events' payloads, one per offset, when the producer sent them (pipelines over the log need
   * the data itself; instruments and forwarders model only ids and sizes and send none).
   */
  readonly payloads?: readonly unknown[];
  /**
   * The records' keys, one per offset (null: unkeyed), when the producer sent them. A compacted
   * topic keeps only the newest record per key; a keyed record whose payload is null is a tombstone.
   */
  readonly keys?: readonly (string | null)[];
}

/** Errors, named after Kafka's error codes. */
export type LogError =
  | 'not-leader'
  | 'not-enough-replicas'
  | 'not-enough-replicas-after-append'
  | 'out-of-order-sequence'
  | 'offset-out-of-range'
  | 'fenced-leader-epoch'
  | 'unknown-leader-epoch'
  | 'unknown-partition'
  | 'request-timed-out'
  | 'illegal-generation'
  | 'unknown-member'
  | 'stale-partition-epoch'
  | 'kafka-storage-error'
  /** MESSAGE_TOO_LARGE: the batch is larger than the topic's `max.message.bytes`; not retriable. */
  | 'message-too-large';

/** What the controller knows about one partition (Kafka's PartitionRecord / LeaderAndIsr). */
export interface PartitionMeta {
  readonly topic: string;
  readonly partition: number;
  /** Replica brokers in preference order; the first is the preferred leader. */
  readonly replicas: readonly string[];
  /** The leader broker, or null while the partition is offline. */
  readonly leader: string | null;
  /** Bumped by every leader change (including to none). */
  readonly leaderEpoch: number;
  /** Bumped by every change of leader or ISR (Kafka's partition epoch). */
  readonly partitionEpoch: number;
  readonly isr: readonly string[];
  /**
   * KIP-966's eligible leader replicas: out of the ISR but holding everything committed, so
   * electable. Present only with `eligible.leader.replicas.enable`.
   */
  readonly elr?: readonly string[];
  /** ELR members that came back from an unclean shutdown, the last resort of an election (KIP-966). */
  readonly lastKnownElr?: readonly string[];
}

// --- clients ↔ brokers ---------------------------------------------------------------------------

export interface MetadataRequest {
  readonly type: 'metadata';
  readonly req: number;
}

export interface MetadataReply {
  readonly type: 'metadata-reply';
  readonly req: number;
  /**
   * The active controller as the answering broker knows it from the quorum (KRaft): the one that
   * last answered its heartbeat or pushed it partition state, or that a NOT_CONTROLLER named.
   * Absent while it knows none (Kafka answers -1): after a restart, or once its heartbeat went
   * unanswered.
   */
  readonly controller?: string;
  readonly partitions: readonly PartitionMeta[];
}

/** One partition's batch in a produce request. */
export interface ProducePartition {
  readonly topic: string;
  readonly partition: number;
  readonly events: readonly EventId[];
  readonly bytes: number;
  readonly pid?: number;
  readonly seq?: number;
  /** One payload per event, stored with the batch and returned by fetches (see `Batch`). */
  readonly payloads?: readonly unknown[];
  /** One key per event (see `Batch`). */
  readonly keys?: readonly (string | null)[];
}

/**
 * Kafka's ProduceRequest: one batch for each of several partitions the receiving broker leads,
 * as a producer's sender drains them per leader. Each partition succeeds or fails on its own; the
 * reply (acks 1 or all) comes when every partition has its outcome.
 */
export interface ProduceRequest {
  readonly type: 'produce';
  readonly req: number;
  readonly partitions: readonly ProducePartition[];
  /** 0: no reply; 1: the leader's append; -1 (all): every in-sync replica. */
  readonly acks: 0 | 1 | -1;
  /** How long the leader may hold an acks=all request before answering request-timed-out. */
  readonly timeoutUs: Micros;
}

/** One partition's outcome in a produce reply: its error code, or the base offset its batch got. */
export interface ProducePartitionReply {
  readonly topic: string;
  readonly partition: number;
  readonly error?: LogError;
  /** Offset of the first event (absent on error). */
  readonly offset?: number;
  /** True when the broker recognised a retried batch it had already appended. */
  readonly duplicate?: boolean;
}

export interface ProduceReply {
  readonly type: 'produce-reply';
  readonly req: number;
  /** Every partition the request carried, in its order. */
  readonly partitions: readonly ProducePartitionReply[];
}

/** A produce request of a single partition's batch, as a client that writes one partition at a time sends it. */
export function produceOne(req: number, part: ProducePartition, acks: 0 | 1 | -1, timeoutUs: Micros): ProduceRequest {
  return { type: 'produce', req, partitions: [part], acks, timeoutUs };
}

/** Wire size of a produce request: its batches' payload plus the request's header. */
export function produceBytes(partitions: readonly ProducePartition[]): number {
  let bytes = CONTROL_BYTES;
  for (const part of partitions) bytes += part.bytes;
  return bytes;
}

/** One partition of a fetch: where to read from, and how much at most. */
export interface FetchPartition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Kafka's max.partition.fetch.bytes / replica.fetch.max.bytes (see `FetchRequest`). */
  readonly maxBytes: number;
  /** The leader epoch the fetcher believes current (followers), for fencing. */
  readonly leaderEpoch?: number;
}

/**
 * Fetch from one broker every listed partition it leads (Kafka's FetchRequest): `replica` is set
 * by followers, absent for consumers. The broker answers at once when any partition has data or
 * an error, else holds the request (its purgatory) until one has or `maxWaitUs` passes.
 *
 * Sizes as Kafka reads them: partitions are read in the order listed, each up to its `maxBytes`
 * and the whole reply up to `maxBytes` here; only the first partition that has data may exceed
 * those limits, by its first batch, so a batch larger than the limits still makes progress.
 */
export interface FetchRequest {
  readonly type: 'fetch';
  readonly req: number;
  readonly partitions: readonly FetchPartition[];
  /** How long the leader may hold the request while no partition has anything to return. */
  readonly maxWaitUs: Micros;
  /** Kafka's fetch.max.bytes / replica.fetch.response.max.bytes; absent: no limit but the partitions'. */
  readonly maxBytes?: number;
  /**
   * Kafka's fetch.min.bytes: the leader holds the request until this many bytes (record batches
   * with their headers) are there to return, an error, or the wait's end; absent: 1 (any data).
   */
  readonly minBytes?: number;
  readonly replica?: string;
}

/** One partition of a fetch reply, with the leader's positions. */
export interface FetchPartitionReply {
  readonly topic: string;
  readonly partition: number;
  readonly error?: LogError;
  readonly batches: readonly Batch[];
  readonly highWatermark: number;
  readonly logStart: number;
  readonly logEnd: number;
  readonly leaderEpoch: number;
}

export interface FetchReply {
  readonly type: 'fetch-reply';
  readonly req: number;
  /** Every partition the request listed, in its order. */
  readonly partitions: readonly FetchPartitionReply[];
}

/** A fetch of a single partition, as a client that reads one partition at a time sends it. */
export function fetchOne(req: number, part: FetchPartition, maxWaitUs: Micros): FetchRequest {
  return { type: 'fetch', req, partitions: [part], maxWaitUs };
}

/** One partition of an OffsetsForLeaderEpoch request: where does `epoch` end in the leader's log? */
export interface EpochEndPartition {
  readonly topic: string;
  readonly partition: number;
  readonly epoch: number;
  /** The leader epoch the asker believes current, for fencing (Kafka's currentLeaderEpoch). */
  readonly leaderEpoch: number;
}

/**
 * Kafka's OffsetsForLeaderEpoch: one request per broker for every partition it leads that the
 * asker validates (a consumer after a leader change, KIP-320) or truncates (a follower, KIP-101);
 * each partition answered on its own.
 */
export interface EpochEndRequest {
  readonly type: 'epoch-end';
  readonly req: number;
  readonly partitions: readonly EpochEndPartition[];
}

export interface EpochEndPartitionReply {
  readonly topic: string;
  readonly partition: number;
  readonly error?: LogError;
  /** The largest epoch ≤ the requested one that the leader knows, or -1 if none. */
  readonly epoch: number;
  /** The start offset of the next epoch after `epoch` in the leader's log, or its log end. */
  readonly endOffset: number;
}

export interface EpochEndReply {
  readonly type: 'epoch-end-reply';
  readonly req: number;
  /** Every partition the request listed, in its order. */
  readonly partitions: readonly EpochEndPartitionReply[];
}

// --- brokers ↔ controller ------------------------------------------------------------------------

export interface BrokerHeartbeat {
  readonly type: 'broker-heartbeat';
  readonly broker: string;
  /** Changes at every restart of the broker, so the controller notices a restart it did not see. */
  readonly incarnation: number;
  /** The metadata version the broker has applied. */
  readonly version: number;
}

export interface BrokerHeartbeatReply {
  readonly type: 'broker-heartbeat-reply';
  readonly incarnation: number;
  readonly version: number;
  /** Every partition, when the broker's version is behind. */
  readonly partitions?: readonly PartitionMeta[];
  /** NOT_CONTROLLER: a quorum member that is not the active controller answered; nothing else holds. */
  readonly error?: 'not-controller';
  /** With `not-controller`: the active controller as this member knows it, if it does. */
  readonly controller?: string;
}

/**
 * NOT_CONTROLLER, to a client: the quorum member it asked is not the active controller (Kafka's
 * error 41; clients then look for the active controller and send again).
 */
export interface NotControllerReply {
  readonly type: 'not-controller';
  /** The request refused, for the client to send again to the active controller. */
  readonly request: ClientToController;
  /** The request's number, where it has one (so whoever waits on that number is answered). */
  readonly req?: number;
  /** The active controller as this member knows it, if it does. */
  readonly controller?: string;
}

/** Pushed by the controller after every change it made durable. */
export interface PartitionStateUpdate {
  readonly type: 'partition-state';
  readonly version: number;
  readonly partitions: readonly PartitionMeta[];
}

/** A leader asks the controller to change a partition's ISR (Kafka's AlterPartition). */
export interface AlterIsrRequest {
  readonly type: 'alter-isr';
  readonly topic: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly isr: readonly string[];
}

export interface AlterIsrReply {
  readonly type: 'alter-isr-reply';
  readonly topic: string;
  readonly partition: number;
  readonly error?: LogError;
  readonly state: PartitionMeta;
}

// --- producers ↔ controller ----------------------------------------------------------------------

export interface InitProducerIdRequest {
  readonly type: 'init-producer-id';
  readonly req: number;
  /**
   * Kafka's transactional.id: a name that outlives the producer's process. The controller answers
   * the same id with the same producer id, so a restarted producer continues its sequence numbers.
   */
  readonly transactionalId?: string;
}

export interface InitProducerIdReply {
  readonly type: 'init-producer-id-reply';
  readonly req: number;
  readonly pid: number;
}

/**
 * Kafka's DescribeProducers (KIP-664), asked of a partition's leader: the last sequence number
 * of producer `pid` that the high watermark covers, so a producer restored from a checkpoint
 * knows which of its regenerated batches the partition already holds, however long ago.
 */
export interface DescribeProducersRequest {
  readonly type: 'describe-producers';
  readonly req: number;
  readonly topic: string;
  readonly partition: number;
  readonly pid: number;
}

export interface DescribeProducersReply {
  readonly type: 'describe-producers-reply';
  readonly req: number;
  readonly topic: string;
  readonly partition: number;
  readonly error?: LogError;
  /** The last committed sequence number of the producer, -1 when the partition holds none of its batches. */
  readonly lastSequence: number;
  /** True while some of its batches are above the high watermark: ask again once they settle. */
  readonly uncommitted: boolean;
}

// --- consumers ↔ group coordinator (in the controller) --------------------------------------------

export interface JoinGroupRequest {
  readonly type: 'join-group';
  readonly group: string;
  readonly topic: string;
  /** The coordinator removes the member after this long without a heartbeat. */
  readonly sessionTimeoutUs: Micros;
}

/** Pushed to every member after a rebalance, and sent in reply to a join. */
export interface GroupAssignment {
  readonly type: 'group-assignment';
  readonly group: string;
  readonly generation: number;
  readonly partitions: readonly number[];
}

export interface GroupHeartbeat {
  readonly type: 'group-heartbeat';
  readonly group: string;
  readonly generation: number;
}

export interface GroupHeartbeatReply {
  readonly type: 'group-heartbeat-reply';
  readonly group: string;
  readonly error?: LogError;
}

export interface OffsetCommitRequest {
  readonly type: 'offset-commit';
  readonly req: number;
  readonly group: string;
  readonly generation: number;
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume: everything before it is acknowledged (cumulative). */
  readonly offset: number;
  /** KIP-320: the leader epoch of the last record consumed before `offset`, when the consumer knows it. */
  readonly leaderEpoch?: number;
}

export interface OffsetCommitReply {
  readonly type: 'offset-commit-reply';
  readonly req: number;
  readonly partition: number;
  readonly offset: number;
  readonly error?: LogError;
}

export interface OffsetFetchRequest {
  readonly type: 'offset-fetch';
  readonly req: number;
  readonly group: string;
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface OffsetFetchReply {
  readonly type: 'offset-fetch-reply';
  readonly req: number;
  /** Committed offset per requested partition, null where none was committed. */
  readonly offsets: readonly (number | null)[];
  /** KIP-320: the leader epoch committed with each offset, null where none was. */
  readonly leaderEpochs: readonly (number | null)[];
}

export type BrokerInbound = MetadataRequest | ProduceRequest | FetchRequest | EpochEndRequest | DescribeProducersRequest | FetchReply | EpochEndReply | BrokerHeartbeatReply | PartitionStateUpdate | AlterIsrReply;
/** What clients (producers, consumers) ask of the controller. */
export type ClientToController = InitProducerIdRequest | JoinGroupRequest | GroupHeartbeat | OffsetCommitRequest | OffsetFetchRequest;
export type ControllerInbound = BrokerHeartbeat | AlterIsrRequest | ClientToController;
export type ControllerOutbound = BrokerHeartbeatReply | PartitionStateUpdate | AlterIsrReply | InitProducerIdReply | GroupAssignment | GroupHeartbeatReply | OffsetCommitReply | OffsetFetchReply | NotControllerReply;
export type ClientInbound = MetadataReply | ProduceReply | FetchReply | EpochEndReply | DescribeProducersReply | InitProducerIdReply | GroupAssignment | GroupHeartbeatReply | OffsetCommitReply | OffsetFetchReply | NotControllerReply;

/** Wire size of a small control message, bytes. */
export const CONTROL_BYTES = 64;

/** Kafka's record batch header, bytes: what a batch costs on the wire beyond its records. */
export const BATCH_HEADER_BYTES = 61;

/** DefaultRecord.MAX_RECORD_OVERHEAD, bytes: a record's largest cost beyond its key and value (its varint lengths, attributes, deltas and header count). */
export const RECORD_OVERHEAD_MAX_BYTES = 21;

/**
 * The serialized size Kafka's producer compares with `max.request.size`, and a leader with its
 * topic's `max.message.bytes`, bytes, for a batch of `records` records holding `payloadBytes` of
 * keys and values: the batch header plus each record's largest overhead. For one record this is
 * AbstractRecords.estimateSizeInBytesUpperBound, which KafkaProducer.send checks
 * (RecordTooLargeException); the sender's drain adds up batches' sizes the same way and counts
 * nothing for the request's own header. So a record of exactly `max.request.size` bytes is refused,
 * as in Kafka. The leader checks the batch's own size (its records' overhead is at most this, as
 * small as 7 B each in Kafka: the simulation's records have no keys to size varints by, so the bound
 * stands for it), and so refuses a batch a few bytes per record sooner than Kafka might.
 */
export function batchSizeInBytes(payloadBytes: number, records: number): number {
  return BATCH_HEADER_BYTES + payloadBytes + records * RECORD_OVERHEAD_MAX_BYTES;
}

/** Bytes of record batches a fetch reply part carries, headers included (what fetch.min.bytes counts). */
export function fetchedBytes(part: FetchPartitionReply): number {
  let bytes = 0;
  for (const batch of part.batches) bytes += batch.bytes + BATCH_HEADER_BYTES;
  return bytes;
}

/** Wire size of a fetch reply: its payload plus a header per batch. */
export function fetchReplyBytes(partitions: readonly FetchPartitionReply[]): number {
  let bytes = CONTROL_BYTES;
  for (const part of partitions) bytes += fetchedBytes(part);
  return bytes;
}

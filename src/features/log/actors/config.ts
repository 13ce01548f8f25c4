/**
 * Configuration of a log cluster and its clients, with Kafka's defaults. Names are Kafka's
 * configuration names in camel case with the unit last (`replica.lag.time.max.ms` becomes
 * `replicaLagTimeMaxUs`); the scenario schema maps the dotted names onto these.
 *
 * Times are integer µs, sizes integer bytes.
 */
import { MS, SECOND, type Micros } from '../../../kernel/contract/index.ts';
import type { BurstShape } from './bursts.ts';

/** When a broker fsyncs its logs (Kafka's `flush.messages` / `flush.ms`). */
export type LogFlushPolicy = { readonly kind: 'every-write' } | { readonly kind: 'never' } | { readonly kind: 'interval'; readonly intervalUs: Micros };

/**
 * How a follower aligns its log with a new leader: by leader epoch (KIP-101, Kafka ≥ 0.11) or,
 * for teaching, by truncating to its own high watermark (the rule before KIP-101, which loses
 * acknowledged data and lets replicas diverge).
 */
export type TruncationRule = 'leader-epoch' | 'high-watermark';

export interface TopicConfig {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly uncleanLeaderElection: boolean;
  /** Delete a segment once its newest batch is older than this; null keeps data forever. */
  readonly retentionUs: Micros | null;
  /** Delete the oldest segments while the partition is larger than this; null: no limit. */
  readonly retentionBytes: number | null;
  /** Roll to a new segment file once the active one holds this many bytes. */
  readonly segmentBytes: number;
  /**
   * `delete` (default): retention by time and size. `compact`: no retention; the cleaner keeps the
   * newest record per key (see `PartitionLog.compact`), at every retention check.
   */
  readonly cleanupPolicy?: CleanupPolicy;
  /** Compacted topics: a tombstone is removed once older than this (`delete.retention.ms`); default 24h. */
  readonly deleteRetentionUs?: Micros;
  /**
   * The largest record batch a leader appends (`max.message.bytes`, Kafka's default 1048588): a
   * larger one is refused with MESSAGE_TOO_LARGE. Compared with the batch's serialized size, its
   * 61-byte header and 21 bytes per record counted (`batchSizeInBytes`), as every producing client
   * here counts it against `max.request.size`. Absent: no limit (a pipeline's node-local streams,
   * which are not Kafka topics).
   */
  readonly maxMessageBytes?: number;
}

export type CleanupPolicy = 'delete' | 'compact';

/** Kafka's `delete.retention.ms` default. */
export const DELETE_RETENTION_DEFAULT_US: Micros = 24 * 3600 * SECOND;

/** Kafka's `max.message.bytes` (topic) and `message.max.bytes` (broker) default: 1 MiB plus the 12-byte log overhead. */
export const MAX_MESSAGE_BYTES_DEFAULT = 1_048_588;

/** Kafka's producer `max.request.size` default: 1 MiB. */
export const MAX_REQUEST_SIZE_DEFAULT = 1_048_576;

/** Kafka's producer `buffer.memory` default: 32 MiB. */
export const BUFFER_MEMORY_DEFAULT = 33_554_432;

/** Kafka's producer `max.block.ms` default: 60 s. */
export const MAX_BLOCK_DEFAULT_US: Micros = 60 * SECOND;

export interface ClusterConfig {
  /** Broker actor ids, in preference order for replica assignment. */
  readonly brokers: readonly string[];
  /** The controller's actor id (with a quorum, the first member's: clients ask it first, and follow its NOT_CONTROLLER answers). */
  readonly controller: string;
  /**
   * A controller quorum (KRaft): every member's actor id, `controller` first; the active controller
   * is the Raft leader among them. Absent (or one id): a single controller with its own journal.
   */
  readonly controllers?: readonly string[];
  /** The quorum's Raft timeouts (`controller.quorum.election.timeout.ms`, `controller.quorum.fetch.timeout.ms`). */
  readonly quorumElectionTimeoutUs?: Micros;
  readonly quorumFetchTimeoutUs?: Micros;
  readonly topics: readonly TopicConfig[];
  readonly flush: LogFlushPolicy;
  /** With `flush: every-write`, acknowledge (and count toward the high watermark) before the fsync completes. */
  readonly ackBeforeFlush: boolean;
  readonly truncation: TruncationRule;
  /** A follower that has not caught up for this long leaves the ISR. */
  readonly replicaLagTimeMaxUs: Micros;
  /** How long a leader holds a follower's fetch that finds no new data. */
  readonly replicaFetchWaitMaxUs: Micros;
  readonly replicaFetchMaxBytes: number;
  /** Pause after a failed fetch before the follower tries again. */
  readonly replicaFetchBackoffUs: Micros;
  readonly brokerHeartbeatIntervalUs: Micros;
  /** The controller fences a broker whose heartbeats stop for this long. */
  readonly brokerSessionTimeoutUs: Micros;
  /** How often a broker writes its high watermarks to disk (`replica.high.watermark.checkpoint.interval.ms`). */
  readonly hwCheckpointIntervalUs: Micros;
  /** How often retention runs (`log.retention.check.interval.ms`). */
  readonly retentionCheckIntervalUs: Micros;
  /** KIP-966 (`eligible.leader.replicas.enable`): see `elections.ts`. */
  readonly eligibleLeaderReplicas: boolean;
}

/**
 * Whether the controller fences a broker that restarted within its session (its heartbeat carries a
 * new incarnation) and moves its leaderships, as KRaft's broker registration and ZooKeeper's broker
 * epochs (KIP-380, Kafka 2.2) do. `truncation: high-watermark` models Kafka before 0.11, whose
 * controller did not tell a bounced broker from a live one: there the bounced broker stays in its
 * ISRs and keeps its leaderships (with a new epoch), which KIP-101's scenario needs.
 */
export function fencesBouncedBrokers(config: Pick<ClusterConfig, 'truncation'>): boolean {
  return config.truncation === 'leader-epoch';
}

export const CLUSTER_DEFAULTS = {
  flush: { kind: 'never' } as LogFlushPolicy,
  ackBeforeFlush: false,
  truncation: 'leader-epoch' as TruncationRule,
  replicaLagTimeMaxUs: 30 * SECOND,
  replicaFetchWaitMaxUs: 500 * MS,
  replicaFetchMaxBytes: 1 << 20,
  replicaFetchBackoffUs: 1 * SECOND,
  brokerHeartbeatIntervalUs: 2 * SECOND,
  brokerSessionTimeoutUs: 9 * SECOND,
  hwCheckpointIntervalUs: 5 * SECOND,
  retentionCheckIntervalUs: 5 * 60 * SECOND,
  eligibleLeaderReplicas: false,
} as const;

export type AcksSetting = 0 | 1 | -1;

/** How a producer picks a partition for an event. */
export type PartitionerKind = 'sticky' | 'round-robin' | 'key';

export interface LogProducerConfig {
  readonly topic: string;
  /** Bootstrap brokers, asked for metadata in turn. */
  readonly brokers: readonly string[];
  readonly controller: string;
  /** A controller quorum's members (`controller` first), for the client to look for the active one; absent: `controller` alone. */
  readonly controllers?: readonly string[];
  readonly ratePerSec: number;
  readonly eventBytes: number;
  readonly acks: AcksSetting;
  /** `linger.ms`: how long a batch that is not full waits for more events before it is ready to send (it goes on taking events until sent); once the producer closes at `stopAtUs`, no batch waits. */
  readonly lingerUs: Micros;
  /** `batch.size`: payload bytes at which a batch is full, takes no more events, and is ready to send. */
  readonly batchBytes: number;
  /**
   * `max.request.size`, compared with serialized sizes (`batchSizeInBytes`), as Kafka's producer
   * does: a record that with the batch header and its overhead is larger fails at once with
   * RecordTooLargeException, unsent; neither a batch nor a request grows past it, whatever
   * `batch.size` says. Default {@link MAX_REQUEST_SIZE_DEFAULT}.
   */
  readonly maxRequestBytes?: number;
  /**
   * `buffer.memory`: the bytes the producer's batches not yet completed may hold together, each
   * a whole `batch.size`, or its one larger event serialized (buffer-pool.ts). Default {@link BUFFER_MEMORY_DEFAULT}.
   */
  readonly bufferMemoryBytes?: number;
  /**
   * `max.block.ms`: how long a send waits for buffer memory before it fails; meanwhile the
   * instrument's further events are lost (producer.ts). Default {@link MAX_BLOCK_DEFAULT_US}.
   */
  readonly maxBlockUs?: Micros;
  readonly requestTimeoutUs: Micros;
  readonly retries: number;
  /** `retry.backoff.ms`: the pause before a batch's first retry, doubling for each further one (KIP-580). */
  readonly retryBackoffUs: Micros;
  /** `retry.backoff.max.ms`: the longest pause before a retry. Default 1 s (Kafka's). */
  readonly retryBackoffMaxUs?: Micros;
  /** Give up on a batch this long after it was first ready, whatever the retries left. */
  readonly deliveryTimeoutUs: Micros;
  readonly maxInFlight: number;
  readonly idempotence: boolean;
  readonly partitioner: PartitionerKind;
  /** Distinct keys cycled through when `partitioner` is `key`. */
  readonly keys: number;
  /** No event is produced at or after this time. */
  readonly stopAtUs: Micros;
  /** Produce whole bursts at a cadence instead of at `ratePerSec` (see bursts.ts). */
  readonly bursts?: BurstShape;
}

export type OffsetReset = 'earliest' | 'latest';

export interface LogConsumerConfig {
  readonly group: string;
  readonly topic: string;
  readonly brokers: readonly string[];
  readonly controller: string;
  /** A controller quorum's members (`controller` first), for the client to look for the active one; absent: `controller` alone. */
  readonly controllers?: readonly string[];
  readonly maxPollRecords: number;
  /** Kafka's fetch.max.wait.ms, fetch.min.bytes, fetch.max.bytes and max.partition.fetch.bytes (see client-fetcher.ts). */
  readonly fetchMaxWaitUs: Micros;
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly maxPartitionFetchBytes: number;
  readonly autoOffsetReset: OffsetReset;
  readonly heartbeatIntervalUs: Micros;
  /** The coordinator removes the member after this long without a heartbeat (`session.timeout.ms`). */
  readonly sessionTimeoutUs: Micros;
  /** Time to process one polled record before fetching the next ones. */
  readonly processingUs: Micros;
  /** How often the consumer commits its position (`auto.commit.interval.ms`). */
  readonly commitIntervalUs: Micros;
  readonly requestTimeoutUs: Micros;
  readonly retryBackoffUs: Micros;
}

/** The brokers' actor ids: `<name>-broker-1` … (here, apart from cluster.ts, so that a scenario names them without loading the brokers). */
export function brokerIds(name: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${name}-broker-${i + 1}`);
}

/** The controllers' actor ids: `<name>-controller`, then `<name>-controller-2` … for a quorum. */
export function controllerIds(name: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? `${name}-controller` : `${name}-controller-${i + 1}`));
}

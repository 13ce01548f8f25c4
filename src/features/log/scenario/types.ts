/**
 * The resolved scenario types of the replicated log: a `log` service, the Kafka settings of a
 * producer writing to one, and a consumer group. Units are integers (µs, bytes); names resolved
 * (broker nodes expanded, the controller placed); every topic carries its effective settings
 * (the service's, overridden by the topic's own).
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { FlushPolicy } from '../../../scenario/types.ts';
import type { ClusterConfig, TopicConfig } from '../actors/config.ts';

/** A topic with its effective settings: exactly what the log's brokers are configured with. */
export type LogTopicSpec = TopicConfig;

/** The broker settings a scenario gives exactly as the brokers take them (documented on `ClusterConfig`). */
type BrokerSettings = Pick<
  ClusterConfig,
  | 'ackBeforeFlush'
  | 'truncation'
  | 'replicaLagTimeMaxUs'
  | 'replicaFetchWaitMaxUs'
  | 'replicaFetchMaxBytes'
  | 'replicaFetchBackoffUs'
  | 'brokerHeartbeatIntervalUs'
  | 'brokerSessionTimeoutUs'
  | 'hwCheckpointIntervalUs'
  | 'retentionCheckIntervalUs'
  | 'eligibleLeaderReplicas'
>;

/** A replicated partitioned log: brokers, a controller and topics. */
export interface LogServiceSpec extends BrokerSettings {
  readonly kind: 'log';
  readonly name: string;
  /** One broker per entry, on that node, in order (brokers are `<name>-broker-1` …). */
  readonly brokerNodes: readonly string[];
  /** The controller's node (`<name>-controller`); the final reader (`<name>-reader`) runs there too. */
  readonly controllerNode: string;
  /** Every controller's node: one, or a quorum's (the first is `controllerNode`). */
  readonly controllerNodes: readonly string[];
  /** `controller.quorum.election.timeout.ms` and `controller.quorum.fetch.timeout.ms` (a quorum's Raft). */
  readonly quorumElectionTimeoutUs: Micros;
  readonly quorumFetchTimeoutUs: Micros;
  /** The first broker's node and its site (where the service "is", for reports). */
  readonly node: string;
  readonly site: string;
  readonly topics: readonly LogTopicSpec[];
  readonly flush: FlushPolicy;
}

/** The Kafka settings of a producer that writes to a log service. */
export interface LogProducerSpec {
  readonly topic: string;
  /** -1 is `all`. */
  readonly acks: 0 | 1 | -1;
  readonly lingerUs: Micros;
  readonly batchBytes: number;
  /** `max.request.size`. */
  readonly maxRequestBytes: number;
  /** `buffer.memory`: bytes of batches not yet completed. */
  readonly bufferMemoryBytes: number;
  /** `max.block.ms`: how long a send waits for buffer memory. */
  readonly maxBlockUs: Micros;
  readonly idempotence: boolean;
  readonly maxInFlight: number;
  /** `request.timeout.ms`. */
  readonly requestTimeoutUs: Micros;
  /** `retries`: Kafka's default is 2147483647, so `delivery.timeout.ms` bounds a batch. */
  readonly retries: number;
  readonly retryBackoffUs: Micros;
  /** `retry.backoff.max.ms`. */
  readonly retryBackoffMaxUs: Micros;
  /** `delivery.timeout.ms`, at least `linger.ms + request.timeout.ms`. */
  readonly deliveryTimeoutUs: Micros;
  readonly partitioner: 'sticky' | 'round-robin' | 'key';
  readonly keys: number;
}

/** A consumer group's members reading one topic of a log service. */
export interface ConsumerSpec {
  /** The name as written; members are `<name>-1 …`, or `<name>` when there is one instance. */
  readonly name: string;
  readonly members: readonly string[];
  readonly node: string;
  readonly site: string;
  readonly service: string;
  readonly topic: string;
  readonly group: string;
  readonly maxPollRecords: number;
  readonly autoOffsetReset: 'earliest' | 'latest';
  readonly commitIntervalUs: Micros;
  readonly fetchMaxWaitUs: Micros;
  /** `fetch.min.bytes`, `fetch.max.bytes`, `max.partition.fetch.bytes`. */
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly maxPartitionFetchBytes: number;
  readonly heartbeatIntervalUs: Micros;
  readonly sessionTimeoutUs: Micros;
  readonly requestTimeoutUs: Micros;
  /** Time to process one event. */
  readonly processingUs: Micros;
}

declare module '../../../scenario/types.ts' {
  interface ServiceKinds {
    log: LogServiceSpec;
  }
  interface ProducerExtensions {
    /** Kafka producer settings, present exactly when `service` is a log service. */
    readonly log?: LogProducerSpec;
  }
  interface FeatureSections {
    /** Consumer groups of log services; absent when the file has none. */
    readonly consumers?: readonly ConsumerSpec[];
  }
}

/**
 * Resolution of the log's scenario sections: broker nodes expanded, the controller placed, topic
 * settings merged with the service's, Kafka producer defaults applied, consumer members named.
 *
 * Guarantee: pure, and total on fields that passed `cross-check-log.ts`.
 */
import type { WrittenConsumer, WrittenLogProducer, WrittenLogService } from './schema.ts';
import type { ConsumerSpec, LogProducerSpec, LogServiceSpec, LogTopicSpec } from './types.ts';
import type { SiteSpec } from '../../../scenario/types.ts';
import { LOG_PRODUCER_DEFAULTS, deliveryTimeoutOf, idempotenceOf, type ProducerSettings } from './producer-rules.ts';

/** The broker nodes a log service's `site`/`nodes`/`brokers` fields name. */
export function brokerNodesOf(service: Pick<WrittenLogService, 'site' | 'nodes' | 'brokers'>, sites: readonly Pick<SiteSpec, 'name' | 'nodes'>[]): string[] {
  const pool = service.nodes ?? sites.find((site) => site.name === service.site)?.nodes ?? [];
  const count = service.brokers ?? pool.length;
  return Array.from({ length: count }, (_, i) => pool[i % pool.length]!);
}

export function resolveLogService(name: string, service: WrittenLogService, sites: readonly SiteSpec[], siteOf: (node: string) => string): LogServiceSpec {
  const brokerNodes = brokerNodesOf(service, sites);
  const controllerNodes = service.controllers ?? [service.controller ?? brokerNodes[0]!];
  const controllerNode = controllerNodes[0]!;
  const topics: LogTopicSpec[] = Object.entries(service.topics).map(([topic, t]) => ({
    name: topic,
    partitions: t.partitions,
    replicationFactor: t['replication.factor'] ?? service['replication.factor'],
    minInsyncReplicas: t['min.insync.replicas'] ?? service['min.insync.replicas'],
    uncleanLeaderElection: t['unclean.leader.election.enable'] ?? service['unclean.leader.election.enable'],
    retentionUs: t['retention.ms'] !== undefined ? t['retention.ms'] : service['retention.ms'],
    retentionBytes: t['retention.bytes'] !== undefined ? t['retention.bytes'] : service['retention.bytes'],
    segmentBytes: t['segment.bytes'] ?? service['segment.bytes'],
    maxMessageBytes: t['max.message.bytes'] ?? service['max.message.bytes'],
    // Only a compacted topic says so, so that resolved scenarios without one read as before.
    ...(t['cleanup.policy'] === 'compact' ? { cleanupPolicy: 'compact' as const, deleteRetentionUs: t['delete.retention.ms'] } : {}),
  }));
  return {
    kind: 'log',
    name,
    brokerNodes,
    controllerNode,
    controllerNodes,
    quorumElectionTimeoutUs: service['controller.quorum.election.timeout.ms'],
    quorumFetchTimeoutUs: service['controller.quorum.fetch.timeout.ms'],
    node: brokerNodes[0]!,
    site: siteOf(brokerNodes[0]!),
    topics,
    flush: service.flush,
    ackBeforeFlush: service['ack.before.flush'],
    truncation: service.truncation,
    replicaLagTimeMaxUs: service['replica.lag.time.max.ms'],
    replicaFetchWaitMaxUs: service['replica.fetch.wait.max.ms'],
    replicaFetchMaxBytes: service['replica.fetch.max.bytes'],
    replicaFetchBackoffUs: service['replica.fetch.backoff.ms'],
    brokerHeartbeatIntervalUs: service['broker.heartbeat.interval.ms'],
    brokerSessionTimeoutUs: service['broker.session.timeout.ms'],
    hwCheckpointIntervalUs: service['replica.high.watermark.checkpoint.interval.ms'],
    retentionCheckIntervalUs: service['log.retention.check.interval.ms'],
    eligibleLeaderReplicas: service['eligible.leader.replicas.enable'],
  };
}

export function resolveLogProducer(producer: WrittenLogProducer & ProducerSettings): LogProducerSpec {
  const d = LOG_PRODUCER_DEFAULTS;
  const acks = producer.acks === undefined || producer.acks === 'all' ? -1 : producer.acks;
  return {
    topic: producer.topic!,
    acks,
    lingerUs: producer['linger.ms'] ?? d.lingerUs,
    batchBytes: producer['batch.size'] ?? d.batchBytes,
    maxRequestBytes: producer['max.request.size'] ?? d.maxRequestBytes,
    bufferMemoryBytes: producer['buffer.memory'] ?? d.bufferMemoryBytes,
    maxBlockUs: producer['max.block.ms'] ?? d.maxBlockUs,
    idempotence: idempotenceOf(producer),
    maxInFlight: producer['max.in.flight.requests.per.connection'] ?? d.maxInFlight,
    requestTimeoutUs: producer['request.timeout.ms'] ?? d.requestTimeoutUs,
    retries: producer.retries ?? d.retries,
    retryBackoffUs: producer['retry.backoff.ms'] ?? d.retryBackoffUs,
    retryBackoffMaxUs: producer['retry.backoff.max.ms'] ?? d.retryBackoffMaxUs,
    deliveryTimeoutUs: deliveryTimeoutOf(producer),
    partitioner: producer.partitioner ?? d.partitioner,
    keys: producer.keys ?? d.keys,
  };
}

export function resolveConsumer(name: string, consumer: WrittenConsumer, placed: { node: string; site: string }): ConsumerSpec {
  const members = consumer.instances === 1 ? [name] : Array.from({ length: consumer.instances }, (_, i) => `${name}-${i + 1}`);
  return {
    name,
    members,
    ...placed,
    service: consumer.service,
    topic: consumer.topic,
    group: consumer.group ?? name,
    maxPollRecords: consumer['max.poll.records'],
    autoOffsetReset: consumer['auto.offset.reset'],
    commitIntervalUs: consumer['auto.commit.interval.ms'],
    fetchMaxWaitUs: consumer['fetch.max.wait.ms'],
    fetchMinBytes: consumer['fetch.min.bytes'],
    fetchMaxBytes: consumer['fetch.max.bytes'],
    maxPartitionFetchBytes: consumer['max.partition.fetch.bytes'],
    heartbeatIntervalUs: consumer['heartbeat.interval.ms'],
    sessionTimeoutUs: consumer['session.timeout.ms'],
    requestTimeoutUs: consumer['request.timeout.ms'],
    processingUs: consumer.processing,
  };
}

/**
 * Builds the log services of a scenario into a world: each service's brokers, controller and final
 * reader, the producers that write to it and the consumer groups that read from it, and the metrics
 * that measure it.
 *
 * Guarantee: a pure function of the scenario (the same scenario spawns the same actors in the same
 * order). The final read of a service starts once none of its producers can still be retrying —
 * after the safety phase, `linger.ms`, `delivery.timeout.ms` and one request timeout — so every
 * acknowledgement precedes it. How it fails: an `InputError` naming the field when the quiesce
 * phase is too short for that, or when an actor name the service needs is taken.
 */
import { InputError, MS, formatMicros } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/index.ts';
import { ControllerMetrics } from '../metrics/controller.ts';
import { LogMetrics } from '../metrics/log.ts';
import { LogConsumer, LogProducer, controllerIds, spawnFinalReader, spawnLogCluster, type SpawnedCluster } from '../actors/index.ts';
import type { World } from '../../../world/index.ts';
import type { LogServiceSpec } from './types.ts';
import type { ProducerSpec, Scenario } from '../../../scenario/types.ts';
import type { BuildContext, FeatureBuild, ServiceClient } from '../../../scenario/feature.ts';
import { workloadLogClients } from './producers.ts';

/** Margin between the producers' last possible acknowledgement and the final read. */
const FINAL_READ_MARGIN_US = 100 * MS;
/** Time the final read is allowed to take before the run ends. */
const FINAL_READ_BUDGET_US = 1000 * MS;

/** Spawns every log service with its clients; returns the metrics to run. */
export function buildLogServices(world: World, scenario: Scenario, context: BuildContext): TraceMetric[] {
  const services = scenario.services.filter((s): s is LogServiceSpec => s.kind === 'log');
  if (services.length === 0) return [];
  for (const service of services) {
    const cluster = spawnService(world, service);
    const producers = scenario.workload.filter((p) => p.service === service.name);
    // Every client of the service counts, whichever feature runs it (Feature.serviceClients).
    const readAt = finalReadTime(scenario, service, context.clientsOf(service.name));
    spawnFinalReader(world, cluster, service.name, service.controllerNode, readAt);
    for (const producer of producers) spawnProducer(world, scenario, cluster, service, producer);
    for (const consumer of scenario.consumers ?? []) {
      if (consumer.service !== service.name) continue;
      for (const member of consumer.members) {
        claim(world, member, `consumers.${consumer.name}`);
        const config = {
          group: consumer.group,
          topic: consumer.topic,
          brokers: cluster.brokers,
          controller: cluster.controller,
          controllers: cluster.controllers,
          maxPollRecords: consumer.maxPollRecords,
          fetchMaxWaitUs: consumer.fetchMaxWaitUs,
          fetchMinBytes: consumer.fetchMinBytes,
          fetchMaxBytes: consumer.fetchMaxBytes,
          maxPartitionFetchBytes: consumer.maxPartitionFetchBytes,
          autoOffsetReset: consumer.autoOffsetReset,
          heartbeatIntervalUs: consumer.heartbeatIntervalUs,
          sessionTimeoutUs: consumer.sessionTimeoutUs,
          processingUs: consumer.processingUs,
          commitIntervalUs: consumer.commitIntervalUs,
          requestTimeoutUs: consumer.requestTimeoutUs,
          retryBackoffUs: 100 * MS,
        };
        world.spawn(member, consumer.node, () => new LogConsumer(config));
      }
    }
  }
  // Failover is measured only where there is a quorum to fail over, so other summaries stay as they were.
  return [new LogMetrics(), ...(services.some((s) => s.controllerNodes.length > 1) ? [new ControllerMetrics()] : [])];
}

function spawnService(world: World, service: LogServiceSpec): SpawnedCluster {
  const path = `services.${service.name}`;
  for (let i = 1; i <= service.brokerNodes.length; i++) claim(world, `${service.name}-broker-${i}`, path);
  for (const id of controllerIds(service.name, service.controllerNodes.length)) claim(world, id, path);
  claim(world, `${service.name}-reader`, path);
  return spawnLogCluster(
    world,
    { name: service.name, brokerNodes: service.brokerNodes, controllerNode: service.controllerNode, controllerNodes: service.controllerNodes },
    {
      topics: service.topics,
      flush: service.flush,
      ackBeforeFlush: service.ackBeforeFlush,
      truncation: service.truncation,
      replicaLagTimeMaxUs: service.replicaLagTimeMaxUs,
      replicaFetchWaitMaxUs: service.replicaFetchWaitMaxUs,
      replicaFetchMaxBytes: service.replicaFetchMaxBytes,
      replicaFetchBackoffUs: service.replicaFetchBackoffUs,
      brokerHeartbeatIntervalUs: service.brokerHeartbeatIntervalUs,
      brokerSessionTimeoutUs: service.brokerSessionTimeoutUs,
      hwCheckpointIntervalUs: service.hwCheckpointIntervalUs,
      retentionCheckIntervalUs: service.retentionCheckIntervalUs,
      eligibleLeaderReplicas: service.eligibleLeaderReplicas,
      quorumElectionTimeoutUs: service.quorumElectionTimeoutUs,
      quorumFetchTimeoutUs: service.quorumFetchTimeoutUs,
    },
  );
}

function spawnProducer(world: World, scenario: Scenario, cluster: SpawnedCluster, service: LogServiceSpec, producer: ProducerSpec): void {
  const log = producer.log!;
  claim(world, producer.name, `workload.${producer.name}`);
  const partitions = service.topics.find((t) => t.name === log.topic)!.partitions;
  const config = {
    ...log,
    brokers: cluster.brokers,
    controller: cluster.controller,
    controllers: cluster.controllers,
    ratePerSec: producer.ratePerSec,
    eventBytes: producer.eventBytes,
    stopAtUs: scenario.durationUs,
  };
  world.spawn(producer.name, producer.node, () => new LogProducer(config, partitions));
}

/**
 * When the final read of `service` may start: after every writer's last possible acknowledgement
 * (checked against the quiesce phase), and not before any forwarder into it has drained.
 */
function finalReadTime(scenario: Scenario, service: LogServiceSpec, clients: readonly ServiceClient[]): number {
  const producers = clients.flatMap((client) => ('windowUs' in client ? [client] : []));
  const window = Math.max(0, ...producers.map((p) => p.windowUs));
  const readAtUs = scenario.durationUs + window + FINAL_READ_MARGIN_US;
  const needed = readAtUs + FINAL_READ_BUDGET_US - scenario.durationUs;
  if (needed > scenario.quiesceUs) {
    throw new InputError(
      `quiesce: ${formatMicros(scenario.quiesceUs)} is too short for the final read of services.${service.name}: its producers (${producers.map((p) => p.path).join(', ')}) may still be ` +
        `delivering for ${formatMicros(window)} after the safety phase (delivery.timeout.ms, or their retries); make quiesce at least ${formatMicros(needed)}`,
    );
  }
  return Math.max(readAtUs, ...clients.flatMap((client) => ('readAfterUs' in client ? [client.readAfterUs] : [])));
}

function claim(world: World, id: string, path: string): void {
  if (world.has(id)) throw new InputError(`${path}: the actor name "${id}" is already taken by another service, producer or consumer`);
}

/** The log feature's build side (scenario/feature.ts `FeatureBuild`). */
export const LOG_BUILD: FeatureBuild = {
  serviceClients: workloadLogClients,
  build: buildLogServices,
};

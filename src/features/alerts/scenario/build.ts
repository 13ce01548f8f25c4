/**
 * Builds the `alerts:` section into a world: the survey's alert producer (a `LogProducer` with a
 * burst shape, one burst of alerts per visit, one record per alert) writing to its log service, every community broker
 * with its subscribers, and the `alerts` metric. The sky is seeded with the run's seed, so every
 * broker sees the same alerts and a seed reproduces them. How it fails: an `InputError` when an
 * actor name is taken.
 */
import { ALERT_COVERAGE_PATHS, AlertBroker, AlertSubscriber } from '../actors/index.ts';
import { InputError, SECOND } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/index.ts';
import { AlertMetrics } from '../metrics/alerts.ts';
import { FORWARDER_DEFAULTS } from '../../forward/actors/index.ts';
import { LogProducer, brokerIds, burstNominalUs, burstOfEvent } from '../../log/actors/index.ts';
import type { World } from '../../../world/index.ts';
import { deliveryWindow, type LogServiceSpec } from '../../log/index.ts';
import type { FeatureBuild, ServiceClient } from '../../../scenario/feature.ts';
import type { Scenario } from '../../../scenario/types.ts';

/** The alert producer, as a client of its log service (so the service's final read waits for it). */
export function alertClients(scenario: Scenario): ServiceClient[] {
  const producer = scenario.alerts?.producer;
  return producer === undefined ? [] : [{ service: producer.service, path: 'alerts.producer', windowUs: deliveryWindow(producer.log) }];
}

export function buildAlerts(world: World, scenario: Scenario): TraceMetric[] {
  const a = scenario.alerts;
  if (a === undefined) return [];
  const producer = a.producer;
  for (const actor of [producer.actor, ...a.brokers.flatMap((b) => [b.name, ...b.subscribers])]) {
    if (world.has(actor)) throw new InputError(`alerts: the actor name "${actor}" is already taken`);
  }
  const service = scenario.services.find((s): s is LogServiceSpec => s.kind === 'log' && s.name === producer.service)!;
  const partitions = service.topics.find((t) => t.name === producer.log.topic)!.partitions;
  const brokers = brokerIds(service.name, service.brokerNodes.length);
  const controller = `${service.name}-controller`;
  const log = producer.log;
  const producerConfig = {
    ...log,
    brokers,
    controller,
    // Only the mean rate of ordinary visits, for reports: the bursts decide when alerts are produced.
    ratePerSec: (producer.bursts.events * SECOND) / producer.bursts.everyUs,
    eventBytes: a.alertBytes,
    stopAtUs: scenario.durationUs,
    bursts: producer.bursts,
  };
  world.spawn(producer.actor, producer.node, () => new LogProducer(producerConfig, partitions));
  const sky = { objects: a.objects, skySeed: world.seed };
  const source = { service: service.name, topic: log.topic, partitions, brokers, controller };
  for (const b of a.brokers) {
    const config = {
      source,
      bursts: producer.bursts,
      sky,
      alertBytes: a.alertBytes,
      subscribers: b.subscribers,
      classifyUs: b.classifyUs,
      maxPollRecords: b.maxPollRecords,
      minDetections: b.minDetections,
      checkpointUs: a.checkpointUs,
      requestTimeoutUs: FORWARDER_DEFAULTS.requestTimeoutUs,
      retryBackoffUs: FORWARDER_DEFAULTS.retryBackoffUs,
      // Two steps ahead per partition: enough to keep classifying while the next fetch travels.
      readAheadBytes: 2 * b.maxPollRecords * a.alertBytes,
      // Tuned for the WAN as the producer is (8 MB batches): with Kafka's 1 MiB default only the
      // first partition with data returns its (oversized) first batch per request, the others nothing.
      maxPartitionFetchBytes: 2 * b.maxPollRecords * a.alertBytes,
    };
    world.spawn(b.name, b.node, () => new AlertBroker(config));
    for (const subscriber of b.subscribers) world.spawn(subscriber, b.subscriberNode, () => new AlertSubscriber());
  }
  const metric = new AlertMetrics({ producer: producer.actor, deadlineUs: a.latencyTargetUs, brokers: a.brokers.map((b) => ({ name: b.name, subscribers: b.subscribers.length })),
    visitEndUs: (alert) => {
      const burst = burstOfEvent(alert)?.burst;
      return burst === undefined ? undefined : burstNominalUs(producer.bursts, burst);
    },
  });
  return [metric];
}

/** The alerts feature's build side (scenario/feature.ts `FeatureBuild`). */
export const ALERTS_BUILD: FeatureBuild = {
  serviceClients: alertClients,
  build: (world, scenario) => buildAlerts(world, scenario),
  coveragePaths: (scenario) => (scenario.alerts === undefined ? [] : ALERT_COVERAGE_PATHS),
};

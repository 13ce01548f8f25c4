/**
 * Builds the event stores of a scenario with their final readers, and the workload producers that
 * write to them.
 *
 * Guarantee: the final read starts once no producer can still be retrying (Jepsen's quiescence), so
 * every acknowledgement precedes it and an acknowledged event absent from it really was lost. How it
 * fails: a final phase too short for that, or an actor name already taken, is an `InputError`
 * naming the field.
 */
import { InputError, MS, formatMicros } from '../../../kernel/contract/index.ts';
import type { FeatureBuild } from '../../../scenario/feature.ts';
import type { Scenario } from '../../../scenario/types.ts';
import type { World } from '../../../world/index.ts';
import { EventStore, FinalReader, PRODUCER_COVERAGE_PATHS, Producer, STORE_COVERAGE_PATHS } from '../actors/index.ts';
import type { EventStoreSpec } from './types.ts';

/** Margin between the producers' last possible retry and the final read. */
const FINAL_READ_MARGIN_US = 100 * MS;
/** Time the final read is allowed to take before the run ends. */
const FINAL_READ_BUDGET_US = 1000 * MS;

export function buildStores(world: World, scenario: Scenario): void {
  const stores = scenario.services.filter((service): service is EventStoreSpec => service.kind === 'event-store');
  // Producers speak the store's protocol to whatever is not another feature's service: a store, or
  // an edge buffer taking instruments' events as a store would.
  const producers = scenario.workload.filter((producer) => {
    const service = scenario.services.find((candidate) => candidate.name === producer.service);
    return service === undefined || service.kind === 'event-store';
  });
  if (stores.length === 0 && producers.length === 0) return;
  const readAtUs = finalReadTime(scenario, producers);
  for (const service of stores) {
    world.spawn(service.name, service.node, () => new EventStore({ flush: service.flush }));
    const reader = `${service.name}-reader`;
    if (world.has(reader)) throw new InputError(`services.${service.name}: its final reader would be named "${reader}", which is taken`);
    world.spawn(reader, service.node, () => new FinalReader({ store: service.name, readAtUs, pageSize: 1000, timeoutUs: 500 * MS }));
  }
  for (const producer of producers) {
    if (world.has(producer.name)) throw new InputError(`workload.${producer.name}: the name is already used by a service`);
    const config = {
      store: producer.service,
      ratePerSec: producer.ratePerSec,
      eventBytes: producer.eventBytes,
      timeoutUs: producer.timeoutUs,
      retries: producer.retries,
      stopAtUs: scenario.durationUs,
    };
    world.spawn(producer.name, producer.node, () => new Producer(config));
  }
}

function finalReadTime(scenario: Scenario, producers: Scenario['workload']): number {
  const retryWindow = Math.max(0, ...producers.map((p) => p.timeoutUs * (p.retries + 1)));
  const readAtUs = scenario.durationUs + retryWindow + FINAL_READ_MARGIN_US;
  const needed = readAtUs + FINAL_READ_BUDGET_US - scenario.durationUs;
  if (needed > scenario.quiesceUs) {
    throw new InputError(
      `quiesce: ${formatMicros(scenario.quiesceUs)} is too short for the final read: producers may retry for ` +
        `${formatMicros(retryWindow)} after the safety phase; make quiesce at least ${formatMicros(needed)}`,
    );
  }
  return readAtUs;
}

/** The store feature's build side (scenario/feature.ts `FeatureBuild`). */
export const STORE_BUILD: FeatureBuild = {
  build(world, scenario) {
    buildStores(world, scenario);
    return [];
  },
  // Only a scenario with an event store runs the store's actors and its retrying producers.
  coveragePaths: (scenario) => (scenario.services.some((service) => service.kind === 'event-store') ? [...STORE_COVERAGE_PATHS, ...PRODUCER_COVERAGE_PATHS] : []),
};

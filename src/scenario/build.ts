/**
 * Resolution of a validated scenario into a runnable world: sites, links, services, clients, the
 * final readers, the fault schedule, and the checks and metrics to run.
 *
 * Guarantee: building is a pure function of the scenario and the seed, so the same pair always
 * gives the same world — the basis of every trace hash. How it fails: a scenario the schema accepts
 * but that cannot be run as written (a final phase too short for the producers to finish retrying)
 * is rejected with an `InputError` naming the field, before anything runs.
 */
import { checkerNamed } from '../check/index.ts';
import type { PreparedRun } from '../exec/run.ts';
import { InputError, MS, TraceWriter, formatMicros } from '../kernel/index.ts';
import { FaultCoverage, ProduceMetrics } from '../metrics/index.ts';
import { EventStore, FinalReader, PRODUCER_COVERAGE_PATHS, Producer, STORE_COVERAGE_PATHS } from '../features/store/actors/index.ts';
import { World } from '../world/index.ts';
import { realiseFaults } from './faults/build.ts';
import { buildLogServices } from '../features/log/scenario/build.ts';
import { buildPipeline, referenceStates, withoutFaults } from '../features/pipeline/scenario/build.ts';
import { buildForwarders } from '../features/forward/scenario/build.ts';
import { buildFederated } from '../features/federated/scenario/build.ts';
import { buildAlerts } from '../features/alerts/scenario/build.ts';
import { ALERT_COVERAGE_PATHS } from '../features/alerts/actors/index.ts';
import { FORWARD_COVERAGE_PATHS } from '../features/forward/actors/index.ts';
import type { Scenario } from './types.ts';

/** Margin between the producers' last possible retry and the final read. */
const FINAL_READ_MARGIN_US = 100 * MS;
/** Time the final read is allowed to take before the run ends. */
const FINAL_READ_BUDGET_US = 1000 * MS;

export interface PrepareOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  trace: TraceWriter;
}

export function prepareRun(scenario: Scenario, options: PrepareOptions): PreparedRun {
  const seed = options.seed ?? scenario.seed;
  const endUs = scenario.durationUs + scenario.quiesceUs;
  const world = new World({ seed, scenario: scenario.name, trace: options.trace, meta: { durationUs: scenario.durationUs, endUs, ...liveness(scenario) } });
  for (const site of scenario.sites) {
    world.addSite(site.name, {
      role: site.role,
      nodes: site.nodes,
      lan: { latencyUs: site.lan.latencyUs, jitterUs: site.lan.jitterUs, bandwidthBytesPerSec: site.lan.bandwidthBytesPerSec },
      disk: { latencyUs: site.disk.fsyncLatencyUs, bandwidthBytesPerSec: site.disk.bandwidthBytesPerSec },
    });
  }
  for (const link of scenario.links) {
    world.link(link.between[0], link.between[1], {
      latencyUs: link.latencyUs,
      jitterUs: link.jitterUs,
      bandwidthBytesPerSec: link.bandwidthBytesPerSec,
      loss: link.lossProbability,
    });
  }
  const readAtUs = finalReadTime(scenario);
  for (const service of scenario.services) {
    if (service.kind !== 'event-store') continue;
    world.spawn(service.name, service.node, () => new EventStore({ flush: service.flush }));
    const reader = `${service.name}-reader`;
    if (world.sim.has(reader)) throw new InputError(`services.${service.name}: its final reader would be named "${reader}", which is taken`);
    world.spawn(reader, service.node, () => new FinalReader({ store: service.name, readAtUs, pageSize: 1000, timeoutUs: 500 * MS }));
  }
  for (const producer of scenario.workload) {
    if (producer.log !== undefined) continue;
    if (world.sim.has(producer.name)) throw new InputError(`workload.${producer.name}: the name is already used by a service`);
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
  const logMetrics = buildLogServices(world, scenario);
  const forwardMetrics = buildForwarders(world, scenario);
  const federatedMetrics = buildFederated(world, scenario);
  const alertMetrics = buildAlerts(world, scenario);
  const pipelineMetrics = buildPipeline(scenario, world, () => referenceStates(prepareRun(withoutFaults(scenario), { seed, trace: new TraceWriter() })));
  const faults = realiseFaults(scenario, world);
  const coverage = new FaultCoverage([...STORE_COVERAGE_PATHS, ...PRODUCER_COVERAGE_PATHS, ...(scenario.forwarders === undefined ? [] : FORWARD_COVERAGE_PATHS), ...(scenario.alerts === undefined ? [] : ALERT_COVERAGE_PATHS)]);
  return { scenario: scenario.name, seed, world, endUs, checks: scenario.checks.map(checkerNamed), metrics: [new ProduceMetrics(), coverage, ...logMetrics, ...forwardMetrics, ...federatedMetrics, ...alertMetrics, ...pipelineMetrics], faults };
}

/**
 * The final read starts once no producer can still be retrying (Jepsen's quiescence), so every
 * acknowledgement precedes it and an acknowledged event absent from it really was lost.
 */
function finalReadTime(scenario: Scenario): number {
  // Log producers' delivery windows are build-log.ts's business.
  const retryWindow = Math.max(0, ...scenario.workload.filter((p) => p.log === undefined).map((p) => p.timeoutUs * (p.retries + 1)));
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

/** The liveness bound, in the trace header only when the scenario sets one (the check has a default). */
function liveness(scenario: Scenario): { livenessBoundUs?: number } {
  return scenario.livenessBoundUs === undefined ? {} : { livenessBoundUs: scenario.livenessBoundUs };
}

/**
 * Resolution of a validated scenario into a runnable world: sites, links, then every feature's
 * actors (services, clients, final readers) in registration order, the fault schedule, and the
 * checks and metrics to run.
 *
 * Guarantee: building is a pure function of the scenario and the seed, so the same pair always
 * gives the same world — the basis of every trace hash. How it fails: a scenario the schema accepts
 * but that cannot be run as written (a final phase too short for the producers to finish retrying)
 * is rejected with an `InputError` naming the field, before anything runs.
 */
import { BUILTIN_BUILDS } from '../features/builds.ts';
import { TraceWriter } from '../kernel/index.ts';
import { FaultCoverage, ProduceMetrics, type TraceMetric } from '../metrics/index.ts';
import { World } from '../world/index.ts';
import type { BuildContext, Feature, FeatureBuild } from './feature.ts';
import { realiseFaults } from './faults/build.ts';
import { computeReference, faultFree, type ReferenceRecall } from './reference.ts';
import { checkerNamed, features, pluginsLoaded } from './registry.ts';
import type { Scenario } from './types.ts';
import type { CheckerDefinition } from '../check/index.ts';
import type { RealisedFault } from '../faults/index.ts';

export interface BuildOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  trace: TraceWriter;
  /** How a feature's fault-free reference is measured or recalled (prepare.ts: the cache on disk); measured every time by default. */
  recall?: ReferenceRecall;
  /** Called when the build reads the seed (WorldOptions.onSeedRead); a build that never does is the same for every seed. */
  onSeedRead?: () => void;
}

/** A world ready to run, with what to check and measure when it has run. Its seed is the world's. */
export interface PreparedRun {
  readonly scenario: string;
  readonly world: World;
  /** End of the run (safety phase + final phase), µs. */
  readonly endUs: number;
  readonly checks: readonly CheckerDefinition[];
  readonly metrics: readonly TraceMetric[];
  /** The faults this run injects (schedule and nemesis), as realised for its seed. */
  readonly faults?: readonly RealisedFault[];
}

/** The world a scenario builds for a seed, ready to run; pure (no file, no cache of its own). */
export function buildRun(scenario: Scenario, options: BuildOptions): PreparedRun {
  if (scenario.plugins !== undefined && !pluginsLoaded(scenario.plugins)) {
    throw new Error(`prepareRun: the scenario's plug-ins are not loaded (${scenario.plugins.join(', ')}); await loadPlugins(scenario.plugins) first`);
  }
  const seed = options.seed ?? scenario.seed;
  const endUs = scenario.durationUs + scenario.quiesceUs;
  const seedReads = options.onSeedRead === undefined ? {} : { onSeedRead: options.onSeedRead };
  const world = new World({
    seed,
    scenario: scenario.name,
    trace: options.trace,
    meta: { durationUs: scenario.durationUs, endUs, ...liveness(scenario) },
    ...seedReads,
  });
  for (const site of scenario.sites) {
    world.addSite(site.name, {
      role: site.role,
      nodes: site.nodes,
      lan: { latencyUs: site.lan.latencyUs, jitterUs: site.lan.jitterUs, bandwidthBytesPerSec: site.lan.bandwidthBytesPerSec },
      disk: {
        latencyUs: site.disk.fsyncLatencyUs,
        bandwidthBytesPerSec: site.disk.bandwidthBytesPerSec,
        dirtyExpireUs: site.disk.dirtyExpireUs,
        dirtyWritebackUs: site.disk.dirtyWritebackUs,
      },
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
  const withoutFaults = () => buildRun(faultFree(scenario), { seed, trace: new TraceWriter(), ...seedReads });
  const all = features().map(buildSide);
  const clients = all.flatMap((feature) => feature.serviceClients?.(scenario) ?? []);
  const context: BuildContext = {
    // Read through the world, so that a feature reading the seed is seen to (onSeedRead).
    get seed() {
      return world.seed;
    },
    clientsOf: (service) => clients.filter((client) => client.service === service),
    withoutFaults,
    reference: (purpose, measure) => (options.recall ?? ((_, m) => computeReference(m)))({ scenario, seed: world.seed, purpose }, () => measure(withoutFaults())),
  };
  const featureMetrics = all.flatMap((feature) => feature.build?.(world, scenario, context) ?? []);
  const faults = realiseFaults(scenario, world);
  const coverage = new FaultCoverage(all.flatMap((feature) => feature.coveragePaths?.(scenario) ?? []));
  return { scenario: scenario.name, world, endUs, checks: scenario.checks.map((name) => checkerNamed(name)), metrics: [new ProduceMetrics(), coverage, ...featureMetrics], faults };
}

/** What builds a feature: a built-in's build side (features/builds.ts), a plug-in's own descriptor. */
function buildSide(feature: Feature): FeatureBuild {
  return BUILTIN_BUILDS.get(feature.name) ?? feature;
}

/** The liveness bound, in the trace header only when the scenario sets one (the check has a default). */
function liveness(scenario: Scenario): { livenessBoundUs?: number } {
  return scenario.livenessBoundUs === undefined ? {} : { livenessBoundUs: scenario.livenessBoundUs };
}

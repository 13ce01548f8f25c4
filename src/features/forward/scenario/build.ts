/**
 * Builds the forwarders of a scenario into a world: one `Forwarder` actor each, wired to its log
 * services' brokers and controllers, and each connectivity window realised as a partition between
 * the forwarder's site and the destination's site, healed when the window opens (with a `fault`
 * record `kind: link-window` at both edges, so timelines shade the outages).
 *
 * Final reads: a service that forwarders write to is read as late as the run allows (one read
 * budget before the end per forwarding hop downstream of it), so events still draining through
 * the hierarchy after the safety phase are counted. How it fails: an `InputError` when a
 * forwarder's name is taken.
 */
import { InputError, MS } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/index.ts';
import { ForwardMetrics } from '../metrics/forward.ts';
import { FORWARD_COVERAGE_PATHS, FORWARDER_DEFAULTS, Forwarder, outages, type LogEndpoint } from '../actors/index.ts';
import { brokerIds } from '../../log/actors/index.ts';
import type { World } from '../../../world/index.ts';
import type { ForwarderSpec } from './types.ts';
import type { LogServiceSpec } from '../../log/index.ts';
import type { Scenario } from '../../../scenario/types.ts';
import type { FeatureBuild, ServiceClient } from '../../../scenario/feature.ts';

/** Time the final read of one service is allowed to take (as in build-log.ts). */
const FINAL_READ_BUDGET_US = 1000 * MS;

export function buildForwarders(world: World, scenario: Scenario): TraceMetric[] {
  const forwarders = scenario.forwarders ?? [];
  for (const f of forwarders) {
    if (world.has(f.name)) throw new InputError(`forwarders.${f.name}: the actor name "${f.name}" is already taken`);
    const sink = endpoint(scenario, f.to);
    const source = f.from.kind === 'buffer' ? f.from : { kind: 'log' as const, ...endpoint(scenario, f.from) };
    const config = { ...FORWARDER_DEFAULTS, batchBytes: f.batchBytes, maxInFlight: f.maxInFlight, requestTimeoutUs: f.requestTimeoutUs, retryBackoffUs: f.retryBackoffUs, maxBackoffUs: f.maxBackoffUs, source, sink };
    world.spawn(f.name, f.node, () => new Forwarder(config));
    scheduleWindow(world, scenario, f);
  }
  return forwarders.length === 0 ? [] : [new ForwardMetrics()];
}

/**
 * Forwarders as clients of the services they write to: a forwarding destination is read as late as
 * possible, once the hierarchy above it has drained (one read budget per hop below it).
 */
export function forwarderClients(scenario: Scenario): ServiceClient[] {
  const forwarders = scenario.forwarders ?? [];
  return forwarders.map((f) => ({ service: f.to.service, path: `forwarders.${f.name}`, readAfterUs: scenario.durationUs + scenario.quiesceUs - FINAL_READ_BUDGET_US * hopsFrom(forwarders, f.to.service, 1) }));
}

/** 1 + the longest chain of forwarders reading from `service` (a cycle is cut at the depth of the forwarders). */
function hopsFrom(forwarders: readonly ForwarderSpec[], service: string, depth: number): number {
  if (depth > forwarders.length) return depth;
  let most = depth;
  for (const f of forwarders) if (f.from.kind === 'log' && f.from.service === service) most = Math.max(most, hopsFrom(forwarders, f.to.service, depth + 1));
  return most;
}

function endpoint(scenario: Scenario, ref: { readonly service: string; readonly topic: string }): LogEndpoint {
  const service = scenario.services.find((s): s is LogServiceSpec => s.kind === 'log' && s.name === ref.service)!;
  const topic = service.topics.find((t) => t.name === ref.topic)!;
  return { service: service.name, topic: topic.name, partitions: topic.partitions, brokers: brokerIds(service.name, service.brokerNodes.length), controller: `${service.name}-controller` };
}

function scheduleWindow(world: World, scenario: Scenario, f: ForwarderSpec): void {
  if (f.window === undefined) return;
  const dest = scenario.services.find((s) => s.name === f.to.service)!;
  if (dest.site === f.site) return;
  const endUs = scenario.durationUs + scenario.quiesceUs;
  outages(f.window, endUs).forEach((outage, k) => {
    const id = `window-${f.name}-${k + 1}`;
    const targets = { from: [f.site], to: [dest.site] };
    world.at(outage.from, `link window of ${f.name} closes`, () => {
      world.partition({ id, ...targets });
      world.record('fault', { fault: id, kind: 'link-window', phase: 'start', ...targets });
    });
    if (outage.to >= endUs) return;
    world.at(outage.to, `link window of ${f.name} opens`, () => {
      world.heal(id);
      world.record('fault', { fault: id, kind: 'link-window', phase: 'end', ...targets });
    });
  });
}

/** The forward feature's build side (scenario/feature.ts `FeatureBuild`). */
export const FORWARD_BUILD: FeatureBuild = {
  serviceClients: forwarderClients,
  build: (world, scenario) => buildForwarders(world, scenario),
  coveragePaths: (scenario) => (scenario.forwarders === undefined ? [] : FORWARD_COVERAGE_PATHS),
};

/**
 * Builds the `federated:` section into a world: the FedAvg server and one site actor per
 * participant (src/apps/federated/), and the `federated` metric. How it fails: an `InputError` when
 * an actor name is taken.
 */
import { FlServer, FlSite } from '../apps/federated/index.ts';
import { InputError } from '../kernel/index.ts';
import { FederatedMetrics, type TraceMetric } from '../metrics/index.ts';
import type { World } from '../world/index.ts';
import type { Scenario } from './types.ts';

export function buildFederated(world: World, scenario: Scenario): TraceMetric[] {
  const f = scenario.federated;
  if (f === undefined) return [];
  for (const actor of [f.server.actor, ...f.sites.map((s) => s.actor)]) {
    if (world.sim.has(actor)) throw new InputError(`federated: the actor name "${actor}" is already taken`);
  }
  const serverConfig = {
    sites: f.sites.map((s) => s.actor),
    rounds: f.rounds,
    policy: f.policy,
    modelDim: f.modelDim,
    updateBytes: f.updateBytes,
    checkpointEvery: f.checkpointEvery,
    resendUs: f.resendUs,
  };
  world.spawn(f.server.actor, f.server.node, () => new FlServer(serverConfig));
  const siteConfig = { server: f.server.actor, modelDim: f.modelDim, updateBytes: f.updateBytes, localSteps: f.localSteps, learningRate: f.learningRate, compute: f.compute };
  for (const site of f.sites) world.spawn(site.actor, site.node, () => new FlSite(siteConfig));
  return [new FederatedMetrics()];
}

/**
 * Builds the `federated:` section into a world: the FedAvg server and one site actor per
 * participant (src/features/federated/actors/), the checkpoint store of the server's tier when it is not
 * node-local, and the `federated` metric. How it fails: an `InputError` when an actor name is taken.
 */
import { FlServer, FlSite } from '../actors/index.ts';
import { InputError } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/index.ts';
import { FederatedMetrics } from '../metrics/federated.ts';
import { CheckpointStore, DEFAULT_CHECKPOINT, type CheckpointConfig } from '../../checkpoint/actors/index.ts';
import type { World } from '../../../world/index.ts';
import type { FederatedCheckpointSpec } from './types.ts';
import type { FeatureBuild } from '../../../scenario/feature.ts';
import type { Scenario } from '../../../scenario/types.ts';

export function buildFederated(world: World, scenario: Scenario): TraceMetric[] {
  const f = scenario.federated;
  if (f === undefined) return [];
  const store = f.checkpoint?.store;
  for (const actor of [f.server.actor, ...f.sites.map((s) => s.actor), ...(store === undefined ? [] : [store.actor])]) {
    if (world.has(actor)) throw new InputError(`federated: the actor name "${actor}" is already taken`);
  }
  const serverConfig = {
    sites: f.sites.map((s) => s.actor),
    rounds: f.rounds,
    policy: f.policy,
    modelDim: f.modelDim,
    updateBytes: f.updateBytes,
    checkpoint: f.checkpoint === undefined ? undefined : serverCheckpoint(f.checkpoint),
    resendUs: f.resendUs,
  };
  if (store !== undefined) world.spawn(store.actor, store.node, () => new CheckpointStore());
  world.spawn(f.server.actor, f.server.node, () => new FlServer(serverConfig));
  const siteConfig = { server: f.server.actor, modelDim: f.modelDim, updateBytes: f.updateBytes, localSteps: f.localSteps, learningRate: f.learningRate, compute: f.compute };
  for (const site of f.sites) world.spawn(site.actor, site.node, () => new FlSite(siteConfig));
  return [new FederatedMetrics(f.server.actor)];
}

/**
 * The server runs the participant of an independent strategy: `stream-replay` (independent
 * checkpoints to one tier, local recovery) or, with a flush, `multilevel` (node-local, copied to
 * the flush tier; recovery tries node-local first).
 */
function serverCheckpoint(spec: FederatedCheckpointSpec): CheckpointConfig {
  const storeTier = spec.flush?.tier ?? spec.tier;
  return {
    ...DEFAULT_CHECKPOINT,
    strategy: spec.flush === undefined ? 'stream-replay' : 'multilevel',
    interval: spec.interval,
    tier: spec.tier,
    nodeLocal: spec.nodeLocal,
    ...(spec.flush === undefined ? {} : { flushTo: spec.flush.tier, flushEvery: spec.flush.every }),
    stores: spec.store === undefined ? {} : { [storeTier]: { bySite: {}, fallback: spec.store.actor } },
  };
}

/** The federated feature's build side (scenario/feature.ts `FeatureBuild`). */
export const FEDERATED_BUILD: FeatureBuild = {
  build: (world, scenario) => buildFederated(world, scenario),
};

/**
 * Resolution of the `federated:` section. Pure, and total on fields that passed
 * `cross-check-federated.ts`.
 */
import type { WrittenFederated } from './schema.ts';
import { ALL_OF_ROLE } from './schema.ts';
import { intervalPolicy } from '../../pipeline/index.ts';
import type { WrittenFederatedCheckpoint } from './schema-checkpoint.ts';
import type { FederatedCheckpointSpec, FederatedSpec } from './types.ts';
import type { SiteSpec } from '../../../scenario/types.ts';

type Place = (spec: { readonly node?: string; readonly site?: string }) => { node: string; site: string };

export const FL_SERVER_ACTOR = 'fl-server';

export function resolveFederated(f: WrittenFederated, sites: readonly SiteSpec[], place: Place): FederatedSpec {
  const placeName = (name: string) => place(sites.some((s) => s.name === name) ? { site: name } : { node: name });
  return {
    server: { actor: FL_SERVER_ACTOR, ...placeName(f.server) },
    sites: federatedSiteNames(f.sites, sites).map((name) => ({ actor: `fl-${name}`, ...placeName(name) })),
    rounds: f.rounds,
    policy: f.policy === 'k-of-n' ? { kind: 'k-of-n', k: f.k! } : f.policy === 'deadline' ? { kind: 'deadline', deadlineUs: f.deadline! } : { kind: 'wait-all' },
    updateBytes: f['update-size'],
    modelDim: f['model-dim'],
    localSteps: f['local-steps'],
    learningRate: f['learning-rate'],
    checkpoint: resolveServerCheckpoint(f.checkpoint, placeName),
    resendUs: f.resend,
    compute: {
      medianUs: f.compute.median,
      sigma: f.compute.sigma,
      stragglerProbability: f.compute.stragglers,
      stragglerSlowdown: f.compute['straggler-slowdown'],
    },
  };
}

/** The server's checkpointing, or undefined for `every: never`; the store of a tier that is not node-local is `fl-<tier>@<node>`. */
function resolveServerCheckpoint(c: WrittenFederatedCheckpoint, placeName: (name: string) => { node: string }): FederatedCheckpointSpec | undefined {
  const every = c.every;
  if (every.kind === 'never') return undefined;
  const flushTo = c['flush-to'];
  // Node-local checkpoints without a flush need no store, even if one is placed (see cross-check-federated-checkpoint.ts).
  const storeTier = flushTo ?? c.tier;
  const storeNode = c.store === undefined || storeTier === 'node-local' ? undefined : placeName(c.store).node;
  return {
    interval: intervalPolicy({ ...c, interval: every }),
    tier: c.tier,
    nodeLocal: c['node-local'],
    flush: flushTo === undefined ? undefined : { tier: flushTo, every: c['flush-every'] },
    store: storeNode === undefined ? undefined : { actor: `fl-${storeTier}@${storeNode}`, node: storeNode },
  };
}

/** The participants as written, or every site of the role for `all of role <role>`. */
export function federatedSiteNames(written: WrittenFederated['sites'], sites: readonly { readonly name: string; readonly role: string }[]): string[] {
  if (Array.isArray(written)) return [...written];
  const role = ALL_OF_ROLE.exec(written)![1];
  return sites.filter((s) => s.role === role).map((s) => s.name);
}

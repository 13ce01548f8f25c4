/**
 * Resolution of the `federated:` section. Pure, and total on fields that passed
 * `cross-check-federated.ts`.
 */
import type { WrittenFederated } from './schema-federated.ts';
import { ALL_OF_ROLE } from './schema-federated.ts';
import type { FederatedSpec } from './types-federated.ts';
import type { SiteSpec } from './types.ts';

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
    checkpointEvery: f['checkpoint-every'],
    resendUs: f.resend,
    compute: {
      medianUs: f.compute.median,
      sigma: f.compute.sigma,
      stragglerProbability: f.compute.stragglers,
      stragglerSlowdown: f.compute['straggler-slowdown'],
    },
  };
}

/** The participants as written, or every site of the role for `all of role <role>`. */
export function federatedSiteNames(written: WrittenFederated['sites'], sites: readonly { readonly name: string; readonly role: string }[]): string[] {
  if (Array.isArray(written)) return [...written];
  const role = ALL_OF_ROLE.exec(written)![1];
  return sites.filter((s) => s.role === role).map((s) => s.name);
}

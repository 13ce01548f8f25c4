/**
 * The resolved `federated:` section: placement resolved to nodes and actor ids, units as integers.
 */
import type { ComputeModel, RoundPolicy } from '../apps/federated/config.ts';
import type { Micros } from '../kernel/time.ts';

export interface FederatedSiteSpec {
  /** Actor id: `fl-<name as written>` (or `fl-<site>` for `all of role`). */
  readonly actor: string;
  readonly node: string;
  readonly site: string;
}

export interface FederatedSpec {
  /** The server's actor id is `fl-server`. */
  readonly server: { readonly actor: string; readonly node: string; readonly site: string };
  /** In file order (or site order for `all of role`); never empty. */
  readonly sites: readonly FederatedSiteSpec[];
  readonly rounds: number;
  readonly policy: RoundPolicy;
  readonly updateBytes: number;
  readonly modelDim: number;
  readonly localSteps: number;
  readonly learningRate: number;
  /** 0 = never. */
  readonly checkpointEvery: number;
  readonly resendUs: Micros;
  readonly compute: ComputeModel;
}

/**
 * The resolved `federated:` section: placement resolved to nodes and actor ids, units as integers.
 */
import type { ComputeModel, RoundPolicy } from '../actors/config.ts';
import type { Micros } from '../../../kernel/contract/index.ts';
import type { IntervalPolicy, NodeLocalMedium, TierName } from '../../checkpoint/actors/index.ts';

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
  /** How the server checkpoints its model; undefined = never (a restart begins at round 0). */
  readonly checkpoint: FederatedCheckpointSpec | undefined;
  readonly resendUs: Micros;
  readonly compute: ComputeModel;
}

/** The server's checkpointing: the checkpoint layer's interval and tier. */
export interface FederatedCheckpointSpec {
  /** `events` counts completed rounds. */
  readonly interval: IntervalPolicy;
  readonly tier: TierName;
  readonly nodeLocal: NodeLocalMedium;
  /** Multilevel: every `every`-th (node-local) checkpoint is also copied to `tier`. */
  readonly flush: { readonly tier: TierName; readonly every: number } | undefined;
  /** The store actor of the tier (or flush tier) that is not node-local: `fl-<tier>@<node>`. */
  readonly store: { readonly actor: string; readonly node: string } | undefined;
}

declare module '../../../scenario/types.ts' {
  interface FeatureSections {
    /** A federated-learning job; absent when the file has none. */
    readonly federated?: FederatedSpec;
  }
}

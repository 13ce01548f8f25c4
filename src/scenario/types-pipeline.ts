/**
 * The resolved `pipeline:` and `checkpoint:` sections, as the rest of the simulator sees them:
 * operators with their placements resolved to node names, strategy settings with units converted.
 */
import type { Micros } from '../kernel/time.ts';
import type { OperatorDef } from '../apps/index.ts';
import type { Alignment, IntervalPolicy, NodeLocalMedium, StrategyName, TierName } from '../protocols/checkpoint/index.ts';

export interface PipelineSpec {
  /** In file order. */
  readonly operators: readonly OperatorDef[];
  /** Stream → the node of its topic, for the streams the file placed. */
  readonly topicNodes: Readonly<Record<string, string>>;
}

export interface CheckpointSpec {
  readonly strategy: StrategyName;
  readonly interval: IntervalPolicy;
  readonly tier: TierName;
  readonly incremental: boolean;
  readonly fullEvery: number;
  readonly alignment: Alignment;
  readonly nodeLocal: NodeLocalMedium;
  readonly flushTo: TierName;
  readonly flushEvery: number;
  /** Where the coordinator of a global strategy runs. */
  readonly coordinatorNode: string;
  /** The store nodes of each configured tier, in file order. */
  readonly tiers: readonly { readonly tier: TierName; readonly nodes: readonly string[] }[];
  readonly requestTimeoutUs: Micros;
  readonly checkpointTimeoutUs: Micros;
}

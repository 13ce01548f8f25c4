/**
 * The resolved `pipeline:` and `checkpoint:` sections, as the rest of the simulator sees them:
 * operators with their placements resolved to node names, strategy settings with units converted.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { FlowControl, OperatorDef } from '../actors/index.ts';
import type { CheckpointConfig, TierName } from '../../checkpoint/actors/index.ts';

export interface PipelineSpec {
  /** In file order. */
  readonly operators: readonly OperatorDef[];
  /** Stream → the node of its topic, for the streams the file placed. */
  readonly topicNodes: Readonly<Record<string, string>>;
  /**
   * Stream → the log service holding it as a topic of the same name, for the streams placed on one,
   * and its producers' `max.request.size` (payload bytes).
   */
  readonly logStreams: Readonly<Record<string, { readonly service: string; readonly maxRequestBytes: number }>>;
  /** The windows of direct streams. */
  readonly flow: FlowControl;
}

/**
 * The strategy's own settings as the checkpoint protocol takes them, with placements still as
 * nodes (the builder turns them into the coordinator and store actors).
 */
export interface CheckpointSpec extends Omit<CheckpointConfig, 'coordinator' | 'stores' | 'logTopic'> {
  /** Where the coordinator of a global strategy runs. */
  readonly coordinatorNode: string;
  /** The store nodes of each configured tier, in file order. */
  readonly tiers: readonly { readonly tier: TierName; readonly nodes: readonly string[] }[];
  /** The log-topic tier's log service and compacted topic, when the scenario gives one. */
  readonly logTopic?: { readonly service: string; readonly topic: string; readonly acks: 1 | -1; readonly recordBytesMax?: number; readonly deliveryTimeoutUs?: number };
  readonly checkpointTimeoutUs: Micros;
}

declare module '../../../scenario/types.ts' {
  interface FeatureSections {
    /** Stateful operators joined by streams; absent when the file has none. */
    readonly pipeline?: PipelineSpec;
    /** The strategy protecting the pipeline; present exactly when `pipeline` is (default strategy none). */
    readonly checkpoint?: CheckpointSpec;
  }
}

/**
 * Checkpointing as a feature: the strategies, tiers and stores under `actors/` (used by the
 * pipeline and federated features through their `checkpoint` settings), and the checkers of global
 * snapshots — `consistent-cuts` and `conservation` — which hold for any actors that record cuts.
 */
import { defineFeature } from '../../scenario/feature.ts';
import { conservation } from './checks/conservation.ts';
import { consistentCuts } from './checks/consistent-cuts.ts';

export { CheckpointMetrics } from './metrics/checkpoint-cost.ts';
export { RecoveryMetrics } from './metrics/recovery.ts';
export { MessageLogMetrics } from './metrics/message-log.ts';
// What other features' scenario sections take from the checkpoint's actors — settings, names and
// what each strategy needs, no behaviour — here, so that reading a scenario does not load every
// actor actors/index.ts re-exports.
export { ALIGNMENTS, DEFAULT_CHECKPOINT, DELIVERY_TIMEOUT_MIN_US, MESSAGE_LOGGING, STRATEGY_NAMES, TIER_NAMES } from './actors/config.ts';
export { strategyInfo } from './actors/strategy-info.ts';

export default defineFeature({
  name: 'checkpoint',
  description: 'Checkpoint strategies and storage tiers, and the checkers of global snapshots.',
  checkers: [consistentCuts, conservation],
});

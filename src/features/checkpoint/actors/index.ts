/**
 * Checkpoint strategies and checkpoint storage: the participants that protect stateful operators,
 * the coordinator of the global strategies, the storage tiers and their store actor.
 */
export * from './config.ts';
export * from './host.ts';
export * from './image.ts';
export * from './messages.ts';
export { CheckpointStore } from './store.ts';
export { LOG_TIER_REPLIES, RECORD_BYTES_MAX_DEFAULT, RECORD_OVERHEAD_BYTES } from './log-topic-tier.ts';
export { CheckpointCoordinator, type CoordinatorConfig } from './coordinator.ts';
export { recoveryLine, recoveryLineCandidates, type ChannelLink, type CheckpointCounters } from './recovery-line.ts';
export { CheckpointClock } from './interval.ts';
export { makeParticipant } from './strategies.ts';
export { strategyInfo, type Guarantee, type StrategyInfo } from './strategy-info.ts';
export { ComposedParticipant } from './participant.ts';
export { MessageLog, ENTRY_BYTES, type LogEntry, type LoggedFact } from './message-log.ts';

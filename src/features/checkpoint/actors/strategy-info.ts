/**
 * What each checkpoint strategy promises and needs: its guarantee, the transport its operators
 * need, whether it has a coordinator. Kept apart from how a strategy runs (strategies.ts, which
 * imports every part) so that a scenario's schema and actor names read it without loading the
 * checkpoint protocol.
 *
 * Guarantee: every name the schema accepts (STRATEGY_NAMES) has a profile — checked when this
 * module loads, so a new name without one fails at once, not mid-run.
 */
import { assert } from '../../../kernel/contract/index.ts';
import { STRATEGY_NAMES, type CheckpointConfig, type StrategyName } from './config.ts';

export type Guarantee = 'exactly-once' | 'at-least-once';

export interface StrategyInfo {
  readonly name: StrategyName;
  readonly guarantee: Guarantee;
  /** `direct`: messages between operators; `stream`: persistent, replayable streams. */
  readonly transport: 'direct' | 'stream';
  /** Whether the strategy needs the coordinator actor. */
  readonly coordinator: boolean;
}

/** A strategy's profile: its info, with the guarantee as a function of the alignment. */
interface StrategyProfile extends Omit<StrategyInfo, 'guarantee'> {
  readonly guarantee: (config: Pick<CheckpointConfig, 'alignment'>) => Guarantee;
}

const exactlyOnce = (): Guarantee => 'exactly-once';

const PROFILES: ReadonlyMap<StrategyName, StrategyProfile> = new Map(
  (
    [
      { name: 'none', transport: 'direct', coordinator: true, guarantee: exactlyOnce },
      { name: 'coordinated', transport: 'direct', coordinator: true, guarantee: exactlyOnce },
      // Without alignment, records after a barrier reach the state before the snapshot: replayed after a restore.
      { name: 'barrier-snapshot', transport: 'direct', coordinator: true, guarantee: (config) => (config.alignment === 'none' ? 'at-least-once' : 'exactly-once') },
      { name: 'stream-replay', transport: 'stream', coordinator: false, guarantee: exactlyOnce },
      { name: 'uncoordinated', transport: 'direct', coordinator: true, guarantee: exactlyOnce },
      { name: 'multilevel', transport: 'stream', coordinator: false, guarantee: exactlyOnce },
    ] satisfies StrategyProfile[]
  ).map((profile) => [profile.name, profile]),
);

for (const name of STRATEGY_NAMES) assert(PROFILES.has(name), () => `checkpoint strategy "${name}" has no profile in strategy-info.ts`);

export function strategyInfo(config: Pick<CheckpointConfig, 'strategy' | 'alignment'>): StrategyInfo {
  const profile = PROFILES.get(config.strategy);
  if (profile === undefined) throw new Error(`unknown checkpoint strategy "${config.strategy}"`);
  return { name: profile.name, guarantee: profile.guarantee(config), transport: profile.transport, coordinator: profile.coordinator };
}

/**
 * The checkpoint strategies, all behind one interface: what each promises, which transport its
 * operators need, whether it has a coordinator, and how its per-operator participant is built
 * from the shared parts.
 *
 * | strategy          | recovery                  | checkpoints                           | inputs        |
 * |-------------------|---------------------------|---------------------------------------|---------------|
 * | none              | global, to the start      | —                                     | direct        |
 * | coordinated       | global, last complete     | pause · flush · save · continue       | direct        |
 * | barrier-snapshot  | global, last complete     | barriers (aligned/unaligned/none)     | direct        |
 * | uncoordinated     | global, recovery line     | independent, channel state, all kept  | direct        |
 * | stream-replay     | local, own latest         | independent, positions only           | persistent    |
 * | multilevel        | local, node then remote   | independent, node-local + async flush | persistent    |
 *
 * Every strategy except `barrier-snapshot` with `alignment: none` promises exactly-once state:
 * after any failures, the operators' final state equals a fault-free run's. They differ in what
 * that costs — lost work, blocked time, bytes written, recovery time — which is what the metrics
 * measure. `none` and `uncoordinated` pay it in redone work (uncoordinated through the domino
 * effect), `coordinated` in blocking, `barrier-snapshot` in alignment or channel state,
 * `stream-replay` and `multilevel` in persisting every stream.
 */
import type { Context, Message } from '../../../kernel/contract/index.ts';
import { BarrierCheckpoints } from './barrier.ts';
import { storeFor, type CheckpointConfig, type StrategyName, type TierName } from './config.ts';
import { CoordinatedCheckpoints } from './coordinated.ts';
import type { OperatorHost } from './host.ts';
import { IndependentCheckpoints } from './independent.ts';
import { CheckpointClock } from './interval.ts';
import type { Due } from './messages.ts';
import { ComposedParticipant, type Part } from './participant.ts';
import { GlobalRecovery, LocalRecovery, type EpochCell } from './recovery.ts';
import { LOG_TIER_REPLIES, LogTopicTier } from './log-topic-tier.ts';
import { NodeLocalTier, StoreTier, type TierClient } from './tiers.ts';
import { CheckpointWriter } from './writer.ts';

export type Guarantee = 'exactly-once' | 'at-least-once';

export interface StrategyInfo {
  readonly name: StrategyName;
  readonly guarantee: Guarantee;
  /** `direct`: messages between operators; `stream`: persistent, replayable streams. */
  readonly transport: 'direct' | 'stream';
  /** Whether the strategy needs the coordinator actor. */
  readonly coordinator: boolean;
}

export function strategyInfo(config: Pick<CheckpointConfig, 'strategy' | 'alignment'>): StrategyInfo {
  const name = config.strategy;
  const stream = name === 'stream-replay' || name === 'multilevel';
  const atLeastOnce = name === 'barrier-snapshot' && config.alignment === 'none';
  return { name, guarantee: atLeastOnce ? 'at-least-once' : 'exactly-once', transport: stream ? 'stream' : 'direct', coordinator: !stream };
}

/** Routes replies and timeouts to the tier clients a participant uses. */
class TierPart implements Part {
  constructor(private readonly tiers: readonly TierClient[]) {}

  onMessage(ctx: Context, message: Message): boolean {
    const fromLog = LOG_TIER_REPLIES.has(message.type);
    if (message.type !== 'ckpt:put-ack' && message.type !== 'ckpt:get-reply' && !fromLog) return false;
    for (const tier of this.tiers) if (tier.onMessage(ctx, message as never)) return true;
    // A late store reply nobody waits for any more; a log reply is the stream transport's.
    return !fromLog;
  }

  onTimer(ctx: Context, wakeup: Parameters<NonNullable<Part['onTimer']>>[1]): boolean {
    return this.tiers.some((tier) => tier.onTimer(ctx, wakeup));
  }
}

/** A pure source under a global strategy with an events interval tells the coordinator when one is due. */
class EventsDue implements Part {
  private readonly clock: CheckpointClock;

  constructor(
    config: CheckpointConfig,
    private readonly coordinator: string,
  ) {
    this.clock = new CheckpointClock(config.interval);
  }

  afterEvent(ctx: Context): void {
    if (this.clock.countEvent()) ctx.send<Due>(this.coordinator, { type: 'ckpt:due' });
  }
}

/** Builds the participant that protects one operator instance under `config.strategy`. */
export function makeParticipant(ctx: Context, host: OperatorHost, config: CheckpointConfig): ComposedParticipant {
  const tier = (name: TierName): TierClient => {
    if (name === 'node-local') return new NodeLocalTier(ctx, host.instance, config.nodeLocal);
    if (name === 'log-topic' && config.logTopic !== undefined) return new LogTopicTier(ctx, config.logTopic, host.instance, config.requestTimeoutUs);
    return new StoreTier(ctx, name, storeFor(config, name, ctx.site)!, host.instance, config.requestTimeoutUs);
  };
  const incremental = { enabled: config.incremental, fullEvery: config.fullEvery };
  const strategy = config.strategy;
  const cell: EpochCell = { epoch: 0 };
  // Recovery tells the other parts to abandon their work through the participant built last.
  const built: { participant?: ComposedParticipant } = {};
  const abandon = (c: Context) => built.participant?.rollback(c);
  const parts: Part[] = [];
  let tiers: TierClient[];
  let markerAt: 'arrival' | 'head' = 'arrival';

  switch (strategy) {
    case 'none': {
      // Nothing is ever stored; the tier only answers the (never issued) loads.
      tiers = [tier('node-local')];
      parts.push(new GlobalRecovery(host, strategy, config, tiers[0], undefined, cell, abandon));
      break;
    }
    case 'coordinated':
    case 'barrier-snapshot': {
      tiers = [tier(config.tier)];
      const writer = new CheckpointWriter(host, strategy, tiers[0], incremental);
      parts.push(new GlobalRecovery(host, strategy, config, tiers[0], writer, cell, abandon));
      if (strategy === 'coordinated') parts.push(new CoordinatedCheckpoints(host, config, writer, cell));
      else {
        parts.push(new BarrierCheckpoints(host, config, writer, cell, config.alignment));
        if (config.alignment !== 'unaligned') markerAt = 'head';
      }
      if (!host.hasInputs && config.interval.kind === 'events') parts.push(new EventsDue(config, config.coordinator));
      break;
    }
    case 'uncoordinated': {
      tiers = [tier(config.tier)];
      const writer = new CheckpointWriter(host, strategy, tiers[0], incremental);
      parts.push(new GlobalRecovery(host, strategy, config, tiers[0], writer, cell, abandon));
      parts.push(new IndependentCheckpoints(host, config, writer, { pending: true, retainAll: true, report: true }));
      break;
    }
    case 'stream-replay': {
      tiers = [tier(config.tier)];
      const writer = new CheckpointWriter(host, strategy, tiers[0], incremental);
      parts.push(new LocalRecovery(host, strategy, tiers, [writer]));
      parts.push(new IndependentCheckpoints(host, config, writer, { pending: false, retainAll: false, report: false }));
      break;
    }
    case 'multilevel': {
      tiers = [tier('node-local'), tier(config.flushTo)];
      const writer = new CheckpointWriter(host, strategy, tiers[0], incremental);
      parts.push(new LocalRecovery(host, strategy, tiers, [writer]));
      parts.push(
        new IndependentCheckpoints(host, config, writer, { pending: false, retainAll: false, report: false, flush: { tier: tiers[1], every: config.flushEvery } }),
      );
      break;
    }
  }
  built.participant = new ComposedParticipant(markerAt, [new TierPart(tiers), ...parts]);
  return built.participant;
}

/**
 * The checkpoint strategies, all behind one interface: how each one's per-operator participant is
 * built from the shared parts. What each promises, which transport its operators need and whether
 * it has a coordinator is its profile in strategy-info.ts.
 *
 * | strategy          | recovery                  | checkpoints                           | inputs        |
 * |-------------------|---------------------------|---------------------------------------|---------------|
 * | none              | global, to the start      | —                                     | direct        |
 * | coordinated       | global, last complete     | pause · flush · save · continue       | direct        |
 * | barrier-snapshot  | global, last complete     | barriers (aligned/unaligned/none)     | direct        |
 * | uncoordinated     | global, recovery line     | independent, channel state, all kept  | direct        |
 *   (survivors keep their present state unless the line needs them back: recovery-line.ts)
 * |  + message log    | local, own latest + replay| independent, channel state, log fsync | direct        |
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
import { assert, type Context, type Disconnect, type Message } from '../../../kernel/contract/index.ts';
import { BarrierCheckpoints } from './barrier.ts';
import { STRATEGY_NAMES, storeFor, type CheckpointConfig, type StrategyName, type TierName } from './config.ts';
import { CoordinatedCheckpoints } from './coordinated.ts';
import type { OperatorHost } from './host.ts';
import { IndependentCheckpoints } from './independent.ts';
import { CheckpointClock } from './interval.ts';
import type { Due } from './messages.ts';
import { ComposedParticipant, type Part } from './participant.ts';
import { GlobalRecovery } from './global-recovery.ts';
import { LocalRecovery, type EpochCell } from './recovery.ts';
import { LOG_TIER_REPLIES, LogTopicTier } from './log-topic-tier.ts';
import { NodeLocalTier, STORE_REPLIES, StoreTier, type TierClient } from './tiers.ts';
import { CheckpointWriter } from './writer.ts';


/** Routes replies and timeouts to the tier clients a participant uses. */
class TierPart implements Part {
  constructor(private readonly tiers: readonly TierClient[]) {}

  onMessage(ctx: Context, message: Message, from: string): boolean {
    const fromLog = LOG_TIER_REPLIES.has(message.type);
    if (!STORE_REPLIES.has(message.type) && !fromLog) return false;
    for (const tier of this.tiers) if (tier.onMessage(ctx, message as never, from)) return true;
    // A late store reply nobody waits for any more; a log reply is the stream transport's.
    return !fromLog;
  }

  onTimer(ctx: Context, wakeup: Parameters<NonNullable<Part['onTimer']>>[1]): boolean {
    return this.tiers.some((tier) => tier.onTimer(ctx, wakeup));
  }

  onDisconnect(ctx: Context, disconnect: Disconnect): void {
    for (const tier of this.tiers) tier.disconnected?.(ctx, disconnect);
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

/** What a strategy's `parts` builder is given: the operator, its configuration, and the shared pieces. */
export interface StrategyKit {
  readonly host: OperatorHost;
  readonly config: CheckpointConfig;
  /** A client of one storage tier, for this operator instance. */
  readonly tier: (name: TierName) => TierClient;
  /** The full/incremental writer over a tier. */
  readonly writer: (tier: TierClient) => CheckpointWriter;
  /** The epoch the operator's recovery and checkpoints share. */
  readonly cell: EpochCell;
  /** Tells the other parts to abandon their work (recovery calls it on a rollback). */
  readonly abandon: (ctx: Context) => void;
}

/**
 * A checkpoint strategy as a descriptor: the parts that protect one operator under it. What it
 * promises and needs (for reports, the pipeline's transport and the coordinator) is its profile in
 * strategy-info.ts, apart so that a scenario's schema reads it without loading the parts. A new
 * strategy is one more profile and one more descriptor in {@link STRATEGIES}, not a case in a switch.
 */
export interface CheckpointStrategy {
  readonly name: StrategyName;
  /** The tiers the operator's participant talks to, and the parts that run the strategy. */
  readonly parts: (kit: StrategyKit) => { readonly tiers: readonly TierClient[]; readonly parts: readonly Part[]; readonly markerAt?: 'arrival' | 'head' };
}

/** The configured tier and a writer over it: the storage of every strategy but `none` and `multilevel`. */
function configuredTier(kit: StrategyKit): { tiers: TierClient[]; writer: CheckpointWriter } {
  const tiers = [kit.tier(kit.config.tier)];
  return { tiers, writer: kit.writer(tiers[0]!) };
}

/** Recovery of a global strategy: every operator back to one consistent cut. */
function globalRecovery(kit: StrategyKit, name: StrategyName, tier: TierClient, writer: CheckpointWriter | undefined): Part {
  return new GlobalRecovery(kit.host, name, kit.config, tier, writer, kit.cell, kit.abandon);
}

/** Global strategies whose snapshots a coordinator triggers: a source counting events tells it when one is due. */
function dueByEvents(kit: StrategyKit): Part[] {
  return !kit.host.hasInputs && kit.config.interval.kind === 'events' ? [new EventsDue(kit.config, kit.config.coordinator)] : [];
}

/** The built-in strategies, by name, in the order the schema lists them. */
export const STRATEGIES: ReadonlyMap<StrategyName, CheckpointStrategy> = new Map(
  (
    [
      {
        name: 'none',
        parts: (kit) => {
          // Nothing is ever stored; the tier only answers the (never issued) loads.
          const tiers = [kit.tier('node-local')];
          return { tiers, parts: [globalRecovery(kit, 'none', tiers[0]!, undefined)] };
        },
      },
      {
        name: 'coordinated',
        parts: (kit) => {
          const { tiers, writer } = configuredTier(kit);
          const recovery = globalRecovery(kit, 'coordinated', tiers[0]!, writer);
          return { tiers, parts: [recovery, new CoordinatedCheckpoints(kit.host, kit.config, writer, kit.cell), ...dueByEvents(kit)] };
        },
      },
      {
        name: 'barrier-snapshot',
        parts: (kit) => {
          const { tiers, writer } = configuredTier(kit);
          const recovery = globalRecovery(kit, 'barrier-snapshot', tiers[0]!, writer);
          const barriers = new BarrierCheckpoints(kit.host, kit.config, writer, kit.cell, kit.config.alignment);
          return { tiers, parts: [recovery, barriers, ...dueByEvents(kit)], markerAt: kit.config.alignment === 'unaligned' ? 'arrival' : 'head' };
        },
      },
      {
        name: 'stream-replay',
        parts: (kit) => {
          const { tiers, writer } = configuredTier(kit);
          const checkpoints = new IndependentCheckpoints(kit.host, kit.config, writer, { pending: false, retainAll: false });
          return { tiers, parts: [new LocalRecovery(kit.host, 'stream-replay', tiers, [writer], kit.config.restartUs), checkpoints] };
        },
      },
      {
        name: 'uncoordinated',
        parts: (kit) => {
          const { tiers, writer } = configuredTier(kit);
          if (kit.config.messageLogging === 'pessimistic') {
            // The log replays what followed the checkpoint: a failed operator recovers alone (message-log.ts).
            // A node-local `memory` checkpoint dies with the node while the log survives: then the whole log is kept.
            const stable = !(tiers[0]!.tier === 'node-local' && kit.config.nodeLocal === 'memory');
            const checkpoints = new IndependentCheckpoints(kit.host, kit.config, writer, { pending: true, retainAll: false, stable });
            return { tiers, parts: [new LocalRecovery(kit.host, 'uncoordinated', tiers, [writer], kit.config.restartUs), checkpoints] };
          }
          const recovery = globalRecovery(kit, 'uncoordinated', tiers[0]!, writer);
          return { tiers, parts: [recovery, new IndependentCheckpoints(kit.host, kit.config, writer, { pending: true, retainAll: true, report: kit.cell })] };
        },
      },
      {
        name: 'multilevel',
        parts: (kit) => {
          const tiers = [kit.tier('node-local'), kit.tier(kit.config.flushTo)];
          const writer = kit.writer(tiers[0]!);
          const flush = { tier: tiers[1]!, every: kit.config.flushEvery };
          const checkpoints = new IndependentCheckpoints(kit.host, kit.config, writer, { pending: false, retainAll: false, flush });
          return { tiers, parts: [new LocalRecovery(kit.host, 'multilevel', tiers, [writer], kit.config.restartUs), checkpoints] };
        },
      },
    ] satisfies CheckpointStrategy[]
  ).map((strategy) => [strategy.name, strategy]),
);

// Every name the schema accepts has its descriptor (a new name without one fails at load, not mid-run).
for (const name of STRATEGY_NAMES) assert(STRATEGIES.has(name), () => `checkpoint strategy "${name}" has no descriptor in STRATEGIES`);

function strategyNamed(name: StrategyName): CheckpointStrategy {
  const strategy = STRATEGIES.get(name);
  if (strategy === undefined) throw new Error(`unknown checkpoint strategy "${name}"`);
  return strategy;
}

/** Builds the participant that protects one operator instance under `config.strategy`. */
export function makeParticipant(ctx: Context, host: OperatorHost, config: CheckpointConfig): ComposedParticipant {
  const incremental = { enabled: config.incremental, fullEvery: config.fullEvery };
  // Recovery tells the other parts to abandon their work through the participant built last.
  const built: { participant?: ComposedParticipant } = {};
  const kit: StrategyKit = {
    host,
    config,
    tier: (name) => {
      if (name === 'node-local') return new NodeLocalTier(ctx, host.instance, config.nodeLocal, config.readBandwidthBytesPerSec);
      if (name === 'log-topic' && config.logTopic !== undefined) return new LogTopicTier(ctx, config.logTopic, host.instance);
      return new StoreTier(ctx, name, storeFor(config, name, ctx.site)!, host.instance, config.requestTimeoutUs);
    },
    writer: (tier) => new CheckpointWriter(host, config.strategy, tier, incremental),
    cell: { epoch: 0 },
    abandon: (c) => built.participant?.rollback(c),
  };
  const { tiers, parts, markerAt = 'arrival' } = strategyNamed(config.strategy).parts(kit);
  built.participant = new ComposedParticipant(markerAt, [new TierPart(tiers), ...parts]);
  return built.participant;
}

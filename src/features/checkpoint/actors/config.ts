/**
 * The resolved configuration of a checkpoint strategy: which one, how often, where checkpoints
 * are stored, and the names of the actors it talks to. The scenario layer builds it from the
 * `checkpoint:` section; tests build it directly.
 */
import { SECOND, type Micros } from '../../../kernel/contract/index.ts';

export const STRATEGY_NAMES = ['none', 'coordinated', 'barrier-snapshot', 'stream-replay', 'uncoordinated', 'multilevel'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** The log-topic tier's client's request.timeout.ms: Kafka's default, 30 s. */
export const LOG_TIER_REQUEST_TIMEOUT_US = 30 * SECOND;
/** Kafka's floor for delivery.timeout.ms: linger.ms (0 here: every chunk is sent at once) + request.timeout.ms. */
export const DELIVERY_TIMEOUT_MIN_US = LOG_TIER_REQUEST_TIMEOUT_US;

export const TIER_NAMES = ['node-local', 'site-pfs', 'remote', 'log-topic'] as const;
export type TierName = (typeof TIER_NAMES)[number];

/** Barrier handling: aligned (exactly-once), unaligned (Chandy–Lamport channel state, exactly-once), none (at-least-once). */
export const ALIGNMENTS = ['aligned', 'unaligned', 'none'] as const;
export type Alignment = (typeof ALIGNMENTS)[number];

/** When a checkpoint is due. */
export type IntervalPolicy =
  | { readonly kind: 'time'; readonly everyUs: Micros }
  | { readonly kind: 'events'; readonly every: number }
  /** Daly's higher-order optimum from the measured checkpoint cost and the MTBF (given, or estimated from failures seen): see interval.ts. */
  | { readonly kind: 'adaptive'; readonly mtbfUs?: Micros; readonly minUs: Micros; readonly maxUs: Micros };

/**
 * Message logging under `uncoordinated`: `none` (Randell's model: recovery needs a consistent set of
 * checkpoints and can domino) or `pessimistic` (receiver-based: every message received and every
 * processing decision is on stable storage before it can affect anyone, so a failed operator
 * rolls back alone and replays; see message-log.ts).
 */
export const MESSAGE_LOGGING = ['none', 'pessimistic'] as const;
export type MessageLogging = (typeof MESSAGE_LOGGING)[number];

/** Where a node-local checkpoint lives: `memory` (tmpfs: survives a process crash, not a node crash) or `disk` (fsynced). */
export type NodeLocalMedium = 'memory' | 'disk';

export interface CheckpointConfig {
  readonly strategy: StrategyName;
  readonly interval: IntervalPolicy;
  readonly tier: TierName;
  /** Write the immer patches since the previous checkpoint instead of the whole state. */
  readonly incremental: boolean;
  /** With `incremental`, every `fullEvery`-th checkpoint is full (bounds the restore chain). */
  readonly fullEvery: number;
  readonly alignment: Alignment;
  readonly nodeLocal: NodeLocalMedium;
  /** Multilevel: the slower, safer level every `flushEvery`-th local checkpoint is copied to. */
  readonly flushTo: TierName;
  readonly flushEvery: number;
  /** The coordinator actor's id (strategies with a coordinator). */
  readonly coordinator: string;
  /** Store actors per remote tier: the store to use from each site, and the fallback. */
  readonly stores: Readonly<Partial<Record<TierName, StorePlacement>>>;
  /** How long a request to a store or the coordinator waits before it is re-sent. */
  readonly requestTimeoutUs: Micros;
  /**
   * The fixed part of a restart, paid before the checkpoint is read: relaunching the process,
   * rejoining the job. Paid once per crash by the process that crashed (a rollback to the start
   * too); a survivor a global rollback sends back did not reboot and only reads (recovery.ts).
   */
  readonly restartUs: Micros;
  /** How fast a restore reads a node-local `disk` checkpoint, bytes/s (remote tiers: their links). */
  readonly readBandwidthBytesPerSec: number;
  /** Uncoordinated: whether received messages and processing decisions are logged (see `MessageLogging`). */
  readonly messageLogging: MessageLogging;
  /** The compacted topic behind the `log-topic` tier; without it, `log-topic` is a store actor like the others. */
  readonly logTopic?: LogTopicTierConfig;
}

/** Where the `log-topic` tier writes: a topic of a log service, and with which acks. */
export interface LogTopicTierConfig {
  readonly topic: string;
  readonly partitions: number;
  /** The service's brokers, asked for metadata in turn. */
  readonly brokers: readonly string[];
  /** -1 (all): the safe setting; 1 loses the latest checkpoint on an unclean failover. */
  readonly acks: 1 | -1;
  /** Largest record batch the topic accepts, bytes (Kafka's `max.message.bytes`; the tier's `max.request.size` follows it): an image is sent in chunks that fit it with their overhead. Default 1 MiB. */
  readonly recordBytesMax?: number;
  /** How long a produced chunk may wait for its acknowledgement before its save fails (Kafka's `delivery.timeout.ms`). Default 120 s. */
  readonly deliveryTimeoutUs?: Micros;
}

/** The store actors of one tier: one per site that has its own, and the one everybody else uses. */
export interface StorePlacement {
  readonly bySite: Readonly<Record<string, string>>;
  readonly fallback: string;
}

/** The store actor an operator on `site` uses for `tier`, or undefined for node-local. */
export function storeFor(config: CheckpointConfig, tier: TierName, site: string): string | undefined {
  if (tier === 'node-local') return undefined;
  const placement = config.stores[tier];
  if (placement === undefined) throw new Error(`checkpoint tier ${tier} has no store configured`);
  return placement.bySite[site] ?? placement.fallback;
}

export const DEFAULT_CHECKPOINT: CheckpointConfig = {
  strategy: 'none',
  interval: { kind: 'time', everyUs: 30_000_000 },
  tier: 'node-local',
  incremental: false,
  fullEvery: 10,
  alignment: 'aligned',
  nodeLocal: 'disk',
  flushTo: 'site-pfs',
  flushEvery: 5,
  coordinator: 'ckpt-coordinator',
  stores: {},
  requestTimeoutUs: 2_000_000,
  restartUs: 0,
  // NVMe class.
  readBandwidthBytesPerSec: 2_000_000_000,
  messageLogging: 'none',
};

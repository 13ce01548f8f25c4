/**
 * Faults as plain data: what a scenario's `faults:` schedule resolves to, what the nemesis plans,
 * what a run records in `faults.json`, and what `diaspora shrink` edits. One representation for all
 * four, so a realised fault can be written back as a schedule entry and replayed exactly.
 *
 * Guarantee: every value here is plain JSON (integers for µs and bytes, names as strings), with
 * targets already checked to exist by the scenario layer; `inject.ts` resolves them to nodes or
 * actors of the world and rejects a fault that would affect nothing.
 *
 * Timing: a fault starts at `atUs` and ends at `endUs` (`forUs` is the length as written). An
 * *instant* fault (`lose-unsynced`, `heal`) has `endUs === atUs`. A node crash without restart has
 * no `endUs`: it lasts past the end of the run.
 */
import type { Micros } from '../kernel/index.ts';

/** Every fault kind, in the order documentation lists them. */
export const FAULT_KINDS = [
  'process-crash',
  'node-crash',
  'power-loss',
  'torn-write',
  'lose-unsynced',
  'disk-full',
  'slow-disk',
  'slow-node',
  'clock-skew',
  'partition',
  'heal',
  'link-flap',
  'latency-spike',
  'jitter',
  'bandwidth-drop',
  'packet-loss',
  'duplicate',
  'reorder',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const PARTITION_DIRECTIONS = ['both', 'one-way'] as const;
export type PartitionDirection = (typeof PARTITION_DIRECTIONS)[number];

/** How `among` is split into two sides (see partition-shapes.ts). */
export const PARTITION_SHAPES = ['halves', 'majority', 'isolate', 'bridge'] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];

export interface FaultTiming {
  /** When the fault begins. */
  readonly atUs: Micros;
  /** How long it lasts, as written; absent means until the quiesce phase (or an instant). */
  readonly forUs?: Micros;
  /** When it heals. Equal to `atUs` for an instant fault; absent for a crash without restart. */
  readonly endUs?: Micros;
}

/** Targets named by site, node or actor (a site stands for all its nodes; a role was expanded to its sites). */
interface Targeted {
  readonly targets: readonly string[];
}

/** The inter-site link a network fault applies to (both directions). */
interface OnLink {
  readonly between: readonly [string, string];
}

/** The processes (actors) die, keeping the page cache; they restart at `endUs`. */
export interface ProcessCrashSpec extends FaultTiming, Targeted {
  readonly kind: 'process-crash';
}

/** A node crashes (memory and unsynced disk writes lost) and restarts at `endUs`, unless `restart` is false. */
export interface NodeCrashSpec extends FaultTiming {
  readonly kind: 'node-crash';
  /** A node name. */
  readonly target: string;
  /** Present (false) only for a crash without restart. */
  readonly restart?: false;
}

/** Every targeted node loses power at the same instant (correlated, e.g. a whole site), and regains it at `endUs`. */
export interface PowerLossSpec extends FaultTiming, Targeted {
  readonly kind: 'power-loss';
}

/** A power loss during which each appended file's first unsynced record is left torn on the device. */
export interface TornWriteSpec extends FaultTiming, Targeted {
  readonly kind: 'torn-write';
}

/** The disks drop their unsynced writes while the nodes stay up (instant). */
export interface LoseUnsyncedSpec extends FaultTiming, Targeted {
  readonly kind: 'lose-unsynced';
}

/** The disks refuse writes (ENOSPC) while the fault lasts. */
export interface DiskFullSpec extends FaultTiming, Targeted {
  readonly kind: 'disk-full';
}

/** Every fsync takes `factor` times as long. */
export interface SlowDiskSpec extends FaultTiming, Targeted {
  readonly kind: 'slow-disk';
  readonly factor: number;
}

/** The nodes' CPU slowdown factor (`ctx.cpuSlowdown()`) is `factor`: a grey failure. */
export interface SlowNodeSpec extends FaultTiming, Targeted {
  readonly kind: 'slow-node';
  readonly factor: number;
}

/** The nodes' clocks (`ctx.localTime()`) are `offsetUs` ahead (negative: behind). */
export interface ClockSkewSpec extends FaultTiming, Targeted {
  readonly kind: 'clock-skew';
  readonly offsetUs: Micros;
}

/** Messages between two groups of nodes are dropped. */
export interface PartitionSpec extends FaultTiming {
  readonly kind: 'partition';
  /** Site or node names, as written (node names when the sides came from `among`). */
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** `from` expanded to node names (a site stands for all its nodes). */
  readonly fromNodes: readonly string[];
  readonly toNodes: readonly string[];
  /** `both`: dropped both ways; `one-way`: only messages from `from` to `to` are dropped. */
  readonly direction: PartitionDirection;
  /** How the sides were cut from a group, when they were (informational). */
  readonly shape?: PartitionShape;
}

/** Ends every network fault active at `atUs` (partitions, flaps, link degradations); instant. */
export interface HealSpec extends FaultTiming {
  readonly kind: 'heal';
}

/** The link goes down for `downUs`, up for `upUs`, down again … while the fault lasts. */
export interface LinkFlapSpec extends FaultTiming, OnLink {
  readonly kind: 'link-flap';
  readonly downUs: Micros;
  readonly upUs: Micros;
}

/** The link's latency grows by `extraUs`. */
export interface LatencySpikeSpec extends FaultTiming, OnLink {
  readonly kind: 'latency-spike';
  readonly extraUs: Micros;
}

/** The link's jitter grows by `jitterUs`. */
export interface JitterSpec extends FaultTiming, OnLink {
  readonly kind: 'jitter';
  readonly jitterUs: Micros;
}

/** The link's capacity drops to `bandwidthBytesPerSec` (if it was higher). */
export interface BandwidthDropSpec extends FaultTiming, OnLink {
  readonly kind: 'bandwidth-drop';
  readonly bandwidthBytesPerSec: number;
}

/** The link loses each message with probability `loss` (on top of its own loss). */
export interface PacketLossSpec extends FaultTiming, OnLink {
  readonly kind: 'packet-loss';
  readonly loss: number;
}

/** The link delivers each message twice with probability `probability`. */
export interface DuplicateSpec extends FaultTiming, OnLink {
  readonly kind: 'duplicate';
  readonly probability: number;
}

/** The link holds each message back by up to `delayUs` with probability `probability`, so later ones overtake it. */
export interface ReorderSpec extends FaultTiming, OnLink {
  readonly kind: 'reorder';
  readonly probability: number;
  readonly delayUs: Micros;
}

export type FaultSpec =
  | ProcessCrashSpec
  | NodeCrashSpec
  | PowerLossSpec
  | TornWriteSpec
  | LoseUnsyncedSpec
  | DiskFullSpec
  | SlowDiskSpec
  | SlowNodeSpec
  | ClockSkewSpec
  | PartitionSpec
  | HealSpec
  | LinkFlapSpec
  | LatencySpikeSpec
  | JitterSpec
  | BandwidthDropSpec
  | PacketLossSpec
  | DuplicateSpec
  | ReorderSpec;

/** Kinds that happen at an instant rather than over a period. */
export const INSTANT_KINDS: ReadonlySet<FaultKind> = new Set(['lose-unsynced', 'heal']);

/**
 * Crashes, whose end is a restart: the only kinds a zero length (`for: 0s`, a nemesis `repair: 0s`)
 * means something for — they restart at the very instant they crash (Daly's instantaneous failure:
 * the state is lost, no time is). A zero-length fault of another kind would be no fault at all.
 */
export const RESTARTING_KINDS: ReadonlySet<FaultKind> = new Set(['process-crash', 'node-crash', 'power-loss', 'torn-write']);

/** Kinds that act on the network, and that a `heal` ends. */
export const NETWORK_KINDS: ReadonlySet<FaultKind> = new Set([
  'partition',
  'link-flap',
  'latency-spike',
  'jitter',
  'bandwidth-drop',
  'packet-loss',
  'duplicate',
  'reorder',
]);

/** A fault as a run realised it: the spec, a run-unique id, and where it came from. */
export type RealisedFault = FaultSpec & {
  /** Cited by the `fault` trace records (`node-crash-1`, `nemesis-4`). */
  readonly id: string;
  readonly source: 'schedule' | 'nemesis';
};

// ---------------------------------------------------------------------------------------------
// The nemesis

export const DISTRIBUTIONS = ['exponential', 'weibull', 'lognormal', 'fixed'] as const;
export type DistributionName = (typeof DISTRIBUTIONS)[number];

/** A positive random duration given by its mean (so two distributions are comparable). */
export interface DistributionSpec {
  readonly distribution: DistributionName;
  readonly meanUs: Micros;
  /** Weibull shape k (< 1: early failures, > 1: wear-out). */
  readonly shape?: number;
  /** Lognormal sigma (spread of the underlying normal). */
  readonly sigma?: number;
}

/** A fault without its timing: what one nemesis entry injects each time a unit fails. */
export type FaultTemplate = FaultSpec extends infer F ? (F extends FaultSpec ? Omit<F, 'atUs' | 'forUs' | 'endUs'> : never) : never;

/** One kind of fault the nemesis injects, over independent failure units. */
export interface NemesisEntrySpec {
  /**
   * One template per failure unit (a node, a site, an actor, a link, a group to split). Each unit
   * fails independently: time to failure from `mtbf`, time to repair from `repair`.
   */
  readonly units: readonly FaultTemplate[];
  /** Nodes to split at each failure (partitions with a shape); the sides are drawn anew each time. */
  readonly among?: readonly string[];
  readonly shape?: PartitionShape;
  readonly mtbf: DistributionSpec;
  /** Absent for instant kinds. */
  readonly repair?: DistributionSpec;
}

export interface NemesisSpec {
  /** No fault starts before this time (the system reaches steady state first). */
  readonly quietUs: Micros;
  /** At most this many faults at once; a failure that would exceed it is skipped. */
  readonly maxConcurrent: number;
  readonly faults: readonly NemesisEntrySpec[];
}

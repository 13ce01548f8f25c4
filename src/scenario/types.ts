/**
 * The scenario as the rest of the simulator sees it: validated, defaults applied, units converted
 * to integers (µs, bytes, bytes per second), names resolved.
 *
 * Guarantee: every reference in a `Scenario` points at something that exists (a service's node,
 * a producer's service, a fault's targets), node names are unique across the scenario and differ
 * from site names, and every fault lies within `[0, durationUs]`. Collections are arrays in file
 * order rather than objects keyed by name, so iteration order is explicit and the value
 * serialises to JSON unchanged (`scenario.resolved.json`).
 *
 * These interfaces are written out (with doc comments) rather than left as `z.output<…>`; the
 * schema's root transform is typed to return exactly `Scenario`, so the two cannot drift.
 */
import type { Micros } from '../kernel/contract/index.ts';
import type { FaultSpec, NemesisSpec } from '../faults/spec.ts';

export const SITE_ROLES = ['instrument', 'edge', 'facility', 'hpc', 'cloud'] as const;
export type SiteRole = (typeof SITE_ROLES)[number];

export const DISK_KINDS = ['nvme', 'ssd', 'hdd', 'pfs'] as const;
export type DiskKind = (typeof DISK_KINDS)[number];

/** A checker the run must pass, by name (the registered features' checkers and the core ones). */
export type CheckName = string;

export { PARTITION_DIRECTIONS, type PartitionDirection } from '../faults/spec.ts';

/**
 * The resolved sections features add to a scenario. Empty here: each feature declares its own with
 * `declare module '…/scenario/types.ts' { interface FeatureSections { … } }` beside its types, so
 * this file names no feature and a plug-in's section is typed where the plug-in is.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FeatureSections {}

/** Service kinds by their `kind`, each declared by the feature that runs it (see FeatureSections). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ServiceKinds {}

/** Fields a feature adds to a workload producer that writes to one of its services. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ProducerExtensions {}

export interface Scenario extends FeatureSections {
  /** `[a-z0-9-]+`; names the results directory. */
  readonly name: string;
  readonly description?: string;
  /** Root seed; every random stream of the run is derived from it. */
  readonly seed: number;
  /** Length of the safety phase, during which the workload and the faults run. */
  readonly durationUs: Micros;
  /** Length of the final phase after `durationUs`: faults healed, final reads. */
  readonly quiesceUs: Micros;
  readonly sites: readonly SiteSpec[];
  /** Every node of every site, in site order then node order. */
  readonly nodes: readonly NodeSpec[];
  readonly links: readonly LinkSpec[];
  readonly services: readonly ServiceSpec[];
  readonly workload: readonly ProducerSpec[];
  /** In file order (not sorted by time). */
  readonly faults: readonly FaultSpec[];
  /** Random faults, planned from the seed when the run is built; absent when the file has none. */
  readonly nemesis?: NemesisSpec;
  /** The liveness check's recovery bound, when the file sets one (the check's default otherwise). */
  readonly livenessBoundUs?: Micros;
  readonly checks: readonly CheckName[];
  /** Plug-in modules the file names (`plugins:`), as absolute paths; absent when it names none. */
  readonly plugins?: readonly string[];
}

export interface SiteSpec {
  readonly name: string;
  readonly role: SiteRole;
  /** Node names, `<site>-1 … <site>-n` when the file gave a count. Never empty. */
  readonly nodes: readonly string[];
  /** The network between two nodes of this site. */
  readonly lan: LanSpec;
  /** Every node's disk. */
  readonly disk: DiskSpec;
}

export interface NodeSpec {
  readonly name: string;
  readonly site: string;
}

export interface LanSpec {
  /** One-way delay between two nodes of the site. */
  readonly latencyUs: Micros;
  /** Extra delay drawn uniformly from `[0, jitterUs]` per message. */
  readonly jitterUs: Micros;
  readonly bandwidthBytesPerSec: number;
}

export interface DiskSpec {
  /** The preset the latency and bandwidth came from (unless overridden). */
  readonly kind: DiskKind;
  /** Time one fsync takes. */
  readonly fsyncLatencyUs: Micros;
  readonly bandwidthBytesPerSec: number;
  /** Page cache: a file dirty this long is written back at the next wake-up (`vm.dirty_expire_centisecs`). */
  readonly dirtyExpireUs: Micros;
  /** Page cache: the flusher's wake-up interval while anything is dirty, 0 for none (`vm.dirty_writeback_centisecs`). */
  readonly dirtyWritebackUs: Micros;
}

/** An inter-site link; the capacity is per direction, the same both ways. */
export interface LinkSpec {
  /** Two distinct site names, as written. */
  readonly between: readonly [string, string];
  /** One-way delay. */
  readonly latencyUs: Micros;
  /** Extra delay drawn uniformly from `[0, jitterUs]` per message. */
  readonly jitterUs: Micros;
  /** Per direction. */
  readonly bandwidthBytesPerSec: number;
  /** Probability that one message is lost, in [0, 1]. */
  readonly lossProbability: number;
}

/** When an event store makes its writes durable. */
export type FlushPolicy =
  | { readonly kind: 'every-write' }
  | { readonly kind: 'never' }
  | { readonly kind: 'interval'; readonly intervalUs: Micros };

/** Any registered service kind, discriminated by `kind`. */
export type ServiceSpec = ServiceKinds[keyof ServiceKinds] & { readonly kind: string; readonly name: string };

/** A client that sends events to a service at a steady rate. */
export interface ProducerSpec extends ProducerExtensions {
  readonly name: string;
  /** The node it runs on (resolved from `site:` to that site's first node). */
  readonly node: string;
  readonly site: string;
  /** The service it writes to. */
  readonly service: string;
  /** Events per second; may be fractional (`1/h`). */
  readonly ratePerSec: number;
  readonly eventBytes: number;
  /** How long a request waits for its acknowledgement before it is retried. */
  readonly timeoutUs: Micros;
  /** Retries after the first attempt. */
  readonly retries: number;
}

// Faults are defined in the faults layer, which plans and injects them; the scenario resolves to
// the same values, so a realised fault can be written back as a schedule entry.
export type {
  FaultSpec,
  FaultTiming,
  NemesisSpec,
  NemesisEntrySpec,
  DistributionSpec,
  NodeCrashSpec,
  PartitionSpec,
  PartitionShape,
} from '../faults/spec.ts';

/**
 * What a feature is: one protocol or app (the event store, the replicated log, a pipeline, a
 * user's token ring) with everything the tool needs to run it from a scenario file — its section
 * of the file (schema, cross-checks, resolution), how it spawns its actors into a world, its
 * checkers and its metrics. The built-in features and a user's plug-in (`plugins: [./x.ts]`) are
 * made the same way, with `defineFeature`, and go through the same assembler: no privileged path.
 *
 * Guarantee: a feature only ever sees a scenario that passed the whole schema and every feature's
 * cross-checks; its `resolve` runs only on valid fields, its `build` only on a resolved scenario.
 * Features are folded in registration order (built-ins first, then plug-ins in the order the file
 * lists them), so actor spawn order — and so every trace hash — is fixed by the scenario alone.
 *
 * How it fails: a feature that reuses a name another feature already claimed (a section key, a
 * service kind, a checker) is rejected when it is registered, naming both.
 */
import type * as z from 'zod';
import type { CheckerDefinition } from '../check/checker.ts';
import type { TraceMetric } from '../metrics/metric.ts';
import type { World } from '../world/index.ts';
import type { Names } from './name-messages.ts';
import type { Report } from './paths.ts';
import type { Scenario, SiteSpec } from './types.ts';
import type { ScenarioFields, WrittenProducer } from './written-types.ts';

export type { Report } from './paths.ts';

/** Where a `node:`/`site:` placement resolves: the node, and its site. */
export type Place = (spec: { readonly node?: string; readonly site?: string }) => { node: string; site: string };

/** A name fault targets may give for several processes (a service, a pipeline operator), and their actor ids. */
export interface ActorGroup {
  readonly name: string;
  readonly actors: readonly string[];
}

/** What resolution offers a feature besides the validated fields. */
export interface ResolveContext {
  readonly sites: readonly SiteSpec[];
  /** Resolves a `node:` or `site:` placement that passed the cross-checks. */
  readonly place: Place;
  /** The site of a node that passed the cross-checks. */
  readonly siteOf: (node: string) => string;
}

/**
 * A client one feature runs against a service (its own or another feature's), as the service's
 * final read must know it: the read starts only once no client can still be acknowledged, so
 * every acknowledgement precedes it (Jepsen's quiescence).
 */
export type ServiceClient =
  /** A writer that may still be acknowledged up to `windowUs` after the safety phase. */
  | { readonly service: string; readonly path: string; readonly windowUs: number }
  /** A reader-writer (a forwarder) after which the read must start: at `readAfterUs` or later. */
  | { readonly service: string; readonly path: string; readonly readAfterUs: number };

/** What building offers a feature besides the world. */
export interface BuildContext {
  /** Every feature's clients of `service` (see `Feature.serviceClients`), in registration order. */
  readonly clientsOf: (service: string) => readonly ServiceClient[];
  /** The run's seed (the scenario's, or the one given on the command line). */
  readonly seed: number;
  /**
   * Builds this scenario and seed again, without faults, into a fresh world that traces nowhere:
   * the fault-free reference a checker compares against.
   */
  readonly withoutFaults: () => { readonly world: World; readonly endUs: number };
  /**
   * What `measure` finds on that fault-free reference run, recalled from the reference cache when
   * the same fault-free scenario, seed and code measured it before (reference-cache.ts), so a
   * scenario's runs pay for their reference once. `purpose` names what is measured (one cache entry
   * each); the value must be plain JSON data, and comes back the same whether computed or recalled.
   */
  readonly reference: <T>(purpose: string, measure: (run: { readonly world: World; readonly endUs: number }) => T) => T;
}

/** One part of a scenario's work, as `work-estimate.ts` sums them before a run. */
export interface WorkShare {
  /** The field that causes it, for messages placed at its line. */
  readonly path: readonly (string | number)[];
  /** What it is, in a few words: `10/s for 1h10m`. */
  readonly what: string;
  /** Kernel events it will dispatch (an order of magnitude, erring high). */
  readonly events: number;
  /** Memory it holds while the run goes. */
  readonly bytes: number;
}

/** What a feature's estimate may use besides the scenario. */
export interface EstimateContext {
  /** Simulated seconds of the whole run (safety phase and final phase). */
  readonly seconds: number;
}

/** One protocol or app, as the scenario assembler sees it. */
export interface Feature {
  /** Short, unique: `log`, `pipeline`, `token-ring`. */
  readonly name: string;
  /** What it is, in one line (for `--help` and the gallery). */
  readonly description?: string;
  /**
   * Top-level keys it adds to a scenario file. Each schema says how the key may be absent
   * (`.optional()`, or `.default({})` for a collection), and carries a `.describe()`.
   */
  readonly sections?: Readonly<Record<string, z.ZodType>>;
  /** Service kinds it adds to `services:` (each a `z.strictObject` with a `kind` literal). */
  readonly services?: readonly z.ZodObject[];
  /** Fields it adds to every `workload:` producer (for producers writing to its services). */
  readonly producerFields?: Readonly<Record<string, z.ZodType>>;
  /** Checkers it brings, nameable in `checks:`. */
  readonly checkers?: readonly CheckerDefinition[];
  /**
   * Actor names it will spawn, so fault targets may name them (`targets: [token-1]`), and groups
   * — a service, an operator — that stand for several of its processes (`targets: [kafka]`: its
   * brokers and controller), in schedules and in the nemesis alike (see `scenario/actor-names.ts`).
   */
  actorNames?(fields: ScenarioFields): readonly (string | ActorGroup)[];
  /** Names that producers may write to besides `services:` (an edge buffer takes events as a service would). */
  serviceNames?(fields: ScenarioFields): readonly string[];
  /** Rules spanning sections, run once every field is well-formed. */
  crossCheck?(fields: ScenarioFields, names: Names, report: Report): void;
  /** Its resolved sections, spread into the `Scenario` (its keys must be the ones it declared). */
  resolve?(fields: ScenarioFields, context: ResolveContext): Record<string, unknown>;
  /** A service of one of its kinds, resolved (`name`, `kind`, placement and its own settings). */
  resolveService?(name: string, written: { readonly kind: string }, context: ResolveContext): { readonly kind: string; readonly name: string };
  /** Its extra fields of a producer writing to one of its services (merged into the ProducerSpec). */
  resolveProducer?(written: WrittenProducer, serviceKind: string): Record<string, unknown>;
  /** Its clients of services (its own and other features'), for the services' final reads. */
  serviceClients?(scenario: Scenario): readonly ServiceClient[];
  /** Spawns its actors into the world and returns the metrics that measure them. */
  build?(world: World, scenario: Scenario, context: BuildContext): readonly TraceMetric[];
  /** The work its sections ask for (see work-estimate.ts); a feature without one is bounded only by `--max-events`. */
  estimate?(scenario: Scenario, context: EstimateContext): readonly WorkShare[];
  /** Fault-handling paths its actors mark (`ctx.covered(path)`), for the coverage metric. */
  coveragePaths?(scenario: Scenario): readonly string[];
}

/**
 * The part of a feature that runs it: spawning its actors, naming its clients of services, the
 * coverage paths its actors mark — what only building a world calls, and what imports the protocol
 * code. A plug-in keeps it in its descriptor. A built-in feature keeps it in its
 * `scenario/build.ts`, listed in features/builds.ts, which only building a world imports
 * (scenario/build.ts); the commands import building once the scenario is valid, so a start that
 * refuses its input does not load it.
 */
export type FeatureBuild = Pick<Feature, 'build' | 'serviceClients' | 'coveragePaths'>;

/** Declares a feature; the identity function, there so a plug-in's descriptor is checked as one. */
export function defineFeature<F extends Feature>(feature: F): F {
  return feature;
}

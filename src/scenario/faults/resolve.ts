/**
 * Resolves the fault sections: `faults:` entries to `FaultSpec`s (µs timing, roles expanded to
 * sites, partition groups to nodes, magnitudes renamed to their resolved keys) and `nemesis:` to a
 * `NemesisSpec` of failure units.
 *
 * Guarantee: pure and total on fields that passed `cross-check-faults.ts`; driven by the kind
 * table, so every kind resolves the same way. A target naming a group of processes (a log service,
 * a pipeline operator) resolves to its processes: one fault on all of them in a schedule, one
 * failure unit per process in a nemesis. A schedule partition written with `among` and
 * `shape` is split here, in the order written, and resolves to explicit sides.
 */
import { type DistributionSpec, type FaultSpec, type FaultTemplate, type NemesisEntrySpec, type NemesisSpec, type PartitionShape, splitGroup } from '../../faults/index.ts';
import { type KindDef, kindDef } from './kinds.ts';
import { crashedNode, type WrittenDistribution, type WrittenFault, type WrittenNemesis, type WrittenNemesisEntry } from './schema.ts';
import type { SiteSpec } from '../types.ts';

/** What resolution needs to know of the topology. */
export interface Topology {
  readonly sites: readonly SiteSpec[];
  /** Names of processes and of groups of them (`scenario/actor-names.ts`) → the actor ids they stand for. */
  readonly actors?: ReadonlyMap<string, readonly string[]>;
}

export function resolveFaults(faults: readonly WrittenFault[], durationUs: number, topology: Topology): FaultSpec[] {
  return faults.map((fault) => {
    const def = kindDef(fault.kind);
    return { kind: fault.kind, ...scheduleTargets(def, fault, topology), ...magnitudes(def, fault), ...timing(def, fault, durationUs) } as FaultSpec;
  });
}

export function resolveNemesis(nemesis: WrittenNemesis, topology: Topology): NemesisSpec {
  return { quietUs: nemesis.quiet, maxConcurrent: nemesis['max-concurrent'], faults: nemesis.faults.map((entry) => resolveEntry(entry, topology)) };
}

function timing(def: KindDef, fault: WrittenFault, durationUs: number): Record<string, number> {
  if (def.instant === true) return { atUs: fault.at, endUs: fault.at };
  if (fault.kind === 'node-crash' && fault.restart === false) return { atUs: fault.at };
  return { atUs: fault.at, ...(fault.for === undefined ? {} : { forUs: fault.for }), endUs: fault.for === undefined ? durationUs : fault.at + fault.for };
}

/** Written magnitude keys to resolved ones; a flag equal to its default is left out. */
function magnitudes(def: KindDef, entry: WrittenFault | WrittenNemesisEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const param of def.params) {
    const value = entry[param.key];
    if (value === undefined || (param.unit === 'boolean' && value === param.default)) continue;
    out[param.field] = value;
  }
  return out;
}

function scheduleTargets(def: KindDef, fault: WrittenFault, topology: Topology): Record<string, unknown> {
  switch (def.target) {
    case 'node':
      return { target: crashedNode(fault) };
    case 'nodes':
    case 'actors':
      // `targets` is the nemesis's spelling, accepted in a schedule with the same meaning.
      return { targets: named((fault.target ?? fault.targets) as string | string[] | undefined, fault.role as string | undefined, topology) };
    case 'link':
      return { between: fault.between };
    case 'groups':
      return sides(fault, topology);
    case 'none':
      return {};
  }
}

function sides(entry: WrittenFault | WrittenNemesisEntry, topology: Topology): Record<string, unknown> {
  const direction = entry.direction;
  if (entry.among !== undefined) {
    const shape = entry.shape as PartitionShape;
    const split = splitGroup(expand(entry.among as string[], topology), shape);
    return { from: split.from, to: split.to, fromNodes: split.from, toNodes: split.to, direction, shape };
  }
  const from = entry.from as string[];
  const to = entry.to as string[];
  return { from, to, fromNodes: expand(from, topology), toNodes: expand(to, topology), direction };
}

function resolveEntry(entry: WrittenNemesisEntry, topology: Topology): NemesisEntrySpec {
  const def = kindDef(entry.kind);
  const params = magnitudes(def, entry);
  const timing = { mtbf: distribution(entry.mtbf), ...(entry.repair === undefined ? {} : { repair: distribution(entry.repair) }) };
  const unit = (targets: Record<string, unknown>) => ({ kind: entry.kind, ...targets, ...params }) as FaultTemplate;
  switch (def.target) {
    case 'node':
    case 'nodes':
    case 'actors': {
      const units = named(entry.targets as string[] | undefined, entry.role as string | undefined, topology);
      return { units: units.map((name) => unit(def.target === 'node' ? { target: name } : { targets: [name] })), ...timing };
    }
    case 'link':
      return { units: [unit({ between: entry.between })], ...timing };
    case 'groups':
      if (entry.among === undefined) return { units: [unit(sides(entry, topology))], ...timing };
      // The sides are drawn at each failure; the template carries only the direction.
      return {
        units: [unit({ from: [], to: [], fromNodes: [], toNodes: [], direction: entry.direction })],
        among: expand(entry.among as string[], topology),
        shape: entry.shape as PartitionShape,
        ...timing,
      };
    case 'none':
      throw new Error(`a nemesis cannot inject ${entry.kind}`);
  }
}

function distribution(written: WrittenDistribution): DistributionSpec {
  if (typeof written === 'number') return { distribution: 'exponential', meanUs: written };
  return {
    distribution: written.distribution,
    meanUs: written.mean,
    ...(written.shape === undefined ? {} : { shape: written.shape }),
    ...(written.sigma === undefined ? {} : { sigma: written.sigma }),
  };
}

/** The names given — a group (a service, an operator) as its processes, each once — or every site with the role. */
function named(given: string | readonly string[] | undefined, role: string | undefined, topology: Topology): string[] {
  if (given === undefined) return topology.sites.filter((site) => site.role === role).map((site) => site.name);
  const names = typeof given === 'string' ? [given] : given;
  return [...new Set(names.flatMap((name) => topology.actors?.get(name) ?? [name]))];
}

/** Site or node names to node names, each once, in order. */
function expand(members: readonly string[], topology: Topology): string[] {
  const nodes = members.flatMap((member) => topology.sites.find((site) => site.name === member)?.nodes ?? [member]);
  return [...new Set(nodes)];
}

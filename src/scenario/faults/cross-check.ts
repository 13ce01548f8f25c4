/**
 * Cross-section checks of the fault sections: that every fault and nemesis entry names targets
 * that exist, gives one way of naming them, fits in the safety phase, and can affect something.
 *
 * Guarantee: when nothing is reported, `resolve-faults.ts` can resolve every name, every partition
 * has two non-empty disjoint sides, and every link fault is on a declared link. Processes on a
 * site or node are only known once the world is built; `src/faults/targets.ts` rejects a process
 * fault on a node without any there.
 *
 * Failure: one issue per problem at the path of the value at fault, with near names suggested.
 */
import { MIN_GROUP, RESTARTING_KINDS, type FaultKind, type PartitionShape } from '../../faults/index.ts';
import type { Report } from '../feature.ts';
import { kindDef } from './kinds.ts';
import { type Names, unknownNode, unknownSite } from '../name-messages.ts';
import { type Path, formatPath } from '../paths.ts';
import type { ScenarioFields } from '../written-types.ts';
import { crashedNode, type WrittenDistribution, type WrittenFault, type WrittenNemesis, type WrittenNemesisEntry } from './schema.ts';
import { suggestion } from '../suggest.ts';
import { formatDuration } from '../units.ts';

/** `actors`: the names a fault target may give besides sites and nodes (services, producers, features' actors). */
export function checkFaults(s: ScenarioFields, names: Names, actors: readonly string[], report: Report): void {
  const faults = s.faults as readonly WrittenFault[];
  faults.forEach((fault, i) => {
    const path: Path = ['faults', i];
    checkTiming(fault, s.duration, path, report);
    const key = scheduleTargetKey(fault, path, report);
    if (key === undefined) return;
    checkTargets(fault, { key, schedule: true }, s, names, actors, path, report);
    if (fault.kind === 'node-crash') {
      if (fault.restart === false && fault.for !== undefined) report([...path, 'for'], 'a node crash with restart: false never ends; remove "for"');
      if (names.nodes.has(crashedNode(fault)!)) checkCrashOverlap(faults, i, s.duration, report);
    }
  });
}

export function checkNemesis(s: ScenarioFields, nemesis: WrittenNemesis, names: Names, actors: readonly string[], report: Report): void {
  if (nemesis.quiet >= s.duration) {
    report(['nemesis', 'quiet'], `the quiet period (${formatDuration(nemesis.quiet)}) covers the whole safety phase (${formatDuration(s.duration)}), so no fault could start`);
  }
  nemesis.faults.forEach((entry, i) => {
    const path: Path = ['nemesis', 'faults', i];
    checkTargets(entry, { key: 'targets', schedule: false }, s, names, actors, path, report);
    checkDistribution(entry.mtbf, [...path, 'mtbf'], report);
    if (entry.repair !== undefined) checkDistribution(entry.repair, [...path, 'repair'], report);
    const repairMean = entry.repair === undefined ? undefined : typeof entry.repair === 'number' ? entry.repair : entry.repair.mean;
    if (repairMean === 0) checkZeroLength(entry.kind, [...path, 'repair'], report);
  });
}

/** A zero length restarts a crash at once; any other fault would begin and end at the same instant, and do nothing. */
function checkZeroLength(kind: FaultKind, path: Path, report: Report): void {
  if (RESTARTING_KINDS.has(kind)) return;
  report(path, `0s would end a ${kind} as it begins (no fault at all); only a crash restarts at once — give a positive duration`);
}

function checkTiming(fault: WrittenFault, duration: number, path: Path, report: Report): void {
  if (fault.for === 0) checkZeroLength(fault.kind, [...path, 'for'], report);
  if (fault.at >= duration) {
    report([...path, 'at'], `the fault would begin at ${formatDuration(fault.at)}, which is not within duration (${formatDuration(duration)})`);
  } else if (fault.for !== undefined && fault.at + fault.for > duration) {
    const end = formatDuration(fault.at + fault.for);
    report(
      [...path, 'for'],
      `the fault would end at ${end} (at + for), after duration (${formatDuration(duration)}); shorten it, or omit "for" to heal it when the quiesce phase begins`,
    );
  }
}

/**
 * Which of `target` and `targets` (the same in a schedule) a schedule entry gives: both is a
 * mistake, reported (undefined). Kinds that name no targets read neither.
 */
function scheduleTargetKey(fault: WrittenFault, path: Path, report: Report): 'target' | 'targets' | undefined {
  if (fault.target !== undefined && fault.targets !== undefined) {
    report([...path, 'targets'], 'give "target" or "targets" (the same in a schedule), not both');
    return undefined;
  }
  return fault.targets !== undefined ? 'targets' : 'target';
}

/** The target fields of a schedule entry (`target` or `targets`) or a nemesis entry (`targets`). */
function checkTargets(
  entry: WrittenFault | WrittenNemesisEntry,
  { key, schedule }: { key: 'target' | 'targets'; schedule: boolean },
  s: ScenarioFields,
  names: Names,
  actors: readonly string[],
  path: Path,
  report: Report,
): void {
  switch (kindDef(entry.kind).target) {
    case 'node':
      if (schedule) checkCrashedNode(entry as WrittenFault, key, s, names, path, report);
      else checkNamed(entry, key, s, names, actors, path, report, 'node');
      return;
    case 'nodes':
    case 'actors':
      checkNamed(entry, key, s, names, actors, path, report, 'any');
      return;
    case 'link':
      checkLink(entry.between as readonly [string, string], s, names, [...path, 'between'], report);
      return;
    case 'groups':
      checkGroups(entry, names, path, report);
      return;
    case 'none':
      return;
  }
}

/** A scheduled node-crash names one node, in `target` or `targets`. */
function checkCrashedNode(fault: WrittenFault, key: 'target' | 'targets', s: ScenarioFields, names: Names, path: Path, report: Report): void {
  const given = fault[key] as string | readonly string[] | undefined;
  if (given === undefined) {
    report([...path, 'target'], 'required field is missing');
    return;
  }
  const node = crashedNode(fault);
  if (node === undefined) {
    report([...path, key], `a scheduled ${fault.kind} crashes one node; write one entry per node`);
    return;
  }
  if (!names.nodes.has(node)) report(typeof given === 'string' ? [...path, key] : [...path, key, 0], serviceNotNode(node, s, names) ?? unknownNode(node, names));
}

/** `target: store` in a crash: a service is not what crashes, the node it runs on is. */
function serviceNotNode(name: string, s: ScenarioFields, names: Names): string | undefined {
  const service = s.services?.[name] as { node?: unknown; nodes?: unknown; site?: unknown } | undefined;
  if (service === undefined) return undefined;
  const site = typeof service.site === 'string' ? [...names.nodes].find(([, of]) => of === service.site)?.[0] : undefined;
  const node = typeof service.node === 'string' ? service.node : Array.isArray(service.nodes) && typeof service.nodes[0] === 'string' ? service.nodes[0] : site;
  return `"${name}" is a service, not a node; a crash takes down a node: name one it runs on${node === undefined ? '' : `, such as "${node}"`}`;
}

/** `target`/`targets` or `role`: exactly one, and every name a site, a node or an actor. */
function checkNamed(entry: WrittenFault | WrittenNemesisEntry, key: 'target' | 'targets', s: ScenarioFields, names: Names, actors: readonly string[], path: Path, report: Report, only: 'node' | 'any'): void {
  const given = entry[key] as string | readonly string[] | undefined;
  const role = entry.role as string | undefined;
  if ((given === undefined) === (role === undefined)) {
    report(given === undefined ? path : [...path, 'role'], `give either "${key}" (names) or "role" (every site of a role)${given === undefined ? '' : ', not both'}`);
    return;
  }
  if (role !== undefined) {
    if (only === 'node') report([...path, 'role'], 'node-crash units are single nodes; name them in "targets"');
    else if (!Object.values(s.sites).some((site) => site.role === role)) report([...path, 'role'], `no site has role "${role}", so the fault would affect nothing`);
    return;
  }
  const list = typeof given === 'string' ? [given] : given!;
  list.forEach((name, j) => {
    const at = typeof given === 'string' ? [...path, key] : [...path, key, j];
    if (only === 'node') {
      if (!names.nodes.has(name)) report(at, unknownNode(name, names));
    } else if (!names.sites.includes(name) && !names.nodes.has(name) && !actors.includes(name)) {
      report(at, `unknown site, node, service or producer "${name}"${suggestion(name, [...names.sites, ...names.nodes.keys(), ...actors])}`);
    }
  });
}

function checkLink(between: readonly [string, string], s: ScenarioFields, names: Names, path: Path, report: Report): void {
  let known = true;
  between.forEach((site, j) => {
    if (names.sites.includes(site)) return;
    known = false;
    report([...path, j], unknownSite(site, names));
  });
  if (!known) return;
  const [a, b] = between;
  if (a === b) return report(path, `a link joins two different sites, got "${a}" twice`);
  const linked = s.links.some((link) => (link.between[0] === a && link.between[1] === b) || (link.between[0] === b && link.between[1] === a));
  if (!linked) report(path, `${a} and ${b} are not linked (see links), so a fault on their link would affect nothing`);
}

/** A partition: `from` and `to`, or `among` and `shape`; sides that exist and do not overlap. */
function checkGroups(entry: WrittenFault | WrittenNemesisEntry, names: Names, path: Path, report: Report): void {
  const { from, to, among, shape } = entry as { from?: string[]; to?: string[]; among?: string[]; shape?: PartitionShape };
  const sides = from !== undefined || to !== undefined;
  const split = among !== undefined || shape !== undefined;
  if (sides === split || (sides && (from === undefined || to === undefined)) || (split && (among === undefined || shape === undefined))) {
    const missing = sides ? (from === undefined ? 'from' : to === undefined ? 'to' : 'among') : among === undefined ? 'among' : 'shape';
    report(sides && split ? [...path, 'among'] : [...path, missing], sides && split ? 'give either "from" and "to", or "among" and "shape", not both' : `needs "${missing}" (a partition has "from" and "to", or "among" and "shape")`);
    return;
  }
  if (split) {
    const nodes = group(among!, [...path, 'among'], names, report);
    const unique = new Set(nodes).size;
    if (unique === nodes.length && nodes.length > 0 && unique < MIN_GROUP[shape!]) {
      report([...path, 'among'], `a ${shape} partition needs at least ${MIN_GROUP[shape!]} nodes, got ${unique}`);
    }
    return;
  }
  const fromNodes = group(from!, [...path, 'from'], names, report);
  const toNodes = group(to!, [...path, 'to'], names, report);
  const shared = fromNodes.find((node) => toNodes.includes(node));
  if (shared !== undefined) report([...path, 'to'], `node "${shared}" is on both sides of the partition`);
}

/** Node names of one side of a partition; reports names that are neither a site nor a node. */
function group(members: readonly string[], path: Path, names: Names, report: Report): string[] {
  const nodes: string[] = [];
  members.forEach((member, j) => {
    if (names.sites.includes(member)) {
      for (const [node, site] of names.nodes) if (site === member) nodes.push(node);
    } else if (names.nodes.has(member)) {
      nodes.push(member);
    } else {
      report([...path, j], `unknown site or node "${member}"${suggestion(member, [...names.sites, ...names.nodes.keys()])}`);
    }
  });
  return nodes;
}

/** A node cannot crash again while it is down: which restart would win is undefined. */
function checkCrashOverlap(faults: readonly WrittenFault[], i: number, duration: number, report: Report): void {
  const fault = faults[i];
  const end = (f: WrittenFault) => (f.restart === false ? Number.POSITIVE_INFINITY : f.for === undefined ? duration : f.at + f.for);
  for (let j = 0; j < i; j++) {
    const other = faults[j];
    if (other.kind !== 'node-crash' || crashedNode(other) !== crashedNode(fault)) continue;
    if (fault.at < end(other) && other.at < end(fault)) {
      const until = end(other) === Number.POSITIVE_INFINITY ? 'on, never restarting' : `to ${formatDuration(end(other))}`;
      report(['faults', i, 'at'], `${crashedNode(fault)!} is already down then (${formatPath(['faults', j])}, from ${formatDuration(other.at)} ${until})`);
      return;
    }
  }
}

/** `shape` belongs to weibull, `sigma` to lognormal. */
function checkDistribution(d: WrittenDistribution, path: Path, report: Report): void {
  if (typeof d === 'number') return;
  if (d.shape !== undefined && d.distribution !== 'weibull') report([...path, 'shape'], `"shape" is the Weibull shape; this distribution is ${d.distribution}`);
  if (d.sigma !== undefined && d.distribution !== 'lognormal') report([...path, 'sigma'], `"sigma" is the lognormal sigma; this distribution is ${d.distribution}`);
}

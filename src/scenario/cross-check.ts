/**
 * Checks that span sections of a scenario: references between sites, nodes, services and faults,
 * and fault timing against the run's duration.
 *
 * Guarantee: runs on well-formed fields only (zod skips it while any field is invalid), and when
 * it reports nothing, every name in the scenario resolves, so `resolve.ts` may look names up
 * without further checks.
 *
 * Failure: one issue per problem, each at the path of the exact value at fault
 * (`links[0].between[1]`, `faults[2].for`), with the near names suggested.
 */
import type * as z from 'zod';
import { type Path, formatPath } from './paths.ts';
import type { ScenarioFields } from './schema.ts';
import { suggestion } from './suggest.ts';
import { nodeNames, siteOfNode } from './topology.ts';
import { formatDuration } from './units.ts';

type Report = (path: Path, message: string) => void;

interface Names {
  readonly sites: readonly string[];
  /** node → its site */
  readonly nodes: ReadonlyMap<string, string>;
}

export function crossCheck(s: ScenarioFields, ctx: z.core.$RefinementCtx<ScenarioFields>): void {
  const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path: [...path], message });
  const names: Names = { sites: Object.keys(s.sites), nodes: siteOfNode(s.sites) };
  checkNodeNames(s, report);
  checkLinks(s, names, report);
  for (const [service, spec] of Object.entries(s.services)) checkPlacement(spec, ['services', service], names, report);
  const services = Object.keys(s.services);
  for (const [producer, spec] of Object.entries(s.workload)) {
    checkPlacement(spec, ['workload', producer], names, report);
    if (!services.includes(spec.service)) {
      const none = '; the scenario defines no services';
      report(['workload', producer, 'service'], `unknown service "${spec.service}"${suggestion(spec.service, services, none)}`);
    }
  }
  checkFaults(s, names, report);
  s.checks.forEach((check, i) => {
    if (s.checks.indexOf(check) !== i) report(['checks', i], `"${check}" is listed twice`);
  });
}

/** Node names must be unique across sites and differ from site names, or fault targets would be ambiguous. */
function checkNodeNames(s: ScenarioFields, report: Report): void {
  const owner = new Map<string, string>();
  for (const [site, spec] of Object.entries(s.sites)) {
    nodeNames(site, spec.nodes).forEach((node, i) => {
      const path: Path = typeof spec.nodes === 'number' ? ['sites', site, 'nodes'] : ['sites', site, 'nodes', i];
      const previous = owner.get(node);
      if (node in s.sites) {
        report(path, `node "${node}" has the same name as a site; fault targets could not tell them apart`);
      } else if (previous === site) {
        report(path, `node "${node}" is listed twice`);
      } else if (previous !== undefined) {
        report(path, `node "${node}" is also a node of site "${previous}"; node names must be unique`);
      } else {
        owner.set(node, site);
      }
    });
  }
}

function checkLinks(s: ScenarioFields, names: Names, report: Report): void {
  const seen = new Map<string, number>();
  s.links.forEach((link, i) => {
    const [a, b] = link.between;
    let known = true;
    link.between.forEach((site, j) => {
      if (names.sites.includes(site)) return;
      known = false;
      report(['links', i, 'between', j], unknownSite(site, names));
    });
    if (!known) return;
    if (a === b) return report(['links', i, 'between'], `a link joins two different sites, got "${a}" twice`);
    const key = [a, b].sort().join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) report(['links', i, 'between'], `${a} and ${b} are already linked by links[${first}]`);
    else seen.set(key, i);
  });
}

function checkPlacement(spec: { readonly node?: string; readonly site?: string }, path: Path, names: Names, report: Report): void {
  if (spec.node !== undefined && spec.site !== undefined) {
    report([...path, 'site'], 'give either "node" or "site", not both');
  } else if (spec.node !== undefined) {
    if (!names.nodes.has(spec.node)) report([...path, 'node'], unknownNode(spec.node, names));
  } else if (spec.site !== undefined) {
    if (!names.sites.includes(spec.site)) report([...path, 'site'], unknownSite(spec.site, names));
  } else {
    report(path, 'needs "node" (a node name) or "site" (a site name, meaning its first node)');
  }
}

function checkFaults(s: ScenarioFields, names: Names, report: Report): void {
  s.faults.forEach((fault, i) => {
    const path: Path = ['faults', i];
    if (fault.at >= s.duration) {
      report([...path, 'at'], `the fault would begin at ${formatDuration(fault.at)}, which is not within duration (${formatDuration(s.duration)})`);
    } else if (fault.for !== undefined && fault.at + fault.for > s.duration) {
      const end = formatDuration(fault.at + fault.for);
      report(
        [...path, 'for'],
        `the fault would end at ${end} (at + for), after duration (${formatDuration(s.duration)}); shorten it, or omit "for" to heal it when the quiesce phase begins`,
      );
    }
    if (fault.kind === 'node-crash') {
      if (!names.nodes.has(fault.target)) report([...path, 'target'], unknownNode(fault.target, names));
      else checkCrashOverlap(s, i, report);
    } else {
      const from = group(fault.from, [...path, 'from'], names, report);
      const to = group(fault.to, [...path, 'to'], names, report);
      const shared = from.find((node) => to.includes(node));
      if (shared !== undefined) report([...path, 'to'], `node "${shared}" is on both sides of the partition`);
    }
  });
}

/** A node cannot crash again while it is down: which restart would win is undefined. */
function checkCrashOverlap(s: ScenarioFields, i: number, report: Report): void {
  const fault = s.faults[i]!;
  if (fault.kind !== 'node-crash') return;
  const end = (f: { at: number; for?: number | undefined }) => (f.for === undefined ? s.duration : f.at + f.for);
  for (let j = 0; j < i; j++) {
    const other = s.faults[j]!;
    if (other.kind !== 'node-crash' || other.target !== fault.target) continue;
    if (fault.at < end(other) && other.at < end(fault)) {
      const window = `from ${formatDuration(other.at)} to ${formatDuration(end(other))}`;
      report(['faults', i, 'at'], `${fault.target} is already down then (${formatPath(['faults', j])}, ${window})`);
      return;
    }
  }
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

function unknownSite(site: string, names: Names): string {
  if (names.nodes.has(site)) return `"${site}" is a node, not a site (it belongs to site "${names.nodes.get(site)}")`;
  return `unknown site "${site}"${suggestion(site, names.sites)}`;
}

function unknownNode(node: string, names: Names): string {
  if (names.sites.includes(node)) {
    const first = [...names.nodes].find(([, site]) => site === node)?.[0];
    return `"${node}" is a site, not a node; name one of its nodes, such as "${first}"`;
  }
  return `unknown node "${node}"${suggestion(node, [...names.nodes.keys()])}`;
}

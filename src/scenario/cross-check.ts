/**
 * Checks that span sections of a scenario: references between sites, nodes, services and faults,
 * and fault timing against the run's duration; then every feature's own cross-checks, in
 * registration order (each feature checks its own services and sections).
 *
 * Guarantee: runs on well-formed fields only (zod skips it while any field is invalid), and when
 * it reports nothing, every name in the scenario resolves, so `resolve.ts` may look names up
 * without further checks.
 *
 * Failure: one issue per problem, each at the path of the exact value at fault
 * (`links[0].between[1]`, `faults[2].for`), with the near names suggested.
 */
import type * as z from 'zod';
import type { Path, Report } from './paths.ts';
import { targetableActors } from './actor-names.ts';
import { features } from './registry.ts';
import { suggestion } from './suggest.ts';
import { nodeNames, siteOfNode } from './topology.ts';
import { checkFaults, checkNemesis } from './faults/cross-check.ts';
import { type Names, checkPlacement, unknownSite } from './name-messages.ts';
import type { ScenarioFields } from './written-types.ts';

export function crossCheck(s: ScenarioFields, ctx: z.core.$RefinementCtx): void {
  const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path: [...path], message });
  const names: Names = { sites: Object.keys(s.sites), nodes: siteOfNode(s.sites) };
  checkNodeNames(s, report);
  checkLinks(s, names, report);
  const all = features();
  // Some features take producers' events as a service would (an edge buffer).
  const services = [...Object.keys(s.services), ...all.flatMap((feature) => feature.serviceNames?.(s) ?? [])];
  for (const [producer, spec] of Object.entries(s.workload)) {
    checkPlacement(spec, ['workload', producer], names, report);
    if (!services.includes(spec.service)) {
      const none = '; the scenario defines no services';
      report(['workload', producer, 'service'], `unknown service "${spec.service}"${suggestion(spec.service, services, none)}`);
    }
  }
  for (const feature of all) feature.crossCheck?.(s, names, report);
  // Services, producers, and features' actors and groups (a log service, a pipeline operator).
  const actors = [...targetableActors(s).keys()];
  checkFaults(s, names, actors, report);
  if (s.nemesis !== undefined) checkNemesis(s, s.nemesis, names, actors, report);
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
    if (a === b) return report(['links', i, 'between'], `a link joins two different sites, got "${a}" twice; the network between nodes of one site is sites.${a}.lan (latency, bandwidth, jitter)`);
    const key = [a, b].sort().join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) report(['links', i, 'between'], `${a} and ${b} are already linked by links[${first}]`);
    else seen.set(key, i);
  });
}

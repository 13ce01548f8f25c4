/**
 * Turns validated scenario fields into the resolved {@link Scenario}: named entries in file order,
 * node counts expanded to names, `site:` placements resolved to that site's first node, partition
 * groups expanded to nodes, fault end times computed.
 *
 * Guarantee: pure and total on fields that passed `cross-check.ts`. It asserts instead of
 * reporting: a name that does not resolve here is a bug in the checks, not a user error.
 */
import type { ScenarioFields } from './schema.ts';
import { nodeNames, siteOfNode } from './topology.ts';
import type { FaultSpec, NodeSpec, ProducerSpec, Scenario, ServiceSpec, SiteSpec } from './types.ts';

export function resolveScenario(s: ScenarioFields): Scenario {
  const sites: SiteSpec[] = Object.entries(s.sites).map(([name, site]) => ({
    name,
    role: site.role,
    nodes: nodeNames(name, site.nodes),
    lan: site.lan,
    disk: site.disk,
  }));
  const nodes: NodeSpec[] = sites.flatMap((site) => site.nodes.map((node) => ({ name: node, site: site.name })));
  const owner = siteOfNode(s.sites);
  const place = (spec: { readonly node?: string; readonly site?: string }): { node: string; site: string } => {
    if (spec.node !== undefined) return { node: spec.node, site: known(owner.get(spec.node), spec.node) };
    const site = known(sites.find((candidate) => candidate.name === spec.site), String(spec.site));
    return { node: site.nodes[0]!, site: site.name };
  };
  const expand = (members: readonly string[]): string[] =>
    members.flatMap((member) => sites.find((site) => site.name === member)?.nodes ?? [member]);

  const services: ServiceSpec[] = Object.entries(s.services).map(([name, service]) => ({
    kind: service.kind,
    name,
    ...place(service),
    flush: service.flush,
  }));
  const workload: ProducerSpec[] = Object.entries(s.workload).map(([name, producer]) => ({
    name,
    ...place(producer),
    service: producer.service,
    ratePerSec: producer.rate,
    eventBytes: producer.size,
    timeoutUs: producer.timeout,
    retries: producer.retries,
  }));
  const faults: FaultSpec[] = s.faults.map((fault) => {
    const timing = {
      atUs: fault.at,
      ...(fault.for === undefined ? {} : { forUs: fault.for }),
      endUs: fault.for === undefined ? s.duration : fault.at + fault.for,
    };
    if (fault.kind === 'node-crash') return { kind: fault.kind, target: fault.target, ...timing };
    return {
      kind: fault.kind,
      from: fault.from,
      to: fault.to,
      fromNodes: dedupe(expand(fault.from)),
      toNodes: dedupe(expand(fault.to)),
      direction: fault.direction,
      ...timing,
    };
  });

  return {
    name: s.name,
    ...(s.description === undefined ? {} : { description: s.description }),
    seed: s.seed,
    durationUs: s.duration,
    quiesceUs: s.quiesce,
    sites,
    nodes,
    links: s.links,
    services,
    workload,
    faults,
    checks: s.checks,
  };
}

function dedupe(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function known<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`scenario resolution: "${name}" passed the cross-checks but does not resolve`);
  return value;
}

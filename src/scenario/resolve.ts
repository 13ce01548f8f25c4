/**
 * Turns validated scenario fields into the resolved {@link Scenario}: named entries in file order,
 * node counts expanded to names, `site:` placements resolved to that site's first node, partition
 * groups expanded to nodes, fault end times computed; then every feature resolves its services,
 * its producers' extra fields and its sections, in registration order.
 *
 * Guarantee: pure and total on fields that passed `cross-check.ts`. It asserts instead of
 * reporting: a name that does not resolve here is a bug in the checks, not a user error.
 */
import { PRODUCER_DEFAULTS } from './core-schema.ts';
import type { Feature, ResolveContext } from './feature.ts';
import { features, serviceKinds } from './registry.ts';
import { nodeNames, siteOfNode } from './topology.ts';
import { targetableActors } from './actor-names.ts';
import { resolveFaults, resolveNemesis } from './faults/resolve.ts';
import type { WrittenFault } from './faults/schema.ts';
import type { NodeSpec, ProducerSpec, Scenario, ServiceSpec, SiteSpec } from './types.ts';
import type { ScenarioFields } from './written-types.ts';

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
  const siteOf = (node: string) => known(owner.get(node), node);
  const place: ResolveContext['place'] = (spec) => {
    if (spec.node !== undefined) return { node: spec.node, site: siteOf(spec.node) };
    const site = known(sites.find((candidate) => candidate.name === spec.site), String(spec.site));
    return { node: site.nodes[0]!, site: site.name };
  };
  const context: ResolveContext = { sites, place, siteOf };
  const all = features();
  const ownerOfKind = (kind: string): Feature => known(all.find((feature) => serviceKinds(feature).includes(kind)), `service kind ${kind}`);

  const services: ServiceSpec[] = Object.entries(s.services).map(([name, service]) => {
    const feature = ownerOfKind(service.kind);
    return known(feature.resolveService, `${feature.name}.resolveService`)(name, service, context) as ServiceSpec;
  });
  const workload: ProducerSpec[] = Object.entries(s.workload).map(([name, producer]) => {
    const kind = s.services[producer.service]?.kind;
    const extension = kind === undefined ? {} : (ownerOfKind(kind).resolveProducer?.(producer, kind) ?? {});
    return {
      name,
      ...place(producer),
      service: producer.service,
      ratePerSec: producer.rate,
      eventBytes: producer.size,
      timeoutUs: producer.timeout ?? PRODUCER_DEFAULTS.timeoutUs,
      retries: producer.retries ?? PRODUCER_DEFAULTS.retries,
      ...extension,
    };
  });
  const sections = Object.assign({}, ...all.map((feature) => feature.resolve?.(s, context) ?? {})) as Record<string, unknown>;
  // Fault targets naming a group (a log service, an operator) expand to its processes.
  const topology = { sites, actors: targetableActors(s) };
  const faults = resolveFaults(s.faults as readonly WrittenFault[], s.duration, topology);

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
    ...sections,
    faults,
    ...(s.nemesis === undefined ? {} : { nemesis: resolveNemesis(s.nemesis, topology) }),
    ...(s.liveness === undefined ? {} : { livenessBoundUs: s.liveness.bound }),
    checks: s.checks,
  };
}

function known<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`scenario resolution: "${name}" passed the cross-checks but does not resolve`);
  return value;
}

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
import { resolveFaults, resolveNemesis } from './faults/resolve.ts';
import type { WrittenFault } from './faults/schema.ts';
import { resolveConsumer, resolveLogProducer, resolveLogService } from '../features/log/scenario/resolve.ts';
import type { NodeSpec, ProducerSpec, Scenario, ServiceSpec, SiteSpec } from './types.ts';
import { resolveCheckpoint, resolvePipeline } from '../features/pipeline/scenario/resolve.ts';
import { resolveForwarder } from '../features/forward/scenario/resolve.ts';
import { resolveFederated } from '../features/federated/scenario/resolve.ts';
import { resolveAlerts } from '../features/alerts/scenario/resolve.ts';

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

  const services: ServiceSpec[] = Object.entries(s.services).map(([name, service]) =>
    service.kind === 'log'
      ? resolveLogService(name, service, sites, (node) => known(owner.get(node), node))
      : { kind: service.kind, name, ...place(service), flush: service.flush },
  );
  const isLog = (service: string) => s.services[service]?.kind === 'log';
  const workload: ProducerSpec[] = Object.entries(s.workload).map(([name, producer]) => ({
    name,
    ...place(producer),
    service: producer.service,
    ratePerSec: producer.rate,
    eventBytes: producer.size,
    timeoutUs: producer.timeout,
    retries: producer.retries,
    ...(isLog(producer.service) ? { log: resolveLogProducer(producer) } : {}),
  }));
  const consumers = Object.entries(s.consumers).map(([name, consumer]) => resolveConsumer(name, consumer, place(consumer)));
  const forwarders = Object.entries(s.forwarders).map(([name, f]) => resolveForwarder(name, f, place(f)));
  const faults = resolveFaults(s.faults as readonly WrittenFault[], s.duration, { sites });

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
    ...(consumers.length === 0 ? {} : { consumers }),
    ...(forwarders.length === 0 ? {} : { forwarders }),
    ...(s.federated === undefined ? {} : { federated: resolveFederated(s.federated, sites, place) }),
    ...(s.alerts === undefined ? {} : { alerts: resolveAlerts(s.alerts, sites, place) }),
    faults,
    ...(s.nemesis === undefined ? {} : { nemesis: resolveNemesis(s.nemesis, { sites }) }),
    ...(s.liveness === undefined ? {} : { livenessBoundUs: s.liveness.bound }),
    ...pipelineSections(s, sites),
    checks: s.checks,
  };
}

function known<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`scenario resolution: "${name}" passed the cross-checks but does not resolve`);
  return value;
}

/** `pipeline` and its `checkpoint` (defaults when absent), or neither. */
function pipelineSections(s: ScenarioFields, sites: readonly SiteSpec[]): Pick<Scenario, 'pipeline' | 'checkpoint'> {
  if (s.pipeline === undefined) return {};
  const pipeline = resolvePipeline(s.pipeline, sites);
  return { pipeline, checkpoint: resolveCheckpoint(s.checkpoint, pipeline, sites) };
}

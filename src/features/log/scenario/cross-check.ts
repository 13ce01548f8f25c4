/**
 * Cross-section checks of the log's scenario sections: a log service's broker and controller
 * placement, replication factors that fit its brokers, the topics producers and consumers name,
 * Kafka producer settings given to a producer that does not write to a log (and the event store's
 * `timeout` given to one that does), and the settings a Kafka producer refuses at start
 * (producer-rules.ts).
 *
 * Guarantee: when it reports nothing, `resolve-log.ts` can resolve every name. Each problem is one
 * issue at the path of the value at fault, with near names suggested.
 */
import { formatMicros } from '../../../kernel/contract/index.ts';
import type { Report } from '../../../scenario/feature.ts';
import type { Path } from '../../../scenario/paths.ts';
import type { ScenarioFields } from '../../../scenario/written-types.ts';
import { logProducerFields, type WrittenLogService } from './schema.ts';
import { type Names, checkPlacement, unknownNode, unknownSite } from '../../../scenario/name-messages.ts';
import { brokerNodesOf } from './resolve.ts';
import { suggestion } from '../../../scenario/suggest.ts';
import { bufferMemoryConflict, deliveryTimeoutConflict, idempotenceConflicts, type ProducerSettings } from './producer-rules.ts';

type LogService = WrittenLogService;

export function checkLogService(service: LogService, path: Path, names: Names, report: Report): void {
  if ((service.site === undefined) === (service.nodes === undefined)) {
    report(path, 'a log service needs either "site" (its brokers run on the site\'s nodes) or "nodes" (a list of node names), not both');
    return;
  }
  let known = true;
  if (service.site !== undefined && !names.sites.includes(service.site)) {
    report([...path, 'site'], unknownSite(service.site, names));
    known = false;
  }
  service.nodes?.forEach((node, i) => {
    if (names.nodes.has(node)) return;
    report([...path, 'nodes', i], unknownNode(node, names));
    known = false;
  });
  if (service.controller !== undefined && !names.nodes.has(service.controller)) report([...path, 'controller'], unknownNode(service.controller, names));
  if (service.controller !== undefined && service.controllers !== undefined) report([...path, 'controllers'], 'give either "controller" (one node) or "controllers" (a list of nodes: a quorum), not both');
  service.controllers?.forEach((node, i) => {
    if (!names.nodes.has(node)) report([...path, 'controllers', i], unknownNode(node, names));
    else if (service.controllers!.indexOf(node) !== i) report([...path, 'controllers', i], `${node} is listed twice: a quorum needs one controller per node`);
  });
  if (!known) return;
  const sites = names.sites.map((site) => ({ name: site, nodes: [...names.nodes].filter(([, s]) => s === site).map(([node]) => node) }));
  const brokers = brokerNodesOf(service, sites).length;
  checkReplication(service['replication.factor'], service['min.insync.replicas'], brokers, path, report);
  for (const [topic, spec] of Object.entries(service.topics)) {
    const rf = spec['replication.factor'] ?? service['replication.factor'];
    const isr = spec['min.insync.replicas'] ?? service['min.insync.replicas'];
    if (spec['replication.factor'] !== undefined || spec['min.insync.replicas'] !== undefined) checkReplication(rf, isr, brokers, [...path, 'topics', topic], report);
  }
}

function checkReplication(rf: number, minIsr: number, brokers: number, path: Path, report: Report): void {
  if (rf > brokers) report([...path, 'replication.factor'], `replication factor ${rf} needs at least ${rf} brokers; the service has ${brokers}`);
  if (minIsr > rf) report([...path, 'min.insync.replicas'], `min.insync.replicas ${minIsr} exceeds the replication factor ${rf}, so no acks=all write could ever succeed`);
}

/** Producers' topics, Kafka settings on non-log producers, and the consumers section. */
export function checkLogClients(s: ScenarioFields, names: Names, report: Report): void {
  for (const [producer, spec] of Object.entries(s.workload)) {
    const service = s.services[spec.service];
    if (service === undefined) continue;
    const path: Path = ['workload', producer];
    if (service.kind !== 'log') {
      for (const key of Object.keys(logProducerFields)) {
        if ((spec as unknown as Record<string, unknown>)[key] !== undefined) report([...path, key], `"${key}" applies only to a producer writing to a log service; "${spec.service}" is an ${service.kind}`);
      }
      continue;
    }
    if (spec.topic === undefined) report(path, `needs "topic": one of ${Object.keys(service.topics).join(', ')} (the topics of "${spec.service}")`);
    else checkTopic(spec.topic, service, spec.service, [...path, 'topic'], report);
    if (spec.timeout !== undefined) {
      report([...path, 'timeout'], `"timeout" is an event store producer's request timeout; a log producer's is Kafka's request.timeout.ms (default 30s), e.g. request.timeout.ms: ${formatMicros(spec.timeout)}`);
    }
    checkProducerStart(spec, path, report);
  }
  for (const [consumer, spec] of Object.entries(s.consumers ?? {})) {
    const path: Path = ['consumers', consumer];
    checkPlacement(spec, path, names, report);
    const service = s.services[spec.service];
    if (service === undefined) {
      const logs = Object.entries(s.services).filter(([, v]) => v.kind === 'log').map(([k]) => k);
      report([...path, 'service'], `unknown service "${spec.service}"${suggestion(spec.service, logs, '; the scenario defines no log service')}`);
    } else if (service.kind !== 'log') {
      report([...path, 'service'], `"${spec.service}" is an ${service.kind}; consumers read from a log service`);
    } else {
      checkTopic(spec.topic, service, spec.service, [...path, 'topic'], report);
    }
  }
}

/**
 * What a Kafka producer refuses at start: `enable.idempotence: true` written out with settings that
 * cannot keep it (one issue per setting, at the flag), a `delivery.timeout.ms` shorter than
 * `linger.ms + request.timeout.ms`, and a `buffer.memory` smaller than `batch.size`.
 */
export function checkProducerStart(spec: ProducerSettings, path: Path, report: Report): void {
  if (spec['enable.idempotence'] === true) for (const conflict of idempotenceConflicts(spec)) report([...path, 'enable.idempotence'], conflict.message);
  const delivery = deliveryTimeoutConflict(spec);
  if (delivery !== undefined) report([...path, 'delivery.timeout.ms'], delivery);
  const memory = bufferMemoryConflict(spec);
  if (memory !== undefined) report([...path, 'buffer.memory'], memory);
}

function checkTopic(topic: string, service: LogService, serviceName: string, path: Path, report: Report): void {
  const topics = Object.keys(service.topics);
  if (!topics.includes(topic)) report(path, `unknown topic "${topic}" of "${serviceName}"${suggestion(topic, topics, '')}`);
}

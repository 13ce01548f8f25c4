/**
 * Cross-section checks of `alerts:`: the producer is placed on a node or site that exists, writes
 * to a log service and one of its topics, every broker's region is a site, and no broker takes a
 * name the `alerts` metric uses for its own fields (each broker's figures are under its name).
 */
import type { Path } from '../../../scenario/paths.ts';
import type { ScenarioFields } from '../../../scenario/written-types.ts';
import type { Report } from '../../../scenario/feature.ts';
import { type Names, checkPlacement, unknownSite } from '../../../scenario/name-messages.ts';
import { suggestion } from '../../../scenario/suggest.ts';
import { checkProducerStart } from '../../log/index.ts';

const METRIC_FIELDS = ['visits', 'alerts', 'within60sShare', 'latencyUs'];

export function checkAlerts(s: ScenarioFields, names: Names, report: Report): void {
  const a = s.alerts;
  if (a === undefined) return;
  const path: Path = ['alerts', 'producer'];
  checkPlacement(a.producer, path, names, report);
  const logs = Object.entries(s.services).filter(([, spec]) => spec.kind === 'log').map(([service]) => service);
  const service = s.services[a.producer.service];
  if (service === undefined || service.kind !== 'log') {
    report([...path, 'service'], `"${a.producer.service}" is not a log service${suggestion(a.producer.service, logs, '; the scenario defines no log service')}`);
  } else {
    const topics = Object.keys(service.topics);
    if (a.producer.topic === undefined) report(path, `needs "topic": one of ${topics.join(', ')} (the topics of "${a.producer.service}")`);
    else if (!topics.includes(a.producer.topic)) report([...path, 'topic'], `unknown topic "${a.producer.topic}" of "${a.producer.service}"${suggestion(a.producer.topic, topics, '')}`);
  }
  checkProducerStart(a.producer, path, report);
  for (const [broker, spec] of Object.entries(a.brokers)) {
    if (!names.sites.includes(spec.site)) report(['alerts', 'brokers', broker, 'site'], unknownSite(spec.site, names));
    if (METRIC_FIELDS.includes(broker)) report(['alerts', 'brokers', broker], `"${broker}" is a field of the alerts metric; name the broker otherwise`);
  }
}

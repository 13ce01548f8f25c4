/**
 * Cross-section checks of `forwarders:`: placement, the log services and topics they name, the
 * in-flight bound, and that no forwarder shares a name with a service (instruments address an
 * edge-buffer forwarder by name, as they would a service).
 */
import type { Path } from '../../../scenario/paths.ts';
import type { ScenarioFields } from '../../../scenario/written-types.ts';
import { suggestion } from '../../../scenario/suggest.ts';
import { type Names, checkPlacement } from '../../../scenario/name-messages.ts';
import type { Report } from '../../../scenario/feature.ts';
import { IDEMPOTENCE_WINDOW } from '../actors/config.ts';

export function checkForwarders(s: ScenarioFields, names: Names, report: Report): void {
  for (const [name, f] of Object.entries(s.forwarders ?? {})) {
    const path: Path = ['forwarders', name];
    checkPlacement(f, path, names, report);
    if (name in s.services) report(path, `"${name}" is also a service name; instruments address a forwarder by name, so names must differ`);
    if (!('buffer' in f.from)) checkLogTopic(s, f.from, [...path, 'from'], report);
    checkLogTopic(s, f.to, [...path, 'to'], report);
    if (f['max.in.flight'] > IDEMPOTENCE_WINDOW) report([...path, 'max.in.flight'], `at most ${IDEMPOTENCE_WINDOW}: the broker recognises re-sends only among a producer's last ${IDEMPOTENCE_WINDOW} batches`);
    if (f.window !== undefined && f.window.up > f.window.every) report([...path, 'window', 'up'], 'the link cannot be up longer than the cycle ("every")');
  }
}

/** Producers may name an edge-buffer forwarder as their service. */
export function bufferForwarders(s: ScenarioFields): string[] {
  return Object.entries(s.forwarders ?? {}).filter(([, f]) => 'buffer' in f.from).map(([name]) => name);
}

function checkLogTopic(s: ScenarioFields, ref: { service: string; topic: string }, path: Path, report: Report): void {
  const service = s.services[ref.service];
  const logs = Object.entries(s.services).filter(([, v]) => v.kind === 'log').map(([k]) => k);
  if (service === undefined) return report([...path, 'service'], `unknown service "${ref.service}"${suggestion(ref.service, logs, '; the scenario defines no log service')}`);
  if (service.kind !== 'log') return report([...path, 'service'], `"${ref.service}" is an ${service.kind}; forwarders read and write log services`);
  const topics = Object.keys(service.topics);
  if (!topics.includes(ref.topic)) report([...path, 'topic'], `unknown topic "${ref.topic}" of "${ref.service}"${suggestion(ref.topic, topics)}`);
}

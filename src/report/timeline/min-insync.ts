/**
 * `min.insync.replicas` of each log topic, for the in-sync replica panel to mark: read from the
 * `scenario.resolved.json` that a run directory keeps beside its `trace.jsonl` (the trace itself
 * does not carry configuration).
 *
 * Guarantee: keys are `<controller actor>|<topic>`, the controller being `<service>-controller`
 * as the scenario builder names it. How it fails: a bare trace, or a resolved scenario without
 * log services, gives an empty map and the panel draws no mark — the mark is a reading aid, and
 * its absence says "not known", never a wrong value.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function readMinInsync(tracePath: string): Promise<Map<string, number>> {
  const limits = new Map<string, number>();
  const text = await readFile(join(dirname(tracePath), 'scenario.resolved.json'), 'utf8').catch(() => null);
  let resolved: { services?: unknown } | null = null;
  try {
    resolved = text === null ? null : JSON.parse(text);
  } catch {
    return limits;
  }
  const services = Array.isArray(resolved?.services) ? resolved.services : [];
  for (const service of services as Array<Record<string, unknown>>) {
    if (service?.kind !== 'log' || typeof service.name !== 'string' || !Array.isArray(service.topics)) continue;
    for (const topic of service.topics as Array<Record<string, unknown>>) {
      if (typeof topic?.name === 'string' && Number.isSafeInteger(topic.minInsyncReplicas)) limits.set(`${service.name}-controller|${topic.name}`, topic.minInsyncReplicas as number);
    }
  }
  return limits;
}

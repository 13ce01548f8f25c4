/**
 * Resolution of the `alerts:` section. Pure, and total on fields that passed
 * `cross-check.ts`. A visit's alerts are a burst of log records, one per alert.
 */
import type { WrittenAlerts } from './schema.ts';
import { resolveLogProducer } from '../../log/index.ts';
import type { AlertsSpec } from './types.ts';
import type { SiteSpec } from '../../../scenario/types.ts';

type Place = (spec: { readonly node?: string; readonly site?: string }) => { node: string; site: string };

export const ALERT_PRODUCER_ACTOR = 'alert-producer';

export function resolveAlerts(a: WrittenAlerts, sites: readonly SiteSpec[], place: Place): AlertsSpec {
  const p = a.producer;
  return {
    producer: {
      actor: ALERT_PRODUCER_ACTOR,
      ...place(p),
      service: p.service,
      bursts: { everyUs: p.every, delayUs: p.delay, events: p.alerts, peakEvents: p['peak-alerts'], peakProbability: p['peak-probability'] },
      // Its pool is bounded only when written (schema.ts says why).
      log: { ...resolveLogProducer(p), bufferMemoryBytes: p['buffer.memory'] ?? Number.MAX_SAFE_INTEGER },
    },
    alertBytes: p['alert-size'],
    objects: a.objects,
    brokers: Object.entries(a.brokers).map(([name, b]) => {
      const nodes = sites.find((s) => s.name === b.site)!.nodes;
      return {
        name,
        site: b.site,
        node: nodes[0]!,
        subscribers: Array.from({ length: b.subscribers }, (_, i) => `${name}-subscriber-${i + 1}`),
        subscriberNode: nodes.at(-1)!,
        classifyUs: b.classify,
        minDetections: b['min-detections'],
        maxPollRecords: b['max.poll.records'],
      };
    }),
    checkpointUs: a.checkpoint,
    latencyTargetUs: a['latency-target'],
  };
}

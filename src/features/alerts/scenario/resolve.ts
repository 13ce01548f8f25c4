/**
 * Resolution of the `alerts:` section. Pure, and total on fields that passed
 * `cross-check-alerts.ts`. Alerts per visit become packets per visit, rounded up.
 */
import type { WrittenAlerts } from './schema.ts';
import { resolveLogProducer } from '../../log/index.ts';
import type { AlertsSpec } from './types.ts';
import type { SiteSpec } from '../../../scenario/types.ts';

type Place = (spec: { readonly node?: string; readonly site?: string }) => { node: string; site: string };

export const ALERT_PRODUCER_ACTOR = 'alert-producer';

export function resolveAlerts(a: WrittenAlerts, sites: readonly SiteSpec[], place: Place): AlertsSpec {
  const p = a.producer;
  const packets = (alerts: number) => Math.ceil(alerts / p.packet);
  return {
    producer: {
      actor: ALERT_PRODUCER_ACTOR,
      ...place(p),
      service: p.service,
      bursts: { everyUs: p.every, delayUs: p.delay, events: packets(p.alerts), peakEvents: packets(p['peak-alerts']), peakProbability: p['peak-probability'] },
      log: resolveLogProducer(p),
    },
    alertsPerPacket: p.packet,
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
      };
    }),
    checkpointUs: a.checkpoint,
  };
}

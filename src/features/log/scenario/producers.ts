/**
 * The workload's log producers as clients of their services, with how long after the safety phase
 * each may still be acknowledged, and the delivery window of any log producer (other features'
 * log producers — the alert producer — declare theirs with it).
 *
 * The final read of a service must start after the last acknowledgement any of its producers can
 * get, or an event acknowledged after the read would count as lost (build.ts). Guarantee: a feature
 * that spawns a `LogProducer` and lists it in its `serviceClients` is covered. How it breaks: one
 * that spawns a `LogProducer` without listing it is read too early, and `no-acked-loss` may report
 * its late acknowledgements as losses.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { LogProducerSpec } from './types.ts';
import type { ServiceClient } from '../../../scenario/feature.ts';
import type { Scenario } from '../../../scenario/types.ts';

/** Every workload producer writing to a log service, as a client of that service. */
export function workloadLogClients(scenario: Scenario): ServiceClient[] {
  return scenario.workload.flatMap((p) => (p.log === undefined ? [] : [{ service: p.service, path: `workload.${p.name}`, windowUs: deliveryWindow(p.log) }]));
}

/**
 * How long after its last event a producer may still get an acknowledgement: a batch is given up
 * at its delivery deadline, but a request sent just before it may be answered one request timeout
 * later.
 */
export function deliveryWindow(log: LogProducerSpec): Micros {
  return log.lingerUs + log.deliveryTimeoutUs + log.requestTimeoutUs;
}

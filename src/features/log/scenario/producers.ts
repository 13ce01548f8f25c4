/**
 * Every producer that writes to a log service, whichever section of the scenario declared it
 * (`workload:` or the alert producer of `alerts:`), with how long after the safety phase it may
 * still be acknowledged.
 *
 * The final read of a service must start after the last acknowledgement any of its producers can
 * get, or an event acknowledged after the read would count as lost (build-log.ts). Guarantee: a
 * producer a section spawns is listed here, so the read covers it. How it breaks: a new section
 * that spawns a `LogProducer` without being added here is read too early, and `no-acked-loss` may
 * report its late acknowledgements as losses.
 */
import { SECOND, type Micros } from '../../../kernel/index.ts';
import type { LogProducerSpec } from './types.ts';
import type { Scenario } from '../../../scenario/types.ts';

/**
 * The alert producer's request timeout: Kafka's default `request.timeout.ms`, 30 s. Its retries
 * are unbounded (Kafka's default since 2.1), so `delivery.timeout.ms` alone ends a packet.
 */
export const ALERT_REQUEST_TIMEOUT_US: Micros = 30 * SECOND;

export interface LogProducerOf {
  /** The scenario path that declares it, for error messages. */
  readonly path: string;
  /** How long after its last event it may still be acknowledged. */
  readonly deliveryWindowUs: Micros;
}

/** The log producers of `service`, in the order the sections spawn them. */
export function logProducersOf(scenario: Scenario, service: string): LogProducerOf[] {
  const producers: LogProducerOf[] = [];
  for (const p of scenario.workload) {
    if (p.service === service && p.log !== undefined) producers.push({ path: `workload.${p.name}`, deliveryWindowUs: deliveryWindow(p.log, p.timeoutUs) });
  }
  const alerts = scenario.alerts?.producer;
  if (alerts?.service === service) producers.push({ path: 'alerts.producer', deliveryWindowUs: deliveryWindow(alerts.log, ALERT_REQUEST_TIMEOUT_US) });
  return producers;
}

/**
 * How long after its last event a producer may still get an acknowledgement: a batch is given up
 * at its delivery deadline, but a request sent just before it may be answered one request timeout
 * later.
 */
function deliveryWindow(log: LogProducerSpec, requestTimeoutUs: Micros): Micros {
  return log.lingerUs + log.deliveryTimeoutUs + requestTimeoutUs;
}

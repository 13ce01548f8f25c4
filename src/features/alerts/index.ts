/**
 * Astronomical alert processing as a feature: the `alerts:` section (a survey's alert producer
 * writing bursts into a log service, community brokers with per-object state and subscribers), the
 * `alerts-exactly-once` checker and the alerts metric.
 */
import { defineFeature } from '../../scenario/feature.ts';
import { alertsExactlyOnce } from './checks/alerts-exactly-once.ts';
import { checkAlerts } from './scenario/cross-check.ts';
import { resolveAlerts } from './scenario/resolve.ts';
import { alertsSchema } from './scenario/schema.ts';

export type { AlertsSpec, AlertBrokerSpec } from './scenario/types.ts';
export { ALERT_PRODUCER_ACTOR } from './scenario/resolve.ts';

export default defineFeature({
  name: 'alerts',
  description: 'A survey telescope’s alert stream: bursts into a log service, community brokers with per-object history and subscribers.',
  sections: {
    alerts: alertsSchema
      .optional()
      .describe("A survey telescope's alert stream: the alert producer writing a burst of alerts (one per record) into a log service at every visit, and community brokers with per-object state and subscribers. Default none."),
  },
  checkers: [alertsExactlyOnce],
  crossCheck: checkAlerts,
  resolve: (s, { sites, place }) => (s.alerts === undefined ? {} : { alerts: resolveAlerts(s.alerts, sites, place) }),
  // Its build side (actors, clients, coverage paths): ALERTS_BUILD in scenario/build.ts (features/builds.ts).
});

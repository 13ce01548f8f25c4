/**
 * The replicated log's share of a scenario's work (see scenario/work-estimate.ts): every follower
 * replica long-polls its leader — a fetch and its reply, and the timers around them, about every
 * `replica.fetch.wait.max.ms` even when idle — and every replica holds its log's state. The
 * estimate is an order of magnitude, erring high: it is there to refuse a million partitions, not
 * to predict a run.
 */
import type { EstimateContext, WorkShare } from '../../../scenario/feature.ts';
import type { Scenario } from '../../../scenario/types.ts';
import type { LogServiceSpec } from './types.ts';

/** Kernel events of one idle fetch round trip: request, its delivery, the wait, the reply and its delivery, the silence timer. */
const EVENTS_PER_FETCH = 6;
/** A replica's state: its log's index, epochs, segments' bookkeeping and its fetcher. */
const REPLICA_BYTES = 8192;

export function estimateLog(scenario: Scenario, { seconds }: EstimateContext): WorkShare[] {
  const logs = scenario.services.filter((service): service is LogServiceSpec => service.kind === 'log');
  return logs.flatMap((log) =>
    log.topics.map((topic) => {
      const replicas = topic.partitions * topic.replicationFactor;
      const followers = topic.partitions * (topic.replicationFactor - 1);
      const fetchesPerSecond = 1e6 / Math.max(1, log.replicaFetchWaitMaxUs);
      return {
        path: ['services', log.name, 'topics', topic.name, 'partitions'],
        what: `${topic.partitions} partitions × ${topic.replicationFactor} replicas`,
        events: followers * fetchesPerSecond * EVENTS_PER_FETCH * seconds,
        bytes: replicas * REPLICA_BYTES,
      };
    }),
  );
}

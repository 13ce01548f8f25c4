/**
 * The `alerts:` section: a survey telescope's alert stream (src/features/alerts/actors/) — the
 * facility-side alert producer writing a burst of alerts into a topic of a log service at every
 * visit, one alert per record, batched by its Kafka producer settings, and the community brokers
 * that consume it, keep per-object history and fan out to subscribers.
 *
 * Cross-section rules (the producer's service is a log service with that topic, brokers' sites
 * exist, Kafka's producer rules) are in cross-check.ts.
 */
import * as z from 'zod';
import { count, duration, name, positiveDuration, positiveSize, probability, reference } from '../../../scenario/fields.ts';
import { logProducerFields } from '../../log/index.ts';

const producerSchema = z.strictObject({
  node: reference().optional().describe('The node the alert producer runs on (a node name). Give exactly one of node and site.'),
  site: reference().optional().describe("A site name, meaning that site's first node. Give exactly one of node and site."),
  service: reference().describe('The log service the alerts are written to (a service name of kind log). Required.'),
  every: positiveDuration().prefault('40s').describe('Time between two visits, a duration: a burst of alerts follows each visit. Default 40s (Rubin: 30 s exposure + ~10 s overheads).'),
  delay: duration().prefault('0s').describe('From the end of a visit to its alerts being produced (image processing), a duration. Default 0s.'),
  alerts: count(1).default(10_000).describe('Alerts of an ordinary visit, an integer ≥ 1. Default 10000 (Rubin\'s design figure).'),
  'peak-alerts': count(1).default(40_000).describe('Alerts of a peak visit (a crowded galactic-plane field), an integer ≥ 1. Default 40000.'),
  'peak-probability': probability().prefault('5%').describe('Probability that a visit is a peak, 0..1 or a percentage, drawn per visit. Default 5%.'),
  'alert-size': positiveSize()
    .prefault('82kB')
    .describe('Bytes of one alert with its image cutouts, one log record each (e.g. 82kB): at most max.request.size and the topic\'s max.message.bytes. Default 82kB (Rubin\'s figure).'),
  ...logProducerFields,
  // Not Kafka's 32 MiB by default: the model's producer loses what comes due while a send blocks
  // for memory (an instrument's behaviour, log/actors/producer.ts), and a visit's alerts come due
  // at one instant, so a bounded pool would lose all but its first ~400 alerts. Rubin's alert
  // distribution is software that blocks in send() and goes on; until the producer models a sender
  // that waits, the alert producer's pool is bounded only when written.
  'buffer.memory': positiveSize()
    .optional()
    .describe(
      "(log services) Memory for the batches waiting to be sent or acknowledged, a size (each takes a whole batch.size, or its one larger alert serialized, as in Kafka). An alert that does not fit waits up to max.block.ms and then fails (buffer-exhausted); the alerts that come due meanwhile — the rest of its visit — are lost (buffer-full). At least batch.size. Default unbounded (a visit's alerts come due at once; see the log producer's buffer.memory for Kafka's 32MiB).",
    ),
});

const brokerSchema = z.strictObject({
  site: reference().describe('The region it runs in (a site name): the broker on its first node, its subscribers on its last node. Required.'),
  subscribers: count(1).default(4).describe('Downstream subscribers the broker sends the filtered alerts of every step to, an integer ≥ 1. Default 4.'),
  classify: duration().prefault('500us').describe('Compute time to classify one alert, a duration (stretched by a slow-node fault). Default 500us.'),
  'max.poll.records': count(1)
    .default(500)
    .describe('Alerts the broker takes from the log and classifies in one step (Kafka\'s consumer max.poll.records); each step ends with one notice to every subscriber. Default 500.'),
  'min-detections': count(1).default(2).describe('An alert is passed on once its object has this many detections (this one included), an integer ≥ 1. Default 2.'),
});

export const alertsSchema = z.strictObject({
  producer: producerSchema.describe('The facility-side alert producer: visits, alerts per visit, alert size, and its Kafka settings. Required.'),
  objects: count(1).default(100_000).describe('Distinct objects on the sky alerts are drawn from (objects reappear across visits), an integer ≥ 1. Default 100000.'),
  brokers: z
    .record(name('broker'), brokerSchema)
    .refine((brokers) => Object.keys(brokers).length > 0, { error: 'needs at least one broker' })
    .describe('Community brokers by name (e.g. alerce, fink), each in a region with its subscribers. At least one. Required.'),
  checkpoint: positiveDuration().prefault('10s').describe('How often each broker writes its per-object state with its log positions (exactly once in its state), a duration. Default 10s.'),
  'latency-target': positiveDuration()
    .prefault('60s')
    .describe("The alert latency requirement, from the end of the visit to a subscriber, a duration (Rubin: 60 s, LSST SRD OTT1). The alerts metric reports the share of alerts within it as within<target>Share (within60sShare, within2mShare, …). Default 60s."),
});

export type WrittenAlerts = z.output<typeof alertsSchema>;

declare module '../../../scenario/written-types.ts' {
  interface WrittenSections {
    alerts: WrittenAlerts;
  }
}

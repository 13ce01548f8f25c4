/**
 * The `forwarders:` section: store-and-forward bridges between tiers (see
 * `src/features/forward/actors/`). A forwarder reads from its own edge buffer (instruments name the
 * forwarder as their `service`) or from a topic of a log service, and writes to a topic of a log
 * service; an optional connectivity window cuts its link to the destination's site outside the
 * window.
 */
import * as z from 'zod';
import { OVERFLOW_POLICIES } from '../actors/config.ts';
import { bandwidth, count, duration, positiveDuration, reference, size } from '../../../scenario/fields.ts';

const bufferSchema = z.strictObject({
  capacity: size().describe('Bytes the edge buffer holds until the next tier acknowledges them (e.g. 64MiB). Required.'),
  overflow: z
    .enum(OVERFLOW_POLICIES)
    .default('block')
    .describe('When full: block (refuse; instruments retry, then give up — nothing acknowledged is lost), drop-oldest (evict the oldest unforwarded events, reported as drops: data loss), spill (to the slower spill disk, then block). Default block.'),
  spill: size().prefault('0').describe('Extra bytes on the spill disk (overflow: spill). Default 0.'),
  'spill.bandwidth': bandwidth().prefault('100MB/s').describe('Write bandwidth of the spill disk (overflow: spill). Default 100MB/s.'),
});

const topicRef = {
  service: reference().describe('A log service (a service name). Required.'),
  topic: reference().describe('A topic of that service. Required.'),
};

const windowSchema = z.strictObject({
  every: positiveDuration().describe('Length of one connectivity cycle, a duration (e.g. 24h). Required.'),
  up: positiveDuration().describe('How long the link is up at the start of each cycle (e.g. 2h). Required.'),
  offset: duration().prefault('0s').describe('When the first cycle starts; the link is down before it. Default 0s.'),
});

export const forwarderSchema = z.strictObject({
  node: reference().optional().describe('The node it runs on (a node name). Give exactly one of node and site.'),
  site: reference().optional().describe('A site name, meaning that site\'s first node. Give exactly one of node and site.'),
  from: z
    .union([z.strictObject({ buffer: bufferSchema.describe('An edge buffer that instruments produce into (they name the forwarder as their service).') }), z.strictObject(topicRef)])
    .describe('The source: { buffer: {...} } (instruments produce into the forwarder) or { service, topic } of a log service. Required.'),
  to: z.strictObject(topicRef).describe('The destination topic of a log service (acks=all, idempotent). Required.'),
  batch: size().prefault('1MiB').describe('Bytes per forwarded batch, at most (at least one event), counted as Kafka serializes a batch: payload, 61 B batch header, 21 B per record. Default 1MiB, within the destination topic\'s default max.message.bytes.'),
  'max.in.flight': count(1).default(5).describe('Batches per lane sent and not yet acknowledged, 1..5 (the broker remembers five per producer). Default 5.'),
  timeout: positiveDuration().prefault('30s').describe('How long a forwarded batch waits for its acknowledgement before it is re-sent (request.timeout.ms; a request over a new connection gives up sooner, at the connection set-up timeout, 10s doubling to 30s). Default 30s, Kafka\'s producer default, which MirrorMaker 2 keeps.'),
  'retry.backoff': positiveDuration().prefault('100ms').describe('First pause after a failure; doubles per consecutive failure up to retry.backoff.max, spread ±20 % at random (KIP-580, as the log producer). Default 100ms.'),
  'retry.backoff.max': positiveDuration().prefault('30s').describe('Longest pause between retries. Default 30s.'),
  window: windowSchema.optional().describe('Connectivity window of the link from the forwarder\'s site to the destination\'s site (e.g. a field station up 2h a day). Default: always up.'),
});

export type WrittenForwarder = z.output<typeof forwarderSchema>;

declare module '../../../scenario/written-types.ts' {
  interface WrittenSections {
    forwarders: Record<string, WrittenForwarder>;
  }
}

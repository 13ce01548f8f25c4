/**
 * The scenario schema of the replicated log: the `log` service kind, the Kafka producer settings of
 * a workload entry that writes to one, and the `consumers:` section. Keys are Kafka's configuration
 * names, dots included (`replication.factor`, `min.insync.replicas`, `linger.ms`); on the command
 * line they are written `--set 'services.stream["min.insync.replicas"]=1'`.
 *
 * Guarantee: like the rest of the schema, every field documents its unit and default; a `.ms` key
 * takes a duration (`30s`, `500ms`) or, as in Kafka, a bare number of milliseconds. Cross-section
 * rules (topics named by producers exist, a replication factor fits the brokers) are in
 * `cross-check-log.ts`.
 */
import * as z from 'zod';
import { count, duration, kafkaDuration, name, positiveSize, reference, size } from '../../../scenario/fields.ts';
import { describeInput, tryReadDuration, tryReadSize } from '../../../scenario/units.ts';

/** Retention: a limit, or -1 (Kafka's "no limit"). Output: the limit, or null. */
function retention(read: (input: unknown) => { ok: true; value: number } | { ok: false; message: string }, unit: string) {
  return z
    .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? undefined : `expected a ${unit} or -1, got ${describeInput(issue.input)}`) })
    .transform((input, ctx): number | null => {
      if (input === -1 || input === '-1') return null;
      const result = typeof input === 'number' && unit === 'duration' ? { ok: true as const, value: input * 1000 } : read(input);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: `${result.message}, or -1 for no limit`, input });
      return z.NEVER;
    });
}

const flushField = z
  .union([z.string(), z.number()], { error: (issue) => `expected "every-write", "never" or a duration like "100ms", got ${describeInput(issue.input)}` })
  .transform((input, ctx) => {
    if (input === 'every-write' || input === 'never') return { kind: input } as const;
    const interval = tryReadDuration(input);
    if (interval.ok && interval.value > 0) return { kind: 'interval', intervalUs: interval.value } as const;
    ctx.addIssue({ code: 'custom', message: `expected "every-write", "never" or a duration like "100ms", got ${describeInput(input)}`, input });
    return z.NEVER;
  });

/** Settings a topic may override; absent ones take the service's. */
const topicOverrides = {
  'replication.factor': count(1).optional().describe("Replicas of each partition, an integer ≥ 1, at most the brokers. Default: the service's."),
  'min.insync.replicas': count(1).optional().describe("acks=all writes need this many in-sync replicas, else NotEnoughReplicas; 1 is unsafe (see the service's). Default: the service's."),
  'unclean.leader.election.enable': z.boolean().optional().describe("Elect an out-of-sync replica when no in-sync one is alive (loses data). Default: the service's."),
  'retention.ms': retention(tryReadDuration, 'duration').optional().describe("Delete a segment once its newest event is older than this (a duration or ms), -1 for never. Default: the service's."),
  'retention.bytes': retention(tryReadSize, 'size').optional().describe("Delete the oldest segments while a partition is larger than this (a size), -1 for no limit. Default: the service's."),
  'segment.bytes': positiveSize().optional().describe("Roll to a new segment file at this size (retention deletes whole segments). Default: the service's."),
  'max.message.bytes': positiveSize().optional().describe("Largest record batch the topic accepts, a size; a larger one is refused with MESSAGE_TOO_LARGE. Default: the service's."),
};

const topicSchema = z.strictObject({
  partitions: count(1).describe('Number of partitions, an integer ≥ 1. Required.'),
  ...topicOverrides,
  'cleanup.policy': z
    .enum(['delete', 'compact'])
    .default('delete')
    .describe('delete: retention by time and size. compact: no retention; at every retention check the cleaner keeps only the newest record per key in the closed segments below the high watermark (offsets stay, gaps appear). Default delete.'),
  'delete.retention.ms': kafkaDuration().prefault('24h').describe('compact: a tombstone (a keyed record with no payload) is removed once older than this (a duration or ms). Default 24h.'),
});

export const logServiceSchema = z.strictObject({
  kind: z.literal('log').describe('log: a replicated partitioned log (Kafka / Diaspora stream semantics): brokers, a controller, topics.'),
  site: reference().optional().describe('Run the brokers on this site\'s nodes, one per node in order. Give exactly one of site and nodes.'),
  nodes: z.array(reference()).min(1).optional().describe('Run one broker on each of these nodes (a node may repeat). Give exactly one of site and nodes.'),
  brokers: count(1).optional().describe('How many brokers (on the first nodes of the site, round-robin). Default: one per node.'),
  controller: reference().optional().describe("The node the controller runs on. Default: the first broker's node (KRaft combined mode). Give at most one of controller and controllers."),
  controllers: z
    .array(reference())
    .min(1)
    .optional()
    .describe(
      "A controller quorum (KRaft): one controller per listed node (distinct nodes), replicating the cluster's metadata on Raft; the active controller is the Raft leader, and any majority keeps electing partition leaders (Kafka's production default is 3). One node: a single controller, as with controller. Give at most one of controller and controllers. Default: a single controller (see controller).",
    ),
  'controller.quorum.election.timeout.ms': kafkaDuration()
    .prefault('1s')
    .describe('(controllers) A quorum member that hears from no leader waits this long, plus up to as long again at random, before it asks for votes (a duration or ms). Default 1s.'),
  'controller.quorum.fetch.timeout.ms': kafkaDuration()
    .prefault('2s')
    .describe('(controllers) A follower whose metadata fetches go unanswered this long starts an election; a leader that no majority fetched from this long resigns (a duration or ms). Default 2s.'),
  topics: z
    .record(name('topic'), topicSchema)
    .refine((topics) => Object.keys(topics).length > 0, { error: 'needs at least one topic' })
    .describe('Topics by name, each with its partition count and optional overrides. At least one. Required.'),
  'replication.factor': count(1).default(3).describe('Replicas of each partition, an integer ≥ 1, at most the number of brokers. Default 3.'),
  'min.insync.replicas': count(1)
    .default(1)
    .describe(
      "An acks=all write needs this many in-sync replicas, else it is refused with NotEnoughReplicas. Default 1, Kafka's — and unsafe: once the ISR has shrunk to the leader, acks=all means acks=1 and the leader's loss loses acknowledged writes (drill log-min-isr-1). With replication.factor 3, set 2.",
    ),
  'unclean.leader.election.enable': z.boolean().default(false).describe('When no in-sync replica is alive, elect any live replica (available, but loses what it lacked). Default false.'),
  'eligible.leader.replicas.enable': z
    .boolean()
    .default(false)
    .describe(
      'KIP-966 eligible leader replicas: the high watermark advances only while the ISR has at least min.insync.replicas members; replicas leaving a smaller ISR stay electable (ELR); a broker back from an unclean shutdown is not electable until it has caught up. Tolerates min.insync.replicas - 1 lossy shutdowns (drill log-kip966-eligible-leader-replicas). Default false, as in Kafka 3.x and 4.0.',
    ),
  'replica.lag.time.max.ms': kafkaDuration().prefault('30s').describe('A follower that has not caught up for this long leaves the ISR (a duration or ms). Default 30s.'),
  'replica.fetch.wait.max.ms': kafkaDuration().prefault('500ms').describe('How long a leader holds a follower\'s fetch that finds nothing new (a duration or ms). Default 500ms.'),
  'replica.fetch.max.bytes': size()
    .prefault('1MiB')
    .describe(
      "Bytes a follower's fetch asks of each partition (Kafka's replica.fetch.max.bytes). Not a hard limit: the first batch of the first partition with data is sent whole however large, so replication never stalls, but a reply then carries that one batch only. With events larger than this (max.message.bytes raised), raise it as well, as Kafka advises, so one fetch brings every partition's batches. Default 1MiB.",
    ),
  'replica.fetch.backoff.ms': kafkaDuration().prefault('1s').describe('Pause after a failed follower fetch (a duration or ms). Default 1s.'),
  'broker.heartbeat.interval.ms': kafkaDuration().prefault('2s').describe('How often brokers heartbeat to the controller (a duration or ms). Default 2s.'),
  'broker.session.timeout.ms': kafkaDuration().prefault('9s').describe('The controller fences a broker silent for this long and moves its leaderships (a duration or ms). Default 9s.'),
  'replica.high.watermark.checkpoint.interval.ms': kafkaDuration().prefault('5s').describe('How often brokers write their high watermarks to disk (a duration or ms). Default 5s.'),
  'log.retention.check.interval.ms': kafkaDuration().prefault('5m').describe('How often retention runs (a duration or ms). Default 5m.'),
  'retention.ms': retention(tryReadDuration, 'duration').prefault('168h').describe('Delete a segment once its newest event is older than this (a duration or ms), -1 for never. Default 168h (7 days).'),
  'retention.bytes': retention(tryReadSize, 'size').prefault(-1).describe('Delete the oldest segments while a partition is larger than this (a size), -1 for no limit. Default -1.'),
  'segment.bytes': positiveSize().prefault('1GiB').describe('Roll to a new segment file at this size. Default 1GiB.'),
  'max.message.bytes': positiveSize()
    .prefault(1_048_588)
    .describe(
      "Largest record batch a topic accepts (Kafka's topic max.message.bytes; its broker-wide default is message.max.bytes), a size compared, as Kafka does, with the batch serialized (payload, 61 B batch header, 21 B per record): a larger batch is refused with MESSAGE_TOO_LARGE, and retrying does not help. Raise it for large events (and the producers' max.request.size with it). Default 1048588 (1 MiB + 12 B).",
    ),
  flush: flushField
    .prefault('never')
    .describe('When brokers fsync: every-write (Kafka\'s flush.messages=1, broker-wide log.flush.interval.messages=1), a duration (flush.ms, log.flush.interval.ms), or never (Kafka\'s default: the page cache and replication are the durability). Default never.'),
  'ack.before.flush': z.boolean().default(false).describe('With flush every-write, acknowledge before the fsync completes (Mofka\'s optional early ack). Default false.'),
  truncation: z
    .enum(['leader-epoch', 'high-watermark'])
    .default('leader-epoch')
    .describe(
      'How a follower aligns with a new leader: leader-epoch (KIP-101, Kafka ≥ 0.11) or high-watermark (the older rule that loses acknowledged data; it also models that era\'s controller, which does not fence a broker that restarts within its session — broker epochs came with KIP-380). Default leader-epoch.',
    ),
});

/** Producer settings that apply when the producer writes to a log service (Kafka's names). */
export const logProducerFields = {
  topic: reference().optional().describe('(log services) The topic to write to. Required for a log service.'),
  acks: z
    .union([z.literal('all'), z.literal(-1), z.literal(0), z.literal(1)], { error: (issue) => `expected 0, 1 or all, got ${describeInput(issue.input)}` })
    .optional()
    .describe('(log services) 0: no reply; 1: the leader has it; all: every in-sync replica has it. Default all.'),
  'linger.ms': kafkaDuration().optional().describe('(log services) How long a batch that is not full waits for more events before it may be sent (a duration or ms); it goes on taking events until it is full or sent, so while sends are held back (an outage) the queued batches fill to batch.size. When the workload stops (at duration) the producer closes, as Kafka\'s close() does, and every batch may be sent at once. Default 5ms.'),
  'batch.size': size().optional().describe('(log services) A batch is full, and ready to send, once it holds this many payload bytes; an event joins its partition\'s last unsent batch only if it still fits, and a larger event gets a batch of its own. Each batch takes this much buffer.memory. Default 16KiB.'),
  'max.request.size': size()
    .optional()
    .describe(
      "(log services) Largest request the producer sends, a size compared, as Kafka does, with batches serialized (payload, 61 B batch header, 21 B per record): an event that serialized is larger fails at once with RecordTooLargeException and is never sent; no batch grows past it, whatever batch.size says. Default 1048576 (1 MiB).",
    ),
  'buffer.memory': positiveSize()
    .optional()
    .describe(
      "(log services) Memory for the batches waiting to be sent or acknowledged, a size (each takes a whole batch.size, or its one larger event serialized, as in Kafka) until they are acknowledged or fail. An event that does not fit waits up to max.block.ms for memory and then fails (buffer-exhausted, Kafka's BufferExhaustedException); the events the producer emits meanwhile are lost (buffer-full). At least batch.size. Default 32MiB (Kafka's 33554432).",
    ),
  'max.block.ms': kafkaDuration()
    .optional()
    .describe('(log services) How long a send waits for buffer.memory to free up before the event fails with buffer-exhausted (a duration or ms); 0 fails it at once. Default 60s.'),
  'enable.idempotence': z
    .boolean()
    .optional()
    .describe(
      "(log services) Producer id and sequence numbers, so the broker drops retried duplicates. Needs acks all, retries > 0 and max.in.flight.requests.per.connection ≤ 5: written true with any other, the producer is refused (as Kafka's is, at start); left unset, it is true unless one of those conflicts, and then false (Kafka 3.x). Default true.",
    ),
  'max.in.flight.requests.per.connection': count(1).optional().describe('(log services) Unacknowledged requests per broker; 1 keeps strict order under retries. At most 5 with idempotence. Default 5.'),
  'request.timeout.ms': kafkaDuration()
    .optional()
    .describe('(log services) How long the producer waits for the reply to a request before it retries it; also how long the leader may hold an acks=all write (a duration or ms). Default 30s.'),
  'retry.backoff.ms': kafkaDuration()
    .optional()
    .describe('(log services) Pause before a failed batch\'s first retry (a duration or ms); it doubles with each further retry of the batch up to retry.backoff.max.ms, spread ±20 % at random (KIP-580). Default 100ms.'),
  'retry.backoff.max.ms': kafkaDuration()
    .optional()
    .describe('(log services) The longest pause before a retry (a duration or ms). Set at or below retry.backoff.ms, every pause is this, unspread (as in Kafka). Default 1s.'),
  'delivery.timeout.ms': kafkaDuration()
    .optional()
    .describe(
      '(log services) Give up on a batch this long after it was ready, whatever the retries left (a duration or ms). At least linger.ms + request.timeout.ms, or the producer is refused (as Kafka\'s is); left unset, raised to that sum when it is longer. Default 2m.',
    ),
  partitioner: z.enum(['sticky', 'round-robin', 'key']).optional().describe('(log services) sticky: one partition until batch.size bytes went to it and its last batch is full or sent (Kafka\'s KIP-794), then the next; round-robin: event by event; key: by the hash of the event\'s key. Default sticky.'),
  keys: count(1).optional().describe('(log services) With partitioner key, events cycle through this many keys. Default 16.'),
};

export const consumerSchema = z.strictObject({
  node: reference().optional().describe('The node it runs on (a node name). Give exactly one of node and site.'),
  site: reference().optional().describe("A site name, meaning that site's first node. Give exactly one of node and site."),
  service: reference().describe('The log service it reads from (a service name). Required.'),
  topic: reference().describe('The topic it subscribes to. Required.'),
  group: name('group').optional().describe("The consumer group (members share the partitions). Default: the consumer's name."),
  instances: count(1).default(1).describe('Group members to run, named <consumer>-1 … (or just <consumer> when 1). Default 1.'),
  'max.poll.records': count(1).default(500).describe('Most events one poll returns. Default 500.'),
  'auto.offset.reset': z.enum(['earliest', 'latest']).default('earliest').describe('Where to start without a committed offset: earliest (the log start) or latest (the high watermark). Default earliest.'),
  'auto.commit.interval.ms': kafkaDuration().prefault('5s').describe('How often the consumer commits its position, a cumulative acknowledgement (a duration or ms). Default 5s.'),
  'fetch.max.wait.ms': kafkaDuration().prefault('500ms').describe('How long the leader holds a fetch that has fewer than fetch.min.bytes to return (a duration or ms). Default 500ms.'),
  'fetch.min.bytes': size().prefault('1B').describe('The leader answers a fetch once this many bytes are there to return (or an error, or fetch.max.wait.ms passed), a size. Default 1B.'),
  'fetch.max.bytes': size()
    .prefault('50MiB')
    .describe("Most bytes one fetch reply carries, over every partition of the broker, a size. Not a hard limit: the first batch of the first partition with data comes whole however large, so the consumer always makes progress. Default 50MiB (Kafka's 52428800)."),
  'max.partition.fetch.bytes': size()
    .prefault('1MiB')
    .describe('Most bytes one fetch reply carries of each partition, a size; not a hard limit either (see fetch.max.bytes). Default 1MiB.'),
  'heartbeat.interval.ms': kafkaDuration().prefault('3s').describe('How often members heartbeat to the group coordinator (a duration or ms). Default 3s.'),
  'session.timeout.ms': kafkaDuration().prefault('45s').describe('The coordinator removes a member silent for this long and rebalances (a duration or ms). Default 45s.'),
  'request.timeout.ms': kafkaDuration().prefault('30s').describe('How long a request waits for its reply before it is retried (a duration or ms). Default 30s.'),
  processing: duration().prefault('0us').describe('Time to process one event before the next poll, a duration. Default 0us.'),
});

export type WrittenLogService = z.output<typeof logServiceSchema>;
export type WrittenLogProducer = { readonly [K in keyof typeof logProducerFields]?: z.output<(typeof logProducerFields)[K]> };
export type WrittenConsumer = z.output<typeof consumerSchema>;

declare module '../../../scenario/written-types.ts' {
  interface WrittenServiceKinds {
    log: WrittenLogService;
  }
  // An augmentation: the interface adds the log's producer fields by extending them.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface WrittenProducerExtensions extends WrittenLogProducer {}
  interface WrittenSections {
    consumers: Record<string, WrittenConsumer>;
  }
}

/**
 * The zod schema of a scenario's `pipeline:` (stateful operators joined by streams) and
 * `checkpoint:` (the resilience strategy protecting them) sections.
 *
 * Guarantee: every field is a `z.strictObject` field with its unit and default in `.describe()`,
 * operators are discriminated on `kind`, units are converted to integers. Which names exist (nodes,
 * sites, streams), the stream topology and the combinations a strategy cannot run are checked
 * across sections by `cross-check-pipeline.ts`.
 */
import * as z from 'zod';
import { ARRIVALS } from '../actors/arrivals.ts';
import { SERVICE_DISTRIBUTIONS } from '../actors/service-time.ts';
import { FLINK_BUFFERS_PER_CHANNEL, FLINK_FLOATING_BUFFERS_PER_GATE, FLINK_SEGMENT_BYTES } from '../actors/stream/flow-control.ts';
import { ALIGNMENTS, DELIVERY_TIMEOUT_MIN_US, MESSAGE_LOGGING, STRATEGY_NAMES, TIER_NAMES } from '../../checkpoint/index.ts';
import { bandwidth, count, duration, kafkaDuration, name, positiveDuration, positiveSize, rate, reference, size } from '../../../scenario/fields.ts';
import { DURATION_PATTERN, describeInput, formatDuration, formatSize, tryReadDuration } from '../../../scenario/units.ts';
import { strategyHint } from './strategy-names.ts';

// ---------------------------------------------------------------------------------------------
// Operators

const placement = {
  node: reference().optional().describe('Run every instance on this node. Give one of node, nodes and site.'),
  nodes: z.array(reference()).min(1).optional().describe('Place instances round-robin on these nodes. Give one of node, nodes and site.'),
  site: reference().optional().describe('Place instances round-robin on this site\'s nodes. Give one of node, nodes and site.'),
};

const serviceObject = z.strictObject({
  mean: duration().describe('Mean service time per event, a duration. Required.'),
  distribution: z.enum(SERVICE_DISTRIBUTIONS).default('fixed').describe('fixed (always the mean), exponential, or lognormal (give cv). Default fixed.'),
  cv: z.number().min(0).default(0.25).describe('Coefficient of variation of a lognormal service time. Default 0.25.'),
});

export interface WrittenService {
  readonly mean: number;
  readonly distribution: (typeof SERVICE_DISTRIBUTIONS)[number];
  readonly cv: number;
}

const serviceField = z
  .union([duration(), serviceObject])
  .transform((written): WrittenService => (typeof written === 'number' ? { mean: written, distribution: 'fixed', cv: 0 } : written));

const MAX_PARALLELISM = 100_000;

const common = {
  ...placement,
  parallelism: count(1)
    // Each instance is an actor with its own state and name: ten million of them take minutes to name before a run could be refused.
    .max(MAX_PARALLELISM, { error: `at most ${MAX_PARALLELISM} instances per operator: more would not fit in one process's memory` })
    .default(1)
    .describe(`How many instances; instance i reads partition i of the input stream. Default 1, at most ${MAX_PARALLELISM}.`),
  to: name('stream').describe('The stream it writes (a stream name; a stream no operator reads is the pipeline\'s output). Required.'),
  service: serviceField
    .prefault('1ms')
    .describe('Virtual compute time per event: a duration (fixed), or {mean, distribution, cv}; stretched by a slow node. Default 1ms.'),
  state: size().prefault('1MiB').describe('Modelled size of one instance\'s full state, what a full checkpoint writes (e.g. 2GiB). Default 1MiB.'),
};
const from = name('stream').describe('The stream it reads (a stream name). Required.');
const arrivals = z
  .enum(ARRIVALS)
  .default('periodic')
  .describe(
    'When events are due: periodic (one every 1/rate, the instances\' phases staggered over one period) or poisson (exponential gaps of mean 1/rate, each instance its own stream of the run\'s seed; a replay after a rollback regenerates the same times). Default periodic.',
  );

const sourceSchema = z.strictObject({
  kind: z.literal('source').describe('source: reads an instrument\'s retained stream at `rate` and forwards each event.'),
  ...common,
  rate: rate().describe('Events per second per instance, e.g. 10/s. Required.'),
  arrivals,
  size: positiveSize().prefault('1KiB').describe('Bytes per event (e.g. 8MiB). Default 1KiB.'),
  limit: count(1).optional().describe('Stop after this many events (e.g. the projections of one scan). Default: until the safety phase ends.'),
  'instrument-buffer': count(1)
    .optional()
    .describe(
      'Events the instrument holds while the source does not take them (under backpressure, down, or sent back by a rollback), an integer ≥ 1: a newer event overwrites the oldest waiting one, which is lost (a detector\'s ring buffer; counted as output.instrumentLost). Default: unbounded, a retained stream the source catches up on.',
    ),
});

const splitSchema = z.strictObject({
  kind: z.literal('split').describe('split: cuts each event into `fanout` pieces keyed 0…fanout−1 (a distribution stage).'),
  ...common,
  from,
  fanout: count(1).describe('Pieces per event, an integer ≥ 1. Required.'),
});

const mapSchema = z.strictObject({
  kind: z.literal('map').describe('map: one output per input, values transformed (e.g. denoising).'),
  ...common,
  from,
  'output-size': positiveSize().optional().describe('Bytes per output. Default: the input\'s.'),
});

const windowSchema = z.strictObject({
  kind: z.literal('window').describe('window: accumulates `window` source events per key and emits the result (e.g. one scan\'s reconstruction).'),
  ...common,
  from,
  window: count(1).describe('Source events per window, an integer ≥ 1 (e.g. 1440 projections per scan). Required.'),
  'emit-every': count(0).default(0).describe('Emit a preview every this many inputs of a window; 0: none. Default 0.'),
  'output-size': positiveSize().prefault('1MiB').describe('Bytes per emitted result or preview. Default 1MiB.'),
});

const accountSchema = z.strictObject({
  kind: z
    .literal('account')
    .describe('account: a bank account paying random amounts to random other instances (the Chandy–Lamport drill); which, and how much, drawn from the run\'s seed.'),
  ...common,
  from,
  rate: rate().describe('Transfers sent per second per account, e.g. 20/s. Required.'),
  arrivals,
  balance: count(0).default(1000).describe('Initial balance of each account, an integer. Default 1000.'),
  'max-amount': count(1).default(100).describe('Largest transfer; amounts are 1…max-amount. Default 100.'),
});

export const operatorSchema = z.discriminatedUnion('kind', [sourceSchema, splitSchema, mapSchema, windowSchema, accountSchema]);
export type WrittenOperator = z.output<typeof operatorSchema>;

const streamPlacement = z.strictObject({
  node: reference().optional().describe('The node whose own one-broker log holds the stream\'s topic. Give node or site.'),
  site: reference().optional().describe('A site, meaning its first node. Give node or site.'),
  log: reference()
    .optional()
    .describe('A log service of `services:` holding the stream as its topic of the same name (replicated, persistent). Instead of node or site.'),
  'max.request.size': size()
    .optional()
    .describe(
      "(with log) The stream's producers' max.request.size, a size: an event larger than this would fail before it is sent (RecordTooLargeException), so such a stream is refused at load; no batch or request grows past it. Raise it with the topic's max.message.bytes for large events, as a Kafka deployment must. Default 1048576 (1 MiB).",
    ),
});

const debloatSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Size each receive window to hold `target` of the throughput its operator consumes. Default false (Flink\'s).'),
  target: positiveDuration().prefault('1s').describe('How long the in-flight data of a channel should take to consume, a duration. Default 1s (Flink\'s).'),
});

const flowControlSchema = z
  .strictObject({
    'buffers-per-channel': count(0)
      .default(FLINK_BUFFERS_PER_CHANNEL)
      .describe(`Exclusive buffers of each receiving channel of a direct stream, an integer (Flink's taskmanager.network.memory.buffers-per-channel). Default ${FLINK_BUFFERS_PER_CHANNEL}.`),
    'floating-buffers-per-gate': count(0)
      .default(FLINK_FLOATING_BUFFERS_PER_GATE)
      .describe(`Floating buffers a receiving channel may borrow, an integer (Flink's floating-buffers-per-gate; here not shared between a gate's channels). Default ${FLINK_FLOATING_BUFFERS_PER_GATE}.`),
    'segment-size': positiveSize()
      .prefault(formatSize(FLINK_SEGMENT_BYTES))
      .describe(`Bytes per buffer, a size (Flink's taskmanager.memory.segment-size). A channel's receive window is (buffers-per-channel + floating-buffers-per-gate) × segment-size. Default ${formatSize(FLINK_SEGMENT_BYTES)}.`),
    'buffer-debloat': debloatSchema.prefault({}).describe('Buffer debloating (Flink 1.14+): { enabled, target }. Default off.'),
  })
  .refine((flow) => flow['buffers-per-channel'] + flow['floating-buffers-per-gate'] >= 1, {
    error: 'a channel needs at least one buffer: buffers-per-channel + floating-buffers-per-gate must be at least 1',
  });

export const pipelineSchema = z
  .strictObject({
    operators: z
      .record(name('operator'), operatorSchema)
      .refine((ops) => Object.keys(ops).length > 0, { error: 'needs at least one operator' })
      .describe('Operators by name, discriminated by kind: source, split, map, window, account. At least one. Required.'),
    streams: z
      .record(name('stream'), streamPlacement)
      .default({})
      .describe('Where each stream\'s topic lives when the strategy needs persistent streams. Default: the reading operator\'s first node.'),
    'flow-control': flowControlSchema
      .prefault({})
      .describe(
        'Credit-based flow control of direct streams (strategies none, coordinated, barrier-snapshot, uncoordinated): a receiver announces its free window in every acknowledgement and its sender sends only within it, so a slow operator stops its upstream back to the sources, whose instruments hold the backlog. Defaults are Flink\'s: 2 + 8 buffers of 32KiB, no debloating.',
      ),
  })
  .describe('Stateful operators joined by named streams. Optional.');

// ---------------------------------------------------------------------------------------------
// Checkpointing

export type WrittenInterval = { readonly kind: 'time'; readonly us: number } | { readonly kind: 'events'; readonly every: number } | { readonly kind: 'adaptive' };

/**
 * A checkpoint interval as written: a duration, a count of work units (`500 events`, or `5 rounds`
 * for the FL server), `adaptive`, and `never` where a section allows it.
 */
export function intervalField<Never extends boolean>(unit: 'event' | 'round', allowNever: Never) {
  type Written = Never extends true ? WrittenInterval | { readonly kind: 'never' } : WrittenInterval;
  const words = allowNever ? '"adaptive" or "never"' : 'or "adaptive"';
  const message = `expected a duration like "30s", a count like "${unit === 'event' ? 500 : 5} ${unit}s", ${words}`;
  const countText = new RegExp(`^(\\d+)\\s*${unit}s?$`);
  const read = (input: unknown): Written | string => {
    if (input === 'adaptive' || (allowNever && input === 'never')) return { kind: input } as Written;
    const units = typeof input === 'string' ? countText.exec(input.trim()) : null;
    if (units !== null) return Number(units[1]) > 0 ? ({ kind: 'events', every: Number(units[1]) } as Written) : `must be more than zero${unit === 'round' ? ' rounds' : ''}, got ${describeInput(input)}`;
    const time = tryReadDuration(input);
    if (time.ok) return time.value > 0 ? ({ kind: 'time', us: time.value } as Written) : `must be more than zero, got ${describeInput(input)}`;
    return `${message}, got ${describeInput(input)}`;
  };
  return z
    .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? undefined : `${message}, got ${describeInput(issue.input)}`) })
    .transform((input, ctx): Written => {
      const interval = read(input);
      if (typeof interval !== 'string') return interval;
      ctx.addIssue({ code: 'custom', message: interval, input });
      return z.NEVER;
    })
    .meta({ pattern: `(${DURATION_PATTERN.slice(1, -1)})|^\\d+ ?${unit}s?$|^adaptive$${allowNever ? '|^never$' : ''}` });
}

const tierPlacement = z.strictObject({
  node: reference().optional().describe('One store, on this node. Give one of node, nodes and site.'),
  nodes: z.array(reference()).min(1).optional().describe('One store per node; an operator uses the one on its own site, else the first. Give one of node, nodes and site.'),
  site: reference().optional().describe('One store, on this site\'s first node. Give one of node, nodes and site.'),
});

/** The log-topic tier: a compacted topic of a log service (see src/features/checkpoint/actors/log-topic-tier.ts). */
const logTopicPlacement = z.strictObject({
  log: reference().describe('The log service that holds the checkpoints. Required.'),
  topic: reference().describe('Its topic for checkpoints; declare it on the service with `cleanup.policy: compact`. Required.'),
  acks: z
    .union([z.literal('all'), z.literal(1)], { error: (issue) => `expected 1 or all, got ${describeInput(issue.input)}` })
    .default('all')
    .describe('all: a save is acknowledged once every in-sync replica has it; 1: once the leader has it (an unclean failover then loses the latest checkpoint). Default all.'),
  'max.message.bytes': size()
    .optional()
    .describe('The largest record the topic accepts, a size: a checkpoint image is produced as chunks of at most this, each re-sent on its own. Default 1MiB (Kafka\'s).'),
  'delivery.timeout.ms': kafkaDuration()
    .refine((us) => us >= DELIVERY_TIMEOUT_MIN_US, {
      error: (issue) => `delivery.timeout.ms (${formatDuration(issue.input as number)}) must be at least linger.ms + request.timeout.ms (0s + 30s) of the tier's producer (Kafka refuses such a producer at start); raise it`,
    })
    .optional()
    .describe('How long a checkpoint chunk (or its commit record) may wait to be acknowledged before the save fails (a duration or ms); at least 30s, the tier\'s request.timeout.ms. A failed save is never restored, whatever the log later holds of it. Default 2m (Kafka\'s 120000).'),
});

/** The parameters of an `adaptive` interval, shared by every section that schedules checkpoints. */
export const adaptiveIntervalFields = {
  mtbf: positiveDuration()
    .optional()
    .describe('Adaptive interval: the mean time between failures, a duration, taken as known. Default: estimated as it runs, elapsed time over the failures seen.'),
  'min-interval': positiveDuration().prefault('1s').describe('Adaptive interval: the shortest interval, a duration. Default 1s.'),
  'max-interval': positiveDuration().prefault('1h').describe('Adaptive interval: the longest interval, a duration. Default 1h.'),
};

export const checkpointSchema = z
  .strictObject({
    strategy: z
      // `chandy-lamport`, `independent`, `daly` …: say what it is called here, not just the list.
      .enum(STRATEGY_NAMES, { error: (issue) => strategyHint(issue.input) })
      .default('none')
      .describe('none, coordinated, barrier-snapshot, stream-replay, uncoordinated or multilevel. Default none.'),
    interval: intervalField('event', false)
      .prefault('30s')
      .describe('When a checkpoint is due: a duration ("30s"), a count of events ("500 events"), or "adaptive" (Daly\'s higher-order optimum from the measured checkpoint cost and the MTBF). Default 30s.'),
    ...adaptiveIntervalFields,
    tier: z.enum(TIER_NAMES).default('node-local').describe('Where checkpoints are written: node-local, site-pfs, remote or log-topic (the last three need `tiers`). Default node-local.'),
    incremental: z.boolean().default(false).describe('Write the state changes (immer patches) since the previous checkpoint instead of the whole state. Default false.'),
    'full-every': count(1).default(10).describe('With incremental, every this-many-th checkpoint is full (bounds the restore chain). Default 10.'),
    alignment: z
      .enum(ALIGNMENTS)
      .default('aligned')
      .describe('barrier-snapshot: aligned (exactly-once, blocks channels), unaligned (Chandy–Lamport, exactly-once, records channel state), none (at-least-once). Default aligned.'),
    'node-local': z.enum(['memory', 'disk']).default('disk').describe('The node-local medium: disk (fsynced; survives power loss) or memory (a RAM disk; lost with the node). Default disk.'),
    'flush-to': z.enum(TIER_NAMES).default('site-pfs').describe('multilevel: the slower, safer level. Default site-pfs.'),
    'flush-every': count(1).default(5).describe('multilevel: every this-many-th node-local checkpoint is flushed to `flush-to`. Default 5.'),
    coordinator: z
      .strictObject({ node: placement.node, site: placement.site })
      .optional()
      .describe('Where the coordinator of global strategies runs ({node} or {site}). Default: the first node of the last operator\'s placement.'),
    tiers: z
      .strictObject({
        'node-local': tierPlacement.optional().describe('Takes no placement: node-local checkpoints live on each operator\'s own node.'),
        'site-pfs': tierPlacement.optional().describe('Where the site-pfs stores run.'),
        remote: tierPlacement.optional().describe('Where the remote stores run.'),
        'log-topic': z
          .preprocess((input, ctx) => {
            // The form before the tier was a topic: one message that says what to write instead.
            if (typeof input === 'object' && input !== null && ['node', 'nodes', 'site'].some((key) => key in input)) {
              ctx.issues.push({ code: 'custom', message: 'log-topic is a compacted topic of a log service now, not a store on a node: write { log: <log service>, topic: <topic> }', input });
              return z.NEVER;
            }
            return input;
          }, logTopicPlacement)
          .optional()
          .describe('The log service and compacted topic the log-topic tier writes to: { log, topic, acks }.'),
      })
      .default({})
      .describe('Where the stores of site-pfs and remote run, and which topic of which log service is the log-topic tier. Default none.'),
    'restart-time': duration()
      .prefault('0s')
      .describe('The fixed cost of a restart, a duration: relaunching a process and rejoining the job, paid once per crash by the process that crashed, before it reads its checkpoint (a rollback to the start too); a survivor sent back by a global rollback did not reboot and pays only the read. Default 0s.'),
    'read-bandwidth': bandwidth()
      .prefault('2GB/s')
      .describe('How fast a restore reads a node-local disk checkpoint (e.g. 2GB/s); a restart costs restart-time plus the read. Remote tiers read over their links. Default 2GB/s.'),
    'message-logging': z
      .enum(MESSAGE_LOGGING)
      .default('none')
      .describe(
        'uncoordinated: none (no message log: recovery needs a consistent set of checkpoints, which can domino back to the start — Randell) or pessimistic (receiver-based pessimistic message logging, Johnson & Zwaenepoel / Strom & Yemini: each operator fsyncs every message it receives before acknowledging it and every processing decision before its outputs leave; a failed operator alone restores its latest checkpoint and replays its log, no orphans, no domino). Default none.',
      ),
    timeout: positiveDuration().prefault('2s').describe('How long a request to a store or the coordinator waits before it is re-sent, a duration. Default 2s.'),
    'checkpoint-timeout': positiveDuration()
      .prefault('10m')
      .describe('A global checkpoint not complete after this long is abandoned, a duration. Default 10m.'),
  })
  .describe('The resilience strategy protecting the pipeline. Optional; default strategy none.');

export type WrittenPipeline = z.output<typeof pipelineSchema>;
export type WrittenCheckpoint = z.output<typeof checkpointSchema>;

declare module '../../../scenario/written-types.ts' {
  interface WrittenSections {
    pipeline: WrittenPipeline;
    checkpoint: WrittenCheckpoint;
  }
}

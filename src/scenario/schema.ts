/**
 * The scenario file schema (zod 4): what a user may write, its units and defaults.
 *
 * Guarantee: `scenarioSchema` accepts exactly the documented YAML keys (`z.strictObject`, so an
 * unknown key is an error), applies defaults, converts units to integers, checks references across
 * sections (`cross-check.ts`) and outputs a resolved `Scenario` (`resolve.ts`). Every field carries
 * a `.describe()` with its unit and default, which becomes the JSON Schema an editor shows.
 *
 * Failure: a failed parse yields zod issues whose paths use the user-facing YAML keys; `load.ts`
 * turns them into located one-line messages. Cross-section checks run only once every field is
 * well-formed, so a file with a bad duration and a dangling reference reports the duration first.
 *
 * Extending: a new service kind or fault kind is one more `z.strictObject` with a `kind` literal,
 * added to `serviceSchema` or `faultSchema`; a new top-level section is one more key in
 * `scenarioFields` plus its resolution in `resolve.ts`.
 */
import * as z from 'zod';
import { count, duration, name, positiveDuration, probability, rate, reference, size, bandwidth } from './fields.ts';
import { crossCheck } from './cross-check.ts';
import { faultSchema, livenessSchema, nemesisSchema } from './faults/schema.ts';
import { consumerSchema, logProducerFields, logServiceSchema } from '../features/log/scenario/schema.ts';
import { checkpointSchema, pipelineSchema } from '../features/pipeline/scenario/schema.ts';
import { forwarderSchema } from '../features/forward/scenario/schema.ts';
import { federatedSchema } from '../features/federated/scenario/schema.ts';
import { alertsSchema } from '../features/alerts/scenario/schema.ts';
import { resolveScenario } from './resolve.ts';
import { tryReadDuration, describeInput } from './units.ts';
import { suggestion } from './suggest.ts';
import {
  CHECK_NAMES,
  DISK_KINDS,
  type DiskKind,
  type DiskSpec,
  type FlushPolicy,
  type LanSpec,
  type LinkSpec,
  SITE_ROLES,
  type Scenario,
} from './types.ts';

// ---------------------------------------------------------------------------------------------
// Sites

const lanSchema = z
  .strictObject({
    latency: duration().prefault('50us').describe('One-way latency between two nodes of the site, a duration (e.g. 50us). Default 50us.'),
    bandwidth: bandwidth().prefault('10Gbps').describe('Bandwidth between two nodes, per direction (e.g. 10Gbps, 1GB/s). Default 10Gbps.'),
    jitter: duration().prefault('0us').describe('Extra delay drawn uniformly from [0, jitter] per message, a duration. Default 0us.'),
  })
  .transform((lan): LanSpec => ({ latencyUs: lan.latency, jitterUs: lan.jitter, bandwidthBytesPerSec: lan.bandwidth }));

/** Disk presets: typical fsync latency and write bandwidth of each kind of device. */
export const DISK_PRESETS: Readonly<Record<DiskKind, { readonly fsyncLatencyUs: number; readonly bandwidthBytesPerSec: number }>> = {
  nvme: { fsyncLatencyUs: 20, bandwidthBytesPerSec: 2_000_000_000 }, // 20us, 2GB/s
  ssd: { fsyncLatencyUs: 100, bandwidthBytesPerSec: 500_000_000 }, // 100us, 500MB/s
  hdd: { fsyncLatencyUs: 8_000, bandwidthBytesPerSec: 150_000_000 }, // 8ms, 150MB/s
  pfs: { fsyncLatencyUs: 1_000, bandwidthBytesPerSec: 5_000_000_000 }, // 1ms, 5GB/s
};

const diskSchema = z
  .strictObject({
    kind: z
      .enum(DISK_KINDS)
      .default('nvme')
      .describe('Preset: nvme (20us per fsync, 2GB/s), ssd (100us, 500MB/s), hdd (8ms, 150MB/s), pfs (1ms, 5GB/s). Default nvme.'),
    latency: duration().optional().describe('Time one fsync takes, a duration; overrides the preset. Default: the preset\'s.'),
    bandwidth: bandwidth().optional().describe('Write bandwidth (e.g. 2GB/s); overrides the preset. Default: the preset\'s.'),
  })
  .transform((disk): DiskSpec => {
    const preset = DISK_PRESETS[disk.kind];
    return {
      kind: disk.kind,
      fsyncLatencyUs: disk.latency ?? preset.fsyncLatencyUs,
      bandwidthBytesPerSec: disk.bandwidth ?? preset.bandwidthBytesPerSec,
    };
  });

const nodesField = z.union([count(1), z.array(name('node')).min(1)], {
  error: (issue) => `expected a node count like 2 or a list of node names, got ${describeInput(issue.input)}`,
});

const siteSchema = z.strictObject({
  role: z.enum(SITE_ROLES).default('edge').describe('What the site is: instrument, edge, facility, hpc or cloud. Default edge.'),
  nodes: nodesField
    .default(1)
    .describe('A node count (nodes are then named <site>-1, <site>-2, …) or a list of node names. Default 1.'),
  lan: lanSchema.prefault({}).describe('The network between nodes of this site. Default: latency 50us, bandwidth 10Gbps, jitter 0us.'),
  disk: diskSchema.prefault({}).describe('Every node\'s disk. Default: kind nvme.'),
});

// ---------------------------------------------------------------------------------------------
// Links

const linkSchema = z
  .strictObject({
    between: z
      .tuple([reference(), reference()], {
        error: (issue) => (issue.input === undefined ? undefined : `expected two site names like [edge, hpc], got ${describeInput(issue.input)}`),
      })
      .describe('The two sites the link joins (distinct site names). Required.'),
    latency: duration().describe('One-way latency, a duration (e.g. 2ms). Required.'),
    jitter: duration().prefault('0us').describe('Extra delay drawn uniformly from [0, jitter] per message, a duration. Default 0us.'),
    bandwidth: bandwidth().prefault('10Gbps').describe('Bandwidth per direction (e.g. 10Gbps, 500MB/s). Default 10Gbps.'),
    loss: probability().prefault(0).describe('Probability that a message is lost, 0..1 or a percentage like 1%. Default 0.'),
  })
  .transform(
    (link): LinkSpec => ({
      between: link.between,
      latencyUs: link.latency,
      jitterUs: link.jitter,
      bandwidthBytesPerSec: link.bandwidth,
      lossProbability: link.loss,
    }),
  );

// ---------------------------------------------------------------------------------------------
// Services

const placement = {
  node: reference().optional().describe('The node it runs on (a node name). Give exactly one of node and site.'),
  site: reference().optional().describe('A site name, meaning that site\'s first node. Give exactly one of node and site.'),
};

/** The policy, or the message explaining why `input` is none. */
function readFlush(input: unknown): FlushPolicy | string {
  if (input === 'every-write' || input === 'never') return { kind: input };
  const interval = tryReadDuration(input);
  if (interval.ok && interval.value > 0) return { kind: 'interval', intervalUs: interval.value };
  return `expected "every-write", "never" or a duration like "100ms", got ${describeInput(input)}`;
}

const flushField = z
  .union([z.string(), z.number()], { error: (issue) => `expected "every-write", "never" or a duration like "100ms", got ${describeInput(issue.input)}` })
  .transform((input, ctx): FlushPolicy => {
    const policy = readFlush(input);
    if (typeof policy !== 'string') return policy;
    ctx.addIssue({ code: 'custom', message: policy, input });
    return z.NEVER;
  });

const eventStoreSchema = z.strictObject({
  kind: z.literal('event-store').describe('event-store: a single-node durable event store.'),
  ...placement,
  flush: flushField
    .prefault('every-write')
    .describe('When writes are fsynced: every-write, never, or a duration (fsync every interval). Default every-write.'),
});

/** Discriminated on `kind`; the log's schema is in schema-log.ts. */
const serviceSchema = z.discriminatedUnion('kind', [eventStoreSchema, logServiceSchema]);

// ---------------------------------------------------------------------------------------------
// Workload

const producerSchema = z.strictObject({
  ...placement,
  service: reference().describe('The service it writes to (a service name). Required.'),
  rate: rate().describe('Events per second, written with its unit: 10/s, 600/m, 2/ms, 1/h. Required.'),
  size: size().prefault('1KiB').describe('Bytes per event (e.g. 8MiB, 4KiB, 1GB, 512). Default 1KiB.'),
  timeout: positiveDuration().prefault('1s').describe('How long a request waits for its acknowledgement before a retry, a duration. Default 1s.'),
  retries: count(0).default(3).describe('Retries after the first attempt, an integer ≥ 0. Default 3.'),
  ...logProducerFields,
});

// ---------------------------------------------------------------------------------------------
// Faults: `faultSchema`, `nemesisSchema` and `livenessSchema` live in schema-faults.ts.

// ---------------------------------------------------------------------------------------------
// The whole file

/** The scenario as written, before cross-section checks and resolution. */
export const scenarioFields = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9-]+$/, {
      error: (issue) => `a scenario name uses lower-case letters, digits and "-"; got ${describeInput(issue.input)}`,
    })
    .describe('Scenario name, [a-z0-9-]+; names the results directory. Required.'),
  description: z.string().optional().describe('Free text shown in reports. Optional.'),
  seed: count(0).default(1).describe('Root seed of every random stream, an integer ≥ 0. Default 1.'),
  duration: positiveDuration().describe('Length of the safety phase, during which the workload and faults run, a duration (e.g. 60s). Required.'),
  quiesce: duration()
    .prefault('10s')
    .describe('Length of the final phase after duration: faults healed, final reads; a duration. Default 10s.'),
  sites: z
    .record(name('site'), siteSchema)
    .refine((sites) => Object.keys(sites).length > 0, { error: 'needs at least one site' })
    .describe('Sites by name: each a group of nodes sharing a LAN and a disk kind. At least one. Required.'),
  links: z.array(linkSchema).default([]).describe('Links between sites, capacity per direction. Default none.'),
  services: z.record(name('service'), serviceSchema).default({}).describe('Services by name, discriminated by kind. Default none.'),
  workload: z.record(name('producer'), producerSchema).default({}).describe('Producers by name. Default none.'),
  consumers: z.record(name('consumer'), consumerSchema).default({}).describe('Consumer groups reading from log services, by name. Default none.'),
  faults: z.array(faultSchema).default([]).describe('Scheduled faults, discriminated by kind. Default none.'),
  checks: z
    .array(
      z.enum(CHECK_NAMES, {
        // The list of checkers grows with the protocols; name the nearest one rather than all.
        error: (issue) => (issue.input === undefined ? undefined : `unknown check ${describeInput(issue.input)}${suggestion(String(issue.input), CHECK_NAMES)}`),
      }),
    )
    .default(['no-acked-loss'])
    .describe(`Checkers the run must pass. Allowed: ${CHECK_NAMES.join(', ')}. Default [no-acked-loss].`),
  nemesis: nemesisSchema.optional(),
  liveness: livenessSchema.optional(),
  pipeline: pipelineSchema.optional(),
  checkpoint: checkpointSchema.optional(),
  federated: federatedSchema.optional().describe('A federated-learning job: a FedAvg server, its sites, the round policy and the server\'s checkpointing. Default none.'),
  alerts: alertsSchema.optional().describe('A survey telescope\'s alert stream: the alert producer writing bursts of alert packets into a log service at every visit, and community brokers with per-object state and subscribers. Default none.'),
  forwarders: z.record(name('forwarder'), forwarderSchema).default({}).describe('Store-and-forward bridges between tiers, by name: from an edge buffer or a log topic to a log topic. Default none.'),
});

export type ScenarioFields = z.output<typeof scenarioFields>;

/** Parses a scenario as written (plain data from YAML) into a resolved {@link Scenario}. */
export const scenarioSchema: z.ZodType<Scenario, z.input<typeof scenarioFields>> = scenarioFields
  // Only on a file without any other problem: a value that failed a check (`nodes: 0`) still
  // reaches refinements in zod 4, and would cause misleading follow-on errors here.
  .superRefine(crossCheck, { when: (payload) => payload.issues.length === 0 })
  // zod 4 still runs a transform after an unknown key (`unrecognized_keys` does not stop a pipe),
  // but resolution is total only on fields that passed the cross-checks, so it must not run then.
  .transform((fields, payload) => (payload.issues.length > 0 ? z.NEVER : resolveScenario(fields)));

export type ScenarioInput = z.input<typeof scenarioFields>;

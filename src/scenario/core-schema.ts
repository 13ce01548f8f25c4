/**
 * The core of the scenario schema (zod 4): the sections every scenario has whatever features it
 * uses — sites with their LAN and disks, links between sites, the workload's producers, faults,
 * the nemesis, liveness and checks. Features add their sections, service kinds and producer fields
 * to it in `schema.ts`.
 *
 * Guarantee: every field carries a `.describe()` with its unit and default, which becomes the JSON
 * Schema an editor shows; units are converted to integers (µs, bytes, bytes per second).
 */
import * as z from 'zod';
import { bandwidth, count, duration, name, placementFields, positiveDuration, positiveSize, probability, rate, reference } from './fields.ts';
import { DURATION_PATTERN, describeInput, tryReadDuration } from './units.ts';
import { DISK_KINDS, type DiskKind, type DiskSpec, type LanSpec, type LinkSpec, SITE_ROLES } from './types.ts';

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

/**
 * Linux's `vm.dirty_*_centisecs` settings: a duration, or (as in /proc/sys/vm) a bare number of
 * centiseconds. Output: µs.
 */
function centisecs() {
  const message = (input: unknown) => `expected a duration like "30s" or a number of centiseconds, got ${describeInput(input)}`;
  return z
    .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? undefined : message(issue.input)) })
    .transform((input, ctx): number => {
      if (typeof input === 'number' && Number.isSafeInteger(input) && input >= 0) return input * 10_000;
      const read = typeof input === 'string' ? tryReadDuration(input) : undefined;
      if (read?.ok) return read.value;
      ctx.addIssue({ code: 'custom', message: message(input), input });
      return z.NEVER;
    })
    .meta({ anyOf: [{ type: 'string', pattern: DURATION_PATTERN }, { type: 'integer', minimum: 0 }] });
}

const diskSchema = z
  .strictObject({
    kind: z
      .enum(DISK_KINDS)
      .default('nvme')
      .describe('Preset: nvme (20us per fsync, 2GB/s), ssd (100us, 500MB/s), hdd (8ms, 150MB/s), pfs (1ms, 5GB/s). Default nvme.'),
    latency: duration().optional().describe('Time one fsync takes, a duration; overrides the preset. Default: the preset\'s.'),
    bandwidth: bandwidth().optional().describe('Write bandwidth (e.g. 2GB/s); overrides the preset. Default: the preset\'s.'),
    'vm.dirty_expire_centisecs': centisecs()
      .prefault(3000)
      .describe(
        "Page cache: a file written and not fsynced for this long is written back to the device at the flusher's next wake-up, fsync or not, and then survives a power loss (Linux's vm.dirty_expire_centisecs; a duration or a number of centiseconds). So `flush: never` loses only the last ~30–35 s. Default 3000 (30 s).",
      ),
    'vm.dirty_writeback_centisecs': centisecs()
      .prefault(500)
      .describe(
        "Page cache: how often the flusher wakes while anything is dirty (Linux's vm.dirty_writeback_centisecs; a duration or a number of centiseconds). 0 disables background writeback: unsynced data then dies with the node however old. Default 500 (5 s).",
      ),
  })
  .transform((disk): DiskSpec => {
    const preset = DISK_PRESETS[disk.kind];
    return {
      kind: disk.kind,
      fsyncLatencyUs: disk.latency ?? preset.fsyncLatencyUs,
      bandwidthBytesPerSec: disk.bandwidth ?? preset.bandwidthBytesPerSec,
      dirtyExpireUs: disk['vm.dirty_expire_centisecs'],
      dirtyWritebackUs: disk['vm.dirty_writeback_centisecs'],
    };
  });

/** More nodes than a site can be simulated with: each holds ~1–2 KiB of state before its actors. */
const MAX_SITE_NODES = 1_000_000;

const nodesField = z.union([count(1).max(MAX_SITE_NODES, { error: `at most ${MAX_SITE_NODES} nodes per site: more would not fit in one process's memory` }), z.array(name('node')).min(1)], {
  error: (issue) => `expected a node count like 2 or a list of node names, got ${describeInput(issue.input)}`,
});

export const siteSchema = z.strictObject({
  role: z.enum(SITE_ROLES).default('edge').describe('What the site is: instrument, edge, facility, hpc or cloud. Default edge.'),
  nodes: nodesField
    .default(1)
    .describe('A node count (nodes are then named <site>-1, <site>-2, …) or a list of node names. Default 1.'),
  lan: lanSchema.prefault({}).describe('The network between nodes of this site. Default: latency 50us, bandwidth 10Gbps, jitter 0us.'),
  disk: diskSchema.prefault({}).describe('Every node\'s disk. Default: kind nvme.'),
});

// ---------------------------------------------------------------------------------------------
// Links

export const linkSchema = z
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
// Workload

/** The request timeout and retries of a producer whose service does not set its own (a log producer takes Kafka's). */
export const PRODUCER_DEFAULTS = { timeoutUs: 1_000_000, retries: 3 } as const;

/** A producer's fields whatever service it writes to; features add theirs (`producerFields`). */
export const producerFields = {
  ...placementFields,
  service: reference().describe('The service it writes to (a service name). Required.'),
  rate: rate().describe('Events per second, written with its unit: 10/s, 600/m, 2/ms, 1/h. Required.'),
  size: positiveSize().prefault('1KiB').describe('Bytes per event (e.g. 8MiB, 4KiB, 1GB, 512). Default 1KiB.'),
  timeout: positiveDuration()
    .optional()
    .describe("(event stores, edge buffers) How long a request waits for its acknowledgement before a retry, a duration. Default 1s. A log producer's is Kafka's request.timeout.ms."),
  retries: count(0)
    .optional()
    .describe("Retries after the first attempt, an integer ≥ 0. Default 3; a log producer's is Kafka's 2147483647, so that delivery.timeout.ms alone bounds them."),
};

/**
 * A small harness for pipeline tests: a world of sites, a pipeline under one checkpoint strategy,
 * scheduled crashes, and the trace kept for inspection. Tests read like the scenario:
 *
 *   const run = pipelineRun({ strategy: 'stream-replay', operators: xray(), crashes: [{ node: 'hpc-2', atUs: 20 * SECOND, forUs: 5 * SECOND }] });
 *   run.records  // the whole trace
 */
import type { CheckerDefinition, Verdict } from '../../../src/check/index.ts';
import type { Micros, TraceRecord } from '../../../src/kernel/index.ts';
import { MS, SECOND, TraceWriter } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';
import { spawnPipeline, type FlowControl, type OperatorDef, type PipelineDef, type PipelinePlan } from '../../../src/features/pipeline/actors/index.ts';
import { DEFAULT_CHECKPOINT, type CheckpointConfig } from '../../../src/features/checkpoint/actors/index.ts';

export interface RunOptions {
  readonly checkpoint: Partial<CheckpointConfig>;
  readonly operators: readonly OperatorDef[];
  readonly crashes?: readonly { node: string; atUs: Micros; forUs: Micros }[];
  readonly processCrashes?: readonly { actor: string; atUs: Micros; forUs: Micros }[];
  readonly durationUs?: Micros;
  readonly endUs?: Micros;
  readonly seed?: number;
  /** Extra per-site options. */
  readonly sites?: Readonly<Record<string, { nodes: number; cpu?: number }>>;
  readonly wan?: { latencyUs: Micros; bandwidthBytesPerSec?: number; loss?: number; duplicate?: number; reorder?: number };
  readonly keep?: (record: TraceRecord) => boolean;
  /** Nodes whose CPU is slower by a factor for the whole run. */
  readonly slow?: Readonly<Record<string, number>>;
  /** Streams on topics of log services, and what spawns those services first. */
  readonly streamLogs?: PipelineDef['streamLogs'];
  readonly logAcks?: 1 | -1;
  readonly services?: (world: World) => void;
  /** The windows of direct channels; Flink's defaults when absent. */
  readonly flow?: FlowControl;
}

export interface PipelineRun {
  readonly world: World;
  readonly plan: PipelinePlan;
  readonly records: TraceRecord[];
}

export const STORES = { 'site-pfs': { bySite: {}, fallback: 'site-pfs@storage-1' }, remote: { bySite: {}, fallback: 'remote@cloud-1' } } as const;

export function pipelineRun(options: RunOptions): PipelineRun {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((record) => {
    if (options.keep === undefined || options.keep(record)) records.push(record);
  });
  const world = new World({ seed: options.seed ?? 1, trace, scenario: 'test' });
  const sites = options.sites ?? { beamline: { nodes: 1 }, hpc: { nodes: 4 } };
  for (const [name, site] of Object.entries(sites)) world.addSite(name, { nodes: site.nodes });
  world.addSite('storage', { nodes: 1, disk: { latencyUs: 1000, bandwidthBytesPerSec: 5_000_000_000 } });
  world.addSite('cloud', { nodes: 1, disk: { latencyUs: 5000, bandwidthBytesPerSec: 500_000_000 } });
  const names = Object.keys(sites);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) world.link(names[i], names[j], { bandwidthBytesPerSec: 1_250_000_000, ...options.wan, latencyUs: options.wan?.latencyUs ?? 2 * MS });
  }
  for (const name of names) {
    world.link(name, 'storage', { latencyUs: 100 });
    world.link(name, 'cloud', { latencyUs: 20 * MS, bandwidthBytesPerSec: 125_000_000 });
  }
  world.link('storage', 'cloud', { latencyUs: 20 * MS, bandwidthBytesPerSec: 125_000_000 });
  const durationUs = options.durationUs ?? 30 * SECOND;
  const checkpoint: CheckpointConfig = { ...DEFAULT_CHECKPOINT, stores: STORES, ...options.checkpoint };
  options.services?.(world);
  const logs = {
    ...(options.streamLogs === undefined ? {} : { streamLogs: options.streamLogs }),
    ...(options.logAcks === undefined ? {} : { logAcks: options.logAcks }),
    ...(options.flow === undefined ? {} : { flow: options.flow }),
  };
  const plan = spawnPipeline(
    { operators: options.operators, topicNodes: {}, stopAtUs: durationUs, seed: options.seed ?? 1, ...logs },
    {
      checkpoint,
      stores: [
        { id: 'site-pfs@storage-1', node: 'storage-1' },
        { id: 'remote@cloud-1', node: 'cloud-1' },
      ],
      // The last node of the last site: a node of its own in the default topology (hpc-4).
      coordinatorNode: world.site(names[names.length - 1]).nodes.at(-1)!,
      checkpointTimeoutUs: 60 * SECOND,
    },
    (id, node, factory) => world.spawn(id, node, factory),
  );
  for (const [node, factor] of Object.entries(options.slow ?? {})) world.setCpuSlowdown(node, factor);
  for (const crash of options.crashes ?? []) {
    world.at(crash.atUs, 'crash', () => world.crashNode(crash.node, 'test'));
    world.at(crash.atUs + crash.forUs, 'restart', () => world.restartNode(crash.node, 'test'));
  }
  for (const crash of options.processCrashes ?? []) {
    world.at(crash.atUs, 'crash', () => world.crashActor(crash.actor, 'test'));
    world.at(crash.atUs + crash.forUs, 'restart', () => world.restartActor(crash.actor, 'test'));
  }
  world.run({ until: options.endUs ?? durationUs + 30 * SECOND });
  return { world, plan, records };
}

const fixed = (ms: number) => ({ distribution: 'fixed' as const, meanUs: ms * MS, cv: 0 });

/** A small x-ray-like pipeline: detector → split → windowed reconstruction → denoise. */
export function xray(options: { rate?: number; recon?: number } = {}): OperatorDef[] {
  return [
    { name: 'detector', kind: 'source', nodes: ['beamline-1'], parallelism: 1, to: 'frames', service: fixed(1), stateBytes: 1024, ratePerSec: options.rate ?? 10, eventBytes: 1 << 20 },
    { name: 'distribute', kind: 'split', nodes: ['beamline-1'], parallelism: 1, from: 'frames', to: 'chunks', service: fixed(5), stateBytes: 1024, fanout: 2 },
    { name: 'recon', kind: 'window', nodes: ['hpc-1', 'hpc-2'], parallelism: 2, from: 'chunks', to: 'slabs', service: fixed(options.recon ?? 40), stateBytes: 64 << 20, window: 50, emitEvery: 10, outputBytes: 1 << 20 },
    { name: 'denoise', kind: 'map', nodes: ['hpc-3'], parallelism: 1, from: 'slabs', to: 'volumes', service: fixed(10), stateBytes: 1 << 20 },
  ];
}

/** The final `state` digest of every operator instance (the last state or restore record). */
export function finalDigests(records: readonly TraceRecord[], instances: readonly string[]): Record<string, string> {
  const digests: Record<string, string> = {};
  const wanted = new Set(instances);
  for (const r of records) {
    if (!wanted.has(r.a)) continue;
    if (r.k === 'state' || (r.k === 'ckpt' && r.op === 'restore')) digests[r.a] = r.digest as string;
  }
  return digests;
}

/** The fault-free reference record the scenario builder writes, for feeding checkers in tests. */
export function referenceRecord(reference: PipelineRun): TraceRecord {
  const instances = reference.plan.instances.map((i) => i.instance);
  return { t: 0, k: 'state', a: 'world', n: -1, reference: finalDigests(reference.records, instances), processed: {} };
}

/** A checker's verdict over a run's records, after `first` (a fault-free reference record) when given. */
export function verdict(checker: CheckerDefinition, records: readonly TraceRecord[], first?: TraceRecord): Verdict {
  const c = checker.create();
  if (first !== undefined) c.observe(first);
  for (const record of records) c.observe(record);
  return c.verdict();
}

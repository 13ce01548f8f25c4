/**
 * Builds a scenario's pipeline into a world: the operators under their checkpoint strategy, the
 * stores of its tiers, its coordinator, and the metrics that measure it (`recovery`, `checkpoint`,
 * `output`, and `job` — the makespan — for a batch job, whose every source has a `limit`). When
 * the scenario asks for `state-equals-reference`, it first runs the same scenario and seed without
 * faults — or recalls what that run reached from the reference cache (src/scenario/reference-cache.ts)
 * — and writes the final operator states into the trace (a `state` record of the world at time 0,
 * with `reference` and `processed`), so the checker — online or offline — compares against it.
 *
 * Guarantee: a pure function of the scenario and the seed (the reference run included; a recalled
 * reference is the computed one). How it
 * fails: an actor name the pipeline needs that something else already took is an `InputError`
 * naming the operator.
 */
import { spawnPipeline, type PipelineDef } from '../actors/index.ts';
import { InputError, type TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/index.ts';
import { CheckpointMetrics, MessageLogMetrics, RecoveryMetrics, strategyInfo } from '../../checkpoint/index.ts';
import { JobMetrics } from '../metrics/job.ts';
import { OutputMetrics } from '../metrics/pipeline-output.ts';
import { DEFAULT_CHECKPOINT, RECORD_BYTES_MAX_DEFAULT, type CheckpointConfig, type LogTopicTierConfig, type StorePlacement, type TierName } from '../../checkpoint/actors/index.ts';
import type { World } from '../../../world/index.ts';
import type { LogEndpoint } from '../../forward/actors/index.ts';
import { brokerIds } from '../../log/actors/index.ts';
import type { LogServiceSpec } from '../../log/index.ts';
import type { CheckpointSpec, PipelineSpec } from './types.ts';
import type { FeatureBuild } from '../../../scenario/feature.ts';
import type { Scenario } from '../../../scenario/types.ts';
import { storeId } from './actor-names.ts';

/** The final state of every operator instance in a run: its digest and how many events it processed. */
export interface ReferenceStates {
  readonly digests: Record<string, string>;
  readonly processed: Record<string, number>;
}

/** Something that runs to its end (a prepared run's world). */
export interface Runnable {
  readonly world: World;
  readonly endUs: number;
}

/** Runs a prepared run and collects its operators' final states. */
export function referenceStates(run: Runnable): ReferenceStates {
  const digests: Record<string, string> = {};
  const processed: Record<string, number> = {};
  const operators = new Set<string>();
  run.world.trace.listen((record: TraceRecord) => {
    if (record.k === 'state' && record.init === true) operators.add(record.a);
    if (!operators.has(record.a) || typeof record.digest !== 'string') return;
    if (record.k === 'state' || (record.k === 'ckpt' && record.op === 'restore')) digests[record.a] = record.digest;
    if (record.k === 'state' && (typeof record.event === 'number' || typeof record.event === 'string')) processed[record.a] = (processed[record.a] ?? 0) + 1;
  });
  run.world.run({ until: run.endUs });
  return { digests, processed };
}

/** The checkpoint configuration the participants and coordinator run with. */
export function checkpointConfig(spec: CheckpointSpec, world: World, services: Scenario['services'] = []): CheckpointConfig {
  const stores: Partial<Record<TierName, StorePlacement>> = {};
  for (const { tier, nodes } of spec.tiers) {
    const bySite: Record<string, string> = {};
    for (const node of nodes) {
      const site = world.network.node(node).site;
      bySite[site] ??= storeId(tier, node);
    }
    stores[tier] = { bySite, fallback: storeId(tier, nodes[0]) };
  }
  return {
    ...DEFAULT_CHECKPOINT,
    strategy: spec.strategy,
    interval: spec.interval,
    tier: spec.tier,
    incremental: spec.incremental,
    fullEvery: spec.fullEvery,
    alignment: spec.alignment,
    nodeLocal: spec.nodeLocal,
    flushTo: spec.flushTo,
    flushEvery: spec.flushEvery,
    stores,
    requestTimeoutUs: spec.requestTimeoutUs,
    restartUs: spec.restartUs,
    readBandwidthBytesPerSec: spec.readBandwidthBytesPerSec,
    messageLogging: spec.messageLogging,
    ...(spec.logTopic === undefined ? {} : { logTopic: logTopicTier(spec.logTopic, services) }),
  };
}

/** The log-topic tier's topic on its service (cross-checked: a compacted topic of a log service). */
function logTopicTier(placed: NonNullable<CheckpointSpec['logTopic']>, services: Scenario['services']): LogTopicTierConfig {
  const service = services.find((s): s is LogServiceSpec => s.kind === 'log' && s.name === placed.service)!;
  const { partitions, maxMessageBytes } = service.topics.find((t) => t.name === placed.topic)!;
  // Chunks fit the topic: at most Kafka's 1 MiB default, less when the topic accepts less.
  const recordBytesMax = placed.recordBytesMax ?? (maxMessageBytes !== undefined && maxMessageBytes < RECORD_BYTES_MAX_DEFAULT ? maxMessageBytes : undefined);
  const deliveryTimeout = placed.deliveryTimeoutUs === undefined ? {} : { deliveryTimeoutUs: placed.deliveryTimeoutUs };
  return { topic: placed.topic, partitions, brokers: brokerIds(placed.service, service.brokerNodes.length), acks: placed.acks, ...(recordBytesMax === undefined ? {} : { recordBytesMax }), ...deliveryTimeout };
}

/** The log endpoint of every stream placed on a log service (cross-checked: the topic exists). */
function streamLogs(scenario: Scenario, pipeline: PipelineSpec): Record<string, LogEndpoint> {
  const endpoints: Record<string, LogEndpoint> = {};
  for (const [stream, { service: name, maxRequestBytes }] of Object.entries(pipeline.logStreams)) {
    const service = scenario.services.find((s): s is LogServiceSpec => s.kind === 'log' && s.name === name)!;
    const { partitions } = service.topics.find((t) => t.name === stream)!;
    endpoints[stream] = { service: name, topic: stream, partitions, brokers: brokerIds(name, service.brokerNodes.length), controller: `${name}-controller`, maxRequestBytes };
  }
  return endpoints;
}

/**
 * Spawns the pipeline (if the scenario has one) and returns its metrics. `reference` runs the
 * fault-free reference; it is called only when the scenario checks `state-equals-reference`.
 */
export function buildPipeline(scenario: Scenario & { readonly pipeline?: PipelineSpec; readonly checkpoint?: CheckpointSpec }, world: World, reference: () => ReferenceStates): TraceMetric[] {
  const { pipeline, checkpoint } = scenario;
  if (pipeline === undefined || checkpoint === undefined) return [];
  const def: PipelineDef = { operators: pipeline.operators, topicNodes: pipeline.topicNodes, stopAtUs: scenario.durationUs, seed: world.seed, streamLogs: streamLogs(scenario, pipeline), flow: pipeline.flow };
  const config = checkpointConfig(checkpoint, world, scenario.services);
  const spawn = (id: string, node: string, factory: Parameters<World['spawn']>[2]) => {
    if (world.has(id)) throw new InputError(`pipeline: the pipeline needs an actor named "${id}", which is already taken; rename the operator or the service`);
    world.spawn(id, node, factory);
  };
  const plan = spawnPipeline(
    def,
    {
      checkpoint: config,
      stores: checkpoint.tiers.flatMap(({ tier, nodes }) => nodes.map((node) => ({ id: storeId(tier, node), node }))),
      coordinatorNode: checkpoint.coordinatorNode,
      checkpointTimeoutUs: checkpoint.checkpointTimeoutUs,
    },
    spawn,
  );
  world.nameEvents(plan.ids.families, plan.ids);
  if (scenario.checks.includes('state-equals-reference' as never)) {
    const states = reference();
    world.at(0, 'fault-free reference', () => world.record('state', { reference: states.digests, processed: states.processed }));
  }
  const metrics: TraceMetric[] = [new RecoveryMetrics(), new CheckpointMetrics({ coordinator: strategyInfo(config).coordinator }), new OutputMetrics()];
  if (checkpoint.messageLogging === 'pessimistic') metrics.push(new MessageLogMetrics());
  // A batch job's own numbers first: its makespan and Daly's waste are what a reader of a batch run
  // looks for, and `job.wasteFraction` must not read after `recovery.wasteFraction`, a different measure.
  return isBatch(pipeline) ? [new JobMetrics(), ...metrics] : metrics;
}

/** A batch job ends: every operator that generates events is a source with a `limit`. */
function isBatch(pipeline: PipelineSpec): boolean {
  const generators = pipeline.operators.filter((op) => op.kind === 'source' || op.kind === 'account');
  return generators.length > 0 && generators.every((op) => op.kind === 'source' && op.limit !== undefined);
}

/** The pipeline feature's build side (scenario/feature.ts `FeatureBuild`). */
export const PIPELINE_BUILD: FeatureBuild = {
  build: (world, scenario, { reference }) => buildPipeline(scenario, world, () => reference('pipeline/final-states', referenceStates)),
};

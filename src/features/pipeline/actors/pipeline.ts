/**
 * Pipelines: operators joined by named streams, each operator run as `parallelism` instances
 * placed round-robin on its nodes, protected by one checkpoint strategy.
 *
 * An operator reads at most one stream (`from`) and writes exactly one (`to`); a stream may have
 * several producing operators but at most one consuming operator, whose instance i reads
 * partition i (events go to partition `key mod parallelism`). A stream that no operator reads is
 * the pipeline's output. Cycles are allowed (the bank drill's accounts pay each other).
 *
 * `planPipeline` is pure: instance names, placements, routes, the direct channels between
 * instances, and where barriers are injected. `spawnPipeline` turns a plan into actors through a
 * `spawn` callback (the world's), together with what the strategy needs: the one-broker log
 * services of persistent streams placed on nodes, the coordinator, the checkpoint stores.
 *
 * Persistent streams are always topics of a replicated log: of the service the scenario names
 * (`streamLogs`), or else of a log of one broker and its controller on the stream's node, whose
 * failure domain is that node (one replica; every append fsynced before it is acknowledged).
 *
 * Guarantee: the same definition always gives the same plan, in definition order. How it breaks:
 * definitions are validated by the scenario schema; `planPipeline` asserts instead of reporting.
 */
import type { ActorFactory, Micros } from '../../../kernel/contract/index.ts';
import {
  CheckpointCoordinator,
  CheckpointStore,
  strategyInfo,
  type ChannelLink,
  type CheckpointConfig,
} from '../../checkpoint/actors/index.ts';
import { accountLogic, mapLogic, sourceLogic, splitLogic, windowLogic } from './kinds.ts';
import type { LogicContext, OperatorLogic } from './logic.ts';
import type { Arrivals } from './arrivals.ts';
import { PoissonClock, type GeneratorSpec } from './instrument.ts';
import { EventIds } from '../../../kernel/contract/index.ts';
import { OperatorActor } from './operator.ts';
import { instanceName } from './topology.ts';
import type { ServiceTime } from './service-time.ts';
import { Broker, brokerIds, CLUSTER_DEFAULTS, Controller, type ClusterConfig, type TopicConfig } from '../../log/actors/index.ts';
import { FLINK_FLOW_CONTROL, type FlowControl } from './stream/flow-control.ts';
import type { InstanceRoutes } from './stream/transport.ts';
import type { LogEndpoint } from '../../forward/actors/index.ts';

export const OPERATOR_KINDS = ['source', 'split', 'map', 'window', 'account'] as const;
export type OperatorKind = (typeof OPERATOR_KINDS)[number];

export interface OperatorDef {
  readonly name: string;
  readonly kind: OperatorKind;
  /** Nodes its instances are placed on, round-robin. */
  readonly nodes: readonly string[];
  readonly parallelism: number;
  readonly from?: string;
  readonly to: string;
  readonly service: ServiceTime;
  /** Modelled size of one instance's full state, bytes. */
  readonly stateBytes: number;
  /** source, account: events per second per instance. */
  readonly ratePerSec?: number;
  /** source: bytes per event. */
  readonly eventBytes?: number;
  /** source: at most this many events. */
  readonly limit?: number;
  /** source: events its instrument's buffer holds while the source does not take them; unbounded when absent. */
  readonly bufferEvents?: number;
  /** split */
  readonly fanout?: number;
  /** map, window: bytes per output (map default: the input's). */
  readonly outputBytes?: number;
  /** window */
  readonly window?: number;
  readonly emitEvery?: number;
  /** source, account: when events are due (instrument.ts); default periodic. */
  readonly arrivals?: Arrivals;
  /** account */
  readonly balance?: number;
  readonly maxAmount?: number;
}

export interface PipelineDef {
  readonly operators: readonly OperatorDef[];
  /** The node whose one-broker log holds a stream not on a log service (persistent transport); default: its consumer's (or producer's) first node. */
  readonly topicNodes: Readonly<Record<string, string>>;
  /** Generators produce nothing at or after this time (the end of the safety phase). */
  readonly stopAtUs: Micros;
  /** The run's root seed: accounts' transfers and Poisson arrivals derive from it. */
  readonly seed: number;
  /** Streams that live on a topic of a log service of the scenario's instead of their node's own log. */
  readonly streamLogs?: Readonly<Record<string, LogEndpoint>>;
  /** acks of the operators producing to log services; default all. */
  readonly logAcks?: 1 | -1;
  /** The windows of direct channels; Flink's defaults when absent. */
  readonly flow?: FlowControl;
}

export interface InstancePlan {
  readonly op: OperatorDef;
  readonly instance: string;
  readonly index: number;
  readonly node: string;
  readonly routes: InstanceRoutes;
}

export interface PipelinePlan {
  readonly instances: readonly InstancePlan[];
  readonly channels: readonly ChannelLink[];
  /** Each stream's topic: on a log service of the scenario's (`node` undefined), or on its node's one-broker log. */
  readonly topics: readonly { readonly stream: string; readonly node: string | undefined; readonly log: LogEndpoint }[];
  /** Where barrier snapshots start: the pure sources, or one initiator when there is none. */
  readonly triggerTargets: readonly string[];
  /** The pipeline's event ids (kernel/contract/event-ids.ts): how operators number their outputs and the trace names them. */
  readonly ids: EventIds;
}

export function planPipeline(def: PipelineDef): PipelinePlan {
  const names = new Map(def.operators.map((op) => [op.name, Array.from({ length: op.parallelism }, (_, i) => instanceName(op, i))] as const));
  const consumerOf = (stream: string) => def.operators.find((op) => op.from === stream);
  const producersOf = (stream: string) => def.operators.filter((op) => op.to === stream).flatMap((op) => names.get(op.name)!);
  const topics = streamTopics(def);
  const onLog = (stream: string) => ({ log: def.streamLogs?.[stream] ?? topics.find((t) => t.stream === stream)!.log });
  const instances: InstancePlan[] = [];
  const channels: ChannelLink[] = [];
  for (const op of def.operators) {
    const consumer = consumerOf(op.to);
    const consumers = consumer === undefined ? [] : names.get(consumer.name)!;
    names.get(op.name)!.forEach((instance, index) => {
      const routes: InstanceRoutes = {
        instance,
        index,
        output: { stream: op.to, consumers, partitions: Math.max(1, consumers.length), ...onLog(op.to) },
        inputs: op.from === undefined ? [] : [{ stream: op.from, producers: producersOf(op.from), ...onLog(op.from) }],
      };
      instances.push({ op, instance, index, node: op.nodes[index % op.nodes.length], routes });
      for (const receiver of consumers) channels.push({ sender: instance, receiver, out: `${op.to}>${receiver}`, in: `${op.to}<${instance}` });
    });
  }
  const sources = instances.filter((i) => i.op.from === undefined).map((i) => i.instance);
  return { instances, channels, topics, triggerTargets: sources.length > 0 ? sources : [instances[0].instance], ids: eventIdsOf(def) };
}

/**
 * The pipeline's event ids (kernel/contract/event-ids.ts). A generator with Poisson arrivals makes
 * as many events as its clock has due before the end of the safety phase: counted on each
 * instance's clock (the same draws its source will take), the most of them sizes its family.
 */
function eventIdsOf(def: PipelineDef): EventIds {
  const operators = def.operators.map((op) => {
    if (op.arrivals !== 'poisson' || def.stopAtUs <= 0) return op;
    let events = 0;
    for (let i = 0; i < op.parallelism; i++) {
      const clock = new PoissonClock({ seed: def.seed, instance: instanceName(op, i), ratePerSec: op.ratePerSec ?? 1 });
      events = Math.max(events, clock.countBy(def.stopAtUs - 1) + 1);
    }
    return { ...op, events };
  });
  return EventIds.of(operators, def.stopAtUs);
}

/** The log service a node's persistent streams live on when the scenario names none: one broker, its controller beside it. */
export function nodeLogService(node: string): string {
  return `log@${node}`;
}

/**
 * Every stream's topic: on the log service the scenario placed it on, else on the one-broker log of
 * its node (`topicNodes`, default its consumer's — or producer's — first node).
 */
function streamTopics(def: PipelineDef): PipelinePlan['topics'] {
  const streams = [...new Set(def.operators.flatMap((op) => (op.from === undefined ? [op.to] : [op.from, op.to])))];
  return streams.map((stream) => {
    const consumer = def.operators.find((op) => op.from === stream);
    const owner = consumer ?? def.operators.find((op) => op.to === stream)!;
    const partitions = Math.max(1, consumer?.parallelism ?? 1);
    const placed = def.streamLogs?.[stream];
    if (placed !== undefined) return { stream, node: undefined, log: placed };
    const node = def.topicNodes[stream] ?? owner.nodes[0]!;
    const service = nodeLogService(node);
    return { stream, node, log: { service, topic: stream, partitions, brokers: brokerIds(service, 1), controller: `${service}-controller` } };
  });
}

/** The one-broker log services of the streams placed on nodes, with their topics. */
function nodeLogClusters(plan: PipelinePlan): Map<string, { readonly node: string; readonly topics: TopicConfig[] }> {
  const clusters = new Map<string, { readonly node: string; readonly topics: TopicConfig[] }>();
  for (const { node, log } of plan.topics) {
    if (node === undefined) continue;
    let cluster = clusters.get(log.service);
    if (cluster === undefined) {
      cluster = { node, topics: [] };
      clusters.set(log.service, cluster);
    }
    cluster.topics.push({ ...NODE_LOG_TOPIC, name: log.topic, partitions: log.partitions });
  }
  return clusters;
}

/**
 * A node's stream topic: one replica (its failure domain is the node), every append fsynced before
 * it is acknowledged (a consumer never reads what a power loss could take back), kept for the whole run.
 */
const NODE_LOG_TOPIC: Omit<TopicConfig, 'name' | 'partitions'> = {
  replicationFactor: 1,
  minInsyncReplicas: 1,
  uncleanLeaderElection: false,
  retentionUs: null,
  retentionBytes: null,
  segmentBytes: 1 << 30,
};

function logicFor(op: OperatorDef, ctx: LogicContext): OperatorLogic<any> {
  switch (op.kind) {
    case 'source':
      return sourceLogic(ctx, { bytes: op.eventBytes ?? 1024 });
    case 'split':
      return splitLogic(ctx, { fanout: op.fanout ?? 1 });
    case 'map':
      return mapLogic(ctx, { outputBytes: op.outputBytes });
    case 'window':
      return windowLogic(ctx, { size: op.window ?? 1, emitEvery: op.emitEvery ?? 0, outputBytes: op.outputBytes ?? 1024 });
    case 'account':
      return accountLogic(ctx, { balance: op.balance ?? 1000, maxAmount: op.maxAmount ?? 100 });
  }
}

function generatorFor(plan: InstancePlan, def: Pick<PipelineDef, 'stopAtUs' | 'seed'>): GeneratorSpec | undefined {
  const { op } = plan;
  if (op.kind !== 'source' && op.kind !== 'account') return undefined;
  const rate = op.ratePerSec ?? 1;
  // Instances of one operator are spread over one period, so they do not all fire at once.
  const phaseUs = Math.floor((plan.index * 1_000_000) / (rate * op.parallelism));
  const poisson = op.arrivals === 'poisson' ? { poisson: new PoissonClock({ seed: def.seed, instance: plan.instance, ratePerSec: rate }) } : {};
  return { ratePerSec: rate, phaseUs, stopAtUs: def.stopAtUs, ...(op.limit === undefined ? {} : { limit: op.limit }), ...(op.bufferEvents === undefined ? {} : { bufferEvents: op.bufferEvents }), ...poisson };
}

export type Spawn = (id: string, node: string, factory: ActorFactory) => void;

export interface SpawnOptions {
  readonly checkpoint: CheckpointConfig;
  /** Store actors of the configured tiers, with their nodes. */
  readonly stores: readonly { readonly id: string; readonly node: string }[];
  /** Where the coordinator runs (strategies that have one). */
  readonly coordinatorNode: string;
  readonly checkpointTimeoutUs: Micros;
}

/** Spawns every actor of a pipeline under its checkpoint strategy; returns the plan. */
export function spawnPipeline(def: PipelineDef, options: SpawnOptions, spawn: Spawn): PipelinePlan {
  const plan = planPipeline(def);
  const { checkpoint } = options;
  const info = strategyInfo(checkpoint);
  for (const store of options.stores) spawn(store.id, store.node, () => new CheckpointStore());
  if (info.transport === 'stream') {
    for (const [service, { node, topics }] of nodeLogClusters(plan)) {
      const config: ClusterConfig = { ...CLUSTER_DEFAULTS, flush: { kind: 'every-write' }, brokers: brokerIds(service, 1), controller: `${service}-controller`, topics };
      spawn(config.controller, node, () => new Controller(config));
      spawn(config.brokers[0]!, node, () => new Broker(config.brokers[0]!, config));
    }
  }
  if (info.coordinator) {
    const config = {
      strategy: checkpoint.strategy,
      instances: plan.instances.map((i) => i.instance),
      triggerTargets: plan.triggerTargets,
      channels: plan.channels,
      interval: checkpoint.interval,
      requestTimeoutUs: checkpoint.requestTimeoutUs,
      checkpointTimeoutUs: options.checkpointTimeoutUs,
    };
    spawn(checkpoint.coordinator, options.coordinatorNode, () => new CheckpointCoordinator(config));
  }
  for (const instance of plan.instances) {
    const { op } = instance;
    const logicContext: LogicContext = { op: op.name, instance: instance.instance, index: instance.index, parallelism: op.parallelism, seed: def.seed, ids: plan.ids };
    const generator = generatorFor(instance, def);
    spawn(instance.instance, instance.node, () =>
      new OperatorActor({
        op: op.name,
        instance: instance.instance,
        logic: logicFor(op, logicContext),
        service: op.service,
        stateBytes: op.stateBytes,
        ...(generator === undefined ? {} : { generator }),
        routes: instance.routes,
        transport: info.transport,
        flow: def.flow ?? FLINK_FLOW_CONTROL,
        checkpoint,
        ...(def.logAcks === undefined ? {} : { logAcks: def.logAcks }),
      }),
    );
  }
  return plan;
}

/**
 * A small DSL for log tests: a world with an `hpc` site of broker nodes (plus a controller node)
 * and a `beamline` site for clients, a cluster, producers, consumers, a final reader, faults, and
 * the checkers' verdicts at the end.
 *
 *   const run = logWorld({ brokers: 3, topics: [topic('t', 4)] });
 *   run.producer('p', { acks: -1, ratePerSec: 200 });
 *   run.crashNode('hpc-1').at(3 * SECOND).for(2 * SECOND);
 *   const { verdicts } = run.go(10 * SECOND);
 */
import type { TraceChecker, Verdict } from '../../../src/check/index.ts';
import { checkerNamed } from '../../../src/scenario/index.ts';
import { MS, SECOND, type Micros, type TraceRecord } from '../../../src/kernel/index.ts';
import {
  CLUSTER_DEFAULTS,
  FETCH_MAX_BYTES_DEFAULT,
  MAX_PARTITION_FETCH_BYTES_DEFAULT,
  LogConsumer,
  LogProducer,
  spawnFinalReader,
  spawnLogCluster,
  type ClusterSettings,
  type LogConsumerConfig,
  type LogProducerConfig,
  type SpawnedCluster,
  type TopicConfig,
} from '../../../src/features/log/actors/index.ts';
import { World } from '../../../src/world/index.ts';

export function topic(name: string, partitions: number, overrides: Partial<TopicConfig> = {}): TopicConfig {
  return { name, partitions, replicationFactor: 3, minInsyncReplicas: 2, uncleanLeaderElection: false, retentionUs: null, retentionBytes: null, segmentBytes: 1 << 20, ...overrides };
}

export interface LogWorldOptions extends Partial<ClusterSettings> {
  seed?: number;
  brokers?: number;
  /** Put the controller on its own node (`hpc-ctl`), default true. */
  separateController?: boolean;
  /** A controller quorum of three on `hpc-ctl`, `hpc-ctl-2`, `hpc-ctl-3` (the final reader on the first). */
  quorum?: boolean;
  wanLatencyUs?: Micros;
  wanLoss?: number;
  /** Checkers to run (default: every checker that needs no consumer). */
  checks?: readonly string[];
}

const DEFAULT_CHECKS = ['no-acked-loss', 'duplicate', 'divergence', 'nonmonotonic', 'skip'];

/** Fast failure detection for short simulated runs. */
export const FAST: Partial<ClusterSettings> = {
  replicaLagTimeMaxUs: 1 * SECOND,
  replicaFetchWaitMaxUs: 100 * MS,
  replicaFetchBackoffUs: 50 * MS,
  brokerHeartbeatIntervalUs: 100 * MS,
  brokerSessionTimeoutUs: 500 * MS,
};

export class LogWorld {
  readonly world: World;
  readonly cluster: SpawnedCluster;
  private readonly records: TraceRecord[] = [];
  private readonly checkers: TraceChecker[];
  private stopAt: Micros = 0;
  private producers: { id: string; timeoutUs: Micros; retries: number }[] = [];

  constructor(readonly options: LogWorldOptions) {
    const brokers = options.brokers ?? 3;
    this.checkers = (options.checks ?? DEFAULT_CHECKS).map((name) => checkerNamed(name).create());
    this.world = new World({ seed: options.seed ?? 1 });
    const nodes = Array.from({ length: brokers }, (_, i) => `hpc-${i + 1}`);
    const controllerNodes = options.quorum === true ? ['hpc-ctl', 'hpc-ctl-2', 'hpc-ctl-3'] : undefined;
    this.world.addSite('hpc', { nodes: [...nodes, ...(controllerNodes ?? ['hpc-ctl'])] });
    this.world.addSite('beamline', { nodes: ['beamline-1'] });
    this.world.link('beamline', 'hpc', { latencyUs: options.wanLatencyUs ?? 500, loss: options.wanLoss ?? 0 });
    const settings: ClusterSettings = { ...FAST, ...options, topics: options.topics ?? [topic('t', 3)] };
    const controllerNode = options.separateController === false ? 'hpc-1' : 'hpc-ctl';
    this.cluster = spawnLogCluster(this.world, { name: 'log', brokerNodes: nodes, controllerNode, ...(controllerNodes === undefined ? {} : { controllerNodes }) }, settings);
    this.world.trace.listen((r) => {
      for (const c of this.checkers) c.observe(r);
      if (r.k === 'log' || r.k === 'client' || r.k === 'crash' || r.k === 'restart') this.records.push(r);
    });
  }

  producer(id: string, overrides: Partial<LogProducerConfig> & { stopAtUs: Micros }): this {
    const topicName = overrides.topic ?? this.cluster.config.topics[0]!.name;
    const partitions = this.cluster.config.topics.find((t) => t.name === topicName)!.partitions;
    const config: LogProducerConfig = {
      topic: topicName,
      brokers: this.cluster.brokers,
      controller: this.cluster.controller,
      controllers: this.cluster.controllers,
      ratePerSec: 100,
      eventBytes: 1024,
      acks: -1,
      lingerUs: 5 * MS,
      batchBytes: 16 * 1024,
      requestTimeoutUs: 1 * SECOND,
      retries: 10,
      retryBackoffUs: 100 * MS,
      deliveryTimeoutUs: 3 * SECOND,
      maxInFlight: 5,
      idempotence: true,
      partitioner: 'round-robin',
      keys: 16,
      ...overrides,
    };
    this.stopAt = Math.max(this.stopAt, config.stopAtUs);
    this.producers.push({ id, timeoutUs: config.deliveryTimeoutUs, retries: config.retries });
    this.world.spawn(id, 'beamline-1', () => new LogProducer(config, partitions));
    return this;
  }

  consumer(id: string, overrides: Partial<LogConsumerConfig> = {}): this {
    const config: LogConsumerConfig = {
      group: 'g',
      topic: this.cluster.config.topics[0]!.name,
      brokers: this.cluster.brokers,
      controller: this.cluster.controller,
      controllers: this.cluster.controllers,
      maxPollRecords: 500,
      fetchMaxWaitUs: 100 * MS,
      fetchMinBytes: 1,
      fetchMaxBytes: FETCH_MAX_BYTES_DEFAULT,
      maxPartitionFetchBytes: MAX_PARTITION_FETCH_BYTES_DEFAULT,
      autoOffsetReset: 'earliest',
      heartbeatIntervalUs: 200 * MS,
      sessionTimeoutUs: 1 * SECOND,
      processingUs: 0,
      commitIntervalUs: 200 * MS,
      requestTimeoutUs: 1 * SECOND,
      retryBackoffUs: 100 * MS,
      ...overrides,
    };
    this.world.spawn(id, 'beamline-1', () => new LogConsumer(config));
    return this;
  }

  /** A world action at an absolute time. */
  at(time: Micros, label: string, action: (world: World) => void): this {
    this.world.at(time, label, () => action(this.world));
    return this;
  }

  crashNode(node: string, atUs: Micros, forUs: Micros): this {
    this.world.at(atUs, `crash ${node}`, () => this.world.crashNode(node, 'test'));
    this.world.at(atUs + forUs, `restart ${node}`, () => this.world.restartNode(node, 'test'));
    return this;
  }

  partition(id: string, from: string[], to: string[], atUs: Micros, forUs: Micros): this {
    this.world.at(atUs, `partition ${id}`, () => this.world.partition({ id, from, to }));
    this.world.at(atUs + forUs, `heal ${id}`, () => this.world.heal(id));
    return this;
  }

  /**
   * Runs to `endUs`. The final read starts once no producer can still be retrying: after the last
   * producer stops and its delivery timeout has run out (plus a margin).
   */
  go(endUs: Micros): { verdicts: Record<string, Verdict>; records: TraceRecord[]; events: number } {
    const retrying = Math.max(0, ...this.producers.map((p) => p.timeoutUs));
    spawnFinalReader(this.world, this.cluster, 'log', 'hpc-ctl', this.stopAt + retrying + 500 * MS);
    const { events } = this.world.run({ until: endUs });
    const verdicts: Record<string, Verdict> = {};
    for (const c of this.checkers) verdicts[c.name] = c.verdict();
    return { verdicts, records: this.records, events };
  }
}

export function logWorld(options: LogWorldOptions = {}): LogWorld {
  return new LogWorld(options);
}

export { CLUSTER_DEFAULTS, MS, SECOND };

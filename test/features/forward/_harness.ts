/**
 * A small DSL for forwarding tests: an `edge` site where instruments produce into a forwarder's
 * edge buffer, a `core` site with a replicated log (the destination), optionally a `facility`
 * site with a non-replicated log (RF 1) between them, faults, and the checkers' verdicts.
 *
 *   const run = forwardWorld({ buffer: { capacityBytes: 64 * KiB, overflow: 'block' } });
 *   run.instrument('det', { ratePerSec: 50 });
 *   run.crashNode('edge-1', 3 * SECOND, 1 * SECOND).outage(5 * SECOND, 4 * SECOND);
 *   const { verdicts, records } = run.go(20 * SECOND);
 */
import type { TraceChecker, Verdict } from '../../../src/check/index.ts';
import { checkerNamed } from '../../../src/scenario/index.ts';
import { MS, SECOND, type Micros, type TraceRecord } from '../../../src/kernel/index.ts';
import { FORWARDER_DEFAULTS, Forwarder, type EdgeBufferConfig, type ForwarderConfig, type LogEndpoint } from '../../../src/features/forward/actors/index.ts';
import { spawnFinalReader, spawnLogCluster, type SpawnedCluster, type TopicConfig } from '../../../src/features/log/actors/index.ts';
import { Producer } from '../../../src/features/store/actors/index.ts';
import { World } from '../../../src/world/index.ts';
import { FAST } from '../log/_harness.ts';

export const KiB = 1024;

function topic(name: string, partitions: number, rf: number, maxMessageBytes?: number): TopicConfig {
  return { name, partitions, replicationFactor: rf, minInsyncReplicas: Math.min(2, rf), uncleanLeaderElection: false, retentionUs: null, retentionBytes: null, segmentBytes: 1 << 20, ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }) };
}

export interface ForwardWorldOptions {
  seed?: number;
  buffer: EdgeBufferConfig;
  /** Put a non-replicated facility log between the edge and the core, with a second forwarder. */
  twoTier?: boolean;
  checks?: readonly string[];
  /** The core topic's `max.message.bytes` (default: no limit). */
  coreMaxMessageBytes?: number;
}

const FORWARD_TEST: Omit<ForwarderConfig, 'source' | 'sink'> = { ...FORWARDER_DEFAULTS, batchBytes: 16 * KiB, requestTimeoutUs: 500 * MS, retryBackoffUs: 50 * MS, maxBackoffUs: 1 * SECOND };

export class ForwardWorld {
  readonly world: World;
  readonly core: SpawnedCluster;
  readonly facility: SpawnedCluster | undefined;
  readonly records: TraceRecord[] = [];
  private readonly checkers: TraceChecker[];
  private stopAt: Micros = 0;

  constructor(options: ForwardWorldOptions) {
    this.checkers = (options.checks ?? ['forwarded-once', 'no-acked-loss', 'duplicate']).map((name) => checkerNamed(name).create());
    this.world = new World({ seed: options.seed ?? 1 });
    this.world.addSite('edge', { role: 'edge', nodes: ['edge-1', 'edge-2'] });
    this.world.addSite('core', { role: 'cloud', nodes: ['core-1', 'core-2', 'core-3', 'core-ctl'] });
    this.world.link('edge', 'core', { latencyUs: 10 * MS, bandwidthBytesPerSec: 12_500_000 });
    this.core = spawnLogCluster(this.world, { name: 'core', brokerNodes: ['core-1', 'core-2', 'core-3'], controllerNode: 'core-ctl' }, { ...FAST, flush: { kind: 'every-write' }, topics: [topic('events', 2, 3, options.coreMaxMessageBytes)] });
    const sink = endpoint('core', this.core, 'events', 2);
    if (options.twoTier === true) {
      this.world.addSite('facility', { role: 'hpc', nodes: ['fac-1', 'fac-2'] });
      this.world.link('edge', 'facility', { latencyUs: 1 * MS });
      this.world.link('facility', 'core', { latencyUs: 10 * MS, bandwidthBytesPerSec: 12_500_000 });
      this.facility = spawnLogCluster(this.world, { name: 'fac', brokerNodes: ['fac-1'], controllerNode: 'fac-1' }, { ...FAST, flush: { kind: 'every-write' }, topics: [topic('events', 2, 1)] });
      const facility = endpoint('fac', this.facility, 'events', 2);
      this.world.spawn('uplink', 'edge-1', () => new Forwarder({ ...FORWARD_TEST, source: { kind: 'buffer', buffer: options.buffer }, sink: facility }));
      this.world.spawn('bridge', 'fac-2', () => new Forwarder({ ...FORWARD_TEST, source: { kind: 'log', ...facility }, sink }));
    } else {
      this.world.spawn('uplink', 'edge-1', () => new Forwarder({ ...FORWARD_TEST, source: { kind: 'buffer', buffer: options.buffer }, sink }));
    }
    this.world.trace.listen((r) => {
      for (const c of this.checkers) c.observe(r);
      if (r.k === 'client' || r.k === 'crash' || r.k === 'restart') this.records.push(r);
    });
  }

  /** An instrument on `edge-2` producing into the edge buffer (store protocol, with retries). */
  instrument(id: string, options: { ratePerSec: number; eventBytes?: number; stopAtUs: Micros; retries?: number }): this {
    this.stopAt = Math.max(this.stopAt, options.stopAtUs);
    const config = { store: 'uplink', ratePerSec: options.ratePerSec, eventBytes: options.eventBytes ?? 1 * KiB, timeoutUs: 300 * MS, retries: options.retries ?? 3, stopAtUs: options.stopAtUs };
    this.world.spawn(id, 'edge-2', () => new Producer(config));
    return this;
  }

  crashNode(node: string, atUs: Micros, forUs: Micros): this {
    this.world.at(atUs, `crash ${node}`, () => this.world.crashNode(node, 'test'));
    this.world.at(atUs + forUs, `restart ${node}`, () => this.world.restartNode(node, 'test'));
    return this;
  }

  /** The edge's uplink is cut (both directions) for a while. */
  outage(atUs: Micros, forUs: Micros, sites: readonly [string, string] = ['edge', this.facility === undefined ? 'core' : 'facility']): this {
    const id = `outage-${atUs}`;
    this.world.at(atUs, id, () => this.world.partition({ id, from: [sites[0]], to: [sites[1]] }));
    this.world.at(atUs + forUs, `heal ${id}`, () => this.world.heal(id));
    return this;
  }

  /** Runs to `endUs`; the final reads start `drainUs` after the instruments stop. */
  go(endUs: Micros, drainUs: Micros): { verdicts: Record<string, Verdict>; records: TraceRecord[] } {
    const readAt = this.stopAt + drainUs;
    spawnFinalReader(this.world, this.core, 'core', 'core-ctl', readAt);
    if (this.facility !== undefined) spawnFinalReader(this.world, this.facility, 'fac', 'fac-2', readAt - 2 * SECOND);
    this.world.run({ until: endUs });
    const verdicts: Record<string, Verdict> = {};
    for (const c of this.checkers) verdicts[c.name] = c.verdict();
    return { verdicts, records: this.records };
  }
}

function endpoint(service: string, cluster: SpawnedCluster, topicName: string, partitions: number): LogEndpoint {
  return { service, topic: topicName, partitions, brokers: cluster.brokers, controller: cluster.controller };
}

export function forwardWorld(options: ForwardWorldOptions): ForwardWorld {
  return new ForwardWorld(options);
}

/** Event ids of the `client` records with this op. */
export function idsOf(records: readonly TraceRecord[], op: string, actor?: string): string[] {
  return records.filter((r) => r.op === op && (actor === undefined || r.a === actor)).flatMap((r) => (Array.isArray(r.events) ? (r.events as string[]) : []));
}

export { MS, SECOND };

/**
 * Resolves the `pipeline:` and `checkpoint:` sections: operator placements to node lists, stream
 * and tier placements to nodes, the interval to a policy, defaults for an absent `checkpoint:`.
 *
 * Guarantee: pure and total on fields that passed `cross-check-pipeline.ts`; it asserts instead of
 * reporting.
 */
import type { OperatorDef } from '../actors/index.ts';
import type { IntervalPolicy, TierName } from '../../checkpoint/actors/index.ts';
import { MAX_REQUEST_SIZE_DEFAULT } from '../../log/index.ts';
import { checkpointSchema, type WrittenCheckpoint, type WrittenInterval, type WrittenOperator, type WrittenPipeline } from './schema.ts';
import type { CheckpointSpec, PipelineSpec } from './types.ts';
import type { SiteSpec } from '../../../scenario/types.ts';

interface Placed {
  readonly node?: string | undefined;
  readonly nodes?: readonly string[] | undefined;
  readonly site?: string | undefined;
}

/** The nodes a placement names: a node, a list, or every node of a site. */
function placedNodes(placed: Placed, sites: readonly SiteSpec[], wholeSite: boolean): string[] {
  if (placed.node !== undefined) return [placed.node];
  if (placed.nodes !== undefined) return [...placed.nodes];
  const site = sites.find((candidate) => candidate.name === placed.site);
  if (site === undefined) throw new Error(`scenario resolution: site "${placed.site}" passed the cross-checks but does not resolve`);
  return wholeSite ? [...site.nodes] : [site.nodes[0]];
}

function operatorDef(name: string, op: WrittenOperator, sites: readonly SiteSpec[]): OperatorDef {
  const base = {
    name,
    kind: op.kind,
    nodes: placedNodes(op, sites, true),
    parallelism: op.parallelism,
    to: op.to,
    service: { distribution: op.service.distribution, meanUs: op.service.mean, cv: op.service.cv },
    stateBytes: op.state,
  };
  switch (op.kind) {
    case 'source':
      return { ...base, ratePerSec: op.rate, arrivals: op.arrivals, eventBytes: op.size, ...(op.limit === undefined ? {} : { limit: op.limit }), ...(op['instrument-buffer'] === undefined ? {} : { bufferEvents: op['instrument-buffer'] }) };
    case 'split':
      return { ...base, from: op.from, fanout: op.fanout };
    case 'map':
      return { ...base, from: op.from, ...(op['output-size'] === undefined ? {} : { outputBytes: op['output-size'] }) };
    case 'window':
      return { ...base, from: op.from, window: op.window, emitEvery: op['emit-every'], outputBytes: op['output-size'] };
    case 'account':
      return { ...base, from: op.from, ratePerSec: op.rate, arrivals: op.arrivals, balance: op.balance, maxAmount: op['max-amount'] };
  }
}

export function resolvePipeline(written: WrittenPipeline, sites: readonly SiteSpec[]): PipelineSpec {
  const operators = Object.entries(written.operators).map(([name, op]) => operatorDef(name, op, sites));
  const topicNodes: Record<string, string> = {};
  const logStreams: Record<string, { service: string; maxRequestBytes: number }> = {};
  for (const [stream, placed] of Object.entries(written.streams)) {
    if (placed.log !== undefined) logStreams[stream] = { service: placed.log, maxRequestBytes: placed['max.request.size'] ?? MAX_REQUEST_SIZE_DEFAULT };
    else topicNodes[stream] = placedNodes(placed, sites, false)[0];
  }
  const flow = written['flow-control'];
  const debloat = flow['buffer-debloat'];
  return {
    operators,
    topicNodes,
    logStreams,
    flow: { buffers: flow['buffers-per-channel'] + flow['floating-buffers-per-gate'], segmentBytes: flow['segment-size'], ...(debloat.enabled ? { debloatTargetUs: debloat.target } : {}) },
  };
}

/** The interval as written, with the adaptive parameters, as the policy the checkpoint clock runs. */
export function intervalPolicy(written: Pick<WrittenCheckpoint, 'interval' | 'mtbf' | 'min-interval' | 'max-interval'>): IntervalPolicy {
  const interval: WrittenInterval = written.interval;
  switch (interval.kind) {
    case 'time':
      return { kind: 'time', everyUs: interval.us };
    case 'events':
      return { kind: 'events', every: interval.every };
    case 'adaptive':
      return { kind: 'adaptive', ...(written.mtbf === undefined ? {} : { mtbfUs: written.mtbf }), minUs: written['min-interval'], maxUs: written['max-interval'] };
  }
}

export function resolveCheckpoint(written: WrittenCheckpoint | undefined, pipeline: PipelineSpec, sites: readonly SiteSpec[]): CheckpointSpec {
  const c = written ?? checkpointSchema.parse({});
  const last = pipeline.operators[pipeline.operators.length - 1];
  const coordinatorNode = c.coordinator === undefined ? last.nodes[0] : placedNodes(c.coordinator, sites, false)[0];
  const { 'log-topic': logTopic, ...stored } = c.tiers;
  const tiers = (Object.entries(stored) as [TierName, Placed | undefined][])
    .filter((entry): entry is [TierName, Placed] => entry[1] !== undefined)
    .map(([tier, placed]) => ({ tier, nodes: placed.site !== undefined ? placedNodes(placed, sites, false) : placedNodes(placed, sites, true) }));
  return {
    strategy: c.strategy,
    interval: intervalPolicy(c),
    tier: c.tier,
    incremental: c.incremental,
    fullEvery: c['full-every'],
    alignment: c.alignment,
    nodeLocal: c['node-local'],
    flushTo: c['flush-to'],
    flushEvery: c['flush-every'],
    coordinatorNode,
    tiers,
    ...(logTopic === undefined ? {} : { logTopic: { service: logTopic.log, topic: logTopic.topic, acks: logTopic.acks === 'all' ? -1 : 1, ...(logTopic['max.message.bytes'] === undefined ? {} : { recordBytesMax: logTopic['max.message.bytes'] }), ...(logTopic['delivery.timeout.ms'] === undefined ? {} : { deliveryTimeoutUs: logTopic['delivery.timeout.ms'] }) } as const }),
    requestTimeoutUs: c.timeout,
    restartUs: c['restart-time'],
    readBandwidthBytesPerSec: c['read-bandwidth'],
    messageLogging: c['message-logging'],
    checkpointTimeoutUs: c['checkpoint-timeout'],
  };
}

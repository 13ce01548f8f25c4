/**
 * Pipelines whose streams live on the replicated log (`LogTransport`): under `stream-replay` with
 * operator crashes and a broker crash every operator ends in the fault-free state and no output is
 * stored twice, also when a restore replays far more than the leader's five-batch idempotence
 * window; and with acks=1 plus unclean leader election the lost records are caught by the state
 * checker — the half of the guarantee that says how it breaks.
 */
import test from 'ava';
import type { Verdict } from '../../../src/check/index.ts';
import { stateEqualsReference } from '../../../src/features/pipeline/checks/state-equals-reference.ts';
import { MS, SECOND, type TraceRecord } from '../../../src/kernel/index.ts';
import { OutputMetrics } from '../../../src/features/pipeline/metrics/pipeline-output.ts';
import type { LogEndpoint } from '../../../src/features/forward/actors/index.ts';
import { spawnLogCluster, type TopicConfig } from '../../../src/features/log/actors/index.ts';
import type { World } from '../../../src/world/index.ts';
import { pipelineRun, referenceRecord, xray, type RunOptions } from './_harness.ts';

const STREAMS = { frames: 1, chunks: 2, slabs: 1, volumes: 1 } as const;

/** Three brokers on hpc-1…3, the controller on hpc-4: every stream of the x-ray pipeline is a topic. */
function hpcLog(options: { unclean?: boolean; minIsr?: number } = {}): Pick<RunOptions, 'services' | 'streamLogs'> {
  const topic = (name: string, partitions: number): TopicConfig => ({
    name,
    partitions,
    replicationFactor: 3,
    minInsyncReplicas: options.minIsr ?? 2,
    uncleanLeaderElection: options.unclean ?? false,
    retentionUs: null,
    retentionBytes: null,
    segmentBytes: 64 << 20,
  });
  const topics = Object.entries(STREAMS).map(([name, partitions]) => topic(name, partitions));
  const brokers = ['stream-broker-1', 'stream-broker-2', 'stream-broker-3'];
  const streamLogs: Record<string, LogEndpoint> = {};
  for (const [name, partitions] of Object.entries(STREAMS)) streamLogs[name] = { service: 'stream', topic: name, partitions, brokers, controller: 'stream-controller' };
  const services = (world: World) => {
    spawnLogCluster(world, { name: 'stream', brokerNodes: ['hpc-1', 'hpc-2', 'hpc-3'], controllerNode: 'hpc-4' }, {
      topics,
      flush: { kind: 'every-write' },
      replicaLagTimeMaxUs: 2 * SECOND,
      brokerHeartbeatIntervalUs: 500 * MS,
      brokerSessionTimeoutUs: 1500 * MS,
    });
  };
  return { services, streamLogs };
}

function verdictOf(records: readonly TraceRecord[], reference: TraceRecord): Verdict {
  const checker = stateEqualsReference.create();
  checker.observe(reference);
  for (const record of records) checker.observe(record);
  return checker.verdict();
}

function outputsOf(records: readonly TraceRecord[]): { outputs: number; duplicates: number } {
  const metric = new OutputMetrics();
  for (const record of records) metric.observe(record);
  return metric.result({ lastUs: records.at(-1)?.t ?? 0 }) as { outputs: number; duplicates: number };
}

const CHECKPOINT = { strategy: 'stream-replay' as const, tier: 'site-pfs' as const, interval: { kind: 'time' as const, everyUs: 3 * SECOND } };

test('stream-replay on a replicated log: operator crashes and a broker crash end in the fault-free state, each output once', (t) => {
  const reference = pipelineRun({ checkpoint: { strategy: 'none' }, operators: xray(), ...hpcLog() });
  const run = pipelineRun({
    checkpoint: CHECKPOINT,
    operators: xray(),
    ...hpcLog(),
    processCrashes: [
      { actor: 'recon-1', atUs: 11 * SECOND + 7, forUs: 500 * MS },
      { actor: 'distribute', atUs: 17 * SECOND + 77, forUs: 500 * MS },
    ],
    // The broker leading some partitions goes with its node's operator.
    crashes: [{ node: 'hpc-2', atUs: 14 * SECOND + 333, forUs: 3 * SECOND }],
  });
  const state = verdictOf(run.records, referenceRecord(reference));
  t.true(state.ok, JSON.stringify(state.violations[0]));
  t.is(state.stats.matching, 5);
  t.true(run.records.some((r) => r.k === 'ckpt' && r.op === 'restore' && r.a === 'recon-1'));
  t.true(run.records.some((r) => r.k === 'log' && r.op === 'elect' && r.t > 14 * SECOND && r.t < 17 * SECOND), 'a leader moved while hpc-2 was down');
  const out = outputsOf(run.records);
  t.is(out.duplicates, 0);
  t.is(out.outputs, outputsOf(reference.records).outputs);
});

test('a replay far longer than five batches still stores no output twice', (t) => {
  // One checkpoint at 3 s, then the crash at 25 s: recon-2 regenerates ~20 s of outputs.
  const checkpoint = { ...CHECKPOINT, interval: { kind: 'time' as const, everyUs: 60 * SECOND } };
  const reference = pipelineRun({ checkpoint: { strategy: 'none' }, operators: xray(), ...hpcLog() });
  const run = pipelineRun({ checkpoint, operators: xray(), ...hpcLog(), processCrashes: [{ actor: 'distribute', atUs: 25 * SECOND + 5, forUs: 200 * MS }] });
  const replayed = run.records.filter((r) => r.a === 'distribute' && r.k === 'state' && typeof r.event === 'number').length;
  t.true(replayed > outputsOf(reference.records).outputs, `distribute processed ${replayed} events`);
  const produced = run.records.filter((r) => r.k === 'log' && r.op === 'duplicate').length + run.records.filter((r) => r.k === 'log' && r.op === 'append' && r.topic === 'chunks').length;
  t.true(produced > 5, `${produced} batches`);
  t.true(verdictOf(run.records, referenceRecord(reference)).ok);
  t.is(outputsOf(run.records).duplicates, 0);
});

test('acks=1 with unclean leader election loses acknowledged records, and the state checker says so', (t) => {
  const log = hpcLog({ unclean: true, minIsr: 1 });
  const reference = pipelineRun({ checkpoint: { strategy: 'none' }, operators: xray(), ...log });
  // hpc-3 falls out of the ISR (down 9 s); just as it returns the other replicas' nodes die, and it is elected uncleanly.
  const run = pipelineRun({
    checkpoint: CHECKPOINT,
    operators: xray(),
    ...log,
    logAcks: 1,
    crashes: [
      { node: 'hpc-3', atUs: 5 * SECOND, forUs: 9 * SECOND + 200 * MS },
      { node: 'hpc-1', atUs: 14 * SECOND, forUs: 8 * SECOND },
      { node: 'hpc-2', atUs: 14 * SECOND, forUs: 8 * SECOND },
    ],
  });
  t.true(run.records.some((r) => r.k === 'log' && r.op === 'elect' && r.clean === false), 'an unclean election happened');
  t.false(verdictOf(run.records, referenceRecord(reference)).ok);
});

test('a stream broker\'s process dies: the operators hear their connections close at once and the pipeline still ends in the fault-free state, each output once', (t) => {
  const crashUs = 14 * SECOND + 333;
  const reference = pipelineRun({ checkpoint: { strategy: 'none' }, operators: xray(), ...hpcLog() });
  const run = pipelineRun({ checkpoint: CHECKPOINT, operators: xray(), ...hpcLog(), processCrashes: [{ actor: 'stream-broker-2', atUs: crashUs, forUs: 3 * SECOND }] });
  const state = verdictOf(run.records, referenceRecord(reference));
  t.true(state.ok, JSON.stringify(state.violations[0]));
  t.is(outputsOf(run.records).duplicates, 0);
  // Every operator talks to every broker (fetching, producing): each hears the close within a round trip.
  const heard = new Set(run.records.filter((r) => r.k === 'conn' && r.peer === 'stream-broker-2' && r.cause === 'closed' && r.t - crashUs < 5 * MS).map((r) => r.a));
  for (const operator of ['distribute', 'recon-1', 'recon-2']) t.true(heard.has(operator), `${operator} heard of the crash: ${[...heard].join(', ')}`);
});

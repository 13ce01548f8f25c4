/**
 * A pipeline stream on the replicated log keeps its producers' `max.request.size`
 * (log-transport.ts, sink.ts): no produce request carries more payload than it, whatever the
 * transport's own batch bound, and an output larger than it fails as it is emitted
 * (`record-too-large`, Kafka's RecordTooLargeException), never sent. Sizes are compared as Kafka
 * does, serialized: with the record batch header and record overhead (`batchSizeInBytes`), so an
 * output of exactly the limit fails. A scenario refuses such a stream at load
 * (test/fixtures/bad-scenarios/pipeline-record-too-large.yaml, pipeline-record-at-limit.yaml); these
 * runs are built without that check.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { LogEndpoint } from '../../../src/features/forward/actors/index.ts';
import { CONTROL_BYTES, batchSizeInBytes, spawnLogCluster, type TopicConfig } from '../../../src/features/log/actors/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { loadScenario } from '../../../src/scenario/index.ts';
import type { World } from '../../../src/world/index.ts';
import { pipelineRun, xray } from './_harness.ts';

const MIB = 1 << 20;
const STREAMS = { frames: 1, chunks: 2, slabs: 1, volumes: 1 } as const;
const CHECKPOINT = { strategy: 'stream-replay' as const, tier: 'site-pfs' as const, interval: { kind: 'time' as const, everyUs: 3 * SECOND } };

/** The x-ray pipeline's streams on a three-broker log, each with `maxRequestBytes` as given (absent: unbounded). */
function run(maxRequestBytes: Partial<Record<keyof typeof STREAMS, number>>) {
  const brokers = ['stream-broker-1', 'stream-broker-2', 'stream-broker-3'];
  const streamLogs: Record<string, LogEndpoint> = {};
  for (const [name, partitions] of Object.entries(STREAMS)) {
    const max = maxRequestBytes[name as keyof typeof STREAMS];
    streamLogs[name] = { service: 'stream', topic: name, partitions, brokers, controller: 'stream-controller', ...(max === undefined ? {} : { maxRequestBytes: max }) };
  }
  const topics = Object.entries(STREAMS).map(([name, partitions]): TopicConfig => ({ name, partitions, replicationFactor: 3, minInsyncReplicas: 2, uncleanLeaderElection: false, retentionUs: null, retentionBytes: null, segmentBytes: 64 << 20 }));
  const services = (world: World) =>
    spawnLogCluster(world, { name: 'stream', brokerNodes: ['hpc-1', 'hpc-2', 'hpc-3'], controllerNode: 'hpc-4' }, { topics, flush: { kind: 'every-write' }, replicaLagTimeMaxUs: 2 * SECOND, brokerHeartbeatIntervalUs: 500 * MS, brokerSessionTimeoutUs: 1500 * MS });
  // Two brokers' processes are down from 3 s to 6 s: with min.insync.replicas 2 nothing is acknowledged meanwhile, outputs queue up, and go in large batches after.
  const processCrashes = ['stream-broker-1', 'stream-broker-2'].map((actor) => ({ actor, atUs: 3 * SECOND, forUs: 3 * SECOND }));
  return pipelineRun({ checkpoint: CHECKPOINT, operators: xray({ rate: 20 }), streamLogs, services, processCrashes, durationUs: 10 * SECOND, endUs: 15 * SECOND });
}

/** The wire bytes of every produce request `operator` sent (payload + CONTROL_BYTES). */
function produceRequests(records: ReturnType<typeof run>['records'], operator: string): number[] {
  return records.filter((r) => r.k === 'send' && r.msg === 'produce' && r.a === operator).map((r) => r.bytes as number);
}

test('no produce request of a stream carries more payload than its max.request.size; without one, the backlog after an outage goes in larger requests', (t) => {
  const bounded = run({ chunks: MIB });
  const sizes = produceRequests(bounded.records, 'distribute');
  t.true(sizes.length > 0);
  t.true(Math.max(...sizes) - CONTROL_BYTES <= MIB, `largest ${Math.max(...sizes)} B`);
  // Unbounded (a node-local stream's transport): the chunks queued while nothing was acknowledged go together.
  const unbounded = produceRequests(run({}).records, 'distribute');
  t.true(Math.max(...unbounded) - CONTROL_BYTES > MIB, `largest ${Math.max(...unbounded)} B`);
});

test('an output larger than max.request.size fails as it is emitted (record-too-large), is never sent, and the stream lacks it', (t) => {
  // recon's 1 MiB slabs, on a stream whose producers take 512 KiB records at most.
  const { records } = run({ slabs: MIB / 2 });
  const errors = records.filter((r) => r.k === 'client' && r.op === 'error' && r.topic === 'slabs');
  t.true(errors.length > 0);
  t.true(errors.every((r) => r.error === 'record-too-large' && r.bytes === MIB && r.max === MIB / 2));
  t.is(produceRequests(records, 'recon-1').length + produceRequests(records, 'recon-2').length, 0, 'nothing produced to slabs');
  t.false(records.some((r) => r.k === 'log' && r.op === 'append' && r.topic === 'slabs'));
});

test('an output of exactly max.request.size fails too (its batch and record overhead take it over), one that fits with the overhead is produced', (t) => {
  // recon's slabs are 1 MiB.
  const atLimit = run({ slabs: MIB }).records.filter((r) => r.k === 'client' && r.op === 'error' && r.topic === 'slabs');
  t.true(atLimit.length > 0);
  t.true(atLimit.every((r) => r.error === 'record-too-large' && r.bytes === MIB && r.max === MIB));
  const { records } = run({ slabs: batchSizeInBytes(MIB, 1) });
  t.false(records.some((r) => r.k === 'client' && r.op === 'error' && r.topic === 'slabs'));
  t.true(records.some((r) => r.k === 'log' && r.op === 'append' && r.topic === 'slabs'));
});

test('at load, events of exactly max.request.size are refused (the fixture) and events comfortably under it load', (t) => {
  const file = 'pipeline-record-at-limit.yaml';
  const text = readFileSync(new URL(`../../fixtures/bad-scenarios/${file}`, import.meta.url), 'utf8');
  t.throws(() => loadScenario(text, file), { message: /1MiB events on stream "frames" \(\+82B batch and record overhead\) exceed max\.request\.size 1MiB/ });
  t.notThrows(() => loadScenario(text.replace('size: 1MiB', 'size: 1023KiB'), file));
});

test('at load, events that fit the topic\'s max.message.bytes only without their batch and record overhead are refused, as the leader would refuse each', (t) => {
  const file = 'pipeline-record-at-limit.yaml';
  const fixture = readFileSync(new URL(`../../fixtures/bad-scenarios/${file}`, import.meta.url), 'utf8');
  // max.request.size raised out of the way; the topic takes 1 MiB serialized, so 1048494 B events at most.
  const text = (bytes: number) => fixture.replace('max.message.bytes: 32MiB', 'max.message.bytes: 1MiB').replace('size: 1MiB', `size: ${bytes}B`).replace('frames: { log: stream }', 'frames: { log: stream, max.request.size: 2MiB }');
  t.throws(() => loadScenario(text(MIB - 40), file), { message: /\(\+82B batch and record overhead\) exceed max\.message\.bytes 1MiB of "stream"/ });
  t.notThrows(() => loadScenario(text(MIB - batchSizeInBytes(0, 1)), file));
});

/**
 * The `log` service kind, Kafka producer settings and the `consumers:` section of scenario files:
 * Kafka's names and defaults, `--set` on dotted keys, and one clear message per mistake.
 */
import test from 'ava';
import { InputError } from '../../src/kernel/contract/index.ts';
import { loadScenario } from '../../src/scenario/index.ts';
import type { LogServiceSpec } from '../../src/features/log/index.ts';

const BASE = `name: log
duration: 10s
sites:
  beamline: { nodes: 1 }
  hpc: { nodes: 4 }
services:
  stream:
    kind: log
    site: hpc
    brokers: 3
    controller: hpc-4
    topics:
      frames: { partitions: 6, retention.ms: 1h }
workload:
  detector: { node: beamline-1, service: stream, topic: frames, rate: 100/s }
consumers:
  recon: { node: hpc-4, service: stream, topic: frames, instances: 2 }
`;

test('a log service takes Kafka\'s defaults; topics inherit the service\'s settings', (t) => {
  const s = loadScenario(BASE, 'log.yaml');
  const stream = s.services[0] as LogServiceSpec;
  t.deepEqual(stream.brokerNodes, ['hpc-1', 'hpc-2', 'hpc-3']);
  t.is(stream.controllerNode, 'hpc-4');
  t.deepEqual(stream.topics[0], {
    name: 'frames',
    partitions: 6,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    uncleanLeaderElection: false,
    retentionUs: 3_600_000_000,
    retentionBytes: null,
    segmentBytes: 1 << 30,
  });
  t.deepEqual([stream.flush, stream.truncation, stream.replicaLagTimeMaxUs, stream.brokerSessionTimeoutUs], [{ kind: 'never' }, 'leader-epoch', 30_000_000, 9_000_000]);
  const log = s.workload[0]!.log!;
  t.deepEqual([log.acks, log.lingerUs, log.batchBytes, log.idempotence, log.maxInFlight, log.partitioner], [-1, 5000, 16384, true, 5, 'sticky']);
  t.deepEqual(s.consumers![0]!.members, ['recon-1', 'recon-2']);
  t.is(s.consumers![0]!.group, 'recon');
});

test('Kafka\'s dotted names are set with ["a.b"]; .ms settings take durations or milliseconds', (t) => {
  const s = loadScenario(BASE, 'log.yaml', [
    'services.stream["min.insync.replicas"]=1',
    'services.stream["replica.lag.time.max.ms"]=2500',
    'services.stream.topics.frames["replication.factor"]=2',
    'workload.detector.acks=1',
    'workload.detector["linger.ms"]=20ms',
    'services.stream.flush=every-write',
  ]);
  const stream = s.services[0] as LogServiceSpec;
  t.is(stream.topics[0]!.minInsyncReplicas, 1);
  t.is(stream.topics[0]!.replicationFactor, 2);
  t.is(stream.replicaLagTimeMaxUs, 2_500_000);
  t.deepEqual(stream.flush, { kind: 'every-write' });
  t.is(s.workload[0]!.log!.acks, 1);
  t.is(s.workload[0]!.log!.lingerUs, 20_000);
});

function problems(text: string, sets: string[] = []): string[] {
  try {
    loadScenario(text, 'log.yaml', sets);
  } catch (error) {
    if (error instanceof InputError) return error.message.split('\n');
    throw error;
  }
  return [];
}

test('mistakes specific to the log get one located message each', (t) => {
  t.deepEqual(problems(BASE, ['services.stream["replication.factor"]=4']), [
    '--set services.stream["replication.factor"]=4 services.stream["replication.factor"]: replication factor 4 needs at least 4 brokers; the service has 3',
  ]);
  t.deepEqual(problems(BASE.replace('topic: frames, rate', 'topic: frame, rate')), ['log.yaml:15 workload.detector.topic: unknown topic "frame" of "stream"; did you mean "frames"?']);
  t.deepEqual(problems(BASE.replace('controller: hpc-4', 'controller: hpc-9')), ['log.yaml:11 services.stream.controller: unknown node "hpc-9"; did you mean "hpc-1"?']);
  t.deepEqual(problems(BASE, ['workload.detector.acks=2']), ['--set workload.detector.acks=2 workload.detector.acks: expected 0, 1 or all, got 2']);
  t.deepEqual(problems(BASE, ['services.stream["replica.lag.time.max.ms"]=soon']), [
    '--set services.stream["replica.lag.time.max.ms"]=soon services.stream["replica.lag.time.max.ms"]: expected a duration like "5ms", got "soon"',
  ]);
  t.deepEqual(problems(BASE, ['services.stream["min.insync.replicas"]=5']), [
    '--set services.stream["min.insync.replicas"]=5 services.stream["min.insync.replicas"]: min.insync.replicas 5 exceeds the replication factor 3, so no acks=all write could ever succeed',
  ]);
});

test('Kafka settings on a producer that writes to an event store are refused', (t) => {
  const text = `name: store
duration: 10s
sites: { hpc: { nodes: 1 } }
services: { store: { kind: event-store, site: hpc } }
workload: { p: { site: hpc, service: store, rate: 1/s, acks: 1 } }
`;
  t.deepEqual(problems(text), ['log.yaml:5 workload.p.acks: "acks" applies only to a producer writing to a log service; "store" is an event-store']);
});

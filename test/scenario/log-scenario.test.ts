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
    minInsyncReplicas: 1,
    uncleanLeaderElection: false,
    retentionUs: 3_600_000_000,
    retentionBytes: null,
    segmentBytes: 1 << 30,
    maxMessageBytes: 1_048_588,
  });
  t.deepEqual([stream.flush, stream.truncation, stream.replicaLagTimeMaxUs, stream.brokerSessionTimeoutUs], [{ kind: 'never' }, 'leader-epoch', 30_000_000, 9_000_000]);
  const log = s.workload[0]!.log!;
  t.deepEqual([log.acks, log.lingerUs, log.batchBytes, log.idempotence, log.maxInFlight, log.partitioner], [-1, 5000, 16384, true, 5, 'sticky']);
  t.deepEqual([log.requestTimeoutUs, log.retries, log.deliveryTimeoutUs], [30_000_000, 2_147_483_647, 120_000_000], 'request.timeout.ms 30 s, retries MAX_INT bounded by delivery.timeout.ms 2 min');
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

// --- Kafka's idempotence rules (ProducerConfig.postProcessAndValidateIdempotenceConfigs, Kafka 3.x) ---

const IDEMPOTENT = BASE.replace('topic: frames, rate: 100/s }', 'topic: frames, rate: 100/s, enable.idempotence: true }');

test('enable.idempotence: true with a setting that cannot keep it is refused, naming both settings, at the line', (t) => {
  const at = 'log.yaml:15 workload.detector["enable.idempotence"]:';
  t.deepEqual(problems(IDEMPOTENT, ['workload.detector.acks=1']), [
    `${at} enable.idempotence: true needs acks: all, but acks is 1 (Kafka refuses this producer at start: "Must set acks to all in order to use the idempotent producer"); set acks: all, or enable.idempotence: false`,
  ]);
  t.deepEqual(problems(IDEMPOTENT, ['workload.detector["max.in.flight.requests.per.connection"]=6']), [
    `${at} enable.idempotence: true needs max.in.flight.requests.per.connection ≤ 5, but it is 6, and Kafka refuses such a producer at start; lower it, or set enable.idempotence: false`,
  ]);
  t.deepEqual(problems(IDEMPOTENT, ['workload.detector.retries=0']), [
    `${at} enable.idempotence: true needs retries > 0, but retries is 0 (Kafka refuses this producer at start: "Must set retries to non-zero when using the idempotent producer"); leave retries unset, or set enable.idempotence: false`,
  ]);
  t.is(problems(IDEMPOTENT, ['workload.detector.acks=0', 'workload.detector.retries=0']).length, 2, 'one problem per conflicting setting');
  t.deepEqual(problems(IDEMPOTENT, ['workload.detector.acks=all', 'workload.detector["max.in.flight.requests.per.connection"]=5']), []);
});

test('idempotence by default gives way to a conflicting setting, as Kafka 3.x does; enable.idempotence: false is always allowed', (t) => {
  const idempotence = (sets: string[], text = BASE) => loadScenario(text, 'log.yaml', sets).workload[0]!.log!.idempotence;
  t.true(idempotence([]), 'on by default (acks all, 5 in flight, retries left)');
  t.false(idempotence(['workload.detector.acks=1']));
  t.false(idempotence(['workload.detector.acks=0']));
  t.false(idempotence(['workload.detector.retries=0']));
  t.false(idempotence(['workload.detector["max.in.flight.requests.per.connection"]=6']));
  t.false(idempotence(['workload.detector.acks=1', 'workload.detector["enable.idempotence"]=false']));
});

test('the alert producer follows the same idempotence rules', (t) => {
  const text = `name: alerts
duration: 10s
quiesce: 3m
sites: { summit: { nodes: 1 }, usdf: { nodes: 3 }, fink: { nodes: 2 } }
links: [{ between: [summit, usdf], latency: 1ms }, { between: [usdf, fink], latency: 1ms }]
services: { alert-stream: { kind: log, site: usdf, topics: { alerts: { partitions: 2 } } } }
alerts:
  producer: { node: summit-1, service: alert-stream, topic: alerts, acks: 1, enable.idempotence: true }
  brokers: { fink: { site: fink } }
`;
  t.deepEqual(problems(text).map((p) => p.slice(0, p.indexOf(': enable.idempotence'))), ['log.yaml:8 alerts.producer["enable.idempotence"]']);
  t.false(loadScenario(text.replace(', enable.idempotence: true', ''), 'log.yaml').alerts!.producer.log.idempotence);
});

// --- Kafka's names and defaults for a log producer's timeouts and retries ---

test('a log producer\'s request timeout is request.timeout.ms; "timeout" (the event store\'s) is refused with the Kafka name', (t) => {
  const log = (sets: string[]) => loadScenario(BASE, 'log.yaml', sets).workload[0]!.log!;
  t.is(log(['workload.detector["request.timeout.ms"]=1500']).requestTimeoutUs, 1_500_000);
  t.is(log(['workload.detector["request.timeout.ms"]=100ms']).requestTimeoutUs, 100_000);
  t.is(log(['workload.detector.retries=5']).retries, 5);
  t.deepEqual(problems(BASE, ['workload.detector.timeout=1s']), [
    '--set workload.detector.timeout=1s workload.detector.timeout: "timeout" is an event store producer\'s request timeout; a log producer\'s is Kafka\'s request.timeout.ms (default 30s), e.g. request.timeout.ms: 1s',
  ]);
  const store = `name: store
duration: 10s
sites: { hpc: { nodes: 1 } }
services: { store: { kind: event-store, site: hpc } }
workload: { p: { site: hpc, service: store, rate: 1/s, request.timeout.ms: 2s } }
`;
  t.deepEqual(problems(store), ['log.yaml:5 workload.p["request.timeout.ms"]: "request.timeout.ms" applies only to a producer writing to a log service; "store" is an event-store']);
  t.like(loadScenario(store.replace('request.timeout.ms: 2s', 'timeout: 2s'), 'x.yaml').workload[0], { timeoutUs: 2_000_000, retries: 3 }, 'the event store keeps timeout and its 3 retries');
});

test('delivery.timeout.ms below linger.ms + request.timeout.ms is refused as Kafka does; left unset, it is raised to that sum', (t) => {
  t.deepEqual(problems(BASE, ['workload.detector["delivery.timeout.ms"]=5s']), [
    '--set workload.detector["delivery.timeout.ms"]=5s workload.detector["delivery.timeout.ms"]: delivery.timeout.ms (5s) must be at least linger.ms + request.timeout.ms (5ms + 30s = 30.005s), and Kafka refuses a producer with less at start; raise it, or lower request.timeout.ms',
  ]);
  t.deepEqual(problems(BASE, ['workload.detector["delivery.timeout.ms"]=5s', 'workload.detector["request.timeout.ms"]=1s']), []);
  t.is(loadScenario(BASE, 'log.yaml', ['workload.detector["request.timeout.ms"]=3m']).workload[0]!.log!.deliveryTimeoutUs, 180_005_000);
});

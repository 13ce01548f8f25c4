/**
 * Kafka's message size limits: the producer's `max.request.size` (1048576) refuses a record that
 * cannot fit in a request (RecordTooLargeException) before sending it and caps every batch it
 * builds; the broker refuses a record batch larger than its topic's `max.message.bytes` (1048588)
 * with MESSAGE_TOO_LARGE. Both reach the trace as client errors; nothing refused is acknowledged.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import type { Actor } from '../../../src/kernel/contract/index.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';
import type { LogServiceSpec } from '../../../src/features/log/index.ts';
import { batchSizeInBytes, LogProducer, type ClientInbound } from '../../../src/features/log/actors/index.ts';
import { World } from '../../../src/world/index.ts';
import { scriptedProducer, SoleLeader } from './_scripted-brokers.ts';

const LOG = `name: sizes
seed: 1
duration: 2s
quiesce: 3m
sites:
  beamline: { nodes: 1 }
  hpc: { nodes: [hpc-1, hpc-2, hpc-3, hpc-ctl] }
links:
  - { between: [beamline, hpc], latency: 500us }
services:
  stream:
    kind: log
    nodes: [hpc-1, hpc-2, hpc-3]
    controller: hpc-ctl
    min.insync.replicas: 2
    topics:
      frames: { partitions: 1 }
workload:
  detector: { node: beamline-1, service: stream, topic: frames, rate: 100/s, size: 4KiB, acks: all }
checks: [no-acked-loss]
`;

/** Runs LOG with `sets`; returns the detector's client records and its produce requests' sizes. */
function run(sets: string[]) {
  const trace = new TraceWriter();
  const client: TraceRecord[] = [];
  const requests: number[] = [];
  const rejects: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'client' && r.a === 'detector') client.push(r);
    if (r.k === 'send' && r.a === 'detector' && r.msg === 'produce') requests.push(r.bytes as number);
    if (r.k === 'log' && r.op === 'reject') rejects.push(r);
  });
  const summary = execute(prepareRun(loadScenario(LOG, 'sizes.yaml', sets), { trace }));
  const count = (op: string, error?: string) => client.filter((r) => r.op === op && (error === undefined || r.error === error)).reduce((n, r) => n + (r.events as string[]).length, 0);
  return { summary, client, requests, rejects, count };
}

test('Kafka\'s defaults: max.message.bytes 1048588 on every topic, max.request.size 1048576 on every producer', (t) => {
  const s = loadScenario(LOG, 'sizes.yaml');
  t.is((s.services[0] as LogServiceSpec).topics[0]!.maxMessageBytes, 1_048_588);
  t.is(s.workload[0]!.log!.maxRequestBytes, 1_048_576);
  const set = loadScenario(LOG, 'sizes.yaml', ['services.stream["max.message.bytes"]=8MiB', 'services.stream.topics.frames["max.message.bytes"]=2MiB', 'workload.detector["max.request.size"]=4MiB']);
  t.is((set.services[0] as LogServiceSpec).topics[0]!.maxMessageBytes, 2 * 1_048_576, 'the topic overrides the service');
  t.is(set.workload[0]!.log!.maxRequestBytes, 4 * 1_048_576);
});

test('a record larger than max.request.size fails at the producer (RecordTooLargeException) and is never sent', (t) => {
  const { client, requests, count } = run(['workload.detector.size=2MiB']);
  const produced = count('produce');
  t.is(produced, 200);
  t.is(count('error', 'record-too-large'), produced, 'every record fails with record-too-large');
  t.is(count('ack'), 0);
  t.deepEqual(requests, [], 'no produce request leaves the producer');
  t.true(client.every((r) => r.op === 'produce' || r.error === 'record-too-large'));
});

test('a batch larger than the topic\'s max.message.bytes is refused by the leader with MESSAGE_TOO_LARGE', (t) => {
  const small = 'services.stream.topics.frames["max.message.bytes"]=100KiB';
  // 40 KiB records in batches of up to 1 MiB: each batch holds several records, more than 100 KiB.
  const refused = run([small, 'workload.detector.size=40KiB', 'workload.detector["batch.size"]=1MiB', 'workload.detector["linger.ms"]=100ms']);
  t.true(refused.rejects.length > 0 && refused.rejects.every((r) => r.error === 'message-too-large'), 'the leader says why');
  // Every batch fails: refused itself, or in doubt when the idempotent producer then takes a new id.
  t.true(refused.count('error', 'message-too-large') > 0);
  t.is(refused.count('error'), refused.count('produce'));
  t.is(refused.count('ack'), 0);
  t.true(refused.summary.checks['no-acked-loss']!.ok, 'refused is not lost: nothing was acknowledged');
  // One 40 KiB record per batch (batch.size 16 KiB): each fits the topic's limit.
  const accepted = run([small, 'workload.detector.size=40KiB']);
  t.is(accepted.rejects.length, 0);
  t.is(accepted.count('ack'), accepted.count('produce'));
});

test('the producer never builds a batch larger than max.request.size, whatever batch.size says', (t) => {
  const { requests, client, count } = run(['workload.detector.size=100KiB', 'workload.detector["batch.size"]=4MiB', 'workload.detector["linger.ms"]=500ms']);
  t.true(requests.length > 0);
  // A request is the batch plus 64 bytes of request header (producer.ts); the batch holds whole 100 KiB records.
  t.true(requests.every((bytes) => bytes - 64 <= 1_048_576), `largest request ${Math.max(...requests)} bytes`);
  t.true(client.filter((r) => r.op === 'ack').some((r) => (r.events as string[]).length === 10), 'full batches: ten 100 KiB records');
  t.is(count('ack'), count('produce'));
});

test('replica.fetch.max.bytes: a follower catching up gets one batch per fetch at Kafka\'s 1 MiB; raised, one fetch brings several', (t) => {
  // 1.5 MiB batches (above the default fetch size); the third broker is cut off for a second, then catches up.
  const cut = `${LOG}faults:\n  - { kind: partition, from: [hpc-3], to: [hpc-1, hpc-2], at: 500ms, for: 1s }\n`;
  const sets = ['services.stream["max.message.bytes"]=8MiB', 'workload.detector.size=512KiB', 'workload.detector.rate=20/s', 'workload.detector["max.request.size"]=8MiB', 'workload.detector["batch.size"]=1536KiB', 'workload.detector["linger.ms"]=200ms'];
  t.is((loadScenario(LOG, 'sizes.yaml').services[0] as LogServiceSpec).replicaFetchMaxBytes, 1_048_576, "Kafka's default");
  const replies = (extra: string[]) => {
    const bytes: number[] = [];
    const trace = new TraceWriter();
    trace.listen((r) => {
      if (r.k === 'send' && r.msg === 'fetch-reply' && r.to === 'stream-broker-3') bytes.push(r.bytes as number);
    });
    const summary = execute(prepareRun(loadScenario(cut, 'sizes.yaml', [...sets, ...extra]), { trace }));
    t.true(summary.checks['no-acked-loss']!.ok);
    return bytes;
  };
  const small = replies([]);
  const large = replies(['services.stream["replica.fetch.max.bytes"]=8MiB']);
  t.true(small.some((b) => b > 1 << 20), 'a batch larger than the fetch size is still replicated whole');
  t.true(Math.max(...small) < 2 << 20, 'one batch per reply');
  t.true(Math.max(...large) > 2 << 20, 'raised: a reply carries several batches');
  t.true(large.filter((b) => b > 1 << 20).length < small.filter((b) => b > 1 << 20).length, 'so fewer replies carry data');
});

test('the final reader pages by the largest batch a topic accepts: 1.5 MiB batches under max.message.bytes 8 MiB come several to a fetch', (t) => {
  // Red before: the reader paged at Kafka's 1 MiB default whatever the topic, so each fetch read one batch (three 512 KiB records).
  const sets = ['services.stream["max.message.bytes"]=8MiB', 'workload.detector.size=512KiB', 'workload.detector.rate=20/s', 'workload.detector["max.request.size"]=8MiB', 'workload.detector["batch.size"]=1536KiB', 'workload.detector["linger.ms"]=200ms'];
  const trace = new TraceWriter();
  const finals: TraceRecord[] = [];
  let acked = 0;
  trace.listen((r) => {
    if (r.k === 'client' && r.a === 'stream-reader' && r.op === 'consume') finals.push(r);
    if (r.k === 'client' && r.a === 'detector' && r.op === 'ack') acked += (r.events as string[]).length;
  });
  const summary = execute(prepareRun(loadScenario(LOG, 'sizes.yaml', sets), { trace }));
  t.true(summary.checks['no-acked-loss']!.ok);
  const read = finals.map((r) => (r.events as string[]).length);
  t.is(read.reduce((a, b) => a + b, 0), acked, 'the final read finds every acknowledged record once');
  t.true(Math.max(...read) > 3, `a fetch reads more than one batch (largest read ${Math.max(...read)} records)`);
  t.true(Math.max(...read) <= 5 * 3, 'and no more than 8 MiB of batches');
});

test('max.request.size counts the batch header and the record overhead, as Kafka\'s producer does: a record of exactly the limit fails unsent', (t) => {
  // 1048576 − 61 − 21 = 1048494 B is the largest record a default producer sends.
  t.is(batchSizeInBytes(1_048_494, 1), 1_048_576);
  const largest = run(['workload.detector.size=1048494B', 'workload.detector.rate=10/s']);
  t.is(largest.count('error'), 0);
  t.is(largest.count('ack'), largest.count('produce'));
  const limit = run(['workload.detector.size=1MiB', 'workload.detector.rate=10/s']);
  t.is(limit.count('error', 'record-too-large'), limit.count('produce'), 'a record of exactly max.request.size fails');
  t.deepEqual(limit.requests, [], 'and is never sent');
});

test('a leader compares max.message.bytes with the batch serialized, as Kafka does: a batch whose payload fits but whose header does not is refused', (t) => {
  const topicLimit = 'services.stream.topics.frames["max.message.bytes"]=100KiB';
  // One record per batch (larger than batch.size): 102400 − 61 − 21 = 102318 B fits exactly.
  const fits = run([topicLimit, 'workload.detector.size=102318B']);
  t.is(fits.rejects.length, 0);
  t.is(fits.count('ack'), fits.count('produce'));
  const over = run([topicLimit, 'workload.detector.size=102319B']);
  t.true(over.rejects.length > 0 && over.rejects.every((r) => r.error === 'message-too-large'), 'refused: 1 B over once serialized');
  t.is(over.count('ack'), 0);
});

test('no batch grows past max.request.size serialized: ten records whose payload fits but whose overhead does not make batches of nine', (t) => {
  // 10 × 104857 = 1048570 B of payload, 1048841 B serialized: over max.request.size (1048576) and max.message.bytes (1048588).
  const { client, count, rejects } = run(['workload.detector.size=104857B', 'workload.detector["batch.size"]=4MiB', 'workload.detector["linger.ms"]=500ms']);
  const sizes = client.filter((r) => r.op === 'ack').map((r) => (r.events as string[]).length);
  t.is(Math.max(...sizes), 9, `events per acknowledged batch: ${[...new Set(sizes)].join(', ')}`);
  t.is(rejects.length, 0);
  t.is(count('ack'), count('produce'));
});

test('a request ends at the first batch that does not fit max.request.size, as Kafka\'s drainBatchesForOneNode breaks there: no smaller batch further on is taken past it', (t) => {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: ['n1', 'nx'] });
  let leader!: SoleLeader;
  world.spawn('b1', 'n1', () => (leader = new SoleLeader()));
  // One request out at a time: each drain finds a batch of the 20 ms since the last on every
  // partition, partition 1 holding two keys' events (twice the bytes) and the others one each.
  const config = scriptedProducer({ brokers: ['b1'], ratePerSec: 1000, eventBytes: 1000, maxInFlight: 1, partitioner: 'key', keys: 5, maxRequestBytes: 12_000, stopAtUs: 2 * SECOND });
  world.spawn('p', 'nx', () => new LogProducer(config, 4) as Actor<ClientInbound>);
  world.run({ until: 3 * SECOND });
  const order = leader.produces.map((request) => request.partitions.map((p) => p.partition));
  t.true(order.length > 50, `${order.length} requests`);
  // Each request carries partitions in the drain's rotation, one after another: it never skips one
  // (whose batch did not fit) to take a later one. Red before: two requests, [3, 2] and [2, 0],
  // went past batches that did not fit.
  const skipping = order.filter((ps) => ps.some((p, i) => i > 0 && p !== (ps[i - 1]! + 1) % 4));
  t.deepEqual(skipping, []);
  t.true(order.some((ps) => ps.length > 1), 'requests carry several batches');
});

/**
 * How the producer batches (record-accumulator.ts, producer.ts), as Kafka's RecordAccumulator does:
 * an event joins its partition's last queued batch until that batch is full or the sender has taken
 * it, whatever the batch's age — `linger.ms` only makes a batch ready to send. So while sends are
 * held back (here the instrument is cut off from the cluster for 10 s), the queued batches fill to
 * `batch.size`, and after the heal the backlog goes in few, full batches. The sticky partitioner
 * stays on a partition until `batch.size` bytes went to it (KIP-794). Closing the producer at the
 * instrument's stop makes every batch ready at once, as Kafka's `close()` does.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

/** 100 events/s of 1 KiB: a 16 KiB `batch.size` (Kafka's default) holds 16 of them. */
const PER_BATCH = 16;
const CUT_US = 5 * SECOND;
const HEAL_US = 15 * SECOND;

// One flow mapping: the instrument cut off from a three-broker cluster for 10 s.
const OUTAGE = `{ name: batching, seed: 1, duration: 30s, quiesce: 3m,
  sites: { lab: { nodes: 1 }, dc: { nodes: 3 } }, links: [{ between: [lab, dc], latency: 500us }],
  services: { stream: { kind: log, site: dc, min.insync.replicas: 2, topics: { frames: { partitions: 3 } } } },
  workload: { detector: { node: lab-1, service: stream, topic: frames, rate: 100/s, size: 1KiB, acks: all, request.timeout.ms: 5s } },
  faults: [{ kind: partition, from: [lab], to: [dc], at: 5s, for: 10s }],
  checks: [no-acked-loss, duplicate] }`;

function run(sets: string[] = []) {
  const trace = new TraceWriter();
  const client: TraceRecord[] = [];
  const produceSends: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'client' && r.a === 'detector') client.push(r);
    if (r.k === 'send' && r.a === 'detector' && r.msg === 'produce') produceSends.push(r);
  });
  const summary = execute(prepareRun(loadScenario(OUTAGE, 'batching.yaml', sets), { trace }));
  const batches = (op: string) => client.filter((r) => r.op === op).map((r) => ({ t: r.t, partition: r.partition as number, events: r.events as string[] }));
  return { summary, client, produceSends, batches };
}

/** When the instrument emitted event `detector-<k>` (rate 100/s). */
const emittedUs = (event: string) => Number(event.slice(event.lastIndexOf('-') + 1)) * (SECOND / 100);

test('during an outage the queued batches keep taking events up to batch.size: after the heal the backlog goes in full batches', (t) => {
  const { summary, batches } = run();
  t.true(summary.checks['no-acked-loss']!.ok);
  const acks = batches('ack');
  // Batches opened once the cut had filled every leader's five request slots (sent alone, each
  // one event, within 0.5 s of the cut): everything they hold waited.
  const backlog = acks.filter((b) => emittedUs(b.events[0]!) >= CUT_US + SECOND && emittedUs(b.events[0]!) < HEAL_US);
  const events = backlog.reduce((n, b) => n + b.events.length, 0);
  t.true(events > 850, `${events} events of the outage in ${backlog.length} batches`);
  for (const b of backlog) t.true(b.t >= HEAL_US, 'acknowledged after the heal');
  // At most one batch per partition was still filling when the sender took it.
  const partial = backlog.filter((b) => b.events.length < PER_BATCH);
  t.true(partial.length <= 3, `${partial.length} partial batches of ${backlog.length}: sizes ${partial.slice(0, 5).map((b) => b.events.length).join(', ')}…`);
  for (const b of backlog) t.true(b.events.length <= PER_BATCH, `a batch of ${b.events.length} events: no more than batch.size`);
});

test('the backlog of a 10 s outage goes in few requests: about one per 16 events, not one per linger', (t) => {
  const { produceSends, batches } = run();
  const acks = batches('ack');
  const lastBacklogAck = Math.max(...acks.filter((b) => b.events.some((e) => emittedUs(e) < HEAL_US)).map((b) => b.t));
  const requests = produceSends.filter((r) => r.t >= HEAL_US && r.t <= lastBacklogAck).length;
  // ~1,000 events queued in the outage at 16 a batch: ~63 batches, plus the 15 sent alone at the
  // cut (five to each leader) and retried; each broker leads one partition, so one batch a request.
  // Closed at linger.ms, the backlog would be ~1,000 batches of one event.
  t.true(requests <= 1000 / PER_BATCH + 15 + 5, `${requests} produce requests carried the backlog`);
  t.true(requests >= 1000 / PER_BATCH, `${requests} produce requests: no more than batch.size in a batch`);
});

test('no batch grows past batch.size nor max.request.size: with max.request.size 20 KiB and batch.size 64 KiB, batches of 19 events', (t) => {
  const { batches, produceSends } = run(['workload.detector["batch.size"]=64KiB', 'workload.detector["max.request.size"]=20KiB']);
  const sizes = batches('ack').map((b) => b.events.length);
  // 61 B of batch header and 1,045 B a record: 19 records are 19,916 B, 20 would be 20,961 B.
  t.is(Math.max(...sizes), 19, 'the queued batches filled to the cap, and no further');
  for (const send of produceSends) t.true((send.bytes as number) <= 20 * 1024 + 1024, `a request of ${send.bytes as number} B`);
});

test('a retried batch is re-sent unchanged: events emitted after its first send go into a new batch, never into it', (t) => {
  // Two events a second: the first ones after the cut go alone at linger.ms, and their requests
  // time out and are retried while later events fill the batch queued behind them.
  const { batches } = run(['workload.detector.rate=2/s']);
  const retries = batches('retry');
  t.true(retries.length >= 3, `${retries.length} retries`);
  const acked = new Map(batches('ack').map((b) => [b.events[0]!, b.events]));
  for (const retry of retries) t.deepEqual(acked.get(retry.events[0]!), retry.events, 'acknowledged as it was retried');
  t.true(
    retries.every((r) => r.events.length === 1),
    'each retried batch held the one event it was first sent with',
  );
  t.true(
    batches('ack').some((b) => b.events.length > 1 && retries.some((r) => r.partition === b.partition)),
    'behind them, their partitions\' later events filled a batch of their own',
  );
});

test('the sticky partitioner stays on a partition until batch.size bytes went to it (KIP-794), not until a lingered batch went out', (t) => {
  const { client } = run();
  // Before the cut: 100/s, each event its own batch at linger.ms 5 ms.
  const produced = client.filter((r) => r.op === 'produce' && r.t < CUT_US).flatMap((r) => (r.events as string[]).map((e) => ({ e, partition: r.partition as number })));
  produced.sort((a, b) => emittedUs(a.e) - emittedUs(b.e));
  const runs: number[] = [];
  for (let i = 0; i < produced.length; i++) {
    if (i === 0 || produced[i]!.partition !== produced[i - 1]!.partition) runs.push(0);
    runs[runs.length - 1]!++;
  }
  t.true(runs.length >= 400 / PER_BATCH, `${runs.length} runs on one partition`);
  // KIP-794: between batch.size and twice it — more when the last batch was still filling (as
  // while the connection to a partition's leader was being set up).
  for (const n of runs.slice(0, -1)) t.true(n >= PER_BATCH && n <= 2 * PER_BATCH, `a run of ${n}`);
  t.true(runs.filter((n) => n === PER_BATCH).length >= runs.length - 4, `runs of ${runs.join(', ')}: once connected, 16 events each`);
});

test('a leader with one batch ready takes the other partitions\' waiting batches in the same request (Kafka drains a ready node whole)', (t) => {
  // One broker leads both partitions; round-robin puts events 10 ms apart on alternate partitions, so
  // partition 1's batch opens 10 ms after partition 0's and has not lingered its 100 ms when
  // partition 0's has: it goes along all the same.
  const { produceSends, batches } = run([
    'sites.dc.nodes=1',
    'services.stream["replication.factor"]=1',
    'services.stream["min.insync.replicas"]=1',
    'services.stream.topics.frames.partitions=2',
    'faults=[]',
    'duration=5s',
    'workload.detector["linger.ms"]=100ms',
    'workload.detector.partitioner=round-robin',
  ]);
  const acks = batches('ack');
  t.true(acks.length >= 80, `${acks.length} batches`);
  t.is(produceSends.length * 2, acks.length, 'each request carried a batch of each partition');
  const byTime = new Map<number, number[]>();
  for (const b of acks) byTime.set(b.t, [...(byTime.get(b.t) ?? []), b.partition]);
  for (const [at, partitions] of byTime) t.deepEqual(partitions.sort(), [0, 1], `acknowledged together at ${at} µs`);
});

test('closing the producer at the instrument\'s stop makes its last batch ready at once: it goes at the stop, not after linger.ms', (t) => {
  // linger.ms 1 s: a batch fills to 16 events in 160 ms and goes full, but the last one, opened
  // under 160 ms before the stop, would linger until a second after it opened. Kafka's close()
  // closes the accumulator, and `ready` counts every batch of a closed one sendable.
  const stopUs = 5 * SECOND;
  const { produceSends, batches } = run(['faults=[]', 'duration=5s', 'workload.detector["linger.ms"]=1s']);
  const last = batches('ack').find((b) => b.events.includes('detector-499'))!;
  t.true(last.events.length < PER_BATCH, `the last batch was still filling: ${last.events.length} events`);
  t.true(emittedUs(last.events[0]!) > stopUs - SECOND, 'it opened less than linger.ms before the stop');
  t.is(Math.max(...produceSends.map((r) => r.t)), stopUs, 'the last produce request left at the stop');
  t.true(last.t < stopUs + 100_000, `acknowledged at ${last.t} µs`);
});

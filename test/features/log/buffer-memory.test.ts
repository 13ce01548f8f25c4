/**
 * The producer's `buffer.memory` and `max.block.ms` (producer.ts, buffer-pool.ts): during an outage
 * the producer holds its batches, each charged a whole `batch.size` (as Kafka's BufferPool), until they
 * complete; the queued ones fill to `batch.size` while they wait (record-accumulator.ts).
 * With a small pool the instrument's send soon waits for memory, and what it emits meanwhile is lost
 * at the source (`buffer-full`), even with acks=all and idempotence; the waiting event is appended
 * once memory frees up, or fails after `max.block.ms` (`buffer-exhausted`). No event goes missing
 * without a named failure, and the pool is never over its bound. With a large pool, the same outage
 * loses nothing.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { MS, SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const MIB = 1 << 20;

// The instrument cannot reach the cluster for 20 s: from its side, a leader outage.
const OUTAGE = `name: buffer-memory
seed: 1
duration: 30s
quiesce: 3m
sites: { lab: { nodes: 1 }, dc: { nodes: 3 } }
links: [{ between: [lab, dc], latency: 500us }]
services:
  stream: { kind: log, site: dc, min.insync.replicas: 2, topics: { frames: { partitions: 1 } } }
workload:
  detector: { node: lab-1, service: stream, topic: frames, rate: 100/s, size: 1KiB, acks: all }
faults:
  - { kind: partition, from: [lab], to: [dc], at: 5s, for: 20s }
checks: [no-acked-loss, duplicate]
`;

interface Inspected {
  bufferMemoryBytes: number;
  usedBytes: number;
  peakBytes: number;
  blocked: string | null;
}

function run(sets: string[], yaml = OUTAGE) {
  const trace = new TraceWriter();
  const client: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'client' && r.a === 'detector') client.push(r);
  });
  const prepared = prepareRun(loadScenario(yaml, 'buffer-memory.yaml', sets), { trace });
  const summary = execute(prepared);
  const memory = prepared.world.inspectActor('detector').state as Inspected;
  const events = (op: string, error?: string) => client.filter((r) => r.op === op && (error === undefined || r.error === error)).flatMap((r) => r.events as string[]);
  return { summary, client, memory, events };
}

/** Every event produced is acknowledged or failed, once: none silently dropped. */
function everyOutcomeNamed(t: import('ava').ExecutionContext, events: (op: string, error?: string) => string[]) {
  const produced = events('produce');
  const settled = [...events('ack'), ...events('error')];
  t.is(new Set(produced).size, produced.length, 'each event is produced once');
  t.deepEqual([...new Set(settled)].sort(), [...produced].sort(), 'every produced event is acknowledged or fails with a reason');
}

test('a small buffer.memory: the outage fills it, then what the instrument emits is lost as buffer-full — named, never silent, the pool never over its bound', (t) => {
  const { summary, memory, events } = run(['workload.detector["buffer.memory"]=1MiB']);
  t.is(memory.bufferMemoryBytes, MIB);
  t.true(memory.peakBytes <= MIB, `peak ${memory.peakBytes} B within buffer.memory`);
  t.true(memory.peakBytes > MIB - 2 * 1024, `the outage filled the pool (peak ${memory.peakBytes} B)`);
  t.is(memory.usedBytes, 0, 'every batch gave its memory back');
  t.is(memory.blocked, null);
  const full = events('error', 'buffer-full');
  // 1 KiB events (1045 B serialized) at 100/s fill 1 MiB in ~10 s; the rest of the outage is lost.
  t.true(full.length > 1500, `${full.length} events lost at the source`);
  t.is(events('error', 'buffer-exhausted').length, 0, 'the waiting send got memory within max.block.ms (60 s)');
  everyOutcomeNamed(t, events);
  t.true(summary.checks['no-acked-loss']!.ok, 'nothing acknowledged is lost: the loss is at the source');
  t.true(events('ack').length > 0);
});

test('max.block.ms shorter than the outage: the waiting event fails with buffer-exhausted, and the next send waits again', (t) => {
  const { memory, events } = run(['workload.detector["buffer.memory"]=1MiB', 'workload.detector["max.block.ms"]=5s']);
  t.true(memory.peakBytes <= MIB);
  const exhausted = events('error', 'buffer-exhausted');
  // The pool is full from ~15 s until the requests lost in the outage time out after the heal (~35 s): 5 s waits, one after another.
  t.true(exhausted.length >= 3, `${exhausted.length} sends waited 5 s in vain`);
  t.true(events('error', 'buffer-full').length > 1500);
  everyOutcomeNamed(t, events);
});

test('max.block.ms 0: a send that finds no memory fails at once, each with buffer-exhausted, and none is lost as buffer-full', (t) => {
  const { events } = run(['workload.detector["buffer.memory"]=1MiB', 'workload.detector["max.block.ms"]=0']);
  t.true(events('error', 'buffer-exhausted').length > 1500);
  t.is(events('error', 'buffer-full').length, 0, 'no send ever waits, so none is lost while one does');
  everyOutcomeNamed(t, events);
});

test('a send still waiting when the instrument stops fails as its producer closes (producer-closed), within the delivery window', (t) => {
  // The outage lasts to the end of the safety phase (30 s): the pool is full from ~25 s on.
  const late = OUTAGE.replace('at: 5s, for: 20s', 'at: 15s');
  const { summary, memory, events } = run(['workload.detector["buffer.memory"]=1MiB'], late);
  t.is(events('error', 'producer-closed').length, 1, 'the one waiting send');
  t.is(events('error', 'buffer-exhausted').length, 0, 'it had waited less than max.block.ms (60 s)');
  t.is(memory.blocked, null);
  everyOutcomeNamed(t, events);
  t.true(summary.checks['no-acked-loss']!.ok, 'the final read comes after every acknowledgement');
});

test('each batch holds a whole batch.size of buffer.memory however few events it carries, as Kafka\'s BufferPool.allocate gives it', (t) => {
  // 64 KiB is four 16 KiB batches: the four requests sent alone (one event each) into the cut hold
  // it all, so the fifth event waits though the events held are 4 KiB.
  const { memory, client, events } = run(['workload.detector["buffer.memory"]=64KiB']);
  t.is(memory.peakBytes, 4 * 16 * 1024, 'four batches, 16 KiB each');
  const firstLoss = client.find((r) => r.op === 'error' && r.error === 'buffer-full')!;
  const heldAtCut = events('produce').filter((e) => Number(e.slice(e.lastIndexOf('-') + 1)) < firstLoss.t / 10_000 && Number(e.slice(e.lastIndexOf('-') + 1)) >= 500).length;
  t.is(heldAtCut, 5, 'from the cut (event 500 at 5 s), four events in four batches, then the fifth waits for memory');
  everyOutcomeNamed(t, events);
});

/** No outage, two partitions taken in turn, a pool of one 16 KiB batch, batches lingering 1 s: each new batch waits for the other's memory. */
const ONE_BATCH_POOL = [
  'faults=[]',
  'services.stream.topics.frames.partitions=2',
  'workload.detector.partitioner=round-robin',
  'workload.detector["linger.ms"]=1s',
  'workload.detector["buffer.memory"]=16KiB',
];

test('while a send waits for memory every batch is ready, lingering or not (Kafka\'s ready counts the pool exhausted): a one-batch pool and linger.ms 1 s lose nothing', (t) => {
  // 16 KiB holds one batch; round-robin over two partitions needs a new batch every event, so each
  // send waits — and the batch holding the memory goes at once instead of lingering 1 s. (The first
  // write to partition 1 takes ~1 s to be acknowledged: its follower on the controller's node fetched
  // before the leader knew it leads, was answered not-leader and waits replica.fetch.backoff.ms, as
  // Kafka's fetcher does (cluster.test). The events of that first second wait behind it and are
  // lost; from 2 s on, none.)
  const { client } = run(ONE_BATCH_POOL);
  const settled = client.filter((r) => r.t >= 2 * SECOND && (r.op === 'ack' || r.op === 'error'));
  t.deepEqual(settled.filter((r) => r.op === 'error'), [], 'no event lost or failed');
  const producedAt = new Map(client.filter((r) => r.op === 'produce').flatMap((r) => (r.events as string[]).map((e) => [e, r.t] as const)));
  // The last batch has no send waiting behind it: it lingers.
  const waits = settled.slice(0, -1).map((r) => r.t - producedAt.get((r.events as string[])[0]!)!);
  t.true(waits.length > 2500, `${waits.length} batches`);
  t.true(Math.max(...waits) < 100 * MS, `acknowledged within ${Math.max(...waits)} µs of its first event, not after linger.ms`);
});

test('Kafka\'s default buffer.memory (32 MiB): the same outage loses nothing, every event acknowledged', (t) => {
  const { summary, memory, events } = run([]);
  t.true(summary.checks['no-acked-loss']!.ok);
  t.is(events('error').length, 0, 'no event fails');
  t.is(events('ack').length, events('produce').length);
  t.true(memory.peakBytes > 2 * MIB && memory.peakBytes <= 32 * MIB, `the outage held ${memory.peakBytes} B: more than the small pool, within the default`);
});

test('Kafka\'s defaults: buffer.memory 32 MiB, max.block.ms 60 s', (t) => {
  const log = loadScenario(OUTAGE, 'buffer-memory.yaml').workload[0]!.log!;
  t.is(log.bufferMemoryBytes, 33_554_432);
  t.is(log.maxBlockUs, 60_000_000);
});

test('once the waiting send has its memory, batches linger again: with acks=0 the batch it starts is not sent in the same drain (Kafka\'s ready counts the pool exhausted only while a send waits)', (t) => {
  // acks=0 completes a batch as it is sent, so the memory frees up within the drain: the waiting
  // event is appended to a new batch there and then, and no send waits any more. The new batch
  // lingers until the next event's send waits for its memory (10 ms later at 100/s), as Kafka's
  // next `ready` finds no waiter. Red before the drain judged `exhausted` per pass: it judged it
  // once per drain, so the new batch went at once, each event "acknowledged" as it was produced.
  const { client } = run([...ONE_BATCH_POOL, 'workload.detector.acks=0']);
  const producedAt = new Map(client.filter((r) => r.op === 'produce').flatMap((r) => (r.events as string[]).map((e) => [e, r.t] as const)));
  const acks = client.filter((r) => r.op === 'ack' && r.t >= 2 * SECOND && r.t < 29 * SECOND);
  t.true(acks.length > 2500, `${acks.length} batches`);
  t.deepEqual([...new Set(acks.map((r) => (r.events as string[]).length))], [1], 'one event per batch: each new batch waits for the memory the other holds');
  const waits = new Set(acks.map((r) => r.t - producedAt.get((r.events as string[])[0]!)!));
  t.deepEqual([...waits], [10 * MS], 'each batch is sent when the next send waits for its memory, 10 ms after its event');
  t.is(client.filter((r) => r.op === 'error').length, 0, 'no event fails');
});

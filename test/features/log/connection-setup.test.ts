/**
 * A dead host stays silent, and Kafka's clients tell a request on a working connection from a new
 * connection (KIP-601): a request in flight on a connection that was up waits `request.timeout.ms`
 * (30 s); a connection to a host that never answers fails after `socket.connection.setup.timeout.ms`
 * (10 s), doubling per consecutive failure to `socket.connection.setup.timeout.max.ms` (30 s).
 * Against scripted brokers that keep naming b1 leader of partitions 0 and 2 while b1's node is down.
 */
import test from 'ava';
import { LogConsumer, LogProducer } from '../../../src/features/log/actors/index.ts';
import { MS, SECOND, type TraceRecord } from '../../../src/kernel/index.ts';
import { producesPerBroker, scriptedConsumer, scriptedProducer, scriptedWorld, setupTimeoutRange, type Scripted } from './_scripted-brokers.ts';
import type { World } from '../../../src/world/index.ts';

/** A consumer (Kafka's defaults: request.timeout.ms 30 s) with b1's node down from the start; what it sends. */
function consumerWithDeadBroker(seed: number) {
  const { world } = scriptedWorld(seed);
  world.spawn('c', 'nx', () => new LogConsumer(scriptedConsumer()));
  const sends: TraceRecord[] = [];
  world.trace.listen((r) => {
    if (r.k === 'send' && r.a === 'c') sends.push(r);
  });
  world.at(0, 'b1 down', () => world.crashNode('n1', 'test'));
  world.run({ until: 120 * SECOND });
  return sends;
}

test('a consumer fetching from a broker whose host never answers gives each new connection up after its set-up timeout (10 s, doubling to 30 s), not request.timeout.ms', (t) => {
  const fetches = consumerWithDeadBroker(1).filter((r) => r.msg === 'fetch' && r.to === 'b1');
  t.true(fetches.length >= 4, `${fetches.length} fetches to b1`);
  const gaps = fetches.slice(1, 4).map((r, i) => r.t - fetches[i]!.t);
  // Each gap: a set-up timeout (10 s, 20 s, 30 s by consecutive failures of b1, each ±20 % — the first
  // may be its metadata request's), plus the metadata refresh and the backoffs (< 2 s); request.timeout.ms would be 30.5 s each.
  t.true(gaps[0]! < setupTimeoutRange(1).hi + 2 * SECOND, `first gap ${gaps[0]! / SECOND} s`);
  for (const [i, gap] of gaps.entries()) {
    const n = [0, 1, 2].find((n) => gap >= setupTimeoutRange(n).lo && gap < setupTimeoutRange(n).hi + 2 * SECOND);
    t.not(n, undefined, `gap ${i + 1}: ${gap / SECOND} s`);
  }
  t.true(gaps[2]! >= setupTimeoutRange(1).lo, `grown: ${gaps.map((gap) => gap / SECOND).join(', ')} s`);
});

test('a metadata request to a bootstrap broker whose host never answers is retried elsewhere after 10 s, not 30 s', (t) => {
  // Seeds whose first metadata request draws b1 (the draw is the consumer's own; others ask b2 or b3 first).
  const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => consumerWithDeadBroker(seed).filter((r) => r.msg === 'metadata'));
  const firsts = runs.filter((metadata) => metadata[0]?.to === 'b1');
  t.true(firsts.length > 0, 'some seed asks b1 first');
  for (const metadata of firsts) {
    t.not(metadata[1]!.to, 'b1', 'then another broker');
    // The set-up timeout (10 s ± 20 %), then retry.backoff.ms (100 ms) — Kafka's failedUpdate spaces the next request.
    const gap = metadata[1]!.t - metadata[0]!.t - 100 * MS;
    t.true(gap >= setupTimeoutRange(0).lo && gap <= setupTimeoutRange(0).hi, `asked again ${(metadata[1]!.t - metadata[0]!.t) / SECOND} s later`);
  }
});

/** A producer (request.timeout.ms 30 s) to partitions 0–3, with b1 (leading 0 and 2) alive until its node dies at 5 s. */
function producerWithDyingBroker() {
  const { world } = scriptedWorld(1);
  world.spawn('p', 'nx', () => new LogProducer(scriptedProducer(), 4));
  const sends: TraceRecord[] = [];
  world.trace.listen((r) => {
    if ((r.k === 'send' && r.a === 'p' && r.to === 'b1' && r.msg === 'produce') || (r.k === 'client' && r.a === 'p' && r.op === 'retry')) sends.push(r);
  });
  world.at(5 * SECOND, 'b1 down', () => world.crashNode('n1', 'test'));
  world.run({ until: 150 * SECOND });
  return sends;
}

test('a producer whose leader\'s host dies: requests in flight wait request.timeout.ms, then each new connection only its set-up timeout (10 s, 20 s, 30 s)', (t) => {
  const records = producerWithDyingBroker();
  const firstRetry = records.find((r) => r.k === 'client' && r.t > 5 * SECOND)!;
  t.like(firstRetry, { error: 'request-timed-out' });
  t.true(firstRetry.t >= 34 * SECOND && firstRetry.t < 36 * SECOND, `first retry at ${firstRetry.t / SECOND} s`);
  // Requests retried together go out together (one set-up attempt).
  const attempts = records.filter((r, i) => r.k === 'send' && r.t >= firstRetry.t && !records.slice(0, i).some((o) => o.k === 'send' && o.t === r.t));
  const gaps = attempts.slice(1, 4).map((r, i) => r.t - attempts[i]!.t);
  for (const n of [0, 1, 2]) {
    const { lo, hi } = setupTimeoutRange(n);
    t.true(gaps[n]! >= lo && gaps[n]! < hi + 2 * SECOND, `attempt ${n + 2}: ${gaps[n]! / SECOND} s after the one before, expected ${lo / SECOND}–${hi / SECOND} s`);
  }
  // A connection that never came up sent nothing: no retry is counted for it.
  t.deepEqual(records.filter((r) => r.k === 'client' && r.t > firstRetry.t + 1 * SECOND).map((r) => `${r.t} ${r.error} ${r.attempt}`), []);
});

/**
 * A producer (1,000 events/s, linger.ms 0) to leaders b1 and b2: per broker, the number of its produce
 * requests in flight at each send, and when the producer first heard from that broker (metadata or
 * produce reply: the connection is up).
 */
function producerSends(script: (s: Scripted, world: World) => void, until: number) {
  const { world, script: scripted } = scriptedWorld(1);
  script(scripted, world);
  world.spawn('p', 'nx', () => new LogProducer(scriptedProducer({ ratePerSec: 1000 }), 4));
  const brokers = producesPerBroker(world, 'p');
  world.run({ until });
  return brokers;
}

test('a producer sends one request on a connection still being set up, and up to max.in.flight once the broker has answered (Kafka\'s NetworkClient.isReady)', (t) => {
  const brokers = producerSends((s) => (s.produceDelayUs = 50 * MS), 2 * SECOND);
  // Seed 1 asks b1 for metadata: the connection to b1 is up before the first produce, the one to b2 is not.
  t.is(brokers.get('b1')!.sends.filter((s) => s.t < brokers.get('b1')!.heardAt).length, 0, 'b1 answered metadata first');
  const b2 = brokers.get('b2')!;
  t.deepEqual(b2.sends.filter((s) => s.t < b2.heardAt).map((s) => s.inFlight), [1], 'one request to b2 before its connection is up');
  for (const [name, b] of brokers) t.is(Math.max(...b.sends.map((s) => s.inFlight)), 5, `then up to max.in.flight (5) to ${name}`);
});

test('a producer whose leader\'s host is down from the start has one request out to it, not max.in.flight, until the set-up timeout', (t) => {
  const brokers = producerSends((_, world) => world.at(0, 'b2 down', () => world.crashNode('n2', 'test')), 9 * SECOND);
  t.is(brokers.get('b2')!.sends.length, 1, `${brokers.get('b2')!.sends.length} produce requests to b2 in the first 9 s`);
  t.true(brokers.get('b1')!.sends.length > 1000, 'b1 takes its partitions\' events meanwhile');
});

/**
 * KIP-580's exponential retry backoff (exponential-backoff.ts) and the producer's use of it: a
 * batch's n-th retry waits `retry.backoff.ms × 2^n`, spread ±20 % from the producer's seeded
 * stream, at most `retry.backoff.max.ms` (the term stops at it, and the spread applies to that); with the maximum at or below the base, every pause is
 * the maximum, unspread.
 */
import test from 'ava';
import { ExponentialBackoff, LogConsumer, LogProducer, type ClientInbound, type ProduceRequest } from '../../../src/features/log/actors/index.ts';
import { deriveRng, type Actor, type Rng, type Context, type Message } from '../../../src/kernel/contract/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';
import { answerSoleLeaderMetadata, backoffRange, scriptedConsumer, scriptedProducer, scriptedWorld } from './_scripted-brokers.ts';

test('the n-th pause is base × 2^n spread by ±20 %, capped at the maximum; a maximum at or below the base is a constant pause', (t) => {
  const backoff = new ExponentialBackoff(100 * MS, SECOND);
  const rng = deriveRng(1, 'p', 'retry-backoff');
  for (let n = 0; n < 8; n++) {
    for (let i = 0; i < 50; i++) {
      const pause = backoff.backoff(n, rng);
      // The term stops growing at the maximum; the spread applies to it, and the cap after.
      const term = Math.min(SECOND, 100 * MS * 2 ** n);
      t.true(pause >= 0.8 * term - 1 && pause <= Math.min(SECOND, 1.2 * term), `retry ${n}: ${pause} µs`);
    }
  }
  t.is(new ExponentialBackoff(SECOND, 200 * MS).backoff(5, rng), 200 * MS);
});

/** A stream that always draws `value`, so the jitter factor is known: 0.8 + 0.4 × value. */
const fixed = (value: number): Rng => ({ next: () => value }) as unknown as Rng;

test('the term doubles in whole µs up to the maximum and then stays at it exactly (Kafka\'s formula, without Math.log)', (t) => {
  const backoff = new ExponentialBackoff(100 * MS, SECOND);
  const terms = [0, 1, 2, 3, 4, 5].map((n) => backoff.backoff(n, fixed(0.5)));
  t.deepEqual(terms, [100 * MS, 200 * MS, 400 * MS, 800 * MS, SECOND, SECOND]);
  // Lowest jitter (× 0.8): the cap term gives exactly 800 ms, not 1 µs less.
  t.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoff.backoff(n, fixed(0))), [80_000, 160_000, 320_000, 640_000, 800_000, 800_000]);
  // × 1.1: below the cap the spread shows; at it the pause is clipped to the maximum.
  t.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoff.backoff(n, fixed(0.75))), [110_000, 220_000, 440_000, 880_000, SECOND, SECOND]);
  // A base that does not divide the maximum: 300 → 600 → 1000 (not 1200), as Kafka's exponent caps it.
  t.deepEqual([0, 1, 2, 3].map((n) => new ExponentialBackoff(300 * MS, SECOND).backoff(n, fixed(0.5))), [300 * MS, 600 * MS, SECOND, SECOND]);
  // A base whose exponent to the cap is irrational: 2^log2(max/base) in floating point lands a hair
  // under the maximum (999,999.9999999998 µs, floored to 999,999); whole doubling gives it exactly.
  t.is(new ExponentialBackoff(5985, SECOND).backoff(20, fixed(0.5)), SECOND);
});

/** One broker leading every partition of `t`, refusing every produce with a retriable error at once. */
class RefusingBroker implements Actor<Message> {
  readonly sends: number[] = [];
  start(): void {}
  onMessage(ctx: Context, message: Message & Record<string, unknown>, from: string): void {
    if (message.type === 'metadata') {
      return answerSoleLeaderMetadata(ctx, message, from);
    }
    if (message.type === 'produce') {
      this.sends.push(ctx.now());
      const request = message as unknown as ProduceRequest;
      ctx.send(from, { type: 'produce-reply', req: request.req, partitions: request.partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: -1, error: 'not-enough-replicas' })) });
    }
  }
}

test('a batch refused again and again is retried after 100, 200, 400, 800 ms, then every 0.8–1 s, not every 100 ms', (t) => {
  const world = new World({ seed: 3 });
  world.addSite('dc', { nodes: ['n1', 'nx'] });
  let broker!: RefusingBroker;
  world.spawn('b1', 'n1', () => (broker = new RefusingBroker()));
  // One event, so one batch.
  world.spawn('p', 'nx', () => new LogProducer(scriptedProducer({ brokers: ['b1'], ratePerSec: 1, stopAtUs: 500 * MS }), 4) as Actor<ClientInbound>);
  world.run({ until: 8 * SECOND });
  const gaps = broker.sends.slice(1).map((at, i) => at - broker.sends[i]!);
  t.true(gaps.length >= 6, `${gaps.length} retries`);
  // Each gap is the pause plus a round trip (well under 1 ms here).
  gaps.forEach((gap, n) => {
    const term = Math.min(SECOND, 100 * MS * 2 ** n);
    t.true(gap >= 0.8 * term && gap <= Math.min(SECOND, 1.2 * term) + MS, `retry ${n}: ${gap} µs`);
  });
  t.true(new Set(gaps.slice(0, 4).map((gap, n) => Math.round(gap / (100 * MS * 2 ** n) * 100))).size > 1, 'spread at random');
});

/** A controller that refuses every request (NOT_CONTROLLER, naming no active controller); the times it got each kind. */
class RefusingController implements Actor<Message> {
  readonly received = new Map<string, number[]>();
  start(): void {}
  onMessage(ctx: Context, message: Message & Record<string, unknown>, from: string): void {
    this.received.set(message.type, [...(this.received.get(message.type) ?? []), ctx.now()]);
    ctx.send(from, { type: 'not-controller', request: message, ...(typeof message.req === 'number' ? { req: message.req } : {}) });
  }
}

/** Gaps between the requests of `kind` a refusing controller got from a client spawned by `client`. */
function refusedGaps(kind: string, client: () => Actor<ClientInbound>): number[] {
  const { world } = scriptedWorld(4);
  let controller!: RefusingController;
  world.spawn('refusing', 'nc', () => (controller = new RefusingController()));
  world.spawn('client', 'nx', client);
  world.run({ until: 6 * SECOND });
  const times = controller.received.get(kind) ?? [];
  return times.slice(1).map((at, i) => at - times[i]!);
}

test('a consumer whose group coordinator refuses (no active controller) retries after 100, 200, 400, 800 ms, then 0.8–1 s, as Kafka\'s coordinator lookup (KIP-580)', (t) => {
  const gaps = refusedGaps('join-group', () => new LogConsumer(scriptedConsumer({ controller: 'refusing' })) as Actor<ClientInbound>);
  t.true(gaps.length >= 6, `${gaps.length} retries`);
  gaps.forEach((gap, n) => {
    const { lo, hi } = backoffRange(100 * MS, SECOND, n);
    // Each gap is the pause plus a round trip (well under 1 ms here).
    t.true(gap >= lo && gap <= hi + MS, `retry ${n}: ${gap} µs`);
  });
});

test('a producer whose InitProducerId is refused retries after retry.backoff.ms each time, as Kafka\'s TransactionManager does', (t) => {
  const gaps = refusedGaps('init-producer-id', () => new LogProducer(scriptedProducer({ controller: 'refusing', idempotence: true }), 4) as Actor<ClientInbound>);
  t.true(gaps.length >= 20, `${gaps.length} retries`);
  t.true(gaps.every((gap) => gap >= 100 * MS && gap <= 101 * MS), `gaps ${Math.min(...gaps)}–${Math.max(...gaps)} µs`);
});

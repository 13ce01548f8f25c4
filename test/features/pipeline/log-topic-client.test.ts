/**
 * The `log-topic` checkpoint tier as a Kafka client (log-topic-tier.ts), against scripted brokers:
 * chunks that fit `max.request.size` with their overhead, Kafka's fetch sizes, one request on a
 * connection not yet set up, `request.timeout.ms` 30 s whatever a request carries, and
 * `delivery.timeout.ms` 120 s per chunk.
 */
import test from 'ava';
import type { OperatorImage, StoredCheckpoint } from '../../../src/features/checkpoint/actors/index.ts';
import { LogTopicTier, RECORD_OVERHEAD_BYTES } from '../../../src/features/checkpoint/actors/log-topic-tier.ts';
import type { FetchRequest, ProduceRequest } from '../../../src/features/log/actors/index.ts';
import { fnv1a, type Actor, type Context, type Message, type Wakeup } from '../../../src/kernel/contract/index.ts';
import { SECOND } from '../../../src/kernel/index.ts';
import { LEADS, scriptedWorld } from '../log/_scripted-brokers.ts';

const MIB = 1 << 20;
// The tier's partition is led by b1.
const KEY = Array.from({ length: 50 }, (_, i) => `op-${i}`).find((key) => LEADS.b1!.includes(fnv1a(key) % 4))!;

/**
 * An operator with nothing but the tier: it saves one entry at 0, and loads at `loadAtUs` if given.
 * Its bootstrap broker is b2 (so it has not heard from b1, the leader, before its first request),
 * or b1 itself (the metadata answer sets the connection up).
 */
class TierHost implements Actor<Message> {
  tier!: LogTopicTier;
  saved: number | undefined;
  failed: number | undefined;
  constructor(
    private readonly bytes: number,
    private readonly bootstrap: string,
    private readonly loadAtUs?: number,
  ) {}
  start(ctx: Context): void {
    this.tier = new LogTopicTier(ctx, { topic: 't', partitions: 4, brokers: [this.bootstrap], acks: -1 }, KEY);
    const entry: StoredCheckpoint = { id: 1, kind: 'full', bytes: this.bytes, image: {} as OperatorImage };
    this.tier.save(ctx, entry, { all: true }, (ok) => (ok ? (this.saved = ctx.now()) : (this.failed = ctx.now())));
    if (this.loadAtUs !== undefined) ctx.setTimer(this.loadAtUs, 'load');
  }
  onMessage(ctx: Context, message: Message, from: string): void {
    this.tier.onMessage(ctx, message, from);
  }
  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'load') this.tier.load(ctx, 'latest', () => undefined);
    else this.tier.onTimer(ctx, wakeup);
  }
}

function run(bytes: number, produceDelayUs: number, untilUs: number, { bootstrap = 'b2', loadAtUs, leaderless }: { bootstrap?: string; loadAtUs?: number; leaderless?: boolean } = {}) {
  const { world, script } = scriptedWorld(1);
  script.produceDelayUs = produceDelayUs;
  if (leaderless === true) script.leaderless = new Set([fnv1a(KEY) % 4]);
  let host!: TierHost;
  world.spawn('op', 'nx', () => (host = new TierHost(bytes, bootstrap, loadAtUs)));
  world.run({ until: untilUs });
  const all = script.received.filter((r) => r.to === 'b1' && r.message.type === 'produce').map((r) => ({ t: r.t, request: r.message as unknown as ProduceRequest }));
  // The chunks: not the commit record, not the tombstones of an abandoned save.
  const produces = all.filter(({ request }) => request.partitions[0]!.payloads![0] !== null && !request.partitions[0]!.keys![0]!.endsWith('#commit'));
  const commits = all.filter(({ request }) => request.partitions[0]!.keys![0]!.endsWith('#commit'));
  const fetches = script.received.filter((r) => r.message.type === 'fetch').map((r) => r.message as unknown as FetchRequest);
  return { host, produces, commits, fetches };
}

test('a 3 MiB image goes as four chunks, each with its key and record overhead within max.request.size (1 MiB), then its commit record; fetches ask Kafka\'s 50 MiB, 1 MiB per partition', (t) => {
  const { host, produces, commits, fetches } = run(3 * MIB, 0, 10 * SECOND, { loadAtUs: 5 * SECOND });
  t.truthy(host.saved);
  t.is(produces.length, 4);
  t.is(commits.length, 1);
  t.true(commits[0]!.t >= produces.at(-1)!.t);
  for (const { request } of produces) {
    const part = request.partitions[0]!;
    t.true(part.bytes + RECORD_OVERHEAD_BYTES + part.keys![0]!.length <= MIB, `${part.bytes} B chunk`);
  }
  t.is(produces.reduce((sum, p) => sum + p.request.partitions[0]!.bytes, 0), 3 * MIB);
  t.true(fetches.length > 0);
  for (const fetch of fetches) t.like(fetch, { maxBytes: 50 * MIB, partitions: [{ maxBytes: MIB }] });
});

test('one request on a connection not yet set up: the other chunks wait for the leader\'s first answer, then go together', (t) => {
  const { produces } = run(8 * MIB, 500_000, 10 * SECOND);
  const firstAnswer = produces[0]!.t + 500_000;
  t.is(produces.filter((p) => p.t < firstAnswer).length, 1);
  // Then four chunks out at once (the tier's own limit, within max.in.flight 5).
  t.true(produces.filter((p) => p.t >= firstAnswer && p.t < firstAnswer + 10_000).length >= 3);
});

test('a produce request over a working connection waits request.timeout.ms (30 s) for its answer whatever its size, then is re-sent', (t) => {
  // b1 answers metadata at once (the connection is up) and produce requests only after 100 s.
  const { produces } = run(MIB / 2, 100 * SECOND, 35 * SECOND, { bootstrap: 'b1' });
  t.is(produces.length, 2);
  const gap = produces[1]!.t - produces[0]!.t;
  // 30 s, then the first retry's backoff (retry.backoff.ms 100 ms ±20 %, KIP-580) and a metadata round trip.
  t.true(gap >= 30.08 * SECOND && gap < 30.2 * SECOND, `re-sent after ${gap} µs`);
});

test('a chunk re-sent again and again waits longer each time: retry.backoff.ms doubling per retry, ±20 % (KIP-580, as the producer)', (t) => {
  // b1 appends at once but answers only after 200 s: every attempt times out (30 s) and is re-sent.
  const { produces } = run(MIB / 2, 200 * SECOND, 125 * SECOND, { bootstrap: 'b1' });
  const extra = produces.slice(1).map((p, i) => p.t - produces[i]!.t - 30 * SECOND);
  t.true(extra.length >= 3, `${extra.length} retries`);
  extra.slice(0, 3).forEach((us, n) => {
    const term = 100_000 * 2 ** n;
    t.true(us >= 0.8 * term && us <= 1.2 * term + 10_000, `retry ${n} after 30 s + ${us} µs`);
  });
});

test('a leader never heard from: its request is put back at the connection set-up deadline (10 s, then 20 s, each ±20 %: KIP-601), not counted as an attempt', (t) => {
  const { produces } = run(MIB / 2, 100 * SECOND, 40 * SECOND);
  const gaps = produces.slice(1).map((p, i) => (p.t - produces[i]!.t) / SECOND);
  t.is(gaps.length, 2, `gaps ${gaps.join(', ')} s`);
  // Each set-up timeout is the doubled term spread ±20 % (plus at most a metadata round trip).
  t.true(gaps[0]! >= 8 && gaps[0]! <= 12.1, `first gap ${gaps[0]} s`);
  t.true(gaps[1]! >= 16 && gaps[1]! <= 24.1, `second gap ${gaps[1]} s`);
  t.is(new Set(produces.map((p) => p.request.partitions[0]!.keys![0])).size, 1);
});

test('a save the log never acknowledges fails delivery.timeout.ms (120 s) after its chunk was produced, instead of stalling; its chunk is not sent again', (t) => {
  // b1 appends each request at once but answers after 200 s: every attempt times out (30 s) and is re-sent.
  const { host, produces } = run(MIB / 2, 200 * SECOND, 300 * SECOND, { bootstrap: 'b1' });
  t.is(host.saved, undefined);
  t.truthy(host.failed);
  const producedAt = produces[0]!.t;
  // Produced after the metadata round trip; failed at its deadline exactly.
  t.true(host.failed! - producedAt >= 120 * SECOND - 1_000 && host.failed! - producedAt <= 120 * SECOND, `failed ${(host.failed! - producedAt) / SECOND} s after its produce`);
  t.is(produces.filter((p) => p.t > host.failed!).length, 0, 'nothing re-sent after the save failed (its tombstone goes instead)');
  // How it breaks: the broker had appended the chunk from the first attempt on — the save is reported failed though the log holds it (as Kafka's producer fails a send the broker wrote).
  t.true(produces.length >= 4, `${produces.length} attempts, each appended`);
});

test('a save whose partition has no leader fails at delivery.timeout.ms (120 s), not never', (t) => {
  const { host, produces } = run(MIB / 2, 0, 200 * SECOND, { bootstrap: 'b1', leaderless: true });
  t.is(produces.length, 0);
  t.is(host.failed, 120 * SECOND);
});

test('the delivery timeout counts per chunk from its produce: a 20 MiB image taking longer than 120 s in all, each chunk acknowledged in 25 s, is saved', (t) => {
  const { host, produces } = run(20 * MIB, 25 * SECOND, 400 * SECOND, { bootstrap: 'b1' });
  t.is(host.failed, undefined);
  t.true(host.saved! > 120 * SECOND, `saved at ${host.saved! / SECOND} s`);
  t.is(produces.length, 21);
});

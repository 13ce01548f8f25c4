/**
 * The `log-topic` checkpoint tier (log-topic-tier.ts) against a broker that keeps what it is sent:
 * a load takes only a save that completed — its commit record written after every chunk was
 * acknowledged, and the save not given up since — however late the broker acknowledges a failed
 * save's records; `delivery.timeout.ms` is a setting; an attempt given up arms no retry.
 */
import test from 'ava';
import type { OperatorImage, StoredCheckpoint } from '../../../src/features/checkpoint/actors/index.ts';
import { LogTopicTier } from '../../../src/features/checkpoint/actors/log-topic-tier.ts';
import type { Batch, FetchRequest, ProduceRequest } from '../../../src/features/log/actors/index.ts';
import type { Actor, Context, Message, Wakeup } from '../../../src/kernel/contract/index.ts';
import { SECOND, type TraceRecord } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';
import { answerSoleLeaderMetadata } from '../log/_scripted-brokers.ts';

const MIB = 1 << 20;

/**
 * One broker leading every partition of topic `t`: it appends each produced record at once (in
 * arrival order) and acknowledges it after `ackDelayUs(key)`; a fetch returns the records from its
 * offset, one batch each, with their keys and payloads.
 */
class KeepingBroker implements Actor<Message> {
  readonly log = new Map<number, { key: string; payload: unknown }[]>();
  constructor(private readonly ackDelayUs: (key: string, t: number, tombstone: boolean) => number) {}
  start(): void {}
  onMessage(ctx: Context, message: Message & Record<string, unknown>, from: string): void {
    if (message.type === 'metadata') {
      return answerSoleLeaderMetadata(ctx, message, from);
    }
    if (message.type === 'produce') {
      const request = message as unknown as ProduceRequest;
      const part = request.partitions[0]!;
      const log = this.log.get(part.partition) ?? [];
      this.log.set(part.partition, log);
      log.push({ key: part.keys![0]!, payload: part.payloads![0] });
      const reply = { type: 'produce-reply', req: request.req, partitions: [{ topic: part.topic, partition: part.partition, offset: log.length - 1 }] };
      const delay = this.ackDelayUs(part.keys![0]!, ctx.now(), part.payloads![0] === null);
      return delay === 0 ? ctx.send(from, reply) : void ctx.setTimer(delay, 'answer', { from, reply });
    }
    if (message.type === 'fetch') {
      const request = message as unknown as FetchRequest;
      const partitions = request.partitions.map(({ topic, partition, offset }) => {
        const log = this.log.get(partition) ?? [];
        const batches: Batch[] = log.slice(offset).map((r, i) => ({ base: offset + i, epoch: 1, events: [r.key], bytes: 100, ts: 0, keys: [r.key], payloads: [r.payload] }));
        return { topic, partition, batches, highWatermark: log.length, logStart: 0, logEnd: log.length, leaderEpoch: 1 };
      });
      return ctx.send(from, { type: 'fetch-reply', req: request.req, partitions });
    }
  }
  onTimer(ctx: Context, wakeup: Wakeup): void {
    const { from, reply } = wakeup.data as { from: string; reply: Message };
    ctx.send(from, reply);
  }
}

/** An operator with nothing but the tier: it saves `saves` at their times, then loads `latest` at `loadAtUs` — with the same tier, and with a new one (a restarted incarnation). */
class TierHost implements Actor<Message> {
  tier!: LogTopicTier;
  readonly outcomes = new Map<number, boolean>();
  loaded: { same?: number | null; fresh?: number | null } = {};
  constructor(
    private readonly saves: readonly { id: number; atUs: number; bytes: number }[],
    private readonly loadAtUs: number,
    private readonly deliveryTimeoutUs?: number,
  ) {}
  start(ctx: Context): void {
    this.tier = this.newTier(ctx);
    for (const save of this.saves) ctx.setTimer(save.atUs, 'save', save);
    ctx.setTimer(this.loadAtUs, 'load');
  }
  onMessage(ctx: Context, message: Message, from: string): void {
    this.tier.onMessage(ctx, message, from);
  }
  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'save') {
      const { id, bytes } = wakeup.data as { id: number; bytes: number };
      const entry: StoredCheckpoint = { id, kind: 'full', bytes, image: {} as OperatorImage };
      this.tier.save(ctx, entry, { all: true }, (ok) => this.outcomes.set(id, ok));
    } else if (wakeup.name === 'load') {
      this.tier.load(ctx, 'latest', (chain) => {
        this.loaded.same = chain?.at(-1)?.id ?? null;
        // A new incarnation knows nothing but what the log holds.
        this.tier = this.newTier(ctx);
        this.tier.load(ctx, 'latest', (fresh) => (this.loaded.fresh = fresh?.at(-1)?.id ?? null));
      });
    } else this.tier.onTimer(ctx, wakeup);
  }
  private newTier(ctx: Context): LogTopicTier {
    const timeout = this.deliveryTimeoutUs === undefined ? {} : { deliveryTimeoutUs: this.deliveryTimeoutUs };
    return new LogTopicTier(ctx, { topic: 't', partitions: 4, brokers: ['b1'], acks: -1, ...timeout }, 'op-1');
  }
}

function run(host: TierHost, ackDelayUs: (key: string, t: number, tombstone: boolean) => number, untilUs: number) {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: ['n1', 'nx'] });
  let broker!: KeepingBroker;
  world.spawn('b1', 'n1', () => (broker = new KeepingBroker(ackDelayUs)));
  world.spawn('op', 'nx', () => host);
  const records: TraceRecord[] = [];
  world.trace.listen((r: TraceRecord) => void records.push(r));
  world.run({ until: untilUs });
  return { broker, records };
}

test('a save given up at its delivery timeout is never loaded, though the broker appended every chunk and acknowledges the last one late', (t) => {
  // Save 1 is acknowledged at once; save 2 (two chunks) has its last chunk appended at once and acknowledged after 200 s.
  const host = new TierHost(
    [
      { id: 1, atUs: 0, bytes: MIB / 2 },
      { id: 2, atUs: 10 * SECOND, bytes: 3 * MIB / 2 },
    ],
    400 * SECOND,
  );
  const { broker } = run(host, (key) => (key.endsWith('00000002#1') ? 200 * SECOND : 0), 500 * SECOND);
  t.true(host.outcomes.get(1));
  t.false(host.outcomes.get(2));
  // Both of save 2's chunks are in the log — what once made it look whole.
  const keys = [...broker.log.values()].flat().map((r) => r.key);
  t.true(keys.some((key) => key.endsWith('00000002#1')));
  t.deepEqual(host.loaded, { same: 1, fresh: 1 });
});

test('a save whose commit record is acknowledged after the delivery timeout is given up, its commit tombstoned, and no incarnation loads it', (t) => {
  const host = new TierHost(
    [
      { id: 1, atUs: 0, bytes: MIB / 2 },
      { id: 2, atUs: 10 * SECOND, bytes: MIB / 2 },
    ],
    400 * SECOND,
  );
  // Save 2's commit record and its tombstone are appended at once but acknowledged only from 150 s on: each attempt before times out (30 s) and is re-sent.
  const { broker } = run(host, (key, t) => (key.endsWith('00000002#commit') && t < 150 * SECOND ? 200 * SECOND : 0), 500 * SECOND);
  t.false(host.outcomes.get(2));
  const commits = [...broker.log.values()].flat().filter((r) => r.key.endsWith('00000002#commit'));
  t.false(commits[0]!.payload === null, 'the commit record is in the log');
  t.true(commits.at(-1)!.payload === null, 'and its tombstone after it, re-sent until acknowledged');
  t.deepEqual(host.loaded, { same: 1, fresh: 1 });
});

test('delivery.timeout.ms is the tier\'s setting; an attempt given up at it arms no retry when its request then times out', (t) => {
  // Never acknowledged in time: request.timeout.ms 30 s, re-sent at 30.1 s, given up at 45 s while that attempt is out.
  const host = new TierHost([{ id: 1, atUs: 0, bytes: MIB / 2 }], 400 * SECOND, 45 * SECOND);
  const { records } = run(host, (_key, _t, tombstone) => (tombstone ? 0 : 1_000 * SECOND), 100 * SECOND);
  t.false(host.outcomes.get(1));
  const expired = records.find((r) => r.k === 'state' && r.op === 'ckpt-chunk-expired')!;
  t.true(expired.t >= 45 * SECOND && expired.t < 45.1 * SECOND, `given up at ${expired.t / SECOND} s`);
  const retries = records.filter((r) => r.k === 'timer' && r.name === 'ckpt:log-retry');
  t.is(retries.length, 1, 'the retry before the delivery timeout only');
  t.true(retries.every((r) => r.t < expired.t));
});

import test from 'ava';
import { noAckedLoss, type Verdict } from '../../../src/check/index.ts';
import { MS, SECOND, type Micros, type TraceRecord } from '../../../src/kernel/index.ts';
import { EventStore, FinalReader, Producer, type FlushPolicy } from '../../../src/features/store/actors/index.ts';
import { World } from '../../../src/world/index.ts';

/** A beamline producer, a store on hpc-1 with the given flush policy, and one power loss. */
function storeRun(options: { flush: FlushPolicy; seed?: number; crashAt?: Micros; downFor?: Micros; rate?: number; eventBytes?: number; fsyncLatencyUs?: Micros }) {
  const world = new World({ seed: options.seed ?? 1 });
  world.addSite('beamline');
  world.addSite('hpc', { nodes: 2, disk: { latencyUs: options.fsyncLatencyUs ?? 20 } });
  world.link('beamline', 'hpc', { latencyUs: 500, jitterUs: 200 });
  world.spawn('store', 'hpc-1', () => new EventStore({ flush: options.flush }));
  world.spawn('reader', 'hpc-2', () => new FinalReader({ store: 'store', readAtUs: 36 * SECOND, pageSize: 100, timeoutUs: SECOND }));
  world.spawn('detector', 'beamline-1', () => new Producer({ store: 'store', ratePerSec: options.rate ?? 50, eventBytes: options.eventBytes ?? 1 << 20, timeoutUs: SECOND, retries: 3, stopAtUs: 30 * SECOND }));
  if (options.crashAt !== undefined) {
    world.at(options.crashAt, 'power loss', () => world.crashNode('hpc-1', 'test'));
    world.at(options.crashAt + (options.downFor ?? 2 * SECOND), 'power back', () => world.restartNode('hpc-1', 'test'));
  }
  const checker = noAckedLoss.create();
  const records: TraceRecord[] = [];
  world.trace.listen((r) => {
    checker.observe(r);
    if (r.k === 'disk' || (r.k === 'client' && r.op === 'ack')) records.push(r);
  });
  world.run({ until: 40 * SECOND });
  return { verdict: checker.verdict() as Verdict, records };
}

test('every-write: no acknowledged event is lost, whenever the power fails', (t) => {
  for (const crashAt of [3 * SECOND + 1, 7 * SECOND + 333_333, 12 * SECOND + 17, 25 * SECOND + 999]) {
    for (const seed of [1, 2, 3]) {
      const { verdict } = storeRun({ flush: { kind: 'every-write' }, seed, crashAt });
      t.true(verdict.ok, `crash at ${crashAt}, seed ${seed}: ${JSON.stringify(verdict.violations[0])}`);
      t.true(verdict.stats.acked > 1000, 'the workload really produced');
    }
  }
});

test('every-write on a slow disk groups acks behind one fsync (group commit)', (t) => {
  const { records } = storeRun({ flush: { kind: 'every-write' }, rate: 2000, eventBytes: 10_000, fsyncLatencyUs: 8 * MS });
  const fsyncs = records.filter((r) => r.k === 'disk' && r.op === 'fsync' && r.a === 'store').length;
  const acks = records.filter((r) => r.k === 'client').length;
  t.true(acks > 50_000, `${acks} acks`);
  // One fsync takes 8 ms while events arrive every 0.5 ms: about 16 acks ride on each fsync.
  t.true(fsyncs < acks / 10, `${fsyncs} fsyncs for ${acks} acks`);
});

test('flush every 5 s: a power loss loses exactly the events acknowledged since the last completed fsync', (t) => {
  const crashAt = 12 * SECOND + 500 * MS;
  const { verdict, records } = storeRun({ flush: { kind: 'interval', intervalUs: 5 * SECOND }, crashAt });
  t.false(verdict.ok);
  const lastSync = records.filter((r) => r.a === 'store' && r.op === 'fsync-done' && r.t < crashAt).at(-1)!;
  const syncIssued = records.filter((r) => r.a === 'store' && r.op === 'fsync' && r.t <= lastSync.t).at(-1)!;
  // Events acked after the last fsync that completed before the crash was issued are the lost ones.
  const expected = records.filter((r) => r.k === 'client' && r.t > syncIssued.t && r.t < crashAt).flatMap((r) => r.events as string[]);
  const lost = verdict.violations.filter((v) => v.anomaly === 'lost');
  t.is(verdict.stats.lost, expected.length);
  t.true(expected.length > 50);
  t.deepEqual(lost.flatMap((v) => v.events!), expected);
  t.is(lost.length, 1, 'one power loss explains them all: one violation');
  t.regex(lost[0].message, /store lost unsynced data at 12\.5s/);
});

test('flush never: everything acknowledged before the power loss is lost', (t) => {
  const { verdict } = storeRun({ flush: { kind: 'never' }, crashAt: 5 * SECOND });
  t.false(verdict.ok);
  t.true(verdict.stats.lost >= 5 * 50 - 5, `lost ${verdict.stats.lost}`);
});

test('no fault, no loss, whatever the flush policy', (t) => {
  for (const flush of [{ kind: 'never' }, { kind: 'interval', intervalUs: SECOND }, { kind: 'every-write' }] as FlushPolicy[]) {
    const { verdict } = storeRun({ flush });
    t.true(verdict.ok, flush.kind);
    t.is(verdict.stats.finalRead, verdict.stats.acked);
  }
});

test('the final reader numbers its requests monotonically across its own crash, as a real client would', (t) => {
  const reads: { t: Micros; req: number; offset: number }[] = [];
  class ReadSpy extends EventStore {
    override onMessage(ctx: Parameters<EventStore['onMessage']>[0], message: Parameters<EventStore['onMessage']>[1], from: string): void {
      if (message.type === 'read') reads.push({ t: ctx.now(), req: message.req, offset: message.offset });
      super.onMessage(ctx, message, from);
    }
  }
  const world = new World({ seed: 1 });
  world.addSite('beamline');
  world.addSite('hpc', { nodes: 2 });
  world.link('beamline', 'hpc', { latencyUs: 500 });
  world.spawn('store', 'hpc-1', () => new ReadSpy({ flush: { kind: 'every-write' } }));
  world.spawn('reader', 'hpc-2', () => new FinalReader({ store: 'store', readAtUs: 12 * SECOND, pageSize: 10, timeoutUs: SECOND }));
  world.spawn('detector', 'beamline-1', () => new Producer({ store: 'store', ratePerSec: 50, eventBytes: 1024, timeoutUs: SECOND, retries: 3, stopAtUs: 10 * SECOND }));
  // The reader's node fails in the middle of the read and comes back.
  world.at(12 * SECOND + 2 * MS, 'reader down', () => world.crashNode('hpc-2', 'test'));
  world.at(13 * SECOND, 'reader back', () => world.restartNode('hpc-2', 'test'));
  world.run({ until: 20 * SECOND });
  const restart = reads.findIndex((r) => r.t >= 13 * SECOND);
  t.true(restart > 0 && reads[restart]!.offset === 0, 'the read started over after the restart');
  for (let i = 1; i < reads.length; i++) t.true(reads[i]!.req > reads[i - 1]!.req, `request ${i}: ${reads[i - 1]!.req} then ${reads[i]!.req}`);
});

test('at least once: acks cut on their way back make the producer retry, so the store keeps those events twice, and one given up on may be stored anyway', (t) => {
  const world = new World({ seed: 1 });
  world.addSite('beamline');
  world.addSite('hpc', { nodes: 2 });
  world.link('beamline', 'hpc', { latencyUs: 500 });
  world.spawn('store', 'hpc-1', () => new EventStore({ flush: { kind: 'every-write' } }));
  world.spawn('reader', 'hpc-2', () => new FinalReader({ store: 'store', readAtUs: 12 * SECOND, pageSize: 100, timeoutUs: SECOND }));
  world.spawn('detector', 'beamline-1', () => new Producer({ store: 'store', ratePerSec: 50, eventBytes: 1024, timeoutUs: SECOND, retries: 1, stopAtUs: 10 * SECOND }));
  // Requests reach the store; for 3.5 s its acks do not reach the beamline.
  world.at(2 * SECOND, 'acks cut', () => world.partition({ id: 'acks', from: ['hpc-1'], to: ['beamline'], oneWay: true }));
  world.at(5500 * MS, 'acks back', () => world.heal('acks'));
  const stored = new Map<string, number>();
  const givenUp: string[] = [];
  world.trace.listen((r) => {
    if (r.k !== 'client') return;
    if (r.op === 'consume' && r.final === true) for (const id of r.events as string[]) stored.set(id, (stored.get(id) ?? 0) + 1);
    if (r.op === 'error') givenUp.push(...(r.events as string[]));
  });
  world.run({ until: 20 * SECOND });
  const twice = [...stored.values()].filter((n) => n === 2).length;
  t.is(stored.size, 500, 'every event produced is in the store');
  t.true(twice > 50, `${twice} events stored twice`);
  t.true(givenUp.length > 0 && givenUp.every((id) => stored.get(id) === 2), 'the producer gave up on events the store had, twice');
});

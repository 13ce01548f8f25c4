/**
 * The world and kernel additions that fault injection relies on, tested at their own interfaces:
 * duplication and reordering on a channel, torn writes, a full disk, a node restart that keeps
 * some processes down, and the node-local clock and CPU slowdown an actor reads.
 */
import test from 'ava';
import { MS, SECOND } from '../../src/kernel/index.ts';
import { isTornRecord } from '../../src/kernel/contract/index.ts';
import { Kernel } from '../kernel/_harness.ts';
import { Scenario } from './_scenario.ts';

function pair(seed = 1, extra: Record<string, number> = {}) {
  const s = new Scenario(seed);
  s.lanSite('a', 1, { latencyUs: 10 });
  s.lanSite('b', 1, { latencyUs: 10 });
  s.link('a', 'b', { latencyUs: 2 * MS, jitterUs: 500, loss: 0.1, ...extra });
  const from = s.puppet('from', 'a-1');
  const to = s.puppet('to', 'b-1');
  for (let i = 0; i < 100; i++) s.at(MS + i * 50, () => from.send('to'));
  return { s, from, to };
}

test('a link whose duplicate and reorder probabilities are 0 draws nothing more: the trace is unchanged', (t) => {
  const plain = pair(7);
  const zeroed = pair(7, { duplicate: 0, reorder: 0, reorderDelayUs: 5 * MS });
  t.is(zeroed.s.run(SECOND).traceHash, plain.s.run(SECOND).traceHash);
});

test('duplication: with probability 1 every delivered message arrives twice, the copy no earlier', (t) => {
  const { s, to } = pair(3, { duplicate: 1 });
  s.run(SECOND);
  const byId = new Map<number, number[]>();
  for (const a of to.inbox) byId.set(a.id, [...(byId.get(a.id) ?? []), a.t]);
  t.true(byId.size > 80, 'most survive the 10% loss');
  for (const [id, times] of byId) {
    t.is(times.length, 2, `message ${id}`);
    t.true(times[1]! >= times[0]!);
  }
});

test('reordering: held-back messages arrive after later ones; without it the channel is FIFO', (t) => {
  const fifo = pair(5);
  fifo.s.run(SECOND);
  const ids = fifo.to.inbox.map((a) => a.id);
  t.deepEqual(ids, [...ids].sort((x, y) => x - y));
  const shuffled = pair(5, { reorder: 0.3, reorderDelayUs: 3 * MS });
  shuffled.s.run(SECOND);
  const order = shuffled.to.inbox.map((a) => a.id);
  t.notDeepEqual(order, [...order].sort((x, y) => x - y));
  t.deepEqual([...order].sort((x, y) => x - y), [...new Set(order)].sort((x, y) => x - y), 'reordered, not duplicated');
});

test('setLink swaps parameters in mid-stream and linkParams reads them back', (t) => {
  const { s } = pair(1);
  const before = s.world.network.linkParams('b', 'a');
  s.world.network.setLink('a', 'b', { ...before, latencyUs: 9 * MS });
  t.is(s.world.network.linkParams('a', 'b').latencyUs, 9 * MS);
  t.throws(() => s.world.network.linkParams('a', 'c'), { message: /not linked/ });
});

test('a torn write tears only a file that was appended to since its durable content', (t) => {
  const s = new Scenario(1);
  s.lanSite('n', 1, { latencyUs: 10 });
  const db = s.puppet('db', 'n-1');
  s.at(MS, () => {
    for (const file of ['appended', 'truncated', 'clean']) db.disk.append(file, 'durable', 10);
    db.disk.fsync();
  });
  s.at(2 * MS, () => {
    db.disk.append('appended', 'unsynced-1', 10);
    db.disk.append('appended', 'unsynced-2', 10);
    db.disk.truncate('truncated', 0);
    db.disk.append('truncated', 'rewritten', 10);
  });
  s.at(3 * MS, () => s.world.crashNode('n-1', 'test', { tear: true }));
  s.restartNode('n-1').at(4 * MS);
  s.run(SECOND);
  const files = db.recoveries[0]!.files;
  t.deepEqual(files.appended!.length, 2);
  t.true(isTornRecord(files.appended![1]));
  t.deepEqual(files.truncated, ['durable']);
  t.deepEqual(files.clean, ['durable']);
});

test('a full disk refuses put and append (returning false, file unchanged) but allows truncate and delete', (t) => {
  const s = new Scenario(1);
  s.lanSite('n', 1, { latencyUs: 10 });
  const db = s.puppet('db', 'n-1');
  const results: unknown[] = [];
  s.at(MS, () => {
    db.disk.append('log', 1, 10);
    db.disk.append('log', 2, 10);
    db.disk.put('meta', 'v1', 10);
    s.world.diskOf('n-1').full = true;
    results.push(db.disk.append('log', 3, 10), db.disk.put('meta', 'v2', 10));
    db.disk.truncate('log', 1);
    db.disk.delete('meta');
    results.push(db.files());
  });
  s.run(SECOND);
  t.deepEqual(results, [false, false, { log: [1] }]);
  t.is(s.diskOps('db', 'refused').length, 2);
});

test('restartNode keeps the named processes down; the others recover', (t) => {
  const s = new Scenario(1);
  s.lanSite('n', 1, { latencyUs: 10 });
  const a = s.puppet('a', 'n-1');
  const b = s.puppet('b', 'n-1');
  s.crashNode('n-1').at(MS);
  s.at(2 * MS, () => s.world.restartNode('n-1', 'test', { keepDown: new Set(['a']) }));
  s.run(SECOND);
  t.is(a.recoveries.length, 0);
  t.is(b.recoveries.length, 1);
  t.false(s.world.isActorUp('a'));
});

test('node clock offset and CPU slowdown: read through the context, validated when set', (t) => {
  const s = new Scenario(1);
  s.lanSite('n', 2, { latencyUs: 10 });
  const p = s.puppet('p', 'n-1');
  const seen: number[] = [];
  s.at(SECOND, () => {
    s.world.setClockOffset('n-1', -250 * MS);
    s.world.setCpuSlowdown('n-1', 2.5);
    seen.push(p.ctx.localTime(), p.ctx.cpuSlowdown(), p.ctx.now());
  });
  s.run(2 * SECOND);
  t.deepEqual(seen, [750 * MS, 2.5, SECOND]);
  t.throws(() => s.world.setCpuSlowdown('n-1', 0), { message: /positive/ });
  t.throws(() => s.world.setClockOffset('n-1', 0.5), { message: /integer/ });
});

test('kernel: an environment without clock or CPU hooks gives localTime() = now() and cpuSlowdown() = 1', (t) => {
  const k = new Kernel(1);
  k.spawn('x', () => ({}));
  const seen: number[] = [];
  k.at(123, () => seen.push(k.ctx('x').localTime(), k.ctx('x').now(), k.ctx('x').cpuSlowdown()));
  k.run();
  t.deepEqual(seen, [123, 123, 1]);
});

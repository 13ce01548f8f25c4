/**
 * Disks: fsync timing and FIFO service, and exactly what survives a power loss (node crash) or a
 * process crash — including an fsync in flight, and truncate / put / delete after an fsync.
 */
import test from 'ava';
import fc from 'fast-check';
import type { Micros } from '../../src/kernel/index.ts';
import { simulatorOf } from '../../src/world/world.ts';
import { Scenario, transmissionUs, type Files, type Puppet } from './_scenario.ts';

/** Site `store` with nodes `store-1`, `store-2` and a disk of the given parameters on each. */
function store(disk = { latencyUs: 100, bandwidthBytesPerSec: 1_000_000 }, seed = 1) {
  const s = new Scenario(seed);
  s.lanSite('store', 2, { latencyUs: 10, bandwidthBytesPerSec: 1_000_000_000 }, disk);
  return { s, disk };
}

/** When `p`'s fsync wakeup named `name` fired. */
function doneAt(p: Puppet, name: string): Micros | undefined {
  return p.wakeups.find(([, n]) => n === name)?.[0];
}

// --- timing ---

test('an fsync completes at exactly now + latency + ceil(dirty·1e6/bandwidth)', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.nat({ max: 10_000_000 }), { minLength: 0, maxLength: 4 }), // writes before the fsync, bytes
      fc.nat({ max: 100_000 }), // latency, µs
      fc.integer({ min: 1, max: 10_000_000_000 }), // bandwidth, bytes/s
      fc.integer({ min: 1, max: 1_000_000 }), // when, µs
      (writes, latencyUs, bandwidthBytesPerSec, at) => {
        const { s } = store({ latencyUs, bandwidthBytesPerSec });
        const db = s.puppet('db', 'store-1');
        s.at(at, () => {
          writes.forEach((bytes, i) => db.disk.append('wal', i, bytes));
          db.disk.fsync({ name: 'synced' });
        });
        s.run(Number.POSITIVE_INFINITY);
        const dirty = writes.reduce((a, b) => a + b, 0);
        t.is(doneAt(db, 'synced'), at + latencyUs + transmissionUs(dirty, bandwidthBytesPerSec));
        t.deepEqual(s.diskOps('db', 'fsync', 'fsync-done'), [
          [at, 'fsync'],
          [doneAt(db, 'synced')!, 'fsync-done'],
        ]);
      },
    ),
    { numRuns: 150 },
  );
});

test('the device serves fsyncs one at a time in issue order, across actors of a node', (t) => {
  const { s } = store(); // 100 µs + 1 µs per byte
  const [db, log, other] = [s.puppet('db', 'store-1'), s.puppet('log', 'store-1'), s.puppet('other', 'store-2')];
  s.at(1_000, () => {
    db.disk.put('state', 'a', 5_000);
    db.disk.fsync({ name: 'db-1' });
    log.disk.append('wal', 'x', 2_000);
    log.disk.fsync({ name: 'log-1' });
    other.disk.append('wal', 'y', 2_000); // another node, another device
    other.disk.fsync({ name: 'other-1' });
  });
  // Issued while the device is busy: waits; its dirty bytes are those written since db's last fsync.
  s.at(2_000, () => {
    db.disk.put('state', 'b', 300);
    db.disk.fsync({ name: 'db-2' });
  });
  // Issued after the device went idle: starts at once; nothing dirty, so latency only.
  s.at(50_000, () => db.disk.fsync({ name: 'db-3' }));
  s.run(Number.POSITIVE_INFINITY);
  t.is(doneAt(db, 'db-1'), 1_000 + 100 + 5_000);
  t.is(doneAt(log, 'log-1'), 6_100 + 100 + 2_000);
  t.is(doneAt(db, 'db-2'), 8_200 + 100 + 300);
  t.is(doneAt(other, 'other-1'), 1_000 + 100 + 2_000);
  t.is(doneAt(db, 'db-3'), 50_000 + 100);
});

test('writes are visible to reads at once; files are per actor', (t) => {
  const { s } = store();
  const [db, log] = [s.puppet('db', 'store-1'), s.puppet('log', 'store-1')];
  const seen: Files[] = [];
  s.at(10, () => {
    db.disk.append('wal', 1, 10);
    db.disk.append('wal', 2, 10);
    db.disk.put('meta', { epoch: 3 }, 10);
    seen.push(db.files(), log.files());
  });
  s.run(100);
  t.deepEqual(seen, [{ meta: [{ epoch: 3 }], wal: [1, 2] }, {}]);
});

// --- power loss and process crash ---

test('power loss drops exactly the unsynced writes and keeps the synced ones', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('wal', 'r1', 100);
    db.disk.append('wal', 'r2', 100);
    db.disk.put('meta', 'm1', 100);
    db.disk.fsync({ name: 'synced' }); // done at 10 + 100 + 300 = 410
  });
  s.at(1_000, () => {
    db.disk.append('wal', 'r3', 100);
    db.disk.put('meta', 'm2', 100);
    db.disk.put('scratch', 's1', 100); // never synced: the file itself is lost
  });
  s.crashNode('store-1').at(2_000);
  s.restartNode('store-1').at(3_000);
  s.run(10_000);
  t.is(doneAt(db, 'synced'), 410);
  t.deepEqual(db.recoveries, [{ t: 3_000, files: { meta: ['m1'], wal: ['r1', 'r2'] } }]);
  t.deepEqual(
    s.kinds('disk', 'db').filter((r) => r.op === 'lost').map((r) => [r.t, r.file]),
    [
      [2_000, 'wal'],
      [2_000, 'meta'],
      [2_000, 'scratch'],
    ],
  );
});

// The `lost` record's `records` is `live length − durable length` (src/world/disk.ts, losePower),
// so a `put` that replaced a synced record, or a truncation, reports 0 records lost although the
// unsynced write was lost. Fix: count the live records past the longest common prefix of the live
// and durable arrays (`before − commonPrefix(file.live, file.durable, file.durableLength)`), and
// report a record whenever that is > 0. Remove `.failing` once fixed.
test('the lost record counts a replaced (put) record as lost', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.put('meta', 'm1', 100);
    db.disk.fsync();
  });
  s.at(1_000, () => db.disk.put('meta', 'm2', 100));
  s.crashNode('store-1').at(2_000);
  s.run(10_000);
  t.deepEqual(
    s.kinds('disk', 'db').filter((r) => r.op === 'lost').map((r) => [r.t, r.file, r.records]),
    [[2_000, 'meta', 1]],
  );
});

test('power loss hits every actor on the node, and no actor on other nodes', (t) => {
  const { s } = store();
  const [a, b, c] = [s.puppet('a', 'store-1'), s.puppet('b', 'store-1'), s.puppet('c', 'store-2')];
  s.at(10, () => {
    for (const p of [a, b, c]) p.disk.append('wal', `${p.id}-unsynced`, 10);
  });
  s.crashNode('store-1').at(100);
  s.restartNode('store-1').at(200);
  s.at(300, () => t.deepEqual([a.files(), b.files(), c.files()], [{}, {}, { wal: ['c-unsynced'] }]));
  s.run(1_000);
  t.is(c.recoveries.length, 0);
  t.plan(2);
});

test('a process crash keeps unsynced writes (the page cache belongs to the node)', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('wal', 'r1', 100);
    db.disk.put('meta', 'm1', 100);
  });
  s.crashActor('db').at(100);
  s.restartActor('db').at(200);
  // …but they are still not durable: a power loss afterwards loses them.
  s.crashNode('store-1').at(300);
  s.restartNode('store-1').at(400);
  s.run(1_000);
  t.deepEqual(db.recoveries, [
    { t: 200, files: { meta: ['m1'], wal: ['r1'] } },
    { t: 400, files: {} },
  ]);
});

test('an fsync in flight at power loss never completes, and does not hold up the device after', (t) => {
  const { s } = store(); // 100 µs + 1 µs per byte
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('wal', 'r1', 10_000);
    db.disk.fsync({ name: 'doomed' }); // would be done at 10 110
  });
  s.crashNode('store-1').at(5_000);
  s.restartNode('store-1').at(6_000);
  s.at(7_000, () => {
    db.disk.append('wal', 'r2', 100);
    db.disk.fsync({ name: 'after' }); // a fresh device: 7 000 + 100 + 100
  });
  s.run(100_000);
  t.deepEqual(db.wakeups, [[7_200, 'after']]);
  t.deepEqual(db.recoveries, [{ t: 6_000, files: {} }]);
  t.deepEqual(s.diskOps('db', 'fsync', 'fsync-done'), [
    [10, 'fsync'],
    [7_000, 'fsync'],
    [7_200, 'fsync-done'],
  ]);
});

test('an fsync after a power loss covers only what was written since: unsynced files the loss dropped count for nothing', (t) => {
  const { s } = store(); // 100 µs + 1 µs per byte
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('never-synced', 'r1', 10_000);
    db.disk.put('state', 'a', 5_000);
  });
  s.crashNode('store-1').at(5_000);
  s.restartNode('store-1').at(6_000);
  s.at(7_000, () => {
    db.disk.append('wal', 'r2', 100);
    db.disk.fsync({ name: 'after' }); // 100 dirty bytes, not 15 100: 7 000 + 100 + 100
  });
  s.run(100_000);
  t.deepEqual(db.wakeups, [[7_200, 'after']]);
});

test('a file deleted before it was synced costs its fsync nothing: its dirty pages are dropped, as Linux drops an unlinked file\'s', (t) => {
  const { s } = store(); // 100 µs + 1 µs per byte
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.put('kept', 'k1', 1_000);
    db.disk.fsync({ name: 'first' }); // 10 + 100 + 1 000
  });
  s.at(2_000, () => {
    db.disk.append('scratch', 'r1', 10_000);
    db.disk.put('kept', 'k2', 5_000);
    db.disk.delete('scratch'); // never synced
    db.disk.delete('kept'); // synced as k1; k2 never was
    db.disk.append('wal', 'w1', 300);
    // Red before: 15 300 dirty bytes, done at 17 400.
    db.disk.fsync({ name: 'after' }); // 2 000 + 100 + 300
  });
  s.crashNode('store-1').at(3_000);
  s.restartNode('store-1').at(4_000);
  s.run(10_000);
  t.deepEqual(db.wakeups, [[1_110, 'first'], [2_400, 'after']]);
  // The deletions were made durable by that fsync all the same.
  t.deepEqual(db.recoveries, [{ t: 4_000, files: { wal: ['w1'] } }]);
});

test('records truncated away before they were synced cost their fsync nothing: their dirty pages are dropped, as Linux\'s truncate drops them', (t) => {
  const { s } = store(); // 100 µs + 1 µs per byte
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('log', 'l1', 1_000);
    db.disk.put('seg', 's1', 500);
    db.disk.fsync({ name: 'first' }); // 10 + 100 + 1 500
  });
  s.at(2_000, () => {
    db.disk.append('log', 'l2', 5_000);
    db.disk.append('log', 'l3', 3_000);
    db.disk.truncate('log', 1); // l2 and l3 never synced
    db.disk.append('seg', 's2', 2_000);
    db.disk.truncate('seg', 0); // s1 synced, s2 never was
    db.disk.append('log', 'l4', 300);
    // Red before: 10 300 dirty bytes, done at 12 400.
    db.disk.fsync({ name: 'after' }); // 2 000 + 100 + 300
  });
  s.crashNode('store-1').at(3_000);
  s.restartNode('store-1').at(4_000);
  s.run(20_000);
  t.deepEqual(db.wakeups, [[1_610, 'first'], [2_400, 'after']]);
  // The truncations were made durable by that fsync all the same.
  t.deepEqual(db.recoveries, [{ t: 4_000, files: { log: ['l1', 'l4'], seg: [] } }]);
});

test('an fsync in flight at a process crash completes (durable) but wakes nobody', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('wal', 'r1', 1_000);
    db.disk.fsync({ name: 'orphan' }); // done at 1 110
  });
  s.crashActor('db').at(500);
  s.restartActor('db').at(600);
  s.crashNode('store-1').at(2_000);
  s.restartNode('store-1').at(3_000);
  s.run(10_000);
  t.deepEqual(db.wakeups, []);
  t.deepEqual(s.diskOps('db', 'fsync-done'), [[1_110, 'fsync-done']]);
  t.deepEqual(db.recoveries.at(-1), { t: 3_000, files: { wal: ['r1'] } });
});

test('a file a dead process was fsyncing, deleted by its next incarnation: what the device had not written is dropped, and the queue moves up', (t) => {
  const { s } = store(); // 100 µs + 1 µs per byte
  const [db, log] = [s.puppet('db', 'store-1'), s.puppet('log', 'store-1')];
  let seen: boolean[] = [];
  s.at(10, () => {
    db.disk.put('ckpt', 'image', 10_000);
    db.disk.fsync({ name: 'orphan' }); // would run 10 → 10 110
    log.disk.append('wal', 'x', 1_000);
    log.disk.fsync({ name: 'behind' }); // queued behind it: would complete at 11 210
  });
  s.crashActor('db').at(2_000);
  s.restartActor('db').at(3_000);
  s.at(4_110, () => {
    // cachestat: the file still has pages on their way to the device.
    seen = [db.disk.unsynced('ckpt'), db.disk.unsynced('nothing')];
    db.disk.delete('ckpt');
  });
  s.crashNode('store-1').at(20_000);
  s.restartNode('store-1').at(21_000);
  s.run(30_000);
  t.deepEqual(seen, [true, false]);
  // At 4 110 the device had written 4 000 of its 10 000 bytes: the other 6 000 are never written…
  t.deepEqual(
    s.kinds('disk', 'db').filter((r) => r.op === 'dropped').map((r) => [r.t, r.bytes]),
    [[4_110, 6_000]],
  );
  // …so the orphan fsync ends at 4 110 and the log's, behind it, 6 000 µs early.
  t.deepEqual(s.diskOps('db', 'fsync-done'), [[4_110, 'fsync-done']]);
  t.deepEqual(log.wakeups, [[5_210, 'behind']]);
  // The deleted image never became durable, nor came back.
  t.deepEqual(db.recoveries.at(-1), { t: 21_000, files: {} });
  t.deepEqual(log.recoveries.at(-1), { t: 21_000, files: { wal: ['x'] } });
});

test('two files of one dead fsync, both deleted: the second drops what the device had not written of it, counted after the first one\'s written part', (t) => {
  const { s } = store(); // 100 µs + 1 µs per byte
  const [db, log] = [s.puppet('db', 'store-1'), s.puppet('log', 'store-1')];
  s.at(10, () => {
    db.disk.put('a', 'image-a', 5_000);
    db.disk.put('b', 'image-b', 5_000);
    db.disk.fsync({ name: 'orphan' }); // would run 10 → 10 110: a's bytes from 110, then b's from 5 110
    log.disk.append('wal', 'x', 1_000);
    log.disk.fsync({ name: 'behind' }); // queued behind it: would complete at 11 210
  });
  s.crashActor('db').at(2_000);
  s.restartActor('db').at(3_000);
  s.at(3_110, () => db.disk.delete('a')); // 3 000 of a's 5 000 written: 2 000 dropped
  s.at(4_110, () => db.disk.delete('b')); // a's 3 000, then 1 000 of b's: 4 000 of b dropped
  s.crashNode('store-1').at(20_000);
  s.restartNode('store-1').at(21_000);
  s.run(30_000);
  t.deepEqual(
    s.kinds('disk', 'db').filter((r) => r.op === 'dropped').map((r) => [r.t, r.file, r.bytes]),
    [
      [3_110, 'a', 2_000],
      [4_110, 'b', 4_000],
    ],
  );
  // 4 000 written of 10 000: the orphan ends at b's deletion, and the log's fsync 6 000 µs early.
  t.deepEqual(s.diskOps('db', 'fsync-done'), [[4_110, 'fsync-done']]);
  t.deepEqual(log.wakeups, [[5_210, 'behind']]);
  t.deepEqual(db.recoveries.at(-1), { t: 21_000, files: {} });
  t.deepEqual(log.recoveries.at(-1), { t: 21_000, files: { wal: ['x'] } });
});

test('a file deleted while a live caller fsyncs it keeps its pages (the caller holds it open), and so does one synced already', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.put('old', 'a', 100);
    db.disk.fsync({ name: 'first' }); // done at 210
  });
  s.at(300, () => {
    db.disk.put('ckpt', 'image', 10_000);
    db.disk.fsync({ name: 'second' }); // 300 → 10 400
  });
  s.at(1_000, () => {
    t.false(db.disk.unsynced('old'));
    db.disk.delete('old');
    db.disk.delete('ckpt');
  });
  s.run(30_000);
  t.deepEqual(db.wakeups, [[210, 'first'], [10_400, 'second']]);
  t.deepEqual(s.diskOps('db', 'dropped'), []);
});

test('only the writes issued before an fsync are covered by it', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('wal', 'r1', 100);
    db.disk.fsync({ name: 'first' }); // done at 210
    db.disk.append('wal', 'r2', 100);
    db.disk.put('meta', 'm', 100);
    db.disk.fsync({ name: 'second' }); // queued: done at 210 + 100 + 200 = 510
  });
  s.crashNode('store-1').at(300); // between the two completions
  s.restartNode('store-1').at(400);
  s.run(10_000);
  t.deepEqual(db.wakeups, [[210, 'first']]);
  t.deepEqual(db.recoveries, [{ t: 400, files: { wal: ['r1'] } }]);
});

test('truncate, put and delete after an fsync are undone by a power loss', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('log', 'e1', 10);
    db.disk.append('log', 'e2', 10);
    db.disk.append('log', 'e3', 10);
    db.disk.put('meta', 'v1', 10);
    db.disk.put('gone', 'g1', 10);
    db.disk.put('kept', 'k1', 10);
    db.disk.fsync({ name: 'synced' });
  });
  s.at(1_000, () => {
    db.disk.truncate('log', 1); // leader failover truncates…
    db.disk.append('log', 'e2-new', 10); // …and appends a divergent suffix
    db.disk.put('meta', 'v2', 10);
    db.disk.delete('gone');
    db.disk.put('kept', 'k2', 10);
    db.disk.append('kept', 'k3', 10);
  });
  s.crashNode('store-1').at(2_000);
  s.restartNode('store-1').at(3_000);
  s.run(10_000);
  t.deepEqual(db.recoveries, [{ t: 3_000, files: { gone: ['g1'], kept: ['k1'], log: ['e1', 'e2', 'e3'], meta: ['v1'] } }]);
});

test('truncate and delete made durable by an fsync stay so', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('log', 'e1', 10);
    db.disk.append('log', 'e2', 10);
    db.disk.put('gone', 'g1', 10);
    db.disk.fsync();
  });
  s.at(1_000, () => {
    db.disk.truncate('log', 1);
    db.disk.delete('gone');
    db.disk.fsync();
  });
  s.at(2_000, () => db.disk.append('log', 'e2-unsynced', 10));
  s.crashNode('store-1').at(3_000);
  s.restartNode('store-1').at(4_000);
  s.run(10_000);
  t.deepEqual(db.recoveries, [{ t: 4_000, files: { log: ['e1'] } }]);
});

test('a file deleted on the device too is forgotten: an actor that deletes as it goes holds no entry per file it ever had', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  for (let i = 0; i < 50; i++) {
    s.at(10 + i * 1_000, () => {
      db.disk.put(`checkpoint-${i}`, i, 10);
      if (i > 0) db.disk.delete(`checkpoint-${i - 1}`);
      db.disk.fsync();
    });
  }
  // Deleted, not yet synced: a power loss would bring it back, so it must still be known.
  s.at(60_000, () => db.disk.delete('checkpoint-49'));
  const seen: string[][] = [];
  const names = () => seen.push([...s.world.diskOf('store-1').filesOf(simulatorOf(s.world).handle('db'), false)!.byName.keys()]);
  s.at(61_000, names);
  s.at(62_000, () => db.disk.fsync());
  s.at(70_000, names);
  s.run(70_001);
  t.deepEqual(seen, [['checkpoint-49'], []]);
});

test('a synced file keeps its durable prefix through appends and repeated power losses', (t) => {
  const { s } = store();
  const db = s.puppet('db', 'store-1');
  s.at(10, () => {
    db.disk.append('log', 'e1', 10);
    db.disk.fsync();
  });
  s.at(1_000, () => db.disk.append('log', 'e2', 10));
  s.crashNode('store-1').at(2_000);
  s.restartNode('store-1').at(2_100);
  s.at(3_000, () => {
    db.disk.append('log', 'e3', 10);
    db.disk.fsync();
  });
  s.at(4_000, () => db.disk.append('log', 'e4', 10));
  s.crashNode('store-1').at(5_000);
  s.restartNode('store-1').at(5_100);
  s.run(10_000);
  t.deepEqual(
    db.recoveries.map((r) => r.files),
    [{ log: ['e1'] }, { log: ['e1', 'e3'] }],
  );
});

// --- a model of the disk, checked against random histories ---

type Op =
  | { op: 'append'; file: string; bytes: number }
  | { op: 'put'; file: string; bytes: number }
  | { op: 'truncate'; file: string; length: number }
  | { op: 'delete'; file: string }
  | { op: 'fsync' };

const fileArb = fc.constantFrom('a', 'b');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('append' as const), file: fileArb, bytes: fc.nat({ max: 100 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('put' as const), file: fileArb, bytes: fc.nat({ max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), file: fileArb, length: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), file: fileArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fsync' as const) }) },
);

/**
 * The reference: files are plain values; an fsync snapshots the actor's files when issued and
 * makes that snapshot durable when it completes (the device is FIFO, so the latest completed
 * snapshot is what is on the device). Power loss restores the latest completed snapshot.
 */
class DiskModel {
  live = new Map<string, string[]>();
  /**
   * Per file, what was written since the last fsync: the bytes of records since replaced by a put
   * (`stale`, still charged), and those of its last live records (`tail`, oldest first). A deletion
   * drops the file's, a truncation its cut records' (their dirty pages go unwritten).
   */
  private readonly dirty = new Map<string, { stale: number; tail: number[] }>();
  private busyUntil = 0;
  readonly syncs: { finish: Micros; snapshot: Map<string, string[]> }[] = [];

  constructor(private readonly params: { latencyUs: number; bandwidthBytesPerSec: number }) {}

  apply(op: Op, now: Micros, record: string): void {
    switch (op.op) {
      case 'append':
        this.live.set(op.file, [...(this.live.get(op.file) ?? []), record]);
        this.dirtyOf(op.file).tail.push(op.bytes);
        return;
      case 'put': {
        this.live.set(op.file, [record]);
        const dirty = this.dirtyOf(op.file);
        dirty.stale += sum(dirty.tail);
        dirty.tail = [op.bytes];
        return;
      }
      case 'truncate': {
        const records = this.live.get(op.file);
        if (records === undefined || op.length >= records.length) return;
        this.live.set(op.file, records.slice(0, op.length));
        const tail = this.dirtyOf(op.file).tail;
        tail.splice(Math.max(0, tail.length - (records.length - op.length)));
        return;
      }
      case 'delete':
        this.live.delete(op.file);
        this.dirty.delete(op.file);
        return;
      case 'fsync': {
        const start = Math.max(now, this.busyUntil);
        const dirty = sum([...this.dirty.values()].map((d) => d.stale + sum(d.tail)));
        this.busyUntil = start + this.params.latencyUs + transmissionUs(dirty, this.params.bandwidthBytesPerSec);
        this.dirty.clear();
        this.syncs.push({ finish: this.busyUntil, snapshot: new Map([...this.live].map(([k, v]) => [k, [...v]])) });
        return;
      }
    }
  }

  private dirtyOf(file: string): { stale: number; tail: number[] } {
    let dirty = this.dirty.get(file);
    if (dirty === undefined) this.dirty.set(file, (dirty = { stale: 0, tail: [] }));
    return dirty;
  }

  /** What survives a power loss at `time` (a world action: it runs before completions due then). */
  durableAt(time: Micros): Files {
    const done = this.syncs.filter((s) => s.finish < time);
    return asFiles(done.length === 0 ? new Map() : done[done.length - 1].snapshot);
  }
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function asFiles(files: Map<string, string[]>): Files {
  return Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

test('power loss after any history of writes, truncations, deletions and fsyncs leaves the model’s durable state', (t) => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.nat(), (ops, crashPick) => {
      const params = { latencyUs: 7, bandwidthBytesPerSec: 1_000_000 }; // fsyncs take 7–~300 µs
      const { s } = store(params);
      const db = s.puppet('db', 'store-1');
      const model = new DiskModel(params);
      // Ops every 10 µs from 10; the power fails at 10·k + 5 for some k, between two ops.
      const crashAfter = crashPick % (ops.length + 1);
      const crashAt = 10 * crashAfter + 5;
      ops.slice(0, crashAfter).forEach((op, i) => {
        const now = 10 * (i + 1);
        const record = `r${i}`;
        model.apply(op, now, record);
        s.at(now, () => {
          if (op.op === 'append') db.disk.append(op.file, record, op.bytes);
          else if (op.op === 'put') db.disk.put(op.file, record, op.bytes);
          else if (op.op === 'truncate') db.disk.truncate(op.file, op.length);
          else if (op.op === 'delete') db.disk.delete(op.file);
          else db.disk.fsync();
        });
      });
      let liveBefore: Files | undefined;
      s.at(crashAt - 1, () => (liveBefore = db.files()));
      s.crashNode('store-1').at(crashAt);
      s.restartNode('store-1').at(crashAt + 1);
      s.run(crashAt + 10);
      t.deepEqual(liveBefore, asFiles(model.live), 'page-cache view before the power loss');
      t.deepEqual(db.recoveries, [{ t: crashAt + 1, files: model.durableAt(crashAt) }], 'durable view after it');
    }),
    { numRuns: 300 },
  );
});

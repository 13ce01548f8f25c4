/**
 * The page cache's background writeback (Linux's flusher): a file dirty for longer than
 * `vm.dirty_expire_centisecs` (30 s) is written back at the next `vm.dirty_writeback_centisecs`
 * wake-up (every 5 s) without any fsync, so a power loss takes only the last ~30–35 s of unsynced
 * writes; and the writeback costs at most one timer per disk per cadence, none while nothing is dirty.
 */
import test from 'ava';
import { SECOND, type Micros } from '../../src/kernel/index.ts';
import type { DiskParams } from '../../src/world/index.ts';
import { Scenario } from './_scenario.ts';

/** Site `store` with nodes `store-1`, `store-2`; Linux writeback defaults unless `disk` says otherwise. */
function store(disk: Partial<DiskParams> = {}) {
  const s = new Scenario(1);
  s.lanSite('store', 2, { latencyUs: 10, bandwidthBytesPerSec: 1_000_000_000 }, { latencyUs: 100, bandwidthBytesPerSec: 1_000_000_000, ...disk });
  return s;
}

test('a file dirty for longer than dirty_expire is written back at the next wake-up and survives a power loss', (t) => {
  const s = store();
  const db = s.puppet('db', 'store-1');
  s.at(1 * SECOND, () => db.disk.append('old', 'a', 100)); // dirty at 1 s: expired at 31 s
  s.at(20 * SECOND, () => db.disk.append('young', 'b', 100)); // dirty at 20 s: not expired at 40 s
  s.crashNode('store-1').at(40 * SECOND);
  s.restartNode('store-1').at(41 * SECOND);
  s.run(60 * SECOND);
  t.deepEqual(db.recoveries, [{ t: 41 * SECOND, files: { old: ['a'] } }]);
  // Wake-ups every 5 s from the first dirtying (6 s, 11 s, … 31 s): the 31 s one writes `old` back.
  const writeback = s.diskOps('db', 'writeback', 'writeback-done');
  t.deepEqual(writeback.map(([, op]) => op), ['writeback', 'writeback-done']);
  t.is(writeback[0]![0], 31 * SECOND);
});

test('flush never: continuous appends lose only what was written in the last dirty_expire + dirty_writeback', (t) => {
  const s = store();
  const log = s.puppet('log', 'store-1');
  const everyUs = 100_000;
  const crashUs = 100 * SECOND;
  for (let at = everyUs; at < crashUs; at += everyUs) s.at(at, () => log.disk.append('segment', at, 4096));
  s.crashNode('store-1').at(crashUs);
  s.restartNode('store-1').at(crashUs + SECOND);
  s.run(crashUs + 2 * SECOND);
  const kept = (log.recoveries[0]!.files['segment'] ?? []) as Micros[];
  const lastKept = kept.at(-1) ?? 0;
  t.true(kept.length > 0, 'something older than 30 s was written back');
  t.true(lastKept >= crashUs - 35 * SECOND, `kept up to ${lastKept} µs: lost more than 35 s`);
  t.true(lastKept < crashUs - everyUs, 'what was written in the last moments is lost');
  // What survives is a prefix of what was written: a written-back file holds everything up to its capture.
  t.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => (i + 1) * everyUs));
});

test('an fsync cleans a file: it is not written back again, and a file re-dirtied waits dirty_expire afresh', (t) => {
  const s = store();
  const db = s.puppet('db', 'store-1');
  s.at(1 * SECOND, () => {
    db.disk.append('wal', 'a', 100);
    db.disk.fsync();
  });
  s.at(25 * SECOND, () => db.disk.append('wal', 'b', 100)); // dirty again at 25 s: expires at 55 s
  s.crashNode('store-1').at(50 * SECOND);
  s.restartNode('store-1').at(51 * SECOND);
  s.run(60 * SECOND);
  t.deepEqual(db.recoveries[0]!.files, { wal: ['a'] });
  t.deepEqual(s.diskOps('db', 'writeback'), []);
});

test('writeback is timed by the disk: one wake-up per cadence per disk, none once nothing is dirty', (t) => {
  const s = store();
  const [a, b] = [s.puppet('a', 'store-1'), s.puppet('b', 'store-1')];
  s.at(1 * SECOND, () => {
    a.disk.append('x', 1, 100);
    b.disk.append('y', 1, 100);
  });
  const result = s.run(1000 * SECOND);
  // 2 starts + 1 test action + wake-ups at 6, 11, …, 31 s (6) + 1 writeback completion: then the queue is empty.
  t.is(result.events, 2 + 1 + 6 + 1);
  t.true(s.records.at(-1)!.t < 32 * SECOND, 'the last record is the writeback completing');
  // Both actors' files went in the one writeback of their disk.
  t.deepEqual(
    s.kinds('disk').filter((r) => r.op === 'writeback').map((r) => [r.t, r.a]),
    [
      [31 * SECOND, 'a'],
      [31 * SECOND, 'b'],
    ],
  );
});

test('dirty_writeback 0 disables periodic writeback (as in Linux): unsynced data is lost however old', (t) => {
  const s = store({ dirtyWritebackUs: 0 });
  const db = s.puppet('db', 'store-1');
  s.at(1 * SECOND, () => db.disk.append('old', 'a', 100));
  s.crashNode('store-1').at(100 * SECOND);
  s.restartNode('store-1').at(101 * SECOND);
  const result = s.run(200 * SECOND);
  t.deepEqual(db.recoveries[0]!.files, {});
  t.is(result.events, 1 + 1 + 2, 'no writeback timer at all: a start, a write, a crash, a restart');
});

test('a power loss voids a writeback in flight, like an fsync in flight', (t) => {
  // 1 MB/s: writing 1 MB back takes a second, and the power fails in the middle of it.
  const s = store({ bandwidthBytesPerSec: 1_000_000 });
  const db = s.puppet('db', 'store-1');
  s.at(1 * SECOND, () => db.disk.append('big', 'a', 1_000_000));
  s.crashNode('store-1').at(31 * SECOND + 500_000);
  s.restartNode('store-1').at(40 * SECOND);
  s.run(50 * SECOND);
  t.deepEqual(db.recoveries[0]!.files, {});
  t.deepEqual(s.diskOps('db', 'writeback', 'writeback-done'), [[31 * SECOND, 'writeback']]);
});

test('a writeback lists an actor\'s files in the order they were made, whatever order they were dirtied in, and writes back each once', (t) => {
  const s = store();
  const db = s.puppet('db', 'store-1');
  s.at(1 * SECOND, () => {
    for (const name of ['a', 'b', 'c']) db.disk.append(name, 0, 100);
    db.disk.fsync();
  });
  // Dirtied c, a, b after the fsync (the flusher's dirty list in that order); wake-ups at 6, 11, …: c and a
  // (dirty at 2 and 3 s) are written back at 36 s, b (dirty at 10 s) at 41 s, and c, dirty again, at 71 s.
  s.at(2 * SECOND, () => db.disk.append('c', 1, 10));
  s.at(3 * SECOND, () => db.disk.append('a', 1, 20));
  s.at(10 * SECOND, () => db.disk.append('b', 1, 40));
  s.at(36 * SECOND + 1, () => db.disk.append('c', 2, 10)); // dirty again right after its writeback: expires at 66 s
  s.run(100 * SECOND);
  t.deepEqual(
    s.kinds('disk').filter((r) => r.op === 'writeback').map((r) => [r.t, r.files, r.bytes]),
    [
      [36 * SECOND, ['a', 'c'], 30],
      [41 * SECOND, ['b'], 40],
      [71 * SECOND, ['c'], 10],
    ],
  );
});

test('a writeback cleans a file\'s records: truncating one written back does not discount it from the next fsync', (t) => {
  // 1 MB/s: a byte costs 1 µs, so the fsync's duration shows the bytes it was charged.
  const s = store({ bandwidthBytesPerSec: 1_000_000 });
  const db = s.puppet('db', 'store-1');
  s.at(1 * SECOND, () => db.disk.append('log', 'a', 8_000)); // written back at 31 s (8 ms)
  const at = 40 * SECOND;
  s.at(at, () => {
    db.disk.truncate('log', 0); // `a` reached the device at 31 s: nothing left to drop
    db.disk.append('log', 'b', 300);
    db.disk.fsync();
  });
  s.run(50 * SECOND);
  t.deepEqual(s.diskOps('db', 'writeback', 'writeback-done'), [
    [31 * SECOND, 'writeback'],
    [31 * SECOND + 100 + 8_000, 'writeback-done'],
  ]);
  // Latency 100 µs + 300 B: not 300 B less the 8 000 B written back before.
  t.deepEqual(s.diskOps('db', 'fsync', 'fsync-done'), [
    [at, 'fsync'],
    [at + 100 + 300, 'fsync-done'],
  ]);
});

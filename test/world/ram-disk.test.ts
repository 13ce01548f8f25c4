/**
 * A node's RAM disk (tmpfs, files under `/dev/shm/`): it survives a process crash and dies with
 * its node — whatever else was fsynced or written back. An fsync never covers it, it costs the
 * device nothing, and a device fault does not touch it.
 */
import test from 'ava';
import { SECOND } from '../../src/kernel/index.ts';
import { Scenario } from './_scenario.ts';

function store() {
  const s = new Scenario(1);
  s.lanSite('store', 1, { latencyUs: 10, bandwidthBytesPerSec: 1_000_000_000 }, { latencyUs: 100, bandwidthBytesPerSec: 1_000_000 });
  return s;
}

/** A file on the RAM disk, as Linux names it. */
const shm = '/dev/shm/ckpt';

test('an fsync of another file does not make a RAM-disk file durable: the node takes it along', (t) => {
  const s = store();
  const op = s.puppet('op', 'store-1');
  s.at(1_000, () => {
    op.disk.put(shm, 'image', 500_000);
    op.disk.put('counter', 1, 8);
    op.disk.fsync({ name: 'synced' });
  });
  s.crashNode('store-1').at(2 * SECOND);
  s.restartNode('store-1').at(3 * SECOND);
  s.run(4 * SECOND);
  // The fsync wrote 8 bytes, not the 500 kB image: the RAM disk is not on the device.
  t.deepEqual(s.diskOps('op', 'fsync', 'fsync-done').map(([at]) => at), [1_000, 1_000 + 100 + 8]);
  t.deepEqual(op.recoveries, [{ t: 3 * SECOND, files: { counter: [1] } }]);
});

test('nor does background writeback: a RAM-disk file older than dirty_expire still dies with the node', (t) => {
  const s = store();
  const op = s.puppet('op', 'store-1');
  s.at(1_000, () => {
    op.disk.put(shm, 'image', 100);
    op.disk.put('log', 'x', 100);
  });
  s.crashNode('store-1').at(60 * SECOND);
  s.restartNode('store-1').at(61 * SECOND);
  s.run(62 * SECOND);
  // `log` was written back after 30 s (where the disk writes back), the RAM disk never.
  t.false(Object.keys(op.recoveries[0].files).includes(shm));
});

test('a process crash keeps the RAM disk; the device dropping its unsynced data does not touch it', (t) => {
  const s = store();
  const op = s.puppet('op', 'store-1');
  s.at(1_000, () => op.disk.put(shm, 'image', 100));
  s.at(2_000, () => s.world.diskOf('store-1').loseUnsynced());
  s.crashActor('op').at(3_000);
  s.restartActor('op').at(4_000);
  s.run(5_000);
  t.deepEqual(op.recoveries, [{ t: 4_000, files: { [shm]: ['image'] } }]);
});

test('a power loss lists the actors in the order they started, not the order they first wrote', (t) => {
  // Each actor's files are registered at its first write (an actor that never writes costs no
  // entry); power loss must still report them actor by actor in start order, device then RAM disk.
  const s = store();
  const [a, b, c] = [s.puppet('a', 'store-1'), s.puppet('b', 'store-1'), s.puppet('c', 'store-1')];
  s.at(1_000, () => {
    c.disk.put(shm, 'c', 10);
    c.disk.put('log', 'c', 10);
  });
  s.at(2_000, () => {
    b.disk.put('log', 'b', 10);
    a.disk.put(shm, 'a', 10);
    a.disk.put('log', 'a', 10);
  });
  s.crashNode('store-1').at(3_000);
  s.run(4_000);
  const lost = s.records.filter((r) => r.k === 'disk' && r.op === 'lost').map((r) => `${r.a}:${String(r.file)}`);
  t.deepEqual(lost, ['a:log', 'b:log', 'c:log', `a:${shm}`, `c:${shm}`]);
});

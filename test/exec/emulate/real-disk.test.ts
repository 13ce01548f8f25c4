import test from 'ava';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealDisk } from '../../../src/exec/emulate/real-disk.ts';
import type { Wakeup } from '../../../src/kernel/index.ts';

function fresh(t: { teardown(fn: () => void): void }): { dir: string; open(): { disk: RealDisk; records: Record<string, unknown>[]; woken: Wakeup[] } } {
  const dir = mkdtempSync(join(tmpdir(), 'real-disk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    open() {
      const records: Record<string, unknown>[] = [];
      const woken: Wakeup[] = [];
      return { disk: new RealDisk(dir, { record: (f) => records.push(f), wake: (w) => woken.push(w) }), records, woken };
    },
  };
}

test('writes reach the file only at fsync, and a new life reads back exactly what was fsynced', (t) => {
  const home = fresh(t);
  const { disk, woken } = home.open();
  disk.append('log', { id: 1 }, 10);
  disk.append('log', { id: 2 }, 10);
  t.deepEqual(disk.read('log'), [{ id: 1 }, { id: 2 }], 'the page cache sees writes at once');
  disk.fsync({ name: 'synced' });
  t.deepEqual(woken, [{ name: 'synced' }]);
  disk.append('log', { id: 3 }, 10);
  disk.put('meta', { epoch: 7 }, 8);
  // The thread dies here: no fsync for id 3 or meta. A fresh disk over the same directory:
  const again = home.open().disk;
  t.deepEqual(again.read('log'), [{ id: 1 }, { id: 2 }]);
  t.is(again.read('meta'), undefined);
  t.deepEqual(again.files(), ['log']);
});

test('put, truncate and delete are durable after fsync, through a rewrite of the file', (t) => {
  const home = fresh(t);
  const { disk } = home.open();
  disk.append('log', 'a', 1);
  disk.append('log', 'b', 1);
  disk.append('log', 'c', 1);
  disk.put('meta', { v: 1 }, 1);
  disk.put('gone', 1, 1);
  disk.fsync();
  disk.truncate('log', 1);
  disk.put('meta', { v: 2 }, 1);
  disk.delete('gone');
  disk.fsync();
  const again = home.open().disk;
  t.deepEqual(again.read('log'), ['a']);
  t.deepEqual(again.get('meta'), { v: 2 });
  t.deepEqual(again.files(), ['log', 'meta']);
});

test('a partial last line (a write cut short by a kill) is dropped as a torn record', (t) => {
  const home = fresh(t);
  const { disk } = home.open();
  disk.append('log', { id: 1 }, 10);
  disk.fsync();
  appendFileSync(join(home.dir, 'log.jsonl'), '{"id":2,"pay');
  const { disk: again, records } = home.open();
  t.deepEqual(again.read('log'), [{ id: 1 }]);
  t.deepEqual(records, [{ op: 'torn', file: 'log', record: 1 }]);
  again.fsync();
  t.is(readFileSync(join(home.dir, 'log.jsonl'), 'utf8'), '{"id":1}\n', 'the next fsync rewrites the file without it');
});

test('disk records have the simulated disk\'s shape', (t) => {
  const { disk, records } = fresh(t).open();
  disk.append('log', 1, 100);
  disk.fsync();
  t.deepEqual(records, [
    { op: 'append', file: 'log', bytes: 100 },
    { op: 'fsync', bytes: 100 },
    { op: 'fsync-done', bytes: 100 },
  ]);
});

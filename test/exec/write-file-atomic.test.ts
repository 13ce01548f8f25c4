/**
 * writeFileAtomic: the content is fsynced before the temporary file is renamed onto the name, so a
 * power loss leaves the old file or the new one, never an empty one under the new name (a sweep's
 * manifest lost that way would make its fsynced results unresumable).
 */
import test from 'ava';
import fs, { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from '../../src/exec/staging.ts';

test('the file is fsynced before it is renamed into place', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-atomic-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const calls: string[] = [];
  const saved = { fsyncSync: fs.fsyncSync, renameSync: fs.renameSync };
  fs.fsyncSync = (fd) => (calls.push('fsync'), saved.fsyncSync(fd));
  fs.renameSync = (from, to) => (calls.push('rename'), saved.renameSync(from, to));
  syncBuiltinESMExports();
  try {
    writeFileAtomic(join(dir, 'sweep.json'), '{"a":1}\n');
  } finally {
    Object.assign(fs, saved);
    syncBuiltinESMExports();
  }
  t.deepEqual(calls, ['fsync', 'rename']);
  t.is(readFileSync(join(dir, 'sweep.json'), 'utf8'), '{"a":1}\n');
  t.deepEqual(readdirSync(dir), ['sweep.json']);
});

test('temporary files of processes that no longer run are removed; those of a live one and other files stay', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-stale-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dead = 2 ** 22 + 1; // above Linux's pid_max: no process has it
  const files = [`report.md.${dead}.tmp`, `timeline.html.tmp-${dead}`, `report.md.${process.pid}.tmp`, 'results.jsonl', 'notes.tmp', `a.b.${dead}.tmp`];
  for (const file of files) fs.writeFileSync(join(dir, file), '');
  t.deepEqual(removeStaleTemporaries(dir, 'report.md'), [join(dir, `report.md.${dead}.tmp`)]);
  t.deepEqual(removeStaleTemporaries(dir).sort(), [join(dir, `a.b.${dead}.tmp`), join(dir, `timeline.html.tmp-${dead}`)]);
  t.deepEqual(readdirSync(dir).sort(), [`report.md.${process.pid}.tmp`, 'notes.tmp', 'results.jsonl'].sort());
});

/**
 * writeFileAtomic: the content is fsynced before the temporary file is renamed onto the name, so a
 * power loss leaves the old file or the new one, never an empty one under the new name (a sweep's
 * manifest lost that way would make its fsynced results unresumable).
 */
import test from 'ava';
import fs, { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from '../../src/exec/staging.ts';
import { RESULTS_LOG, ResultsLog, type CellRecord } from '../../src/exec/sweep-log.ts';
import { traceFile } from '../../src/kernel/trace-file.ts';
import { SimulationError } from '../../src/kernel/contract/index.ts';
import { reportError } from '../../src/cli/exit.ts';
import { fileProblem } from '../../src/cli/file-problem.ts';

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

/**
 * A full disk, made by the temporary file's name leading to /dev/full (every write there fails
 * with ENOSPC): the error names the file the user asked for, and leaves no part-written file.
 */
const fullDisk = (t: import('ava').ExecutionContext, temporary: (path: string) => string) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-full-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'out');
  symlinkSync('/dev/full', temporary(path));
  return { dir, path };
};

test('a full disk: writeFileAtomic names the file and removes its temporary file', (t) => {
  const { dir, path } = fullDisk(t, (p) => `${p}.${process.pid}.tmp`);
  const error = t.throws(() => writeFileAtomic(path, 'x'.repeat(1 << 16)));
  t.is((error as NodeJS.ErrnoException).code, 'ENOSPC');
  // Red before: no path (a write through a descriptor), so an internal error with a stack.
  t.is(fileProblem(error), `${path}: no space left on the device`);
  t.deepEqual(readdirSync(dir), []);
});

test('a full disk under a run: the trace write fails its actor, and the CLI reports the trace file in one line, exit 2', (t) => {
  const { path } = fullDisk(t, (p) => `${p}.tmp`);
  const sink = traceFile(path);
  const error = t.throws(() => sink.write('{"t":0}\n'));
  sink.abort();
  const wrapped = new SimulationError(1, 5, 'store', 'message produce from detector', error);
  const saved = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  let code: number;
  try {
    code = reportError(wrapped, 'npx diaspora run x.yaml');
  } finally {
    process.stderr.write = saved;
  }
  // Red before: "internal error: actor store threw … ENOSPC" with the stack, exit 3.
  t.is(code, 2);
  t.is(stderr, `${path}: no space left on the device\n`);
});

test('a file being written is named as it will be published: the staging directory and temporary endings are taken off', (t) => {
  const named = (path: string) => fileProblem(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', path }));
  t.is(named('out/.run.123.tmp/trace.jsonl.tmp'), 'out/run/trace.jsonl: no space left on the device');
  t.is(named('/a/page.html.tmp-77'), '/a/page.html: no space left on the device');
  t.is(named('s/sweep.json.77.tmp'), 's/sweep.json: no space left on the device');
  t.is(named('s/notes.tmp.txt'), 's/notes.tmp.txt: no space left on the device');
});

test('a close that reports a deferred write error (NFS, quotas): writeFileAtomic names the file and removes its temporary file', (t) => {
  // No file system here reports an error at close, so closeSync is replaced for this one synchronous
  // call (as the fsync test above does): nothing else runs meanwhile, and it is restored before any check.
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-close-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sweep.json');
  const saved = fs.closeSync;
  fs.closeSync = (fd) => {
    saved(fd); // close(2) releases the descriptor even when it reports an error
    throw Object.assign(new Error('EDQUOT: disk quota exceeded, close'), { code: 'EDQUOT', errno: -122, syscall: 'close' });
  };
  syncBuiltinESMExports();
  let error: unknown;
  try {
    writeFileAtomic(path, '{"a":1}\n');
  } catch (thrown) {
    error = thrown;
  } finally {
    fs.closeSync = saved;
    syncBuiltinESMExports();
  }
  t.is((error as NodeJS.ErrnoException | undefined)?.code, 'EDQUOT');
  // Red before: the error had no path, and the temporary file stayed (never renamed, never removed).
  t.is((error as NodeJS.ErrnoException).path, path);
  t.deepEqual(readdirSync(dir), []);
});

test('a full disk under a sweep: appending a result fails naming results.jsonl', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-full-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, RESULTS_LOG);
  symlinkSync('/dev/full', path);
  const log = new ResultsLog(dir, 0);
  t.teardown(() => log.close());
  const record = { sweep: 's', cell: 'c', index: 0, status: 'error', error: { message: 'x' } } as unknown as CellRecord;
  const error = t.throws(() => log.append(record));
  t.is((error as NodeJS.ErrnoException).code, 'ENOSPC');
  // Red before naming: a write through a descriptor has no path, so an internal error with a stack.
  t.is(fileProblem(error), `${path}: no space left on the device`);
  t.deepEqual(readdirSync(dir), [RESULTS_LOG]);
});

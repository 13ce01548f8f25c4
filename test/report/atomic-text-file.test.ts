/**
 * writeTextAtomically: an export whose producer fails after writing (a damaged trace found half
 * way through a Perfetto export) rejects with that error, leaves neither the file nor its
 * temporary, and raises no unhandled stream error (writes still queued when the stream is
 * destroyed used to take the process down: ERR_STREAM_DESTROYED).
 */
import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTextAtomically } from '../../src/report/atomic-text-file.ts';

const DIR = mkdtempSync(join(tmpdir(), 'diaspora-atomic-'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

test('a producer that throws after writing: its error, no file, no temporary, no stray stream error', async (t) => {
  const out = join(DIR, 'export.json');
  const stray: unknown[] = [];
  const onStray = (error: unknown) => stray.push(error);
  process.on('uncaughtException', onStray);
  try {
    const failure = new Error('line 5704: a trace record needs numeric t and n and string k and a');
    await t.throwsAsync(
      writeTextAtomically(out, async (write) => {
        // Many writes, some waiting for a drain: chunks still queued in the stream at the throw.
        for (let i = 0; i < 200; i++) await write(`${'x'.repeat(999)}\n`);
        throw failure;
      }),
      { is: failure },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('uncaughtException', onStray);
  }
  t.deepEqual(stray, []);
  t.false(existsSync(out));
  t.deepEqual(readdirSync(DIR), []);
});

test('a full disk: the export fails with an error naming the file asked for, and leaves nothing behind', async (t) => {
  // The temporary file's name leads to /dev/full: every write there fails with ENOSPC.
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-full-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'page.html');
  symlinkSync('/dev/full', `${out}.tmp-${process.pid}`);
  const error = await t.throwsAsync(
    writeTextAtomically(out, async (write) => {
      for (let i = 0; i < 20; i++) await write(`${'x'.repeat(9_999)}\n`);
    }),
  );
  t.is((error as NodeJS.ErrnoException).code, 'ENOSPC');
  // A stream's write error has no path: named as the page, not its temporary (fileProblem: `page.html: no space left on the device`).
  t.is((error as NodeJS.ErrnoException).path, out);
  t.deepEqual(readdirSync(dir), []);
});

/**
 * Reading a run directory (src/exec/run-dir.ts) when one of its files is a symbolic link that
 * leads nowhere — a loop, or a target that is gone (a copied run whose links point into the old
 * place): the link is named as such, never "no summary.json here" for a file `ls` shows, and an
 * optional file (faults.json, trace.jsonl, scenario.yaml) is not silently done without.
 */
import test from 'ava';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/kernel/index.ts';
import { readRunDirectory, runToCheck } from '../../src/exec/run-dir.ts';
import { diaspora, ROOT } from '../cli/cli.ts';

const SCRATCH = mkdtempSync(join(tmpdir(), 'diaspora-run-dir-'));
test.after.always(() => rmSync(SCRATCH, { recursive: true, force: true }));
const NOWHERE = 'a symbolic link that leads nowhere (its target is missing, or the links form a loop)';

const recorded = (async () => {
  const out = join(SCRATCH, 'run');
  const r = await diaspora(['run', join(ROOT, 'scenarios/beamline-store.yaml'), '--out', out, '--trace', '--quiet']);
  if (r.code > 1) throw new Error(r.stderr);
  return out;
})();

/** A copy of the recorded run with `file` replaced by a link that loops, or one to a file that is gone. */
async function withLink(file: string, kind: 'loop' | 'gone'): Promise<{ dir: string; path: string }> {
  const dir = join(mkdtempSync(join(SCRATCH, 'case-')), 'run');
  cpSync(await recorded, dir, { recursive: true });
  const path = join(dir, file);
  rmSync(path);
  symlinkSync(kind === 'loop' ? path : join(dir, 'gone'), path);
  return { dir, path };
}

for (const file of ['summary.json', 'scenario.resolved.json', 'faults.json', 'scenario.yaml', 'trace.jsonl']) {
  for (const kind of ['loop', 'gone'] as const) {
    test(`${file} a link that ${kind === 'loop' ? 'loops' : 'leads to a file that is gone'}: named as such by replay's and check's readers`, async (t) => {
      const { dir, path } = await withLink(file, kind);
      t.throws(() => readRunDirectory(dir), { instanceOf: InputError, message: `${path}: ${NOWHERE}` });
      t.throws(() => runToCheck(dir), { instanceOf: InputError, message: `${path}: ${NOWHERE}` });
    });
  }
}

test('an intact copy reads whole (the links above are the only damage)', async (t) => {
  const dir = join(mkdtempSync(join(SCRATCH, 'case-')), 'run');
  cpSync(await recorded, dir, { recursive: true });
  t.is(readRunDirectory(dir).tracePath, join(dir, 'trace.jsonl'));
  t.not(runToCheck(dir).recorded, undefined);
});

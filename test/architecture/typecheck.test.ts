/**
 * `npm test`'s type check: `tsc --noEmit` over tsconfig.json (src/, the tests, bench/, examples/,
 * viz/, the build's scripts) passes. A test file rather than a step before ava, so that its ≈ 30 s
 * of CPU run beside the other test files on both cores instead of before them on one (bench/
 * README.md "Session 15 — suite"); `npm run typecheck` is the same check alone. A type error fails
 * this test with tsc's diagnostics; the other tests still run (tsx does not type-check).
 */
import test from 'ava';
import { join } from 'node:path';
import { ROOT, runCommand } from '../cli/cli.ts';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

test('tsc --noEmit finds no type error in the project', async (t) => {
  const r = await runCommand(process.execPath, [TSC, '--noEmit', '--project', ROOT], ROOT);
  t.is(r.code, 0, `${r.stdout}${r.stderr}`);
  t.is(r.stdout, '', 'no diagnostics');
});

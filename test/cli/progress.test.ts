/**
 * Progress when the output is not a terminal (a pipe, a CI or Slurm log): `run --json` and `check`
 * print nothing on stderr and only JSON on stdout with --json; a sweep's progress is whole lines on
 * stderr, never a carriage return or a cursor code, and none with --quiet. (On a terminal the
 * same commands draw bars: checked by hand with `script`, since a test has no terminal.)
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diaspora } from './cli.ts';

const SCRATCH = mkdtempSync(join(tmpdir(), 'diaspora-progress-'));
test.after.always(() => rmSync(SCRATCH, { recursive: true, force: true }));
const DEMO = 'scenarios/beamline-store.yaml';

test('run --json and check, piped: nothing on stderr, and --json is JSON alone', async (t) => {
  const run = await diaspora(['run', DEMO, '--json', '--trace', '--out', join(SCRATCH, 'run')]);
  t.is(run.stderr, '');
  t.is(JSON.parse(run.stdout).scenario, 'beamline-store');
  const check = await diaspora(['check', join(SCRATCH, 'run')]);
  t.is(check.stderr, '');
  const json = await diaspora(['check', join(SCRATCH, 'run'), '--json']);
  t.is(json.stderr, '');
  t.false(JSON.parse(json.stdout)['no-acked-loss'].ok);
});

test('sweep, piped: whole progress lines on stderr, no carriage return or escape; --quiet: none', async (t) => {
  const args = ['sweep', DEMO, '--param', 'quiesce=10s,20s', '--seeds', '2', '--jobs', '1'];
  const loud = await diaspora([...args, '--out', join(SCRATCH, 'loud')]);
  t.is(loud.code, 0, loud.stderr);
  t.regex(loud.stderr, /^sweep: \d+\/4 cells \(\d+%\)/m);
  t.notRegex(loud.stderr, /[\r\u001b]/);
  const quiet = await diaspora([...args, '--quiet', '--out', join(SCRATCH, 'quiet')]);
  t.is(quiet.stderr, '');
});

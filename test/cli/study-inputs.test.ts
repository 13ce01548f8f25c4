/**
 * What a study or run does with inputs that only show when the world is built, and how it talks in
 * a pipe: a sweep whose values cannot be built is refused before any cell runs (one line per
 * failing value, naming the axis, the value, the file, line and field), or runs the others with
 * `--skip-invalid`; `diaspora run <(…)` reads its scenario once; progress in a pipe is whole lines.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diaspora, type Outcome, ROOT } from './cli.ts';

const DEMO = 'scenarios/beamline-store.yaml';
const BIN = fileURLToPath(new URL('../../bin/diaspora.mjs', import.meta.url));
const SCRATCH = mkdtempSync(join(tmpdir(), 'diaspora-study-inputs-'));
test.after.always(() => rmSync(SCRATCH, { recursive: true, force: true }));
const TOO_SHORT = (value: string) => new RegExp(`scenarios/beamline-store\\.yaml:14 quiesce: ${value} is too short for the final read`);
const stderrLines = (r: Outcome) => r.stderr.trimEnd().split('\n');

test('a sweep whose every value fails to build runs no cell: one line per value with the axis, file, line and field; exit 2', async (t) => {
  const out = join(SCRATCH, 'all-fail');
  const r = await diaspora(['sweep', DEMO, '--param', 'quiesce=1s,2s', '--seeds', '3', '--jobs', '1', '--out', out]);
  t.is(r.code, 2, r.stderr);
  const lines = stderrLines(r);
  t.is(lines.length, 2, r.stderr);
  t.regex(lines[0]!, /^--param quiesce=1s: /);
  t.regex(lines[0]!, TOO_SHORT('1s'));
  t.regex(lines[1]!, /^--param quiesce=2s: /);
  t.regex(lines[1]!, TOO_SHORT('2s'));
  t.notRegex(r.stderr, /\n\s+at |internal error|sweep: \d/);
  t.false(existsSync(out), 'nothing written');
});

test('a sweep where some values fail to build says so up front and runs nothing; --skip-invalid runs the others', async (t) => {
  const out = join(SCRATCH, 'some-fail');
  const args = ['sweep', DEMO, '--param', 'quiesce=1s,20s', '--seeds', '2', '--jobs', '1', '--out', out];
  const refused = await diaspora(args);
  t.is(refused.code, 2, refused.stderr);
  const lines = stderrLines(refused);
  t.deepEqual(lines.length, 2, refused.stderr);
  t.regex(lines[0]!, /^2 of 4 cells cannot be built, so none was run \(--skip-invalid runs the other 2\):$/);
  t.regex(lines[1]!, /^--param quiesce=1s: /);
  t.false(existsSync(out), 'nothing written');

  const skipped = await diaspora([...args, '--skip-invalid', '--quiet']);
  t.is(skipped.code, 0, skipped.stderr);
  t.regex(skipped.stdout, /--skip-invalid: skipping 2 of 4 cells whose scenario cannot be built:\n {2}--param quiesce=1s: /);
  const records = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { params: Record<string, string>; status: string; error?: { kind: string } });
  t.is(records.length, 4);
  t.true(records.filter((r) => r.params.quiesce === '1s').every((r) => r.status === 'error' && r.error?.kind === 'input'));
  t.true(records.filter((r) => r.params.quiesce === '20s').every((r) => r.status !== 'error'));
});

test('slices of a sweep run with --skip-invalid merge into the whole result (exit 0), the skipped cells recorded as input errors', async (t) => {
  const args = (i: number) => ['sweep', DEMO, '--param', 'quiesce=1s,20s', '--seeds', '2', '--jobs', '1', '--skip-invalid', '--quiet', '--shard', `${i}/2`, '--out', join(SCRATCH, `slice-${i}`)];
  for (const i of [0, 1]) {
    const slice = await diaspora(args(i));
    t.is(slice.code, 0, slice.stderr);
    t.regex(slice.stdout, /1 errored \(1 skipped: their scenario cannot be built\)/);
  }
  const out = join(SCRATCH, 'merged');
  const merged = await diaspora(['merge', join(SCRATCH, 'slice-0'), join(SCRATCH, 'slice-1'), '--out', out]);
  t.is(merged.code, 0, merged.stdout + merged.stderr);
  t.regex(merged.stdout, /4 cells: .* 2 errored \(2 skipped: their scenario cannot be built\)/);
  t.is(merged.stderr, '');
  const records = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { params: Record<string, string>; status: string; error?: { kind: string; skipped?: boolean } });
  t.is(records.length, 4);
  t.true(records.filter((r) => r.params.quiesce === '1s').every((r) => r.status === 'error' && r.error?.kind === 'input' && r.error.skipped === true));
  t.true(records.filter((r) => r.params.quiesce === '20s').every((r) => r.status !== 'error'));
  t.true(existsSync(join(out, 'report.md')));
});

test('compare blames the variant whose scenario cannot be built', async (t) => {
  const r = await diaspora(['compare', DEMO, '--variant', 'short:quiesce=2s', '--variant', 'long:quiesce=20s', '--seeds', '2', '--jobs', '1', '--out', join(SCRATCH, 'cmp')]);
  t.is(r.code, 2, r.stderr);
  const lines = stderrLines(r);
  t.is(lines.length, 2, r.stderr);
  t.regex(lines[1]!, /^variant short: /);
  t.regex(lines[1]!, TOO_SHORT('2s'));
});

test('a study whose own --set cannot be built gives that one message, as run does', async (t) => {
  const r = await diaspora(['sweep', DEMO, '--set', 'quiesce=1s', '--param', 'services.store.flush=1s,2s', '--seeds', '2', '--jobs', '1', '--out', join(SCRATCH, 'own')]);
  t.is(r.code, 2, r.stderr);
  t.deepEqual(stderrLines(r).length, 1, r.stderr);
  t.regex(r.stderr, TOO_SHORT('1s'));
});

/** `bash -c` so that `<(…)` makes a pipe, as it does for a user. */
function inBash(script: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd: ROOT, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

test('diaspora run <(…) reads the pipe once: the run and its scenario.yaml are written, and a build error is placed', async (t) => {
  const out = join(SCRATCH, 'piped');
  const r = await inBash(`"${process.execPath}" "${BIN}" run <(cat ${DEMO}) --quiet --out "${out}"`);
  t.true(r.code === 0 || r.code === 1, r.stderr);
  t.is(r.stderr, '');
  t.regex(readFileSync(join(out, 'scenario.yaml'), 'utf8'), /name: beamline-store/);
  const bad = await inBash(`"${process.execPath}" "${BIN}" run <(sed 's/^quiesce: 10s/quiesce: 1s/' ${DEMO}) --quiet --out "${join(SCRATCH, 'piped-bad')}"`);
  t.is(bad.code, 2, bad.stderr);
  t.regex(bad.stderr.trimEnd(), /^\/dev\/fd\/\d+:14 quiesce: 1s is too short for the final read/);
});

test('in a pipe, study progress is whole lines (no carriage returns, no bar), and --quiet silences it', async (t) => {
  const args = ['sweep', DEMO, '--param', 'services.store.flush=1s,2s', '--seeds', '2', '--jobs', '1'];
  const r = await diaspora([...args, '--out', join(SCRATCH, 'progress')]);
  t.is(r.code, 0, r.stderr);
  t.false(r.stderr.includes('\r'), 'no carriage return');
  const lines = stderrLines(r);
  t.true(lines.length >= 1 && lines.length <= 11, r.stderr);
  for (const line of lines) t.regex(line, /^sweep: \d+\/4 cells \(\d+%\), \d+ failed a check, \d+ errored · \d+s/);
  t.regex(lines.at(-1)!, /^sweep: 4\/4 cells \(100%\)/);
  const quiet = await diaspora([...args, '--quiet', '--out', join(SCRATCH, 'progress-quiet')]);
  t.is(quiet.code, 0, quiet.stderr);
  t.is(quiet.stderr, '');
});

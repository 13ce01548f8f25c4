/**
 * A sweep interrupted at a deterministic point — the process sends itself SIGKILL, SIGINT or
 * SIGTERM right after appending its Nth result line, or SIGKILL half-way through writing it
 * (test/exec/_kill-at-record.mjs) — then resumed by the same command: finished cells are not run
 * again (each cell has exactly one line, and the lines saved before the kill are kept byte for
 * byte), and the reports are byte-identical to those of a sweep never interrupted. A results file
 * damaged otherwise is named with its line on resume, or its torn tail is run again — never
 * trusted silently.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diaspora, ROOT } from '../cli/cli.ts';
import { cli } from '../fuzz/harness.ts';
import { scratchDirs } from './sweep-scratch.ts';

const BIN = fileURLToPath(new URL('../../bin/diaspora.mjs', import.meta.url));
const HOOK = fileURLToPath(new URL('./_kill-at-record.mjs', import.meta.url));
const scratch = scratchDirs('diaspora-sweep-interrupt-');
const SWEEP = [
  'sweep', 'scenarios/beamline-store.yaml', '--param', 'links[0].latency=500us,20ms',
  '--variant', 'fsync5s:services.store.flush=5s', '--variant', 'everywrite:services.store.flush=every-write', '--seeds', '3', '--quiet',
];
const CELLS = 12;
const REPORTS = ['report.html', 'report.md', 'results.csv', 'results.json'];
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
/** A report names its own directory (in each cell's command); two are compared without it. */
const placed = (dir: string, file: string) => read(dir, file).replaceAll(dir, '<dir>');
const lines = (dir: string) => read(dir, 'results.jsonl').split('\n').filter((line) => line !== '');
/** A result line without its wall time, the one field that differs from run to run. */
const outcome = (line: string) => JSON.stringify({ ...JSON.parse(line), wallTimeMs: 0 });

/** The sweep never interrupted, to compare with. */
const reference = (async () => {
  const dir = join(scratch(), 'whole');
  const r = await diaspora([...SWEEP, '--jobs', '1', '--out', dir]);
  if (r.code !== 0) throw new Error(r.stderr);
  return dir;
})();

/** `diaspora sweep …` killed by itself at result line `at`; its exit code (or signal). */
function killedSweep(dir: string, env: Record<string, string>, jobs = '1'): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', HOOK, BIN, ...SWEEP, '--jobs', jobs, '--out', dir], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resumes `dir` with the same command (another --jobs: the job count is not part of the sweep). */
async function resumeAndCompare(t: import('ava').ExecutionContext, dir: string, saved: readonly string[], expectedLines = CELLS): Promise<void> {
  const again = await diaspora([...SWEEP, '--jobs', '2', '--out', dir]);
  t.is(again.code, 0, again.stdout + again.stderr);
  const after = lines(dir);
  t.is(after.length, expectedLines, 'one line per cell: no finished cell ran again');
  t.deepEqual(after.slice(0, saved.length), [...saved], 'the lines saved before the kill are kept as they were');
  t.is(new Set(after.map((line) => JSON.parse(line).cell)).size, CELLS);
  const whole = await reference;
  const byIndex = (all: string[]) => [...new Set(all.map(outcome))].sort((a, b) => JSON.parse(a).index - JSON.parse(b).index);
  t.deepEqual(byIndex(after), byIndex(lines(whole)), 'every cell has the outcome of the uninterrupted sweep');
  for (const file of [...REPORTS, 'sweep.json']) t.is(placed(dir, file), placed(whole, file), file);
}

for (const [signal, at] of [['SIGKILL', 5], ['SIGINT', 3], ['SIGTERM', 7]] as const) {
  test(`${signal} after result line ${at}: the same command resumes, runs only the missing cells, and ends as an uninterrupted sweep`, async (t) => {
    const dir = join(scratch(), signal);
    const killed = await killedSweep(dir, { KILL_AT_RECORD: String(at), KILL_SIGNAL: signal });
    if (signal === 'SIGKILL') t.is(killed.signal, 'SIGKILL');
    else t.is(killed.code, signal === 'SIGINT' ? 130 : 143, killed.stdout);
    const saved = lines(dir);
    // SIGKILL stops at the line. Ctrl-C lets the cells already running finish and be saved; SIGTERM
    // stops at once, but a signal a process sends itself is handled on a later turn of its event
    // loop, so a cell whose answer was already queued may be saved first (the CI of c4695fd saw 8 for 7).
    if (signal === 'SIGKILL') t.is(saved.length, at);
    else t.true(saved.length >= at && saved.length < CELLS, `${saved.length} saved`);
    if (signal === 'SIGINT') t.regex(killed.stdout, new RegExp(`interrupted: ${saved.length} of ${CELLS} cells are saved`));
    // A batch scheduler's time limit is a SIGTERM: its job log says what was kept (red before: it said
    // "unfinished output removed", as if the slice's results were gone).
    if (signal === 'SIGTERM') t.regex(killed.stderr, new RegExp(`^interrupted \\(SIGTERM\\); ${saved.length} of ${CELLS} cells are saved in \\S+/; run the same command again to resume$`, 'm'));
    t.false(REPORTS.some((file) => readFileSync(join(dir, 'sweep.json')) && existsQuiet(join(dir, file))), 'no report before every cell is done');
    await resumeAndCompare(t, dir, saved);
  });
}

test('SIGKILL half-way through writing a result line: the torn line is dropped and its cell run again', async (t) => {
  const dir = join(scratch(), 'torn');
  const killed = await killedSweep(dir, { KILL_AT_RECORD: '4', KILL_TORN: '1' });
  t.is(killed.signal, 'SIGKILL');
  const text = read(dir, 'results.jsonl');
  t.false(text.endsWith('\n'), 'the last line is torn');
  await resumeAndCompare(t, dir, lines(dir).slice(0, 3));
});

test('SIGKILL while the reports are written: the same command writes them, and leaves no temporary file behind', async (t) => {
  const dir = join(scratch(), 'reports');
  const killed = await killedSweep(dir, { KILL_AT_RENAME: 'report.md' });
  t.is(killed.signal, 'SIGKILL');
  t.is(lines(dir).length, CELLS);
  t.true(readdirSync(dir).some((file) => /^report\.md\.\d+\.tmp$/.test(file)), readdirSync(dir).join(' '));
  await resumeAndCompare(t, dir, lines(dir));
  t.deepEqual(readdirSync(dir).filter((file) => file.includes('.tmp')), []);
});

test('a results file damaged otherwise is named with its line on resume, never trusted; a tail cut at a line end is run again', async (t) => {
  const whole = await reference;
  const copy = (name: string) => {
    const dir = join(scratch(), name);
    cpSync(whole, dir, { recursive: true });
    return dir;
  };
  // The first refusal is the real command's; the others call it in this process (test/fuzz/harness.ts):
  // the same code reads the file, without ≈ 0.8 s of CPU to start a sweep that stops at its first line.
  let calls = 0;
  const refused = async (dir: string, expected: RegExp) => {
    const before = read(dir, 'results.jsonl');
    const args = [...SWEEP, '--jobs', '1', '--out', dir];
    const r = calls++ === 0 ? await diaspora(args) : await cli(args);
    t.is(r.code, 2, `${dir}: ${r.stdout}${r.stderr}`);
    t.regex(r.stderr, expected);
    t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    t.is(read(dir, 'results.jsonl'), before, 'nothing appended or cut');
  };
  const all = lines(whole);

  const middle = copy('middle');
  writeFileSync(join(middle, 'results.jsonl'), [...all.slice(0, 4), all[4]!.slice(0, 50), ...all.slice(5)].join('\n') + '\n');
  await refused(middle, /results\.jsonl:5: not a result line \(the file was edited or damaged\)/);

  // A power loss can leave a file's length updated and its last block zeros.
  const zeros = copy('zeros');
  writeFileSync(join(zeros, 'results.jsonl'), `${all.slice(0, 6).join('\n')}\n${'\0'.repeat(300)}\n`);
  await refused(zeros, /results\.jsonl:7: /);

  const cut = copy('cut');
  const kept = all.slice(0, 7);
  truncateSync(join(cut, 'results.jsonl'), Buffer.byteLength(`${kept.join('\n')}\n`));
  await resumeAndCompare(t, cut, kept);

  const badStatus = copy('bad-status');
  appendFileSync(join(badStatus, 'results.jsonl'), `${all[2]!.replace('"status":"', '"status":"x')}\n`);
  await refused(badStatus, /results\.jsonl:13: not a result line \(status "xfail" is not pass, fail or error\)/);

  // A cell written twice: kept once when the copies agree, refused when they do not.
  const twice = copy('twice');
  writeFileSync(join(twice, 'results.jsonl'), `${[...all.slice(0, 3), all[1]!].join('\n')}\n`);
  await resumeAndCompare(t, twice, [...all.slice(0, 3), all[1]!], CELLS + 1);
  const disagree = copy('disagree');
  const other = JSON.parse(all[1]!) as { traceHash: string };
  writeFileSync(join(disagree, 'results.jsonl'), `${[...all.slice(0, 3), all[1]!.replace(other.traceHash, 'f'.repeat(other.traceHash.length))].join('\n')}\n`);
  await refused(disagree, /results\.jsonl:4: cell "[^"]+" is here twice with different outcomes \(\w+ [0-9a-f]{16} vs \w+ f{16}\); remove the wrong line/);

  const foreign = copy('foreign');
  writeFileSync(join(foreign, 'results.jsonl'), `${[all[0]!, all[1]!.replace('"index":1,', '"index":99,')].join('\n')}\n`);
  await refused(foreign, /results\.jsonl:2: cell "[^"]+" \(index 99\) is not a cell of this sweep or slice$/m);
});

test('a directory where a sweep file should be is named in one line, exit 2, never a stack', async (t) => {
  const whole = await reference;
  // The first case runs the real command, the others call it in this process (as above).
  for (const [i, [file, expected]] of ([
    ['results.jsonl', /results\.jsonl: is a directory; it should be a file with the results of the finished cells$/],
    ['sweep.json', /sweep\.json: is a directory; it should be a file with the sweep manifest$/],
    ['sweep.lock', /sweep\.lock: is a directory, not a file$/],
    ['results.json', /results\.json: is a directory, not a file$/],
  ] as const).entries()) {
    const dir = join(scratch(), `dir-${file}`);
    cpSync(whole, dir, { recursive: true });
    rmSync(join(dir, file), { force: true });
    mkdirSync(join(dir, file));
    const args = [...SWEEP, '--jobs', '1', '--out', dir];
    const r = i === 0 ? await diaspora(args) : await cli(args);
    t.is(r.code, 2, `${file}: ${r.stderr}`);
    t.regex(r.stderr.trimEnd(), expected);
    t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});

function existsQuiet(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

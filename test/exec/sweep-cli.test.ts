/**
 * `diaspora compare`, `sweep` and `merge` as a user runs them: the reports they write, a sharded
 * sweep merged byte-for-byte equal to the unsharded one, resuming after Ctrl-C, and one-line
 * errors with exit code 2 for bad input.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diaspora, ROOT } from '../cli/cli.ts';
import { studyId } from '../../src/exec/sweep-plan.ts';
import { scratchDirs } from './sweep-scratch.ts';

const DEMO = 'scenarios/beamline-store.yaml';
const BIN = fileURLToPath(new URL('../../bin/diaspora.mjs', import.meta.url));
const scratch = scratchDirs('diaspora-study-');
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
/** A report names its own directory (in each cell's timeline command); two reports are compared without it. */
const readPlaced = (dir: string, file: string) => read(dir, file).replaceAll(dir, '<report dir>');
const REPORTS = ['report.html', 'report.md', 'results.csv', 'results.json'];
const VARIANTS = ['--variant', 'fsync5s:services.store.flush=5s', '--variant', 'everywrite:services.store.flush=every-write'];
const SWEEP = ['sweep', DEMO, '--param', 'links[0].latency=500us,20ms', ...VARIANTS, '--seeds', '3'];
/** The unsharded sweep's directory, for the tests after the first (serial) one to compare with. */
let wholeSweep: string | undefined;

test('compare: a table with intervals and significance, and four reports written atomically', async (t) => {
  const out = join(scratch(), 'cmp');
  const r = await diaspora(['compare', DEMO, ...VARIANTS, '--seeds', '1..4', '--out', out]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^diaspora-sim \S+ · beamline-store · compare [0-9a-f]{12} · seeds 4\n/);
  t.regex(r.stdout, /2 variants × 4 seeds = 8 cells · 2 jobs/);
  t.regex(r.stdout, /metric +fsync5s \(baseline\) +everywrite +Δ everywrite\n/);
  // every-write loses nothing on every seed: a significant drop of the loss.
  t.regex(r.stdout, /no-acked-loss\.lost +(\d+) ± 0 +0 ± 0 +-\1 ± 0 \*\n/);
  t.regex(r.stdout, /8 cells: 4 passed every check, 4 failed a check, 0 errored/);
  t.deepEqual(readdirSync(out).sort(), ['.diaspora-output', ...REPORTS]);
  t.deepEqual(readdirSync(join(out, '..')), ['cmp'], 'no staging directory left behind');

  const json = JSON.parse(read(out, 'results.json'));
  t.is(json.cells.length, 8);
  t.deepEqual(json.spec.variants.map((v: { name: string }) => v.name), ['fsync5s', 'everywrite']);
  const lost = json.summary.comparisons[0].diffs['no-acked-loss.lost'];
  t.true(lost.significant);
  t.true(lost.high < 0);
  const csv = read(out, 'results.csv').trimEnd().split('\n');
  t.is(csv.length, 9);
  t.true(csv[0]!.startsWith('index,cell,variant,seed,status,traceHash,events,passed,'));
  t.regex(read(out, 'report.md'), /\| no-acked-loss\.lost \| \d+ ± 0 \| 0 ± 0 \| -\d+ \[-\d+, -\d+\] \* \| <0\.001 \|/);
  const html = read(out, 'report.html');
  t.regex(html, /<script type="application\/json" id="study-data">\{/);
  t.true(html.includes('d3js.org'), 'd3 is inlined');
  t.false(/<script[^>]+src=/.test(html), 'nothing is fetched');
});

test('compare --metrics prints only the metrics with those prefixes, warns of a key no result had, and keeps every metric in the reports', async (t) => {
  const out = join(scratch(), 'cmp');
  const r = await diaspora(['compare', DEMO, ...VARIANTS, '--seeds', '1..2', '--metrics', 'no-acked-loss,produce.nosuch', '--out', out]);
  t.is(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((line) => /^\S+\.\S+ +\S/.test(line) && !line.startsWith('results:'));
  t.true(rows.length > 0);
  t.true(rows.every((row) => row.startsWith('no-acked-loss.')), rows.join('\n'));
  t.regex(r.stderr, /--metrics: no varying metric starts with "produce.nosuch"; they start with .*produce/);
  const json = JSON.parse(read(out, 'results.json'));
  t.true(Object.keys(json.summary.comparisons[0].diffs).some((metric) => metric.startsWith('produce.')), 'the reports keep every metric');
});

// Red before: every cell ran (the user waited for the whole study), then a warning, an empty table and exit 0.
test('compare --metrics with a prefix no check or metric of the scenario has: exit 2 with one line before any cell runs', async (t) => {
  const out = join(scratch(), 'cmp-nosuch');
  const r = await diaspora(['compare', DEMO, ...VARIANTS, '--seeds', '1', '--metrics', 'produce,nosuch', '--out', out]);
  t.is(r.code, 2, r.stderr);
  t.is(r.stderr, '--metrics: "nosuch" matches no check or metric of beamline-store; its cells report: passed, no-acked-loss, produce, coverage\n');
  t.false(r.stdout.includes('cells ('), 'no cell ran');
  t.false(existsSync(out), 'nothing written');
  const typo = await diaspora(['compare', DEMO, ...VARIANTS, '--seeds', '1', '--metrics', 'prodce.ackedUs', '--out', out]);
  t.is(typo.code, 2, typo.stderr);
  t.regex(typo.stderr, /^--metrics: "prodce\.ackedUs" matches no check or metric of beamline-store; did you mean "produce\.ackedUs"\?\n$/);
  const empty = await diaspora(['compare', DEMO, ...VARIANTS, '--metrics', ',', '--out', out]);
  t.is(empty.code, 2, empty.stderr);
  t.regex(empty.stderr, /^--metrics: "," names no metric/);
});

test('compare --timelines writes each cell\'s timeline where the report links it', async (t) => {
  const out = join(scratch(), 'cmp');
  const r = await diaspora(['compare', DEMO, ...VARIANTS, '--seeds', '1', '--timelines', '--out', out]);
  t.is(r.code, 0, r.stderr);
  const html = read(out, 'report.html');
  for (const cell of [0, 1]) {
    t.true(html.includes(`<a href="cells/${cell}/timeline.html">`));
    t.true(existsSync(join(out, 'cells', String(cell), 'timeline.html')), `cell ${cell}'s timeline`);
  }
  t.regex(r.stderr, /timelines: 2\/2 cell 1\n/);
});

test('sweep --timelines writes each cell\'s timeline where the report links it; run again, it writes only the missing ones', async (t) => {
  const out = join(scratch(), 'sweep-timelines');
  const args = ['sweep', DEMO, '--param', 'services.store.flush=1s,every-write', '--seeds', '1', '--jobs', '1', '--timelines', '--out', out];
  const r = await diaspora(args);
  t.is(r.code, 0, r.stderr);
  const html = read(out, 'report.html');
  const timeline = (cell: number) => join(out, 'cells', String(cell), 'timeline.html');
  for (const cell of [0, 1]) {
    t.true(html.includes(`<a href="cells/${cell}/timeline.html">`));
    t.true(existsSync(timeline(cell)), `cell ${cell}'s timeline`);
  }
  t.regex(r.stderr, /timelines: 2\/2 cell 1\n/);
  const kept = statSync(timeline(0)).mtimeMs;
  rmSync(join(out, 'cells', '1'), { recursive: true });
  const again = await diaspora(args);
  t.is(again.code, 0, again.stderr);
  t.true(existsSync(timeline(1)), 'the missing timeline is written');
  t.is(statSync(timeline(0)).mtimeMs, kept, 'the one already there is left alone');
  t.notRegex(again.stderr, /timelines: 1\/2 cell 0/);
  const sharded = await diaspora([...args.slice(0, -2), '--shard', '0/2', '--out', join(scratch(), 'slice')]);
  t.is(sharded.code, 2);
  t.regex(sharded.stderr, /^--timelines with --shard: a slice has no report/);
});

test.serial('a sharded sweep, merged, is byte-for-byte the unsharded sweep; slices of another sweep, and a directory named twice, are refused', async (t) => {
  const root = scratch();
  const whole = join(root, 'whole');
  const r = await diaspora([...SWEEP, '--jobs', '2', '--out', whole]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /2 values of links\[0\]\.latency × 2 variants × 3 seeds = 12 cells · 2 jobs/);
  t.deepEqual(readdirSync(whole).sort(), ['.diaspora-output', ...REPORTS, 'results.jsonl', 'sweep.json'].sort());
  wholeSweep = whole;

  const slices = [0, 1].map((i) => join(root, `shard-${i}`));
  for (const [i, dir] of slices.entries()) {
    const s = await diaspora([...SWEEP, '--jobs', '1', '--shard', `${i}/2`, '--out', dir]);
    t.is(s.code, 0, s.stderr);
    t.regex(s.stdout, new RegExp(`slice ${i}/2: 6 cells`));
    t.deepEqual(readdirSync(dir).sort(), ['.diaspora-output', 'results.jsonl', 'sweep.json'], 'a slice writes no report of its own');
  }
  const merged = join(root, 'merged');
  const m = await diaspora(['merge', ...slices, '--out', merged]);
  t.is(m.code, 0, m.stderr);
  t.regex(m.stdout, /merge of sweep [0-9a-f]{12} from 2 directories/);
  for (const file of [...REPORTS, 'sweep.json']) t.is(readPlaced(merged, file), readPlaced(whole, file), file);
  t.regex(read(whole, 'report.md'), /### no-acked-loss\.lost\n\n\| links\[0\]\.latency \| fsync5s \| everywrite \|/);

  // A slice of another sweep (here: the same slice with another id, as a different seed list gives).
  const foreign = join(root, 'foreign');
  mkdirSync(foreign);
  const manifest = JSON.parse(read(slices[1]!, 'sweep.json'));
  // Its id is its spec's hash (an id edited alone is refused as an edit, sweep-manifest.test.ts).
  const spec = { ...manifest.spec, seeds: manifest.spec.seeds.map((seed: number) => seed + 100) };
  writeFileSync(join(foreign, 'sweep.json'), JSON.stringify({ ...manifest, id: studyId(spec), spec }));
  const refused = await diaspora(['merge', slices[0]!, foreign]);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /^\S+\/foreign holds sweep [0-9a-f]{12} but \S+\/shard-0 holds sweep [0-9a-f]{12}; merge joins slices of one sweep\n$/);

  // One directory twice, as written or spelt another way (red before: "merge of sweep … from 2 directories", exit 0).
  const twice = await diaspora(['merge', whole, whole, '--out', join(root, 'twice')]);
  t.is(twice.code, 2, twice.stderr);
  t.is(twice.stderr, `merge: "${whole}" is given twice; name each slice once\n`);
  const spelt = await diaspora(['merge', slices[0]!, slices[1]!, `${slices[0]!}/`, '--out', join(root, 'twice')]);
  t.is(spelt.code, 2, spelt.stderr);
  t.is(spelt.stderr, `merge: "${slices[0]!}" and "${slices[0]!}/" are the same slice; name each slice once\n`);
  t.false(existsSync(join(root, 'twice')), 'nothing written');
});

test.serial('Ctrl-C stops a sweep with its finished cells saved; the same command resumes it', async (t) => {
  const out = join(scratch(), 'sweep');
  const args = [...SWEEP, '--jobs', '1', '--out', out];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const poll = setInterval(() => {
      const log = join(out, 'results.jsonl');
      if (existsSync(log) && readFileSync(log, 'utf8').split('\n').length > 2) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 20);
    child.on('close', (exitCode) => {
      clearInterval(poll);
      resolve(exitCode);
    });
  });
  t.is(code, 130, stdout);
  const saved = /interrupted: (\d+) of 12 cells are saved/.exec(stdout);
  t.truthy(saved, stdout);
  t.true(Number(saved![1]) >= 2 && Number(saved![1]) < 12);
  t.false(existsSync(join(out, 'report.md')), 'no report until every cell is done');

  const again = await diaspora(args);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, new RegExp(`resuming: ${saved![1]} of 12 cells are already in`));
  // The same sweep run without interruption (by the test above) gave the same results.
  t.truthy(wholeSweep);
  for (const file of REPORTS) t.is(readPlaced(out, file), readPlaced(wholeSweep!, file), file);
});

/**
 * What a version that stored --set paths as typed left of `sweep DEMO --set services["store"].flush=5s
 * --seeds 1..2`: the directory named by the id of the spec with the set as typed, holding that spec
 * and id, and one of the two cells.
 */
async function oldVersionSweep(t: ExecutionContext, cwd: string): Promise<{ args: string[]; old: string; oldId: string }> {
  const typed = 'services["store"].flush=5s';
  const args = ['sweep', join(ROOT, DEMO), '--set', typed, '--seeds', '1..2', '--jobs', '1'];
  const begun = join(cwd, 'begun');
  t.is((await diaspora([...args, '--out', begun])).code, 0);
  const manifest = JSON.parse(read(begun, 'sweep.json'));
  const spec = { ...manifest.spec, sets: [typed] };
  const oldId = studyId(spec);
  t.not(oldId, manifest.id);
  const old = join(cwd, 'results', 'beamline-store', `sweep-${oldId}`);
  mkdirSync(join(old, '..'), { recursive: true });
  renameSync(begun, old);
  writeFileSync(join(old, 'sweep.json'), JSON.stringify({ ...manifest, id: oldId, spec }));
  const first = read(old, 'results.jsonl').split('\n')[0]!;
  writeFileSync(join(old, 'results.jsonl'), `${JSON.stringify({ ...JSON.parse(first), sweep: oldId })}\n`);
  for (const file of REPORTS) rmSync(join(old, file));
  return { args, old, oldId };
}

test('a sweep begun by a version that stored --set as typed resumes in its default directory, named by that spelling\'s id, when the same command runs again without --out', async (t) => {
  const cwd = scratch();
  const { args, old, oldId } = await oldVersionSweep(t, cwd);
  // Red before: a new directory, sweep-<the id spelt one way>, where both cells ran again.
  const again = await diaspora(args, cwd);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, new RegExp(`resuming: 1 of 2 cells are already in results/beamline-store/sweep-${oldId}/results.jsonl`));
  t.deepEqual(readdirSync(join(old, '..')), [`sweep-${oldId}`]);
  t.true(existsSync(join(old, 'report.md')));
});

test('an old-version sweep directory that lost its manifest is left alone: the same command starts over in its own default directory', async (t) => {
  const cwd = scratch();
  const { args, old } = await oldVersionSweep(t, cwd);
  rmSync(join(old, 'sweep.json'));
  // Its results are under the former id, which a directory without a manifest cannot show to be
  // this study's: resuming there was refused (exit 2, with --force — losing the cell — as the way out).
  const again = await diaspora(args, cwd);
  t.is(again.code, 0, again.stderr);
  t.is(readdirSync(join(old, '..')).length, 2);
  t.true(existsSync(join(old, 'results.jsonl')));
  t.false(existsSync(join(old, 'sweep.json')));
});

test('bad input: one line on stderr and exit 2', async (t) => {
  const dir = scratch();
  const cases: [string[], RegExp][] = [
    [['sweep', DEMO, '--param', 'services.store.flsh=1s,5s'], /^--param services\.store\.flsh=1s services\.store\.flsh: unknown field "flsh"; did you mean "flush"\?$/],
    [['sweep', DEMO, '--param', 'links[0].latency=50ms..5ms'], /^--param links\[0\]\.latency=50ms\.\.5ms: the range 50ms\.\.5ms is empty: it ends below where it starts$/],
    [['sweep', DEMO, '--param', 'links[0].latency=1ms,2ms', '--shard', '2/2'], /^--shard 2\/2: slice 2 is out of range; slices of 2 are numbered 0 to 1$/],
    [['compare', DEMO, '--variant', 'a:services.store.flush=5s'], /^compare needs at least two variants/],
    [['compare', DEMO, ...VARIANTS, '--jobs', '0'], /^--jobs 0: expected a whole number of workers from 1 to 1024$/],
    [['compare', 'nope.yaml', ...VARIANTS], /^nope\.yaml: no such file$/],
    [['merge', dir], /no sweep\.json here; merge joins directories written by diaspora sweep$/],
  ];
  // Most of these are checked in depth by the unit tests; here, that each reaches the user as it should.
  const outcomes = await Promise.all(cases.map(([args]) => diaspora(args)));
  for (const [i, [args, message]] of cases.entries()) {
    const r = outcomes[i]!;
    t.is(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
    t.regex(r.stderr.trimEnd(), message, args.join(' '));
    t.is(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

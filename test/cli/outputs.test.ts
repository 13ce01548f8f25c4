/**
 * Outputs never destroy: every command that writes refuses a target holding anything it did not
 * write — a user's directory, a file where a directory goes (or the reverse), `.`, a system path —
 * with one line and exit code 2, leaving the user's `thesis.txt` as it was. Its own earlier output
 * is replaced only with `--force`. Staging directories go away on Ctrl-C and SIGTERM, and one left
 * by a killed run is removed by the next run in the same place.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fuzz/harness.ts';
import { diaspora, ROOT, type Outcome } from './cli.ts';

const DEMO = join(ROOT, 'scenarios/beamline-store.yaml');
const LONG = join(ROOT, 'scenarios/aps-xray.yaml');
const BIN = fileURLToPath(new URL('../../bin/diaspora.mjs', import.meta.url));
const THESIS = 'four years of work\n';
const VARIANTS = ['--variant', 'a:services.store.flush=5s', '--variant', 'b:services.store.flush=every-write', '--seeds', '1'];

function scratch(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-outputs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A directory holding the user's thesis, and the thesis file itself. */
function userFiles(t: ExecutionContext): { dir: string; file: string; root: string } {
  const root = scratch(t);
  const dir = join(root, 'p');
  mkdirSync(dir);
  const file = join(dir, 'thesis.txt');
  writeFileSync(file, THESIS);
  return { dir, file, root };
}

/** One recorded run with its trace, shared by the tests that need an input run. */
const recorded = (async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'diaspora-outputs-run-')), 'run');
  const r = await diaspora(['run', DEMO, '--out', out, '--trace', '--quiet']);
  if (r.code !== 1) throw new Error(`the demo run should fail its check: ${r.stderr}`);
  return out;
})();
test.after.always(async () => rmSync(join(await recorded, '..'), { recursive: true, force: true }));

function refused(t: ExecutionContext, r: Outcome, message: RegExp): void {
  t.is(r.code, 2, r.stdout + r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, message);
  t.notRegex(r.stderr, /\n\s+at /);
}

/** Every writing command, aimed at a directory of the user's. */
const intoUserDirectory: [string, (dir: string, run: string) => string[]][] = [
  ['run', (dir) => ['run', DEMO, '--out', dir]],
  ['run --force', (dir) => ['run', DEMO, '--out', dir, '--force']],
  ['emulate', (dir) => ['emulate', DEMO, '--speed', '100', '--out', dir]],
  ['compare', (dir) => ['compare', DEMO, ...VARIANTS, '--out', dir]],
  ['sweep', (dir) => ['sweep', DEMO, '--param', 'services.store.flush=1s,5s', '--seeds', '1', '--out', dir]],
  ['merge', (dir, run) => ['merge', run, '--out', dir]],
];
for (const [name, args] of intoUserDirectory) {
  test(`${name} into a directory of the user's: refused, thesis.txt survives`, async (t) => {
    const { dir, file } = userFiles(t);
    const r = await diaspora(args(dir, await recorded));
    refused(t, r, /^--out \S+\/p: the directory exists and holds 1 entry diaspora did not write \(thesis\.txt\); (choose a new directory|--force replaces only what diaspora wrote)$/);
    t.is(readFileSync(file, 'utf8'), THESIS);
    t.deepEqual(readdirSync(dir), ['thesis.txt']);
  });
}

/** Every command that writes one file, aimed at the user's file or directory. */
const singleFiles: [string, (target: string, run: string) => string[], RegExp][] = [
  ['viz -o', (target, run) => ['viz', run, '-o', target], /timeline/],
  ['viz --perfetto', (target, run) => ['viz', run, '--perfetto', target], /Perfetto trace/],
  ['shrink --out', (target, run) => ['shrink', run, '--out', target], /minimal scenario/],
];
for (const [name, args, what] of singleFiles) {
  test(`${name} onto the user's file or directory: refused, thesis.txt survives`, async (t) => {
    const { dir, file } = userFiles(t);
    const run = await recorded;
    refused(t, await diaspora(args(file, run)), new RegExp(`: the file exists and is not a ${what.source} written by diaspora; choose another name$`));
    // The command called in this process (test/fuzz/harness.ts): its real start is seen just above.
    refused(t, await cli([...args(file, run), '--force']), /--force replaces only what diaspora wrote$/);
    refused(t, await cli(args(dir, run)), /\/p is a directory; give a file name, e\.g\. \S+$/);
    t.is(readFileSync(file, 'utf8'), THESIS);
    t.deepEqual(readdirSync(dir), ['thesis.txt']);
  });
}

test("a file named otherwise than its kind: refused with one line before anything is written (viz -o x.png wrote an HTML page)", async (t) => {
  const root = scratch(t);
  const run = await recorded;
  // Red before: each of these was written, under the name given.
  const cases: [string[], RegExp][] = [
    [['viz', run, '-o', join(root, 'x.png')], /^-o \S+x\.png: a timeline is an HTML page; give a name ending \.html or \.htm, e\.g\. x\.html$/],
    [['viz', run, '-o', join(root, 'timeline')], /^-o \S+timeline: a timeline is an HTML page; give a name ending \.html or \.htm, e\.g\. timeline\.html$/],
    [['viz', run, '--perfetto', join(root, 'p.html')], /^--perfetto \S+p\.html: a Perfetto trace is JSON; give a name ending \.json, e\.g\. p\.json$/],
    [['viz', run, '--shiviz', join(root, 's.json')], /^--shiviz \S+s\.json: a ShiViz log is text; give a name ending \.log or \.txt, e\.g\. s\.log$/],
    [['shrink', run, '--out', join(root, 'min.json')], /^--out \S+min\.json: a minimal scenario is a YAML scenario file; give a name ending \.yaml or \.yml, e\.g\. min\.yaml$/],
    // Both of viz's files are judged before either is written (red before: t.json was written, then s2.json refused).
    [['viz', run, '--perfetto', join(root, 't.json'), '--shiviz', join(root, 's2.json')], /^--shiviz \S+s2\.json: a ShiViz log is text; give a name ending \.log or \.txt, e\.g\. s2\.log$/],
  ];
  const outcomes = await Promise.all(cases.map(([args]) => diaspora(args)));
  for (const [i, [args, message]] of cases.entries()) {
    t.log(args.join(' '));
    refused(t, outcomes[i]!, message);
  }
  t.deepEqual(readdirSync(root), [], 'nothing written');
  t.is((await diaspora(['viz', run, '-o', join(root, 'T.HTM')])).code, 0, 'any case, either ending');
});

test('a file where a directory goes, a path below a file, ".", the root and system paths are refused', async (t) => {
  const { file, root } = userFiles(t);
  /**
   * [arguments, the message, the working directory]. A case with a working directory of its own, and
   * the first, run the real command in a child process; the others call it in this process
   * (test/fuzz/harness.ts), whose working directory a test thread cannot change.
   */
  const cases: [string[], RegExp, string?][] = [
    [['run', DEMO, '--out', file], /^--out \S+thesis\.txt: \S+thesis\.txt is a file, not a directory; choose a new directory$/],
    [['run', DEMO, '--out', join(file, 'sub')], /^--out \S+: \S+thesis\.txt is a file, so nothing can be written below it$/],
    [['run', DEMO, '--out', '.'], /^--out \.: that is the current directory; give a new path for the results$/, root],
    [['emulate', DEMO, '--out', '..'], /^--out \.\.: that is the current directory or one above it; /, join(root, 'p')],
    [['run', DEMO, '--out', '/'], /^--out \/: that is the current directory or one above it; /],
    [['run', DEMO, '--out', '/proc/x'], /^--out \/proc\/x: \/proc is a system location; give a path of your own$/],
    [['compare', DEMO, ...VARIANTS, '--out', '/etc/diaspora'], /^--out \/etc\/diaspora: \/etc is a system location/],
    [['sweep', DEMO, '--param', 'services.store.flush=1s,5s', '--out', file], /thesis\.txt is a file, not a directory/],
  ];
  const run = await recorded;
  cases.push([['viz', run, '-o', '/usr/local/timeline.html'], /^-o \/usr\/local\/timeline\.html: \/usr is a system location/]);
  cases.push([['viz', run, '--perfetto', '/dev/x.json'], /^--perfetto \/dev\/x\.json: \/dev is a system location/]);
  const outcomes = await Promise.all(cases.map(([args, , cwd], i) => (i === 0 || cwd !== undefined ? diaspora(args, cwd) : cli(args))));
  for (const [i, [args, message]] of cases.entries()) {
    t.log(args.join(' '));
    refused(t, outcomes[i]!, message);
  }
  t.is(readFileSync(file, 'utf8'), THESIS);
  t.deepEqual(readdirSync(root), ['p']);
});

test("diaspora's own earlier output is replaced only with --force", async (t) => {
  const out = join(scratch(t), 'run');
  t.is((await diaspora(['run', DEMO, '--out', out, '--quiet'])).code, 1);
  const marker = JSON.parse(readFileSync(join(out, '.diaspora-output'), 'utf8'));
  t.like(marker, { tool: 'diaspora-sim', kind: 'run', host: hostname() });
  refused(t, await diaspora(['run', DEMO, '--out', out, '--quiet']), /^--out \S+: holds an earlier diaspora run \(version \S+\); add --force to replace it$/);
  const forced = await diaspora(['run', DEMO, '--out', out, '--quiet', '--seed', '2', '--force']);
  t.is(forced.code, 1, forced.stderr);
  t.is(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).seed, 2);
  t.deepEqual(readdirSync(join(out, '..')), ['run'], 'nothing is left beside it');

  const timeline = join(out, 'timeline.html');
  const run = await recorded;
  t.is((await diaspora(['viz', run, '-o', timeline])).code, 0);
  refused(t, await diaspora(['viz', run, '-o', timeline]), /^-o \S+timeline\.html: holds an earlier timeline; add --force to replace it$/);
  t.is((await diaspora(['viz', run, '-o', timeline, '--force'])).code, 0);
});

test('a staging directory left by a killed run is removed by the next run; a foreign one is only reported', async (t) => {
  const root = scratch(t);
  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  const stale = join(root, `.old-run.${gone}.tmp`);
  const foreign = join(root, `.other.${gone}.tmp`);
  for (const [dir, host] of [[stale, hostname()], [foreign, 'some-other-node']] as const) {
    mkdirSync(dir);
    writeFileSync(join(dir, '.diaspora-output'), JSON.stringify({ tool: 'diaspora-sim', version: '0', kind: 'run', host, pid: gone }));
  }
  const r = await diaspora(['run', DEMO, '--out', join(root, 'new'), '--quiet']);
  t.is(r.code, 1, r.stderr);
  t.false(existsSync(stale));
  t.true(existsSync(foreign));
  t.regex(r.stderr, new RegExp(`^note: removed \\S+\\.old-run\\.${gone}\\.tmp: the unfinished output of an interrupted run \\(process ${gone} is gone\\)$`, 'm'));
  t.regex(r.stderr, new RegExp(`^note: \\S+\\.other\\.${gone}\\.tmp looks like the unfinished output of process ${gone} on some-other-node, which does not run here; `, 'm'));
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during a run removes its staging directory (exit ${signal === 'SIGINT' ? 130 : 143})`, async (t) => {
    const root = scratch(t);
    const child = spawn(process.execPath, [BIN, 'run', LONG, '--out', join(root, 'run'), '--trace'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The banner is printed once the staging directory exists.
    child.stdout.once('data', () => {
      t.is(readdirSync(root).filter((name) => name.endsWith('.tmp')).length, 1);
      child.kill(signal);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    t.is(code, signal === 'SIGINT' ? 130 : 143, stderr);
    t.regex(stderr, new RegExp(`interrupted \\(${signal}\\); unfinished output removed`));
    t.deepEqual(readdirSync(root), []);
  });
}

/**
 * The token-ring plug-in through the `diaspora` command, as a user drives it: every command finds
 * the plug-in from the scenario's `plugins:` line (in the main thread, in pool and partition
 * workers, in emulated nodes), its checks pass with the detector and fail on the configurations
 * its header names, and the folder needs nothing of the repository but the package.
 */
import test, { type ExecutionContext } from 'ava';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { diaspora, ROOT } from '../../test/cli/cli.ts';

const EXAMPLE = join(ROOT, 'examples/token-ring');
const PLUGIN = join(EXAMPLE, 'token-ring.ts');
const RING = join(EXAMPLE, 'token-ring.yaml');
const NEMESIS = join(EXAMPLE, 'token-ring-nemesis.yaml');

function scratch(t: ExecutionContext, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, '.tmp-token-ring-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Summary {
  traceHash: string;
  ok: boolean;
  checks: Record<string, { ok: boolean; violations: { anomaly: string }[] }>;
  metrics: Record<string, Record<string, number>>;
  faults: unknown[];
}
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;

/** The ring as shipped, run once by the command with its trace: the reference the other tests compare with. */
const SHARED = mkdtempSync(join(tmpdir(), '.tmp-token-ring-'));
test.after.always(() => rmSync(SHARED, { recursive: true, force: true }));
const ringRun = (async () => {
  const dir = join(SHARED, 'run');
  return { dir, ...(await diaspora(['run', RING, '--out', dir, '--trace'])) };
})();

test('run passes with the detector; check offline agrees with the run; replay reproduces it; viz draws it', async (t) => {
  const { dir: run, ...r } = await ringRun;
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /PASS single-token/);
  t.regex(r.stdout, /PASS token-progress — members 4, reached 4/);
  const summary = summaryOf(run);
  t.true(summary.metrics.ring!.tokensCreated! > 1, 'the crash lost the token and the monitor made another');
  const resolved = JSON.parse(readFileSync(join(run, 'scenario.resolved.json'), 'utf8')) as { plugins: string[] };
  t.deepEqual(resolved.plugins, [PLUGIN]);

  const check = await diaspora(['check', run, '--json']);
  t.is(check.code, 0, check.stderr);
  t.deepEqual(JSON.parse(check.stdout), summary.checks);

  const replay = await diaspora(['replay', run]);
  t.is(replay.code, 0, replay.stdout + replay.stderr);
  t.true(replay.stdout.includes(`reproduced: trace hash ${summary.traceHash}`), replay.stdout);

  const page = join(run, 'timeline.html');
  const viz = await diaspora(['viz', run, '-o', page, '--force']);
  t.is(viz.code, 0, viz.stderr);
  t.regex(readFileSync(page, 'utf8'), /<title>Timeline of token-ring<\/title>/);
});

test('the configurations the header names fail their check (exit 1), offline too', async (t) => {
  const dir = scratch(t);
  const short = await diaspora(['run', RING, '--out', join(dir, 'short'), '--trace', '--set', 'ring.detector=30ms']);
  t.is(short.code, 1, short.stderr);
  t.regex(short.stdout, /FAIL single-token/);
  t.regex(short.stdout, /two-holders: ring-\S+ took a token \(epoch \d+\) at \S+ while ring-\S+ held one/);
  t.regex(short.stdout, /PASS token-progress/);
  const offline = await diaspora(['check', join(dir, 'short'), '--json']);
  t.is(offline.code, 1);
  t.deepEqual(JSON.parse(offline.stdout), summaryOf(join(dir, 'short')).checks);

  const off = await diaspora(['run', RING, '--out', join(dir, 'off'), '--set', 'ring.detector=off']);
  t.is(off.code, 1, off.stderr);
  t.regex(off.stdout, /PASS single-token/);
  t.regex(off.stdout, /FAIL token-progress — members 4, reached 0/);
  t.regex(off.stdout, /stalled: the token never reached ring-\S+ after the faults healed at 6s/);
});

test('shrink cuts the nemesis down to the one latency spike; the minimal scenario, written elsewhere, still finds the plug-in', async (t) => {
  const dir = scratch(t);
  const run = join(dir, 'run');
  const r = await diaspora(['run', NEMESIS, '--out', run]);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stdout, /FAIL single-token/);
  t.true(summaryOf(run).faults.length > 5, 'the nemesis struck several times');

  // Inside the repository: the plug-in is named relative to the minimal scenario's own folder.
  const inside = join(scratch(t, join(ROOT, 'results')), 'minimal.yaml');
  const s = await diaspora(['shrink', run, '--out', inside]);
  t.is(s.code, 0, s.stdout + s.stderr);
  t.regex(s.stdout, /check single-token: faults \d+ → 1 in \d+ probes/);
  t.regex(s.stdout, /^ {2}- \{ kind: latency-spike, between: \[ east, west \], extra: 180ms, at: \S+, for: \S+ \}$/m);
  const minimal = parse(readFileSync(inside, 'utf8')) as { plugins: string[]; faults: { kind: string }[]; nemesis?: unknown };
  t.deepEqual(minimal.plugins, ['../../examples/token-ring/token-ring.ts']);
  t.deepEqual(minimal.faults.map((f) => f.kind), ['latency-spike']);
  t.is(minimal.nemesis, undefined);
  // Run from elsewhere: the path is read from the file's folder, not the working directory.
  const again = await diaspora(['run', inside, '--out', join(dir, 'again')], dir);
  t.is(again.code, 1, again.stderr);
  t.regex(again.stdout, /FAIL single-token/);

  // Written outside the repository, the plug-in is still found from the file's folder; when the two
  // share no folder but the root (the checkout under /work, scratch under /tmp), the path is absolute.
  const outside = join(dir, 'minimal.yaml');
  const s2 = await diaspora(['shrink', run, '--out', outside]);
  t.is(s2.code, 0, s2.stdout + s2.stderr);
  const [written] = (parse(readFileSync(outside, 'utf8')) as { plugins: string[] }).plugins;
  t.is(resolve(dirname(outside), written!), PLUGIN);
  const top = (path: string) => path.split('/').find(Boolean);
  t.is(isAbsolute(written!), top(outside) !== top(PLUGIN), written);
});

test('compare runs two detector timeouts on the same seeds in the worker pool, each cell as run would', async (t) => {
  const dir = scratch(t);
  const single = await ringRun;
  t.is(single.code, 0, single.stderr);
  const out = join(dir, 'compare');
  const c = await diaspora(['compare', RING, '--variant', 'safe:ring.detector=200ms', '--variant', 'short:ring.detector=30ms', '--seeds', '2', '--jobs', '2', '--out', out, '--quiet']);
  t.is(c.code, 0, c.stdout + c.stderr);
  const cells = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cells: { variant: string; seed: number; status: string; traceHash: string; checks: Record<string, boolean> }[] }).cells;
  t.deepEqual(cells.map((cell) => `${cell.variant} ${cell.seed} ${cell.status}`), ['safe 1 pass', 'safe 2 pass', 'short 1 fail', 'short 2 fail']);
  t.true(cells.filter((cell) => cell.variant === 'short').every((cell) => !cell.checks['single-token'] && cell.checks['token-progress']));
  t.is(cells[0]!.traceHash, summaryOf(single.dir).traceHash, 'a pool worker builds the same world as the command');
});

test('sweep: a grid in the pool, and the same grid in two shards merged, give the same results', async (t) => {
  const dir = scratch(t);
  const grid = [NEMESIS, '--param', 'ring.detector=100ms,400ms', '--seeds', '2', '--quiet'];
  const whole = await diaspora(['sweep', ...grid, '--jobs', '2', '--out', join(dir, 'whole')]);
  t.is(whole.code, 0, whole.stdout + whole.stderr);
  for (const shard of [0, 1]) {
    const slice = await diaspora(['sweep', ...grid, '--jobs', '1', '--shard', `${shard}/2`, '--out', join(dir, `shard-${shard}`)]);
    t.is(slice.code, 0, slice.stdout + slice.stderr);
  }
  const merged = await diaspora(['merge', join(dir, 'shard-0'), join(dir, 'shard-1'), '--out', join(dir, 'merged')]);
  t.is(merged.code, 0, merged.stderr);
  for (const file of ['results.csv', 'results.json']) t.is(readFileSync(join(dir, 'merged', file), 'utf8'), readFileSync(join(dir, 'whole', file), 'utf8'), file);
  const csv = readFileSync(join(dir, 'whole', 'results.csv'), 'utf8');
  t.regex(csv.split('\n')[0]!, /ring\.tokensCreated/);
  t.is(csv.trim().split('\n').length, 1 + 4);
});

test('--workers 2 (one partition per site) writes the same trace hash as one thread', async (t) => {
  const dir = scratch(t);
  const one = await ringRun;
  const two = await diaspora(['run', RING, '--out', join(dir, 'two'), '--workers', '2']);
  t.is(two.code, one.code, two.stderr);
  t.regex(two.stdout, /parallel: 2 partition\(s\) \[east \| west\]/);
  t.is(summaryOf(join(dir, 'two')).traceHash, summaryOf(one.dir).traceHash);
});

test('emulate: the ring runs on node threads with a real crash, and check agrees with its verdicts', async (t) => {
  const out = join(scratch(t), 'emulated');
  const r = await diaspora(['emulate', RING, '--speed', '2', '--out', out]);
  // Real time on a loaded machine may delay the token past the detector: judge content, not the verdict.
  t.true(r.code === 0 || r.code === 1, r.stdout + r.stderr);
  t.regex(r.stdout, /1 real crash\(es\) \(west-1 at [\d.]+s, back at [\d.]+s\)/);
  const summary = summaryOf(out);
  t.deepEqual(Object.keys(summary.checks), ['single-token', 'token-progress']);
  t.true(summary.metrics.ring!.acquisitions! > 0);
  t.deepEqual(readdirSync(join(out, 'disk')).sort(), ['east-1', 'east-2', 'west-1', 'west-2']);
  t.true(existsSync(join(out, 'disk', 'east-1', 'ring-east-1')), "the monitor's epoch went to a real file");
  const check = await diaspora(['check', out, '--json']);
  t.is(check.code, summary.ok ? 0 : 1, check.stderr);
  t.deepEqual(JSON.parse(check.stdout), summary.checks);
});

test('the example needs nothing of the repository: a copy of its folder elsewhere gives the same trace hash', async (t) => {
  const dir = scratch(t);
  const copy = join(dir, 'token-ring');
  mkdirSync(copy);
  for (const file of readdirSync(EXAMPLE).filter((name) => !name.endsWith('.test.ts') && !name.startsWith('.'))) cpSync(join(EXAMPLE, file), join(copy, file));
  // Outside this package, a .ts file is an ES module only under a package.json that says so.
  writeFileSync(join(copy, 'package.json'), '{ "type": "module" }\n');
  const here = await ringRun;
  t.is(here.code, 0, here.stdout + here.stderr);
  const there = await diaspora(['run', join(copy, 'token-ring.yaml'), '--out', join(dir, 'there'), '--quiet'], dir);
  t.is(there.code, 0, there.stdout + there.stderr);
  t.is(summaryOf(join(dir, 'there')).traceHash, summaryOf(here.dir).traceHash);
});

/**
 * `diaspora run` with a nemesis, `diaspora replay` and `diaspora shrink`, as a user runs them: the
 * realised faults in summary.json and faults.json, a replay that reproduces the trace hash (and
 * one that names the first divergent record of a tampered trace), and a shrink that writes a
 * minimal scenario which fails when run.
 */
import test from 'ava';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceHasher } from '../../src/kernel/index.ts';
import { diaspora, ROOT } from './cli.ts';

const NEMESIS = join(ROOT, 'scenarios/beamline-nemesis.yaml');

/** One recorded failing run, shared by the tests below (each works on its own copy of what it changes). */
const recorded = (async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'diaspora-faults-')), 'run');
  const r = await diaspora(['run', NEMESIS, '--out', out, '--trace', '--quiet']);
  return { out, r };
})();

test('a nemesis run records its realised faults in summary.json and faults.json, and the scenario as written', async (t) => {
  const { out, r } = await recorded;
  t.is(r.code, 1, r.stderr);
  t.regex(r.stdout, /^diaspora-sim \S+ · beamline-nemesis · seed 3\n/);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  const faults = JSON.parse(readFileSync(join(out, 'faults.json'), 'utf8'));
  t.is(faults.seed, 3);
  t.true(faults.faults.length >= 6);
  t.deepEqual(faults.faults, summary.faults);
  t.true(faults.faults.every((f: { source: string; id: string }) => f.source === 'nemesis' && /^nemesis-\d+$/.test(f.id)));
  t.regex(readFileSync(join(out, 'scenario.yaml'), 'utf8'), /nemesis:/);
});

test('replay reproduces the recorded trace hash (exit 0)', async (t) => {
  const { out } = await recorded;
  const r = await diaspora(['replay', out]);
  t.is(r.code, 0, r.stdout + r.stderr);
  const hash = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).traceHash;
  t.regex(r.stdout, new RegExp(`reproduced: trace hash ${hash} \\(and the recorded trace\\)`));
});

test('replay of a run whose trace differs names the first divergent record (exit 1)', async (t) => {
  const { out } = await recorded;
  const copy = join(mkdtempSync(join(tmpdir(), 'diaspora-tampered-')), 'run');
  cpSync(out, copy, { recursive: true });
  const lines = readFileSync(join(copy, 'trace.jsonl'), 'utf8').split('\n');
  // One microsecond later, on a record after which time moves on (a trace never goes back in time).
  const time = (i: number) => Number(/"t":(\d+)/.exec(lines[i]!)![1]);
  let tampered = 100;
  while (time(tampered + 1) <= time(tampered) + 1) tampered++;
  lines[tampered] = lines[tampered]!.replace(/"t":(\d+)/, (_, t) => `"t":${Number(t) + 1}`);
  // As if an older build had recorded this trace: the summary's hash, and its end record's, are the trace's own.
  const hasher = new TraceHasher();
  const end = lines.length - 2;
  for (const line of lines.slice(0, end)) {
    hasher.digest(JSON.parse(line) as object);
    hasher.foldLast();
  }
  const traceHash = hasher.hex();
  lines[end] = JSON.stringify({ ...JSON.parse(lines[end]!), hash: traceHash });
  writeFileSync(join(copy, 'trace.jsonl'), lines.join('\n'));
  const summary = JSON.parse(readFileSync(join(copy, 'summary.json'), 'utf8'));
  writeFileSync(join(copy, 'summary.json'), JSON.stringify({ ...summary, traceHash }));
  const r = await diaspora(['replay', copy]);
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /NOT reproduced/);
  t.regex(r.stdout, new RegExp(`first divergence at trace line ${tampered + 1}, simulated time`));
  t.regex(r.stdout, /\n {2}recorded: \{"t":/);
});

/** A copy of the recorded run as an older version wrote it: trace format `v`, no end record, another hash. */
function asFormat(out: string, v: number, edit: (lines: string[]) => void = () => {}): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'diaspora-old-format-')), 'run');
  cpSync(out, copy, { recursive: true });
  const lines = readFileSync(join(copy, 'trace.jsonl'), 'utf8').split('\n');
  lines.splice(-2, 1);
  lines[0] = lines[0]!.replace(/"v":\d+/, `"v":${v}`);
  edit(lines);
  writeFileSync(join(copy, 'trace.jsonl'), lines.join('\n'));
  const summary = JSON.parse(readFileSync(join(copy, 'summary.json'), 'utf8'));
  writeFileSync(join(copy, 'summary.json'), JSON.stringify({ ...summary, traceHash: 'f'.repeat(32) }));
  return copy;
}

test('replay of a run recorded in an older trace format compares its records, not the hash (exit 0; 1 at a changed record)', async (t) => {
  const { out } = await recorded;
  for (const v of [2, 1]) {
    const r = await diaspora(['replay', asFormat(out, v)]);
    t.is(r.code, 0, r.stdout + r.stderr);
    t.regex(r.stdout, new RegExp(`the run's trace is of format ${v}, this version writes format \\d+ \\(another trace hash\\): comparing its \\d+ records instead of the hash`));
    t.regex(r.stdout, /reproduced: every record equal to the recorded trace/);
    t.notRegex(r.stdout, /divergence/);
  }
  // A record changed in the old trace is still found, at its own line.
  const changed = asFormat(out, 2, (lines) => (lines[50] = lines[50]!.replace(/"n":(\d+)/, (_, n) => `"n":${Number(n) + 1000}`)));
  const r = await diaspora(['replay', changed]);
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /NOT reproduced: the records differ/);
  t.regex(r.stdout, /first divergence at trace line 51, simulated time/);
});

test('shrink writes a minimal failing scenario with at most two faults; running it fails the check', async (t) => {
  const { out } = await recorded;
  const minimal = join(mkdtempSync(join(tmpdir(), 'diaspora-shrunk-')), 'shrunk.yaml');
  const r = await diaspora(['shrink', out, '--check', 'no-acked-loss', '--out', minimal]);
  t.is(r.code, 0, r.stdout + r.stderr);
  const m = /check no-acked-loss: faults (\d+) → (\d+) in (\d+) probes, [\d.]+ s \(finished\)/.exec(r.stdout);
  t.truthy(m, r.stdout);
  t.true(Number(m![2]) <= 2 && Number(m![2]) < Number(m![1]));
  t.regex(r.stdout, /reproduce: npx diaspora run \S+shrunk\.yaml/);
  const text = readFileSync(minimal, 'utf8');
  t.notRegex(text, /^nemesis:/m);
  t.regex(text, /^# Minimal failing scenario written by diaspora shrink/);
  const rerun = await diaspora(['run', minimal, '--out', join(minimal, '..', 'rerun'), '--quiet']);
  t.is(rerun.code, 1);
  t.regex(rerun.stdout, /FAIL beamline-nemesis seed 3 \S+ \(no-acked-loss\)/);
});

test('shrink and replay refuse bad input with one line and exit 2', async (t) => {
  const { out } = await recorded;
  const passing = await diaspora(['shrink', out, '--check', 'liveness']);
  t.is(passing.code, 2);
  t.regex(passing.stderr, /^--check liveness: the check passed in this run; there is no failure to shrink\n$/);
  const unjudged = await diaspora(['shrink', out, '--check', 'fl-converges']);
  t.is(unjudged.code, 2);
  t.regex(unjudged.stderr, /^--check fl-converges: not a check of this run \(it judged [\w-]+(, [\w-]+)*\); shrink keeps one of its failures failing\n$/);
  const unknown = await diaspora(['shrink', out, '--check', 'no-such-check']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown check/);
  const missing = await diaspora(['replay', join(out, 'nope')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /no such directory/);
  t.false(existsSync(join(out, 'shrunk.yaml')));
});

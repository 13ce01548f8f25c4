/**
 * Bad input on the command line, as a user meets it: numeric flags checked as typed (seeds are
 * whole numbers 0 … 2^53−1), and errors that do not cascade — the first few problems, then "and N
 * more (--all-errors lists them)", no line quoting a whole file — each with exit code 2 and no
 * stack trace.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../fuzz/harness.ts';
import { diaspora, ROOT } from './cli.ts';

const DEMO = join(ROOT, 'scenarios/beamline-store.yaml');
const FIXTURES = join(ROOT, 'test/fixtures/bad-scenarios');
const SCRATCH = mkdtempSync(join(tmpdir(), 'diaspora-bad-inputs-'));
test.after.always(() => rmSync(SCRATCH, { recursive: true, force: true }));
const DANGLING = join(SCRATCH, 'dangling');
symlinkSync(join(SCRATCH, 'nowhere'), DANGLING);

/**
 * [arguments, the one line expected on stderr, and `process` to run the real command in a child
 * process]. The others call the command in this process (test/fuzz/harness.ts), one after another:
 * a start of the real command costs ≈ 0.45 s of CPU for one line. One case per command is a child
 * process, so each command's start, exit code and streams are seen as a user sees them.
 */
const FLAGS: [string[], RegExp, 'process'?][] = [
  [['run', DEMO, '--seed', 'abc'], /^--seed abc: a seed is a whole number from 0 to 2\^53−1 \(9007199254740991\)$/, 'process'],
  [['run', DEMO, '--seed', '-1'], /^--seed -1: a seed is a whole number from 0 to 2\^53−1/],
  [['run', DEMO, '--seed', '1.5'], /^--seed 1\.5: a seed is a whole number/],
  [['run', DEMO, '--seed', '9007199254740992'], /^--seed 9007199254740992: a seed is a whole number/],
  [['run', DEMO, '--seed', '1e3'], /^--seed 1e3: a seed is a whole number/],
  // Red before: ran seed 0, its reproduce line saying --seed 0.
  [['run', DEMO, '--seed', '-0'], /^--seed -0: a seed is a whole number from 0 to 2\^53−1 \(9007199254740991\), without a sign; write 0$/],
  [['run', DEMO, '--seed=-00'], /^--seed -00: a seed is a whole number .*, without a sign; write 0$/],
  [['run', DEMO, '--seed', '1', '--seed', '2'], /^--seed: given 2 times \(1, 2\); give it once$/],
  [['run', DEMO, '--seed'], /^--seed: needs a value \(see diaspora run --help\)$/],
  [['emulate', DEMO, '--seed', 'NaN'], /^--seed NaN: a seed is a whole number/, 'process'],
  [['run', DEMO, '--workers', '0'], /^--workers 0: expected a whole number of worker threads from 1 to 1024$/],
  [['run', DEMO, '--workers', 'two'], /^--workers two: expected a whole number of worker threads/],
  [['compare', DEMO, '--strategies', 'a,b', '--jobs', '99999'], /^--jobs 99999: expected a whole number of workers from 1 to 1024$/, 'process'],
  [['shrink', SCRATCH, '--probes', '-5'], /^--probes -5: expected a whole number of probe runs from 1 to 1000000$/, 'process'],
  // A short flag's value that starts with "-" (red before: "-s: needs a value", yargs having read -1s as the flags -1 and -s).
  [['emulate', DEMO, '-d', '-1s', '--speed', '10'], /^-d -1s: a value starting with "-" reads as flags; write -d=-1s$/],
  // An unset shell variable (red before: '--check : unknown check ""; known checks: …', the flag with a stray space).
  [['shrink', SCRATCH, '--check', ''], /^--check "": an empty check name; give the check that must keep failing, like --check no-acked-loss \(without --check: the first that failed\)$/],
  [['emulate', DEMO, '--speed', '0'], /^--speed 0: expected a positive number like 10 or 0\.5$/],
  [['emulate', DEMO, '--speed', 'Infinity'], /^--speed Infinity: expected a positive number/],
  // Red before: ran, its timers past 24.8 days firing at once (TimeoutOverflowWarning): the run raced through.
  [['emulate', DEMO, '--speed', '0.0000001', '--out', join(SCRATCH, 'slow')], /^--speed 0\.0000001: 1m10s emulated would take 8,102 days of real time, longer than a timer can wait \(24\.8 days\); give --speed 0\.000033 or more, or a shorter -d$/],
  [['emulate', DEMO, '--speed', '0.0001', '-d', '1h', '--out', join(SCRATCH, 'slow')], /^--speed 0\.0001: 1h emulated would take 417 days of real time, .*; give --speed 0\.0017 or more, or a shorter -d$/],
  [['emulate', DEMO, '--duration=-5s'], /^--duration: expected a duration like "5ms", got "-5s" \(durations cannot be negative\)$/],
  [['sweep', DEMO, '--param', 'quiesce=10s,20s', '--shard', '0/99999999999999999999'], /^--shard 0\/99999999999999999999: 99999999999999999999 slices is beyond any job array/, 'process'],
  [['sweep', DEMO, '--param', 'quiesce=10s,20s', '--seeds', '1,x'], /^--seeds 1,x: /],
  [['run', DEMO, '--seed', '3', '--set', 'seed=5'], /^--set seed=5: the seed is also given by --seed 3; give it once \(--seed alone\)$/],
  [['emulate', DEMO, '--set', 'seed=3', '-s', '3'], /^--set seed=3: the seed is also given by --seed 3; give it once/],
  // A field set twice: the first would be lost silently (red before: ran with duration 30s).
  [['run', DEMO, '--set', 'duration=60s', '--set', '["duration"]=30s'], /^--set \["duration"\]=30s: duration is already set by --set duration=60s; give each field once$/],
  [['sweep', DEMO, '--param', 'quiesce=10s,20s', '--set', 'duration=60s', '--set', 'duration=30s'], /^--set duration=30s: duration is already set by --set duration=60s; give each field once$/],
  [['run', DEMO, '--set', 'duration=1e400'], /^--set duration=1e400 duration: expected a duration like "5ms", got 1e400 /],
  [['run', DEMO, '--set', 'name=hpc\u202egnp.exe'], /^--set name=hpc\\u202egnp\.exe name: a scenario name uses .*; got "hpc\\u202egnp\.exe"$/],
  [['run', DEMO, '--set', 'name=a\u200bb'], /^--set name=a\\u200bb name: .*got "a\\u200bb"$/],
  [['run', '--', DEMO, '--seed', '3'], /^-- --seed: what follows "--" is a file or directory name, not a flag; put flags before "--"/],
  [['run', DEMO, '--max-events', '1', '--', 'extra'], /^unexpected argument "extra"/],
  [['run', DEMO, '--set', 'duration=1e9h'], /^--set duration=1e9h duration: expected a duration like "5ms", got "1e9h"/],
  [['run', DEMO, '--out', DANGLING], /^--out \S+dangling: a symbolic link that leads nowhere \(its target is missing, or the links loop\); remove it or give another path$/],
  [['viz', DEMO, '--perfetto', ''], /^--perfetto: an empty path; give a path to write$/, 'process'],
  [['run', DEMO, '--set', 'name=a\u0001b'], /^--set name=a\\u0001b name: the value "a\\u0001b" holds the control character U\+0001 at character 2; remove it$/],
];

test('numeric flags and --set values are checked as typed: one line, exit 2', async (t) => {
  const outcomes = await Promise.all(FLAGS.map(([args, , how]) => (how === 'process' ? diaspora(args) : cli(args))));
  for (const [i, [args, message]] of FLAGS.entries()) {
    const r = outcomes[i]!;
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.stdout, '', args.join(' '));
    const lines = r.stderr.trimEnd().split('\n');
    t.is(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    t.regex(lines[0]!, message, args.join(' '));
  }
});

test('the largest seed runs, and is the seed of the run', async (t) => {
  const r = await diaspora(['run', DEMO, '--seed', '9007199254740991', '--json', '--out', join(SCRATCH, 'max-seed')]);
  t.is(r.code, 1, r.stderr);
  t.is(JSON.parse(r.stdout).seed, 9007199254740991);
});

test('a YAML error that cascades shows its first line and a count; --all-errors lists every line', async (t) => {
  const file = join(FIXTURES, 'yaml-indented-first-line.yaml');
  const expected = readFileSync(join(FIXTURES, 'yaml-indented-first-line.expected'), 'utf8').trimEnd().split('\n');
  const r = await diaspora(['run', file]);
  t.is(r.code, 2);
  t.deepEqual(r.stderr.trimEnd().split('\n'), [expected[0]!.replace('yaml-indented-first-line.yaml', file), `and ${expected.length - 1} more problems (--all-errors lists them)`]);
  const all = await diaspora(['run', file, '--all-errors']);
  t.is(all.code, 2);
  t.is(all.stderr.trimEnd().split('\n').length, expected.length);
});

test('many independent problems: the first four, then how many more', async (t) => {
  const file = join(SCRATCH, 'typos.yaml');
  const typos = ['lantency: 500us', 'jiter: 100us', 'bandwith: 10Gbps', 'rat: 10/s', 'sze: 8MiB', 'timout: 1s', 'retrys: 3'];
  const text = readFileSync(DEMO, 'utf8')
    .replace('latency: 500us', typos[0]!)
    .replace('jitter: 100us', typos[1]!)
    .replace('bandwidth: 10Gbps', typos[2]!)
    .replace('rate: 10/s', typos[3]!)
    .replace('size: 8MiB', typos[4]!)
    .replace('timeout: 1s', typos[5]!)
    .replace('retries: 3', typos[6]!);
  writeFileSync(file, text);
  const r = await diaspora(['run', file]);
  t.is(r.code, 2);
  const lines = r.stderr.trimEnd().split('\n');
  t.true(lines.length <= 5, r.stderr);
  t.regex(lines.at(-1)!, /^and \d+ more problems \(--all-errors lists them\)$/);
  const all = await diaspora(['run', file, '--all-errors']);
  t.true(all.stderr.trimEnd().split('\n').length > lines.length);
  t.notRegex(all.stderr, /more problems/);
});

test('a UTF-16 scenario is named as such in one short line, for every command that reads scenarios', async (t) => {
  const file = join(FIXTURES, 'encoding-utf16-bom.yaml');
  for (const args of [['run', file], ['emulate', file], ['compare', file, '--strategies', 'a,b'], ['sweep', file, '--param', 'quiesce=10s,20s']]) {
    const r = await diaspora(args);
    t.is(r.code, 2, args[0]);
    t.is(r.stderr, `${file}:1 the file is UTF-16 (little-endian, with a byte-order mark); save it as UTF-8\n`, args[0]);
  }
});

test('a run beyond the work budget is refused before it starts, at the field, with the estimate', async (t) => {
  const out = join(SCRATCH, 'huge');
  const r = await diaspora(['run', DEMO, '--set', 'duration=1000000h', '--out', out]);
  t.is(r.code, 2);
  t.is(r.stdout, '');
  t.regex(r.stderr, /^\S+beamline-store\.yaml:\d+ workload\.detector\.rate: the run would take about 216\.0 billion events \(10\/s for 1000000h: 216\.0 billion\), more than the budget of 200\.0 million \(--max-events\); make the run smaller or raise --max-events\n$/);
  t.false(existsSync(out));
  const study = await diaspora(['sweep', DEMO, '--param', 'duration=60s,1000000h', '--out', join(SCRATCH, 'huge-sweep')]);
  t.is(study.code, 2);
  t.regex(study.stderr, /^in cell "base duration=1000000h": \S+:\d+ workload\.detector\.rate: the run would take about 216\.0 billion events/);
});

test('work no estimate foresaw is stopped by --max-events while the run goes, leaving nothing behind', async (t) => {
  const root = join(SCRATCH, 'net');
  const r = await diaspora(['run', join(ROOT, 'scenarios/hierarchy-edge-hpc-cloud.yaml'), '--max-events', '50000', '--out', join(root, 'run')]);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /^the run of hierarchy-edge-hpc-cloud passed its budget of 50,000 events at \S+ of \S+ simulated; raise --max-events to let it finish\n$/);
  // Not even the folder the run made for its output (it stayed, empty, before the abort removed it).
  t.false(existsSync(root));
});

test('"--" ends the options: the scenario after it is read as the positional it is', async (t) => {
  const r = await diaspora(['run', '--max-events', '1', '--', DEMO]);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /^\S+beamline-store\.yaml:\d+ workload\.detector\.rate: the run would take about/);
});

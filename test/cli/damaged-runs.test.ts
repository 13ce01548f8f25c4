/**
 * The corpus of damaged run directories: each case damages a copy of a recorded run the way a
 * crash, a truncated copy, a stray edit or a mix-up of two runs would, and every command that
 * reads run directories must name the damage — one line, exit code 2, no stack — and never judge
 * (no PASS/FAIL, no "reproduced").
 */
import test from 'ava';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../fuzz/harness.ts';
import { diaspora, ROOT } from './cli.ts';

const SCRATCH = mkdtempSync(join(tmpdir(), 'diaspora-damaged-'));
test.after.always(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** Recorded runs to damage copies of: the demo (seed 1 and 2) and another scenario. */
const runs = (async () => {
  const record = async (name: string, args: string[]) => {
    const out = join(SCRATCH, name);
    const r = await diaspora(['run', ...args, '--out', out, '--trace', '--quiet']);
    if (r.code > 1) throw new Error(r.stderr);
    return out;
  };
  const demo = join(ROOT, 'scenarios/beamline-store.yaml');
  const [one, two, bank] = await Promise.all([record('one', [demo]), record('two', [demo, '--seed', '2']), record('bank', [join(ROOT, 'scenarios/drills/chandy-lamport-bank.yaml')])]);
  return { one, two, bank };
})();

type Runs = Awaited<typeof runs>;
const edit = (path: string, change: (text: string) => string) => writeFileSync(path, change(readFileSync(path, 'utf8')));
const editJson = (path: string, change: (json: Record<string, unknown>) => void) =>
  edit(path, (text) => {
    const json = JSON.parse(text) as Record<string, unknown>;
    change(json);
    return JSON.stringify(json, null, 2);
  });

/** [case, damage done to the copy `dir`, commands, expected message]. */
const CORPUS: [string, (dir: string, runs: Runs) => void, string[], RegExp][] = [
  ['empty trace', (dir) => writeFileSync(join(dir, 'trace.jsonl'), ''), ['check', 'replay', 'viz'], /trace\.jsonl: the trace is empty/],
  ['torn trace (cut mid-line)', (dir) => edit(join(dir, 'trace.jsonl'), (t) => t.slice(0, 5000)), ['check', 'replay', 'viz'], /trace\.jsonl:\d+: the last line is cut short: the trace is torn/],
  ['trace cut at a line', (dir) => edit(join(dir, 'trace.jsonl'), (t) => t.split('\n').slice(0, 100).join('\n') + '\n'), ['check', 'replay'], /trace\.jsonl:100: the trace ends without its end record \(cut short\? a run killed mid-way or a truncated copy\): its 100 records may not be all$/],
  ['trace of another seed', (dir, r) => cpSync(join(r.two, 'trace.jsonl'), join(dir, 'trace.jsonl')), ['check', 'replay', 'shrink'], /: files from different runs: summary\.json is of beamline-store seed 1, trace\.jsonl is of beamline-store seed 2$/],
  ['summary of another scenario', (dir, r) => cpSync(join(r.bank, 'summary.json'), join(dir, 'summary.json')), ['check', 'replay', 'shrink'], /: files from different runs: summary\.json is of chandy-lamport-bank seed 1, scenario\.resolved\.json is of beamline-store seed 1$/],
  ['faults of another scenario', (dir, r) => cpSync(join(r.bank, 'faults.json'), join(dir, 'faults.json')), ['replay', 'shrink'], /files from different runs: .* faults\.json is of chandy-lamport-bank seed 1$/],
  ['trace not a diaspora trace', (dir) => edit(join(dir, 'trace.jsonl'), (t) => t.split('\n').slice(1).join('\n')), ['check', 'replay'], /trace\.jsonl:1: not a diaspora trace \(it does not start with a meta record\)$/],
  ['trace of a newer format', (dir) => edit(join(dir, 'trace.jsonl'), (t) => t.replace('"v":5', '"v":6')), ['check', 'replay'], /trace\.jsonl:1: trace format 6; this version of diaspora-sim reads formats 1, 2, 3, 4 and 5$/],
  ['truncated scenario.resolved.json', (dir) => edit(join(dir, 'scenario.resolved.json'), (t) => t.slice(0, 200)), ['check', 'replay', 'shrink'], /scenario\.resolved\.json: not valid JSON \(cut short, or edited; was the run interrupted\?\)$/],
  ['scenario.resolved.json without sites', (dir) => editJson(join(dir, 'scenario.resolved.json'), (j) => delete j.sites), ['check', 'replay', 'shrink'], /scenario\.resolved\.json: lacks the field sites; it was edited, or written by another version$/],
  // A time out of range was run, not refused: replay said NOT reproduced (exit 1) and drew a 10 s run (red before).
  ['scenario.resolved.json with a negative duration', (dir) => editJson(join(dir, 'scenario.resolved.json'), (j) => (j.durationUs = -5)), ['replay', 'shrink'], /scenario\.resolved\.json: has durationUs -5 \(expected a whole number ≥ 0\); it was edited, or written by another version$/],
  ['summary.json without its hash', (dir) => editJson(join(dir, 'summary.json'), (j) => delete j.traceHash), ['check', 'replay', 'shrink'], /summary\.json: lacks the field traceHash/],
  ['summary.json a list', (dir) => writeFileSync(join(dir, 'summary.json'), '[]'), ['check', 'replay'], /summary\.json: not a JSON object/],
  ['unparsable scenario.yaml', (dir) => edit(join(dir, 'scenario.yaml'), (t) => `${t}\nsites: [unclosed\n`), ['replay', 'shrink'], /scenario\.yaml:\d+: not valid YAML \(the file was damaged or edited\)$/],
  ['files of another version', (dir) => editJson(join(dir, '.diaspora-output'), (j) => (j.version = '0.0.1')), ['replay', 'check'], /: files from different versions: summary\.json was written by \S+, the directory by 0\.0\.1$/],
  ['no summary.json', (dir) => rmSync(join(dir, 'summary.json')), ['replay', 'shrink', 'check', 'viz'], /: no summary\.json here; is this a directory written by diaspora run\?$/],
  ['summary.json a directory', (dir) => { rmSync(join(dir, 'summary.json')); mkdirSync(join(dir, 'summary.json')); }, ['check', 'replay', 'viz'], /summary\.json: a directory, not a file/],
  ['trace.jsonl a directory', (dir) => { rmSync(join(dir, 'trace.jsonl')); mkdirSync(join(dir, 'trace.jsonl')); }, ['check', 'replay', 'viz'], /trace\.jsonl: a directory, not a trace file$/],
  ['a verdict of summary.json not a verdict', (dir) => editJson(join(dir, 'summary.json'), (j) => ((j.checks as Record<string, unknown>)['no-acked-loss'] = 7)), ['check', 'replay', 'viz'], /summary\.json: checks\.no-acked-loss is not a verdict/],
  ['summary.json of the wrong shape, drawn', (dir) => editJson(join(dir, 'summary.json'), (j) => (j.checks = 'all good')), ['viz'], /summary\.json: has checks of the wrong type \(expected an object\)/],
];

/**
 * Where a command meets its first case (empty trace: check, replay, viz; trace of another seed:
 * shrink) the real command runs in a child process, so its start, exit code and streams are seen
 * as a user sees them. Every other case calls the command in this process (test/fuzz/harness.ts,
 * one call after another): a start of the real command costs ≈ 0.45 s of CPU for one line.
 */
const firstCase = new Map<string, string>();
for (const [name, , commands] of CORPUS) for (const command of commands) if (!firstCase.has(command)) firstCase.set(command, name);

for (const [name, damage, commands, message] of CORPUS) {
  test(`damaged run: ${name}`, async (t) => {
    const all = await runs;
    const dir = join(mkdtempSync(join(SCRATCH, 'case-')), 'run');
    cpSync(all.one, dir, { recursive: true });
    damage(dir, all);
    const outcomes = await Promise.all(commands.map((command) => {
      const args = command === 'viz' ? ['viz', dir, '-o', join(dir, '..', 'timeline.html')] : [command, dir];
      return firstCase.get(command) === name ? diaspora(args) : cli(args);
    }));
    for (const [i, r] of outcomes.entries()) {
      const command = commands[i]!;
      t.is(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
      const lines = r.stderr.trimEnd().split('\n');
      t.is(lines.length, 1, `${command}: ${r.stderr}`);
      t.regex(lines[0]!, message, command);
      t.notRegex(r.stdout, /PASS|FAIL|reproduced/, `${command} judged a damaged run`);
    }
  });
}

/**
 * `diaspora viz` and `writeTimeline` without a browser: which files they read and write, one-line
 * errors for bad input, and pages that are self-contained and a pure function of the trace.
 */
import test from 'ava';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { vizCommand, traceOf } from '../../src/cli/viz-command.ts';
import { InputError } from '../../src/kernel/contract/index.ts';
import { endLine, TraceWriter, type TraceRecord } from '../../src/kernel/index.ts';
import { writeTimeline } from '../../src/report/timeline.ts';
import { ROOT } from '../cli/cli.ts';
import { cli } from '../fuzz/harness.ts';
import { drillTrace } from './synthetic-trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'viz-cli-'));
const run = join(dir, 'run-1');
const trace = join(run, 'trace.jsonl');
/** A second run of the same drill, for the comparison page: a run named twice is refused. */
const other = join(dir, 'run-2', 'trace.jsonl');

test.before(async () => {
  mkdirSync(run);
  mkdirSync(join(dir, 'run-2'));
  await drillTrace().writeTo(trace).finish();
  await drillTrace().writeTo(other).finish();
});

test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command as the CLI would, capturing what it prints. */
async function viz(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await yargs(['viz', ...args]).command(vizCommand).strict().parseAsync();
    return { code: Number(process.exitCode ?? 0), out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = before;
  }
}

test.serial('a run directory gets its timeline.html next to its trace', async (t) => {
  const result = await viz([run]);
  t.is(result.code, 0, result.err);
  t.regex(result.out, /^wrote .*run-1\/timeline\.html \(0\.\d+ MB, 129 records\)/);
  t.true(existsSync(join(run, 'timeline.html')));
});

test.serial('two runs and -o write one comparison page', async (t) => {
  const out = join(dir, 'compare.html');
  const result = await viz([run, other, '-o', out, '--title', 'A against B']);
  t.is(result.code, 0, result.err);
  const html = readFileSync(out, 'utf8');
  t.is(html.match(/<script type="application\/x-diaspora-run">/g)?.length, 2);
  t.true(html.includes('<title>A against B</title>'));
});

test.serial('bad input is one line on stderr and exit code 2', async (t) => {
  const missing = await viz([join(dir, 'nope')]);
  t.is(missing.code, 2);
  t.is(missing.err, `${join(dir, 'nope')}: no such file or directory\n`);
  // A link that loops (or whose target is gone) is there to see with `ls`: said so, not "no such file".
  const loop = join(dir, 'loop.jsonl');
  symlinkSync(loop, loop);
  const looping = await viz([loop]);
  t.is(looping.code, 2);
  t.is(looping.err, `${loop}: a symbolic link that leads nowhere (its target is missing, or the links form a loop)\n`);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"t":0,"k":"meta","a":"world","n":0,"v":2,"scenario":"x","seed":1}\n{"t":1,"k":"send"\n');
  const malformed = await viz([bad]);
  t.is(malformed.code, 2);
  t.is(malformed.err, `${bad}:2: not a JSON trace record\n`);
  t.false(existsSync(join(dir, 'bad.html')), 'nothing written for a bad trace');
});

test('a directory without a trace, and an empty trace, are input errors', async (t) => {
  t.throws(() => traceOf(dir), { instanceOf: InputError, message: /no trace\.jsonl here/ });
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '');
  await t.throwsAsync(writeTimeline({ traces: [empty], out: join(dir, 'empty.html') }), { instanceOf: InputError, message: `${empty}: the trace is empty` });
});

test('the page is self-contained and a pure function of the trace', async (t) => {
  const [a, b] = [join(dir, 'a.html'), join(dir, 'b.html')];
  const first = await writeTimeline({ traces: [trace], out: a });
  await writeTimeline({ traces: [trace], out: b });
  t.deepEqual(readFileSync(a), readFileSync(b));
  const html = readFileSync(a, 'utf8');
  t.is(first.bytes, Buffer.byteLength(html));
  t.notRegex(html, /<script[^>]+src=|<link[^>]+href=|@import|url\(["']?https?:/i, 'nothing is loaded from elsewhere');
  t.false(existsSync(`${a}.tmp-${process.pid}`));
});

/**
 * A real run (format 4: an end record with the hash, and a summary.json), made once, when first
 * asked for: the harness borrows stdout, which the serial tests before it capture.
 */
let made: Promise<string> | undefined;
function realRun(): Promise<string> {
  made ??= (async () => {
    const out = join(dir, 'real');
    const r = await cli(['run', join(ROOT, 'scenarios/beamline-store.yaml'), '--trace', '--out', out, '--quiet']);
    if (r.code !== 0 && r.code !== 1) throw new Error(r.stderr);
    return out;
  })();
  return made;
}

/** The trace at `from` with one send's size changed by hand: its records no longer hash to its end record. */
function editedLines(from: string): string[] {
  const lines = readFileSync(from, 'utf8').split('\n');
  const i = lines.findIndex((line) => line.includes('"k":"send"'));
  const before = lines[i]!;
  lines[i] = before.replace(/"bytes":(\d+)/, (_, n: string) => `"bytes":${Number(n) + 1}`);
  if (lines[i] === before) throw new Error('the edit changed nothing');
  return lines;
}
const warningFor = (path: string, what: string) => new RegExp(`^warning: ${path.replaceAll('/', '\\/')}: ${what}; drawn as it is\\n$`);

// Red before: drawn without a word (viz did not hash; check refuses it).
test.serial('an edited trace is drawn with one warning naming the file and both hashes, exit 0', async (t) => {
  const path = join(dir, 'edited.jsonl');
  writeFileSync(path, editedLines(join(await realRun(), 'trace.jsonl')).join('\n'));
  const warning = warningFor(path, 'its records hash to [0-9a-f]{16}, its end record says [0-9a-f]{16}: a record was edited after the run wrote it');
  const page = await viz([path]);
  t.is(page.code, 0, page.err);
  t.regex(page.err, warning);
  t.true(existsSync(join(dir, 'edited.html')));
  for (const flag of ['--perfetto', '--shiviz']) {
    const other = await viz([path, flag, join(dir, flag === "--perfetto" ? "edited.json" : "edited.log")]);
    t.is(other.code, 0, other.err);
    t.regex(other.err, warning, flag);
  }
  // The run as written: no warning.
  const whole = await viz([await realRun(), '-o', join(dir, 'whole.html')]);
  t.is(whole.code, 0, whole.err);
  t.is(whole.err, '');
});

test.serial('a run whose trace was edited and its end record made to match is drawn with a warning naming summary.json', async (t) => {
  const run = join(dir, 'rehashed');
  cpSync(await realRun(), run, { recursive: true });
  rmSync(join(run, 'timeline.html'), { force: true });
  const lines = editedLines(join(run, 'trace.jsonl')).filter((line) => line !== '');
  const records = lines.slice(0, -1);
  const writer = new TraceWriter();
  for (const line of records) writer.write(JSON.parse(line) as TraceRecord);
  writeFileSync(join(run, 'trace.jsonl'), `${[...records, endLine(writer.records, writer.close())].join('\n')}\n`);
  const r = await viz([run]);
  t.is(r.code, 0, r.err);
  t.regex(r.err, warningFor(join(run, 'trace.jsonl'), 'its end record says \\d+ records, hash [0-9a-f]{16}; summary\\.json says \\d+, [0-9a-f]{16}: the trace was edited or comes from another run'));
  t.true(existsSync(join(run, 'timeline.html')));
});

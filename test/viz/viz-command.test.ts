/**
 * `diaspora viz` and `writeTimeline` without a browser: which files they read and write, one-line
 * errors for bad input, and pages that are self-contained and a pure function of the trace.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { vizCommand, traceOf } from '../../src/cli/viz-command.ts';
import { InputError } from '../../src/kernel/contract/index.ts';
import { writeTimeline } from '../../src/report/timeline.ts';
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

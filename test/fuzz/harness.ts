/**
 * The `diaspora` command called in this process, many times, as the input fuzzer needs it: the
 * arguments in, the exit code, stdout and stderr out (src/cli/entry.ts, the function main.ts
 * calls). And the judge of what came out for a broken input: exit 2, one short located message,
 * no stack, no `undefined`/`[object Object]`/`NaN` the input did not hold, nothing half-written.
 *
 * Guarantee: process.argv, process.exitCode and the two streams are restored after each call;
 * calls made at once (concurrent tests of a file) run one after another, as each borrows them.
 * How it fails: a command that writes after its promise settled (it should not) is not captured.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

type Entry = (args: string[]) => Promise<void>;
let entry: Entry | undefined;

/** The command's sources, through tsx. */
async function loadCli(): Promise<void> {
  entry = (await import('../../src/cli/entry.ts')).diaspora;
}

/** The call running now, or settled: the next one starts after it. */
let previous: Promise<unknown> = Promise.resolve();

/** Runs `diaspora …args` in this process, after the calls made before it. */
export function cli(args: string[]): Promise<Outcome> {
  const call = previous.then(() => callCli(args));
  previous = call;
  return call;
}

async function callCli(args: string[]): Promise<Outcome> {
  if (entry === undefined) await loadCli();
  // What is about to run, for a case that takes the process down with it.
  if (process.env.FUZZ_ECHO === '1') process.stderr.write(`> diaspora ${args.join(' ')}\n`);
  const saved = { argv: process.argv, exitCode: process.exitCode, out: process.stdout.write, err: process.stderr.write };
  let stdout = '';
  let stderr = '';
  process.argv = [process.argv[0]!, 'diaspora', ...args];
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    await entry!(args);
    const code = process.exitCode ?? 0;
    return { code: typeof code === 'number' ? code : Number(code), stdout, stderr };
  } catch (error) {
    // The entry catches everything it can: anything escaping it is a crash.
    return { code: -1, stdout, stderr: `${stderr}escaped: ${error instanceof Error ? error.stack : String(error)}` };
  } finally {
    process.argv = saved.argv;
    process.exitCode = saved.exitCode;
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
  }
}

export interface Expect {
  /** The message's first line must start with this (the file as given), when set. */
  readonly file?: string;
  /** …and carry a line number after it (`file:12 `). */
  readonly line?: boolean;
  /** Words the input itself holds, so the message may quote them (`NaN`, `undefined`). */
  readonly input?: string;
  /** A run directory that must not exist afterwards, or be empty. */
  readonly out?: string;
}

/** The "and N more problems (--all-errors lists them)" line the CLI adds to a long list. */
const MORE = /^and \d+ more problems? \(--all-errors lists them\)$/;

/** What is wrong with how a refused input was reported; empty when nothing is. */
export function judgeRefusal(r: Outcome, expect: Expect = {}): string[] {
  const problems: string[] = [];
  if (r.code !== 2) problems.push(`exit code ${r.code}, not 2`);
  if (/\n\s+at |internal error|node:internal|Warning:|escaped:/.test(r.stderr)) problems.push('a stack trace or internal error');
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !MORE.test(l));
  if (r.stderr.trim() === '') problems.push('nothing on stderr');
  // The first four problems, or five when "and 1 more" would take the fifth line itself (exit.ts).
  else if (lines.length > 5) problems.push(`${lines.length} lines`);
  const first = lines[0] ?? '';
  for (const word of ['undefined', '[object Object]', 'NaN', 'null']) {
    if (r.stderr.includes(word) && !(expect.input ?? '').includes(word)) problems.push(`"${word}" in the message`);
  }
  if (first.length > 400) problems.push('a first line over 400 characters');
  if (lines.some((line) => line.length > 500)) problems.push('a line over 500 characters');
  // Characters that reorder or hide text on a terminal must be shown escaped, as control characters are.
  if (/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(r.stderr)) problems.push('an invisible or bidi character printed as is');
  if (expect.file !== undefined) {
    if (!first.startsWith(expect.file)) problems.push('the message does not start with the file');
    else if (expect.line === true && !/^:\d+ /.test(first.slice(expect.file.length))) problems.push('the message has no line number');
  }
  if (/PASS|FAIL/.test(r.stdout)) problems.push('stdout judged a broken input');
  if (expect.out !== undefined) problems.push(...halfWritten(expect.out));
  return problems;
}

/** A run directory left behind by a refused command, or a staging directory beside it. */
export function halfWritten(out: string): string[] {
  const problems: string[] = [];
  if (existsSync(out) && readdirSync(out).length > 0) problems.push(`${out} was written`);
  const parent = dirname(out);
  if (existsSync(parent)) for (const name of readdirSync(parent)) if (/\.tmp(-\d+)?$|^\..*\.\d+\.tmp/.test(name)) problems.push(`a temporary ${name} was left`);
  return problems;
}

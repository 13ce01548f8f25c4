/**
 * The fuzzer of what commands read back: a run directory (with its trace) and two sweep slices,
 * written once by the CLI, then damaged — a trace cut mid-line, a garbage line in the middle,
 * another format version, lines swapped or repeated, a summary torn or of another kind, a slice's
 * results.jsonl or sweep.json damaged — and given to check, viz, replay and merge in this process.
 * A damaged input must be refused in one located line (exit 2) with nothing written; an input
 * whose damage changes nothing it means (a BOM, CRLF) may be accepted.
 *
 * Guarantee: the same seed gives the same damage. How it fails: the pristine inputs could not be
 * written (the returned finding says so).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, halfWritten, judgeRefusal } from './harness.ts';
import { random } from './mutate-scenario.ts';
import { ROOT, type Finding } from './fuzz-scenarios.ts';

const DEMO = join(ROOT, 'scenarios/beamline-store.yaml');

type Expect = 'reject' | 'either';
type Damage = (text: string, rng: () => number) => { what: string; text: string | Buffer; expect: Expect } | undefined;

const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const join_ = (ls: readonly string[]) => `${ls.join('\n')}\n`;

/** Damage to a JSON Lines file (a trace, a results.jsonl). */
const JSONL: Record<string, Damage> = {
  'cut-last-line': (text, rng) => {
    const ls = lines(text);
    const last = ls.at(-1)!;
    return { what: 'the last line cut short', text: `${ls.slice(0, -1).join('\n')}\n${last.slice(0, 1 + Math.floor(rng() * (last.length - 2)))}`, expect: 'reject' };
  },
  'garbage-line': (text, rng) => {
    const ls = lines(text);
    const at = 1 + Math.floor(rng() * (ls.length - 1));
    const junk = ['garbage', '{"t":', '{}', '[]', 'null', '42', '"x"', '{"t":1e400,"k":"send"}', '\u0000\u0001'][Math.floor(rng() * 9)]!;
    ls.splice(at, 0, junk);
    return { what: `line ${at + 1} is ${JSON.stringify(junk)}`, text: join_(ls), expect: 'reject' };
  },
  'swap-lines': (text, rng) => {
    const ls = lines(text);
    if (ls.length < 4) return undefined;
    const at = 1 + Math.floor(rng() * (ls.length - 2));
    [ls[at], ls[at + 1]] = [ls[at + 1]!, ls[at]!];
    return { what: `lines ${at + 1} and ${at + 2} swapped`, text: join_(ls), expect: 'either' };
  },
  'drop-first': (text) => ({ what: 'the first line removed', text: join_(lines(text).slice(1)), expect: 'reject' }),
  // A sweep's results may hold a cell twice (merge keeps one when both agree); a trace may not.
  'repeat-first': (text) => ({ what: 'the first line twice', text: join_([lines(text)[0]!, ...lines(text)]), expect: text.startsWith('{"t":') ? 'reject' : 'either' }),
  'two-joined': (text) => ({ what: 'the file twice, one after the other', text: text + text, expect: text.startsWith('{"t":') ? 'reject' : 'either' }),
  empty: () => ({ what: 'empty', text: '', expect: 'reject' }),
  'blank-lines': () => ({ what: 'only blank lines', text: '\n\n\n', expect: 'reject' }),
  binary: (_text, rng) => ({ what: 'random bytes', text: Buffer.from(Array.from({ length: 300 }, () => Math.floor(rng() * 256))), expect: 'reject' }),
  'format-version': (text, rng) => {
    const v = [0, 5, 99, -1, '"4"', 'null', 1.5][Math.floor(rng() * 7)]!;
    const replaced = text.replace(/"(format|version)":\s*(\d+|"[^"]*")/, `"$1":${v}`);
    if (replaced === text) return undefined;
    return { what: `format/version → ${v}`, text: replaced, expect: 'reject' };
  },
  'field-type': (text, rng) => {
    const ls = lines(text);
    const at = Math.floor(rng() * ls.length);
    const line = ls[at]!;
    const keys = [...line.matchAll(/"([a-zA-Z]+)":/g)].map((m) => m[1]!);
    if (keys.length === 0) return undefined;
    const key = keys[Math.floor(rng() * keys.length)]!;
    const value = ['-1', '"x"', 'null', '[]', '{}', '1e400', '1.5', 'true'][Math.floor(rng() * 8)]!;
    ls[at] = line.replace(new RegExp(`"${key}":(-?[\\d.e+]+|"[^"]*"|true|false|null)`), `"${key}":${value}`);
    if (ls[at] === line) return undefined;
    return { what: `line ${at + 1}: ${key} → ${value}`, text: join_(ls), expect: 'either' };
  },
  bom: (text) => ({ what: 'a byte-order mark', text: `\ufeff${text}`, expect: 'either' }),
  crlf: (text) => ({ what: 'CRLF line ends', text: text.replace(/\n/g, '\r\n'), expect: 'either' }),
  'no-final-newline': (text) => ({ what: 'no newline at the end', text: text.replace(/\n$/, ''), expect: 'either' }),
};

/** Damage to a JSON document (summary.json, sweep.json). */
const JSON_DOC: Record<string, Damage> = {
  torn: (text, rng) => ({ what: 'cut short', text: text.slice(0, Math.floor(rng() * text.length)), expect: 'reject' }),
  empty: () => ({ what: 'empty', text: '', expect: 'reject' }),
  'not-an-object': (_t, rng) => ({ what: 'not a map', text: ['[]', 'null', '42', '"x"'][Math.floor(rng() * 4)]!, expect: 'reject' }),
  'field-type': (text, rng) => {
    const keys = [...text.matchAll(/"([a-zA-Z]+)":/g)].map((m) => m[1]!);
    const key = keys[Math.floor(rng() * keys.length)]!;
    const value = ['-1', '"x"', 'null', '[]', '{}', '1e400', 'true'][Math.floor(rng() * 7)]!;
    const replaced = text.replace(new RegExp(`"${key}":\\s*(-?[\\d.e+]+|"[^"]*"|true|false|null|\\[\\]|\\{\\})`), `"${key}": ${value}`);
    if (replaced === text) return undefined;
    return { what: `${key} → ${value}`, text: replaced, expect: 'either' };
  },
  'delete-key': (text, rng) => {
    const obj = JSON.parse(text) as Record<string, unknown>;
    const keys = Object.keys(obj);
    const key = keys[Math.floor(rng() * keys.length)]!;
    delete obj[key];
    return { what: `top-level ${key} removed`, text: JSON.stringify(obj, null, 2), expect: 'either' };
  },
};

interface Pristine {
  run: string;
  slices: [string, string];
}

/** Writes the inputs every case damages a copy of. */
async function pristine(scratch: string): Promise<Pristine | string> {
  const run = join(scratch, 'pristine-run');
  const r = await cli(['run', DEMO, '--trace', '--out', run, '--quiet']);
  if (r.code !== 1) return `the pristine run exited ${r.code}: ${r.stderr}`;
  const slices: [string, string] = [join(scratch, 'pristine-s0'), join(scratch, 'pristine-s1')];
  for (const [i, dir] of slices.entries()) {
    const s = await cli(['sweep', DEMO, '--param', 'quiesce=10s,20s', '--seeds', '1', '--jobs', '1', '--shard', `${i}/2`, '--out', dir, '--quiet']);
    if (s.code !== 0) return `the pristine slice ${i} exited ${s.code}: ${s.stderr}`;
  }
  return { run, slices };
}

/** Runs `count` damaged-input cases; returns the findings. */
export async function fuzzTraces(seed: number, count: number, scratch: string, onCase?: (what: string, code: number, stderr: string) => void): Promise<{ findings: Finding[]; cases: number; refused: number }> {
  mkdirSync(scratch, { recursive: true });
  const base = await pristine(scratch);
  if (typeof base === 'string') return { findings: [{ file: 'pristine', mutation: '', kind: 'setup', problem: base, message: '' }], cases: 0, refused: 0 };
  const findings: Finding[] = [];
  let refused = 0;
  const only = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);
  for (let i = 0; i < count; i++) {
    if (only !== undefined && i !== only) continue;
    const rng = random(seed * 104729 + i);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
    const dir = join(scratch, `case${i}`);
    const out = join(scratch, `out${i}`);
    // What is damaged, and which command reads it.
    const target = pick(['trace', 'trace', 'trace', 'bare-trace', 'summary', 'resolved', 'results', 'sweep-json', 'swap-kind']);
    let file: string;
    let damage;
    let args: string[];
    if (target === 'results' || target === 'sweep-json') {
      cpSync(base.slices[0], join(dir, 's0'), { recursive: true });
      cpSync(base.slices[1], join(dir, 's1'), { recursive: true });
      file = join(dir, pick(['s0', 's1']), target === 'results' ? 'results.jsonl' : 'sweep.json');
      const kinds = target === 'results' ? JSONL : JSON_DOC;
      damage = kinds[pick(Object.keys(kinds))]!(readFileSync(file, 'utf8'), rng);
      args = ['merge', join(dir, 's0'), join(dir, 's1'), '--out', out];
    } else {
      cpSync(base.run, dir, { recursive: true });
      const name = target === 'summary' ? 'summary.json' : target === 'resolved' ? 'scenario.resolved.json' : 'trace.jsonl';
      file = join(dir, name);
      if (target === 'swap-kind') {
        // A results file of another kind where a trace belongs.
        const other = pick([join(dir, 'summary.json'), join(base.slices[0], 'results.jsonl'), join(base.slices[0], 'sweep.json'), DEMO]);
        copyFileSync(other, file);
        damage = { what: `trace.jsonl replaced by ${other.replace(scratch, '')}`, text: readFileSync(file), expect: 'reject' as Expect };
      } else {
        const kinds = name.endsWith('.jsonl') ? JSONL : JSON_DOC;
        damage = kinds[pick(Object.keys(kinds))]!(readFileSync(file, 'utf8'), rng);
      }
      const path = target === 'bare-trace' ? file : dir;
      args = pick([
        ['check', path],
        ['viz', path, '-o', join(out, 't.html')],
        ['viz', path, '--perfetto', join(out, 'p.json')],
        ...(target === 'bare-trace' ? [] : [['replay', path]]),
      ]);
    }
    if (damage === undefined) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    writeFileSync(file, damage.text);
    const r = await cli(args);
    const what = `${target}: ${damage.what}; ${args[0]}`;
    onCase?.(what, r.code, r.stderr);
    if (only !== undefined) process.stderr.write(`${what}: kept in ${dir}\n`);
    const found = (problem: string) => findings.push({ file: `traces#${i}`, mutation: what, kind: target, problem, message: r.stderr.trimEnd() });
    if (r.code === 2) {
      refused++;
      for (const p of judgeRefusal(r, { input: typeof damage.text === 'string' ? damage.text : damage.text.toString('latin1') })) found(p);
      for (const p of halfWritten(join(out, 'x'))) found(p);
      if (existsSync(out) && readdirSync(out).length > 0) found(`${out} was written`);
    } else if (r.code === 0 || r.code === 1) {
      if (damage.expect === 'reject') found(`accepted (exit ${r.code}) a damaged input`);
    } else found(`exit ${r.code}`);
    if (only === undefined) rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
  return { findings, cases: count, refused };
}

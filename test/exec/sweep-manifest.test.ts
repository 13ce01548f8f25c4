/**
 * An edited sweep manifest is named, never merged: its id must be the hash of its spec, a value's
 * plotted `x` and a parameter's `kind` must follow from the texts (sweep-log.ts checkIdentity).
 * And a variant's name is capped as a scenario's is. In this process (test/fuzz/harness.ts).
 */
import test from 'ava';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../fuzz/harness.ts';
import { ROOT } from '../cli/cli.ts';
import { scratchDirs } from './sweep-scratch.ts';

const scratch = scratchDirs('diaspora-sweep-manifest-');
const DEMO = join(ROOT, 'scenarios/beamline-store.yaml');

const made = (async () => {
  const dir = join(scratch(), 'whole');
  const r = await cli(['sweep', DEMO, '--param', 'quiesce=10s,20s', '--seeds', '1', '--jobs', '1', '--quiet', '--out', dir]);
  if (r.code !== 0) throw new Error(r.stderr);
  return dir;
})();

type Manifest = { id: string; spec: { params: { values: { x: unknown }[]; kind: unknown; scale: unknown }[] } };

/** Merges a copy of the sweep whose manifest `edit` changed; returns the outcome and whether anything was written. */
async function mergeEdited(name: string, edit: (manifest: Manifest) => void) {
  const dir = join(scratch(), name);
  cpSync(await made, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as Manifest;
  edit(manifest);
  writeFileSync(join(dir, 'sweep.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const out = join(scratch(), `${name}-merged`);
  const r = await cli(['merge', dir, '--out', out]);
  return { ...r, file: join(dir, 'sweep.json'), written: existsSync(out) };
}

test('the sweep as written merges (the checks pass every manifest a sweep writes)', async (t) => {
  const r = await mergeEdited('unedited', () => {});
  t.is(r.code, 0, r.stderr);
});

// Red before: each merged, exit 0 (an edited x or kind plotted; the empty id quoted as "sweep ").
test('an edited id, plotted value, kind or other spec field is named, exit 2, nothing written', async (t) => {
  const cases: [string, (m: Manifest) => void, (file: string) => string | RegExp][] = [
    ['empty-id', (m) => (m.id = ''), (f) => `${f}: a sweep manifest whose id "" is not a sweep id (12 hex digits); the file was edited`],
    ['x', (m) => (m.spec.params[0]!.values[1]!.x = 99), (f) => `${f}: spec.params[0].values[1].x is 99, but its text "20s" is 20000000; the file was edited`],
    ['x-word', (m) => (m.spec.params[0]!.values[0]!.x = 'zz'), (f) => `${f}: spec.params[0].values[0].x is "zz", but its text "10s" is 10000000; the file was edited`],
    ['kind', (m) => (m.spec.params[0]!.kind = 'weird'), (f) => `${f}: spec.params[0].kind is "weird", but its values are of kind duration; the file was edited`],
    // Not derived from the texts (a log range asked for), so only the hash tells.
    ['scale', (m) => (m.spec.params[0]!.scale = 'log'), () => /: its spec hashes to [0-9a-f]{12}, not to its id [0-9a-f]{12}: a field of spec was edited\n$/],
  ];
  for (const [name, edit, message] of cases) {
    const r = await mergeEdited(name, edit);
    t.is(r.code, 2, `${name}: ${r.stderr}`);
    const expected = message(r.file);
    if (typeof expected === 'string') t.is(r.stderr, `${expected}\n`, name);
    else t.regex(r.stderr, expected, name);
    t.false(r.written, `${name}: nothing written`);
  }
});

// Red before: a 10,000-character variant name ran (every cell, column and legend entry named by it).
test('a variant name longer than a scenario name may be is refused before any cell runs', async (t) => {
  const out = join(scratch(), 'long');
  const r = await cli(['compare', DEMO, '--variant', `${'a'.repeat(10_000)}:quiesce=20s`, '--variant', 'b:quiesce=30s', '--seeds', '1', '--quiet', '--out', out]);
  t.is(r.code, 2, r.stderr);
  t.is(r.stderr, `--variant ${'a'.repeat(40)}… (10012 characters): a name of 10000 characters ("${'a'.repeat(20)}…"); a variant's name has at most 100\n`);
  t.false(existsSync(out));
  const strategies = await cli(['compare', DEMO, '--strategies', `none,${'b'.repeat(101)}`, '--seeds', '1', '--quiet', '--out', out]);
  t.is(strategies.code, 2, strategies.stderr);
  t.regex(strategies.stderr, /: a name of 101 characters \("b{20}…"\); a variant's name has at most 100\n$/);
});

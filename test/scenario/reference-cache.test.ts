/**
 * The reference cache: a recalled fault-free reference is the computed one, byte for byte (same
 * trace hash, same stored JSON), and its key moves with everything the reference depends on and
 * with nothing else.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceWriter } from '../../src/kernel/index.ts';
import { execute } from '../../src/exec/run.ts';
import { diaspora } from '../cli/cli.ts';
import { loadScenarioFile, prepareRun, type Scenario } from '../../src/scenario/index.ts';
import { defaultCacheDir, recallReference, referenceKey, type ReferenceCacheMode } from '../../src/scenario/reference-cache.ts';

const scenarios = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const DOMINO = `${scenarios}drills/domino-stream-replay.yaml`;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'diaspora-reference-cache-'));
}

function entries(dir: string): string[] {
  try {
    return readdirSync(join(dir, 'references'));
  } catch {
    return [];
  }
}

function traceHash(scenario: Scenario, mode: ReferenceCacheMode, dir: string): string {
  return execute(prepareRun(scenario, { trace: new TraceWriter(), referenceCache: { mode, dir } })).traceHash;
}

test('a run with its reference recalled has the trace hash of one that computed it, and of one without a cache', (t) => {
  const dir = scratch();
  try {
    const scenario = loadScenarioFile(DOMINO);
    t.true(scenario.checks.includes('state-equals-reference'));
    const uncached = traceHash(scenario, 'off', dir);
    t.deepEqual(entries(dir), [], 'off writes nothing');
    const cold = traceHash(scenario, 'use', dir);
    t.is(entries(dir).length, 1, 'a cold run stores its reference');
    const stored = readFileSync(join(dir, 'references', entries(dir)[0]), 'utf8');
    const warm = traceHash(scenario, 'use', dir);
    t.is(cold, uncached);
    t.is(warm, uncached);
    const refreshed = traceHash(scenario, 'refresh', dir);
    t.is(refreshed, uncached);
    t.is(readFileSync(join(dir, 'references', entries(dir)[0]), 'utf8'), stored, 'a recomputed entry is byte-identical to the stored one');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a recalled value is the computed value after the same JSON round trip; a warm cache does not compute', (t) => {
  const dir = scratch();
  try {
    const scenario = loadScenarioFile(DOMINO);
    // Keys that JSON orders differently from insertion (integer-like first) and values it drops.
    const value = { b: 'x', 10: 1, a: [1, 2.5, 'é\u2028'], gone: undefined };
    let computed = 0;
    const measure = () => {
      computed++;
      return value;
    };
    const request = { scenario, seed: 7, purpose: 'test/value', mode: 'use' as const, dir };
    const first = recallReference(request, measure);
    const second = recallReference(request, measure);
    t.is(computed, 1);
    t.is(JSON.stringify(first), JSON.stringify(second));
    t.is(JSON.stringify(first), JSON.stringify(value));
    t.false('gone' in first, 'the computed path hands back the round-tripped value, as a recall does');
    t.deepEqual(Object.keys(first), Object.keys(second));
    recallReference({ ...request, mode: 'refresh' }, measure);
    t.is(computed, 2, 'refresh computes even when an entry exists');
    recallReference({ ...request, mode: 'off' }, measure);
    t.is(computed, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn, edited or misplaced entry is a miss: the value is computed again and the entry rewritten', (t) => {
  const dir = scratch();
  try {
    const scenario = loadScenarioFile(DOMINO);
    const request = { scenario, seed: 1, purpose: 'test/torn', mode: 'use' as const, dir };
    let computed = 0;
    const measure = () => ({ n: ++computed });
    t.deepEqual(recallReference(request, measure), { n: 1 });
    const file = join(dir, 'references', `${referenceKey(request)}.json`);
    for (const damage of ['{"key":"', '', JSON.stringify({ key: 'another', json: '{"n":99}' }), JSON.stringify({ key: referenceKey(request), json: '{"n":' })]) {
      writeFileSync(file, damage);
      const before = computed;
      t.deepEqual(recallReference(request, measure), { n: before + 1 }, `damaged entry ${JSON.stringify(damage)}`);
      t.deepEqual(recallReference(request, measure), { n: before + 1 }, 'and stored again');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the key covers the fault-free scenario, the seed and the purpose, and ignores faults, nemesis and checks', (t) => {
  const base = loadScenarioFile(DOMINO);
  const key = (scenario: Scenario, seed = 1, purpose = 'p') => referenceKey({ scenario, seed, purpose });
  const reference = key(base);
  t.regex(reference, /^[0-9a-f]{64}$/);
  t.is(key(loadScenarioFile(DOMINO)), reference, 'the same file, loaded again');
  t.not(key(base, 2), reference, 'seed');
  t.not(key(base, 1, 'q'), reference, 'purpose');
  t.not(key(loadScenarioFile(DOMINO, ['checkpoint.interval=7s'])), reference, 'a checkpoint setting');
  t.not(key(loadScenarioFile(DOMINO, ['duration=41s'])), reference, 'the duration');
  t.not(key(loadScenarioFile(DOMINO, ['quiesce=11s'])), reference, 'the final phase');
  t.is(key({ ...base, faults: [] }), reference, 'faults');
  t.is(key({ ...base, checks: [] }), reference, 'checks');
});

test('the cache directory comes from DIASPORA_CACHE, then XDG_CACHE_HOME, then ~/.cache; off disables it', (t) => {
  t.is(defaultCacheDir({ DIASPORA_CACHE: 'off' }), undefined);
  t.is(defaultCacheDir({ DIASPORA_CACHE: '/x/y' }), '/x/y');
  t.is(defaultCacheDir({ XDG_CACHE_HOME: '/cache' }), join('/cache', 'diaspora-sim'));
  t.regex(defaultCacheDir({})!, /\.cache[\\/]diaspora-sim$/);
});

test('run --check-determinism computes the reference in both runs and stores it, whatever the cache held', async (t) => {
  const dir = scratch();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  traceHash(loadScenarioFile(DOMINO), 'use', dir);
  t.is(entries(dir).length, 1);
  const computed = readFileSync(join(dir, 'references', entries(dir)[0]), 'utf8');
  // Poisoned entries: recalled, one would be the reference of both runs, and stay. Every entry is
  // poisoned rather than one whose key is computed here: the CLI may run compiled (dist/) while
  // this test runs from source, and the entry it uses must be the one this process stored.
  for (const name of entries(dir)) writeFileSync(join(dir, 'references', name), JSON.stringify({ key: name.replace(/\.json$/, ''), json: '{"digests":{},"processed":{}}' }));
  const r = await diaspora(['run', DOMINO, '--check-determinism'], undefined, { DIASPORA_CACHE: dir });
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /deterministic: two runs gave trace hash/);
  t.is(entries(dir).length, 1, 'the CLI used the entry this process stored (same code stamp from source and compiled)');
  t.is(readFileSync(join(dir, 'references', entries(dir)[0]), 'utf8'), computed);
});

test('a cache directory that cannot be used (a file, a path through a file, a directory in an entry\'s place, /proc) is a miss, never an error', (t) => {
  const dir = scratch();
  try {
    const scenario = loadScenarioFile(DOMINO);
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    const blocked = join(dir, 'blocked');
    const request = { scenario, seed: 1, purpose: 'test/unusable', mode: 'use' as const };
    mkdirSync(join(blocked, 'references', `${referenceKey(request)}.json`), { recursive: true });
    // /proc refuses creation with ENOENT under a parent that exists: Node's recursive mkdir looped for ever there.
    const refusing = existsSync('/proc/self') ? ['/proc/diaspora-cache'] : [];
    for (const place of [join(dir, 'a-file'), join(dir, 'a-file', 'below'), blocked, ...refusing]) {
      let computed = 0;
      t.deepEqual(recallReference({ ...request, dir: place }, () => ({ n: ++computed })), { n: 1 }, place);
      t.deepEqual(recallReference({ ...request, dir: place }, () => ({ n: ++computed })), { n: 2 }, `${place}: computed again`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

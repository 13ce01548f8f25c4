import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/kernel/contract/index.ts';
import { cellCount, cellsOf, parseShard, planStudy, shardOf, type StudyRequest } from '../../src/exec/sweep-plan.ts';
import { parseParam, parseVariant } from '../../src/exec/sweep-values.ts';
import { cellArgs } from '../../src/report/study-format.ts';
import { checkSetsOnce, loadScenario } from '../../src/scenario/index.ts';

const FILE = 'scenarios/beamline-store.yaml';
const TEXT = readFileSync(fileURLToPath(new URL(`../../${FILE}`, import.meta.url)), 'utf8');

const request = (overrides: Partial<StudyRequest> = {}): StudyRequest => ({
  kind: 'sweep',
  file: FILE,
  scenarioText: TEXT,
  sets: [],
  variants: [parseVariant('fsync:services.store.flush=5s'), parseVariant('every:services.store.flush=every-write')],
  params: [parseParam('links[0].latency=500us,20ms,50ms')],
  seeds: [1, 2],
  ...overrides,
});

const inputError = (t: import('ava').ExecutionContext, f: () => unknown, message: RegExp) => {
  const error = t.throws(f, { instanceOf: InputError });
  t.regex(error!.message, message);
  t.false(error!.message.includes('\n'), `one line: ${error!.message}`);
};

test('cells: grid points × variants × seeds, in that nesting, each with its overrides', (t) => {
  const study = planStudy(request({ sets: ['quiesce=12s'] }));
  t.is(study.spec.scenario.name, 'beamline-store');
  t.is(study.spec.baseline, 'fsync');
  const cells = cellsOf(study.spec);
  t.is(cells.length, 3 * 2 * 2);
  t.is(cellCount(study.spec), cells.length, 'the count a manifest is checked against is what cellsOf makes');
  t.deepEqual(cells.map((c) => c.index), cells.map((_, i) => i));
  t.is(new Set(cells.map((c) => c.key)).size, cells.length, 'keys are unique');
  t.like(cells[0], { variant: 'fsync', seed: 1, params: { 'links[0].latency': '500us' }, key: 'fsync links[0].latency=500us seed=1' });
  t.like(cells[3], { variant: 'every', seed: 2, params: { 'links[0].latency': '500us' } });
  t.like(cells[4], { variant: 'fsync', seed: 1, params: { 'links[0].latency': '20ms' } });
  t.deepEqual(cells[3]!.sets, ['quiesce=12s', 'services.store.flush=every-write', 'links[0].latency=500us']);
});

test('the id depends on what runs, not on where the file is', (t) => {
  const a = planStudy(request());
  t.regex(a.id, /^[0-9a-f]{12}$/);
  t.is(planStudy(request({ file: '/elsewhere/beamline.yaml' })).id, a.id);
  t.not(planStudy(request({ seeds: [1, 2, 3] })).id, a.id);
  t.not(planStudy(request({ scenarioText: TEXT.replace('rate: 10/s', 'rate: 20/s') })).id, a.id);
  t.not(planStudy(request({ kind: 'compare', params: [] })).id, planStudy(request({ params: [] })).id);
});

test('shards partition the cells: disjoint, complete, balanced', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 17 }), (n, count) => {
      const cells = Array.from({ length: n }, (_, index) => ({ index }));
      const slices = Array.from({ length: count }, (_, index) => shardOf(cells, { index, count }));
      const all = slices.flat().map((c) => c.index).sort((a, b) => a - b);
      const sizes = slices.map((s) => s.length);
      return all.length === n && all.every((x, i) => x === i) && Math.max(...sizes) - Math.min(...sizes) <= 1;
    }),
  );
  t.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  inputError(t, () => parseShard('4/4'), /^--shard 4\/4: slice 4 is out of range; slices of 4 are numbered 0 to 3$/);
  inputError(t, () => parseShard('1/0'), /at least one slice/);
  inputError(t, () => parseShard('first'), /expected i\/n/);
});

test('every variant and param value is loaded before anything runs: bad input is one line naming its flag', (t) => {
  inputError(t, () => planStudy(request({ params: [parseParam('services.store.flsh=1s,2s')] })), /^--param services\.store\.flsh=1s services\.store\.flsh: unknown field "flsh"; did you mean "flush"\?/);
  inputError(t, () => planStudy(request({ params: [parseParam('links[0].latency=5ms,fast')] })), /^--param links\[0\]\.latency=fast links\[0\]\.latency: expected a duration like "5ms", got "fast"/);
  inputError(t, () => planStudy(request({ variants: [parseVariant('a:services.store.fluhs=5s')] })), /^--variant a:services\.store\.fluhs=5s services\.store\.fluhs: unknown field/);
  inputError(t, () => planStudy(request({ variants: [parseVariant('a:sites.hpc.nodez=3')] })), /^--variant a:sites\.hpc\.nodez=3 sites\.hpc\.nodez: unknown field "nodez"; did you mean "nodes"\?/);
  // The study's own --set is checked alone first: its problems are not blamed on a variant.
  inputError(t, () => planStudy(request({ sets: ['sites.hpc.nodes=0'] })), /^--set sites\.hpc\.nodes=0 sites\.hpc\.nodes: /);
  inputError(t, () => planStudy(request({ baseline: 'nope' })), /^--baseline nope: no such variant; the variants are fsync, every$/);
  inputError(t, () => planStudy(request({ variants: [parseVariant('a:x=1'), parseVariant('a:y=2')] })), /--variant a: the name is given twice/);
  inputError(t, () => planStudy(request({ variants: [parseVariant('a:links[0].latency=1ms')] })), /links\[0\]\.latency is also swept by --param/);
});

test('without variants there is one, named base', (t) => {
  const study = planStudy(request({ variants: [] }));
  t.deepEqual(study.spec.variants, [{ name: 'base', sets: [] }]);
  t.is(cellsOf(study.spec).length, 6);
});

test("every cell's printed command passes run's checks and runs the cell's scenario, however the study, its variants and params spell one field", (t) => {
  // The study sets the flush and the latency, spelt otherwise than the variant and the param that
  // replace them. Red before the spec held its sets as given: the cell command kept
  // `--set services["store"].flush=5s` beside `--set services.store.flush=every-write`, which
  // `diaspora run` refuses as one field set twice (`compare --timelines` wrote no timeline for it).
  const study = planStudy(
    request({
      sets: ['services["store"].flush=5s', 'links[00].latency=1ms', 'quiesce=12s'],
      variants: [parseVariant('every:services.store.flush=every-write'), parseVariant('later:["quiesce"]=20s')],
    }),
  );
  const cells = cellsOf(study.spec);
  t.is(cells.length, 3 * 2 * 2);
  for (const cell of cells) {
    const args = cellArgs(FILE, study.spec, cell, []);
    const sets = args.flatMap((arg, i) => (args[i - 1] === '--set' ? [arg] : []));
    t.notThrows(() => checkSetsOnce(sets), `cell ${cell.index}: ${args.join(' ')}`);
    t.deepEqual(loadScenario(TEXT, FILE, sets), loadScenario(TEXT, FILE, cell.sets), `cell ${cell.index} runs the scenario the study ran`);
  }
  t.deepEqual(study.spec.sets, ['services.store.flush=5s', 'links[0].latency=1ms', 'quiesce=12s'], 'each path spelt one way, the values as given');
  t.is(planStudy(request()).id, planStudy(request({ variants: [parseVariant('fsync:services["store"].flush=5s'), parseVariant('every:services.store.flush=every-write')] })).id, 'one study, however its paths are spelt');
});

// Red before: each of the million grid points × variants was built to check it first — minutes
// before the first word (here the scenario is broken, so the old order named it instead of the count).
test('a study of more than MAX_CELLS cells is refused with its count before anything is built', (t) => {
  const big = request({ scenarioText: 'not: [a scenario', params: [parseParam('quiesce=10s..1000s:1000'), parseParam('links[0].latency=1ms..1000ms:1000')], seeds: [1] });
  inputError(t, () => planStudy(big), /^the study has 2,000,000 cells \(1,000 values of quiesce × 1,000 values of links\[0\]\.latency × 2 variants × 1 seed\); at most 100,000 — split it into several sweeps, or ask a range for fewer values \(from\.\.to:COUNT\)$/);
  // At the cap: planned as before (the broken scenario is what is named).
  const edge = request({ scenarioText: 'not: [a scenario', params: [parseParam('quiesce=10s..1000s:500'), parseParam('links[0].latency=1ms..1000ms:100')], seeds: [1] });
  t.throws(() => planStudy(edge), { message: /^(?!the study has)/ });
});

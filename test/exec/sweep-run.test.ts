import test from 'ava';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/kernel/contract/index.ts';
import { inThisThread, workerPool, type CellRunner } from '../../src/exec/pool.ts';
import { runCells, runSweep } from '../../src/exec/sweep.ts';
import type { CellRecord } from '../../src/exec/sweep-log.ts';
import { mergeSweeps } from '../../src/exec/sweep-merge.ts';
import { cellsOf, planStudy, studyId } from '../../src/exec/sweep-plan.ts';
import { parseParam, parseVariant } from '../../src/exec/sweep-values.ts';
import { scratchDirs } from './sweep-scratch.ts';

const FILE = 'scenarios/beamline-store.yaml';
const TEXT = readFileSync(fileURLToPath(new URL(`../../${FILE}`, import.meta.url)), 'utf8');
const study = planStudy({
  kind: 'sweep',
  file: FILE,
  scenarioText: TEXT,
  sets: [],
  variants: [parseVariant('fsync5s:services.store.flush=5s'), parseVariant('everywrite:services.store.flush=every-write')],
  params: [parseParam('links[0].latency=500us,20ms')],
  seeds: [1, 2, 3],
});
const TOTAL = 12;
const scratch = scratchDirs('diaspora-sweep-');
/** A record without its wall time: what must not depend on how or where the cell ran. */
const outcome = ({ wallTimeMs: _, ...rest }: CellRecord) => rest;

/** Counts the cells it is asked to run. */
function counting(runner: CellRunner): CellRunner & { ran: number } {
  const counted = { ...runner, ran: 0, run: (task: Parameters<CellRunner['run']>[0]) => (counted.ran++, runner.run(task)) };
  return counted;
}

test('cells run in worker threads give exactly the results of running them one by one', async (t) => {
  const cells = cellsOf(study.spec);
  t.is(cells.length, TOTAL);
  const sequential = await runCells(study, cells, inThisThread(), () => {});
  const pool = workerPool(2);
  const arrived: number[] = [];
  let parallel: CellRecord[];
  try {
    parallel = await runCells(study, cells, pool, (record) => arrived.push(record.index));
  } finally {
    await pool.close();
  }
  t.deepEqual(parallel.map(outcome), sequential.map(outcome));
  t.deepEqual([...arrived].sort((a, b) => a - b), cells.map((c) => c.index), 'each cell reported once');
  // The comparison is not vacuous: seeds and variants change the runs.
  t.is(new Set(sequential.map((r) => r.status === 'error' ? r.status : r.traceHash)).size, TOTAL);
  t.deepEqual(sequential.map((r) => r.status), cells.map((c) => (c.variant === 'fsync5s' ? 'fail' : 'pass')));
});

test('an interrupted sweep resumes: only missing cells run, a torn last line is dropped, the result is the same', async (t) => {
  const whole = join(scratch(), 'whole');
  const full = await runSweep({ study, dir: whole, runner: inThisThread() });
  t.true(full.complete);
  t.is(full.records.length, TOTAL);

  // The state a crash leaves: the manifest, five complete lines, and half of a sixth.
  const resumed = join(scratch(), 'resumed');
  mkdirSync(resumed);
  copyFileSync(join(whole, 'sweep.json'), join(resumed, 'sweep.json'));
  const lines = readFileSync(join(whole, 'results.jsonl'), 'utf8').split('\n');
  writeFileSync(join(resumed, 'results.jsonl'), `${lines.slice(0, 5).join('\n')}\n${lines[5]!.slice(0, 40)}`);

  const runner = counting(inThisThread());
  let started;
  const again = await runSweep({ study, dir: resumed, runner, onStart: (tally) => (started = tally) });
  t.like(started, { total: TOTAL, done: 5, resumed: 5 });
  t.is(runner.ran, TOTAL - 5);
  t.true(again.complete);
  t.deepEqual(again.records.map(outcome), full.records.map(outcome));
  const log = readFileSync(join(resumed, 'results.jsonl'), 'utf8');
  t.true(log.endsWith('\n'));
  t.is(log.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line)).length, TOTAL, 'the torn line is gone');

  // Nothing left: a third run runs nothing.
  const idle = counting(inThisThread());
  t.true((await runSweep({ study, dir: resumed, runner: idle })).complete);
  t.is(idle.ran, 0);
});

test('a sweep directory that lost its sweep.json resumes from its results (--force would discard them); another study\'s results do not', async (t) => {
  const dir = join(scratch(), 'lost-manifest');
  const full = await runSweep({ study, dir, runner: inThisThread() });
  const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n');
  writeFileSync(join(dir, 'results.jsonl'), `${lines.slice(0, 5).join('\n')}\n`);
  rmSync(join(dir, 'sweep.json'));
  const runner = counting(inThisThread());
  let started;
  const again = await runSweep({ study, dir, runner, onStart: (tally) => (started = tally) });
  t.like(started, { total: TOTAL, done: 5, resumed: 5 });
  t.is(runner.ran, TOTAL - 5);
  t.deepEqual(again.records.map(outcome), full.records.map(outcome));
  t.is(JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')).id, study.id);
  // The results of another study give no claim to the directory: refused as before.
  const other = planStudy({ ...study.spec, kind: 'sweep', file: FILE, scenarioText: TEXT, seeds: [1] });
  rmSync(join(dir, 'sweep.json'));
  await t.throwsAsync(runSweep({ study: other, dir, runner }), { instanceOf: InputError, message: /holds an earlier diaspora sweep/ });
  t.is(readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '').length, TOTAL, 'nothing discarded');
});

test('values a world cannot be built with make input errors of their cells; the other cells run', async (t) => {
  const short = planStudy({ kind: 'sweep', file: FILE, scenarioText: TEXT, sets: [], variants: [], params: [parseParam('quiesce=1s,10s')], seeds: [1] });
  const [bad, good] = await runCells(short, cellsOf(short.spec), inThisThread(), () => {});
  t.like(bad, { cell: 'base quiesce=1s seed=1', status: 'error', error: { kind: 'input' } });
  t.regex(bad!.status === 'error' ? bad!.error.message : '', /^quiesce: 1s is too short for the final read/);
  t.like(good, { cell: 'base quiesce=10s seed=1', status: 'fail' });
});

test('a directory of another sweep or slice, or a damaged one, is refused before anything runs', async (t) => {
  const dir = join(scratch(), 'one');
  await runSweep({ study, dir, runner: inThisThread(), shard: { index: 0, count: 4 } });
  const other = planStudy({ ...study.spec, kind: 'sweep', file: FILE, scenarioText: TEXT, seeds: [1] });
  const runner = counting(inThisThread());
  // What differs is named, so that the user can give the arguments the sweep began with (red before: "the scenario, the arguments or the version differ").
  await t.throwsAsync(runSweep({ study: other, dir, runner }), { instanceOf: InputError, message: /holds sweep [0-9a-f]{12}, not this one \([0-9a-f]{12}\): --seeds were 1\.\.\d+ there, 1 here;/ });
  await t.throwsAsync(runSweep({ study, dir, runner }), { instanceOf: InputError, message: /holds slice 0\/4 of sweep [0-9a-f]{12}, not the whole sweep/ });
  appendFileSync(join(dir, 'results.jsonl'), 'garbage\n{"also":"not a result"}\n');
  await t.throwsAsync(runSweep({ study, dir, runner, shard: { index: 0, count: 4 } }), { instanceOf: InputError, message: /results\.jsonl:4: not a result line/ });
  const stranger = scratch();
  writeFileSync(join(stranger, 'notes.txt'), 'mine');
  await t.throwsAsync(runSweep({ study, dir: stranger, runner }), { instanceOf: InputError, message: /holds 1 entry diaspora did not write \(notes\.txt\); choose a new directory$/ });
  // --force starts over only in diaspora's own output, never in a stranger's directory.
  await t.throwsAsync(runSweep({ study, dir: stranger, runner, target: { label: stranger, force: true } }), { instanceOf: InputError, message: /did not write/ });
  t.is(readFileSync(join(stranger, 'notes.txt'), 'utf8'), 'mine');
  t.is(runner.ran, 0);
  const over = await runSweep({ study: other, dir, runner: inThisThread(), target: { label: dir, force: true } });
  t.true(over.complete);
  t.is(JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')).id, other.id);
});

test('a sweep begun with a set spelt otherwise (stored as typed, before studies spelt each path one way) resumes; any other difference is named, not the spelling', async (t) => {
  const typed = ['services["store"].flush=5s'];
  const plan = (seeds: number[]) => planStudy({ kind: 'sweep', file: FILE, scenarioText: TEXT, sets: typed, variants: [], params: [], seeds });
  const now = plan([1, 2]);
  const dir = join(scratch(), 'old');
  await runSweep({ study: now, dir, runner: inThisThread() });
  // What such a sweep left: its sets as typed, and the id of that spec on the manifest and every line.
  const before = { ...now.spec, sets: typed };
  const oldId = studyId(before);
  t.not(oldId, now.id);
  const manifest = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ ...manifest, id: oldId, spec: before }));
  const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
  writeFileSync(join(dir, 'results.jsonl'), lines.slice(0, 1).map((l) => `${JSON.stringify({ ...JSON.parse(l), sweep: oldId })}\n`).join(''));
  // Red before: "holds sweep …: --set was services["store"].flush=5s there, services.store.flush=5s here".
  const runner = counting(inThisThread());
  const resumed = await runSweep({ study: now, dir, runner });
  t.true(resumed.complete);
  t.is(runner.ran, 1, 'only the cell missing ran');
  t.deepEqual(resumed.records.map((r) => r.sweep), [oldId, oldId], 'under the id it began with');
  // Another difference is named as such: the sets, the same but for their spelling, are not.
  await t.throwsAsync(runSweep({ study: plan([1]), dir, runner }), { instanceOf: InputError, message: /: --seeds were 1,2 there, 1 here;/ });
});

test('slices merge into the records of the unsharded sweep; missing or foreign slices are named', async (t) => {
  const root = scratch();
  const whole = await runSweep({ study, dir: join(root, 'whole'), runner: inThisThread() });
  const slices = [0, 1, 2].map((index) => join(root, `shard-${index}`));
  for (const [index, dir] of slices.entries()) await runSweep({ study, dir, shard: { index, count: 3 }, runner: inThisThread() });

  const merged = mergeSweeps([slices[2]!, slices[0]!, slices[1]!]);
  t.deepEqual(merged.records.map(outcome), whole.records.map(outcome));
  t.deepEqual(merged.manifest, JSON.parse(readFileSync(join(root, 'whole', 'sweep.json'), 'utf8')));
  // Overlap is fine when the copies agree: the whole sweep merged with a slice of itself.
  t.deepEqual(mergeSweeps([join(root, 'whole'), slices[1]!]).records.map(outcome), whole.records.map(outcome));

  t.throws(() => mergeSweeps([slices[0]!, slices[2]!]), { instanceOf: InputError, message: /^4 of 12 cells are missing \(e\.g\. "[^"]+"\): no directory for slice 1\/3$/ });
  const other = planStudy({ ...study.spec, kind: 'sweep', file: FILE, scenarioText: TEXT, seeds: [4] });
  await runSweep({ study: other, dir: join(root, 'other'), runner: inThisThread() });
  t.throws(() => mergeSweeps([slices[0]!, join(root, 'other')]), { instanceOf: InputError, message: /holds sweep [0-9a-f]{12} but .* holds sweep [0-9a-f]{12}; merge joins slices of one sweep/ });
  t.throws(() => mergeSweeps([root]), { instanceOf: InputError, message: /no sweep\.json here/ });
});

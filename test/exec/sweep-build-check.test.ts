/**
 * The studies' build check and the seed: a scenario whose build never reads the seed is built once
 * per combination (it is the same for every seed — the seed reaches a build only through its
 * world); one whose build reads it (a nemesis plans its faults from it) is built with every seed of
 * the study, so a failure with a seed other than the first is found, named with its seed, and only
 * that seed's cells are skipped with --skip-invalid.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inThisThread, type CellRunner } from '../../src/exec/pool.ts';
import { buildCell, type CellTask } from '../../src/exec/sweep-cell.ts';
import { checkStudyBuilds, skipping, unbuildableError } from '../../src/exec/sweep-build-check.ts';
import { planStudy, type StudyRequest } from '../../src/exec/sweep-plan.ts';
import { parseParam } from '../../src/exec/sweep-values.ts';

const read = (file: string) => readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');
const request = (file: string, overrides: Partial<StudyRequest>): StudyRequest => ({
  kind: 'sweep', file, scenarioText: read(file), sets: [], variants: [], params: [], seeds: [1], ...overrides,
});

/** Runs builds in this thread and counts them by seed; runs nothing. */
function counting(): { runner: CellRunner; builds: number[]; runs: CellTask[] } {
  const builds: number[] = [];
  const runs: CellTask[] = [];
  const base = inThisThread();
  return {
    builds,
    runs,
    runner: { ...base, build: (task) => (builds.push(task.seed), base.build(task)), run: (task) => (runs.push(task), Promise.resolve({ status: 'pass', traceHash: '', events: 0, checks: {}, values: {}, wallTimeMs: 0 })) },
  };
}

// A process-crash unit that fails every 5.5 ms with a 1 µs repair, over a 55 s safety phase: about
// 10,000 failures, so the nemesis refuses the plan for some seeds (3) and not for others (2, 7).
const TOO_MANY_FOR_SEED_3 = ['nemesis.faults[1].mtbf=5500us', 'nemesis.faults[1].repair=1us'];

test('a build that never reads the seed is the same for every seed: built once per combination', async (t) => {
  const file = 'scenarios/beamline-store.yaml';
  const built = await buildCell({ scenarioText: read(file), file, sets: [], seed: 1 });
  t.deepEqual(built, { ok: true, seeded: false, reported: ['passed', 'no-acked-loss', 'produce', 'coverage'] });
  const { runner, builds } = counting();
  const study = planStudy(request(file, { params: [parseParam('quiesce=12s,20s')], seeds: [1, 2, 3] }));
  const check = await checkStudyBuilds(study, runner);
  t.deepEqual(check.unbuildable, []);
  t.deepEqual(check.reported, ['passed', 'no-acked-loss', 'produce', 'coverage'], 'each name once over both combinations');
  t.deepEqual(builds, [1, 1], 'two combinations, the first seed only');
});

test('a build that reads the seed is checked with every seed: a failure with a later seed is found and named', async (t) => {
  const file = 'scenarios/beamline-nemesis.yaml';
  const task = (seed: number) => ({ scenarioText: read(file), file, sets: TOO_MANY_FOR_SEED_3, seed });
  t.like(await buildCell(task(2)), { ok: true, seeded: true });
  t.like(await buildCell(task(3)), { ok: false, seeded: true, error: { kind: 'input' } });

  const { runner, builds, runs } = counting();
  const study = planStudy(request(file, { sets: TOO_MANY_FOR_SEED_3, seeds: [2, 3, 7] }));
  const check = await checkStudyBuilds(study, runner);
  t.deepEqual([...builds].sort(), [2, 3, 7]);
  t.is(check.unbuildable.length, 1);
  t.like(check.unbuildable[0], { cells: 1, seeds: [3] });
  t.is(check.lines.length, 1);
  t.regex(check.lines[0]!, /^cell "base" with seed 3: .*nemesis: a process-crash unit would fail more than 10000 times/);
  t.regex(unbuildableError(check, '--skip-invalid')!.message, /^1 of 3 cells cannot be built, so none was run \(--skip-invalid runs the other 2\):\n/);

  // --skip-invalid: seed 3's cell is recorded as an input error, the other seeds run.
  const skipper = skipping(runner, check.unbuildable);
  const outcomes = await Promise.all([2, 3, 7].map((seed) => skipper.run({ ...task(seed), sets: study.spec.sets })));
  t.like(outcomes[1], { status: 'error', error: { kind: 'input' } });
  t.deepEqual(runs.map((r) => r.seed), [2, 7]);
});

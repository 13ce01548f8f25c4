/**
 * The determinism test of parallel runs: every scenario shipped in `scenarios/` (and
 * `scenarios/drills/`, as they appear) gives, with 1, 2 and 4 worker threads, exactly the summary of
 * the single-thread run: trace hash, events, records, verdicts and metrics. Single and parallel
 * runs are compared within this test run, so protocol or scenario changes never stale it.
 *
 * To stay quick, a long scenario runs as a prefix of itself: the first stretch of simulated time
 * that holds about `EVENT_BUDGET` events, stretched to the end of its first fault when that stays
 * affordable (a prefix of a deterministic run is the same run, cut short). Worker counts that give
 * the same partitions as a smaller count (a two-site scenario with 4 workers) are not run twice,
 * and the runs share one pool of threads.
 */
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { executeParallel, PartitionPool, planPartitions } from '../../../src/exec/parallel/index.ts';
import { execute } from '../../../src/exec/run.ts';
import { scenarioRecipe, scenarioWorld } from '../../../src/exec/scenario-recipe.ts';
import { formatMicros, SECOND, TraceWriter, type Micros } from '../../../src/kernel/index.ts';
import { loadScenarioFile, type Scenario } from '../../../src/scenario/index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FOLDERS = ['scenarios', 'scenarios/drills'];
/** Events a prefix should hold; a prefix reaching the first fault's end may hold up to 4× this. */
const EVENT_BUDGET = 5_000;
/** Threads shared by every run of this file: each starts once. */
const pool = new PartitionPool();
test.after.always(() => pool.close());

const files = FOLDERS.flatMap((folder) => {
  const dir = join(ROOT, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((name) => `${folder}/${name}`);
});

/** Where the prefix ends: grown from 1 s of simulated time until it holds the budget of events. */
async function prefixEnd(scenario: Scenario): Promise<Micros> {
  const { world, endUs } = await scenarioWorld({ scenario, seed: scenario.seed }, new TraceWriter());
  const faultEnds = scenario.faults.map((f) => (f.endUs ?? f.atUs) + 100_000);
  const firstFault = faultEnds.length > 0 ? Math.min(...faultEnds) : 0;
  for (let t = SECOND, step = SECOND; ; step = Math.ceil(step * 1.5), t = Math.min(endUs, t + step)) {
    world.advance({ until: t });
    const events = world.events;
    if (t >= endUs || events >= 4 * EVENT_BUDGET || (events >= EVENT_BUDGET && t >= firstFault)) return t;
  }
}

test('there are shipped scenarios to check', (t) => {
  t.true(files.length > 0);
});

for (const file of files) {
  // One after another: each parallel run already uses every core.
  test.serial(`${file}: 1, 2 and 4 workers give the single-thread summary`, async (t) => {
    const scenario = loadScenarioFile(join(ROOT, file));
    const endUs = await prefixEnd(scenario);
    const single = execute(await scenarioWorld({ scenario, seed: scenario.seed, endUs }, new TraceWriter()));
    t.log(`${formatMicros(endUs)} simulated, ${single.events} events`);
    const comparable = (s: typeof single) => ({ ...s, wallTimeMs: 0 });
    const world = (await scenarioWorld({ scenario, seed: scenario.seed }, new TraceWriter())).world;
    const seen = new Set<number>();
    for (const workers of [1, 2, 4]) {
      const partitions = planPartitions(world, { workers }).partitions.length;
      if (seen.has(partitions)) continue;
      seen.add(partitions);
      const { summary } = await executeParallel(scenarioRecipe(scenario, scenario.seed, endUs), { workers, pool });
      t.is(summary.traceHash, single.traceHash, `${workers} worker(s), ${partitions} partition(s)`);
      t.deepEqual(comparable(summary), comparable(single));
    }
  });
}

/**
 * Sweep benchmark: cells per second through the piscina pool with 1 worker and with 2 workers, and
 * their ratio (the goal is ≥ 1.7 on 2 cores: cells are independent, so the only losses are the
 * main thread's bookkeeping and the machine's own noise).
 *
 *   node --import=tsx bench/sweep.ts            (npm run bench:sweep)
 *   node --import=tsx bench/sweep.ts --quick    (one short round, for a smoke test)
 *
 * The cells are those of a real comparison: the demo scenario (`scenarios/beamline-store.yaml`,
 * run for 5 minutes) with two flush policies on distinct seeds, each a full deterministic run with
 * its checks and metrics. Each pool is warmed first (its workers load tsx and the simulator once,
 * ~0.5 s, which a real sweep pays once too, and run a few cells so that the JIT has settled), then
 * timed on the same cells. Rounds alternate 1 and 2 workers and the median of the rounds is
 * reported, because the machines are noisy. Every round also checks that both pools produced the
 * same trace hashes.
 *
 * Run it on an otherwise idle machine: Linux's autogroup scheduling gives one terminal session a
 * fair share of the CPU, so with other work running two workers cannot get twice the CPU of one.
 * To tell a busy machine from a slow pool, each round also measures the machine's ceiling: the
 * same ratio for two bare threads that only burn CPU, with no simulator and no pool.
 *
 * Wall-clock time is read here on purpose: this is a benchmark, outside the simulation.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { workerPool } from '../src/exec/pool.ts';
import { runCells } from '../src/exec/sweep.ts';
import { cellsOf, planStudy, type Cell } from '../src/exec/sweep-plan.ts';
import { parseSeeds, parseVariant } from '../src/exec/sweep-values.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;
const SEEDS = quick ? 4 : 24;
/** Cells each worker runs before timing: the JIT needs a few runs to settle. */
const WARM_CELLS = quick ? 1 : 4;

const FILE = 'scenarios/beamline-store.yaml';
const study = planStudy({
  kind: 'compare',
  file: FILE,
  scenarioText: readFileSync(fileURLToPath(new URL(`../${FILE}`, import.meta.url)), 'utf8'),
  // Five minutes of detector data instead of one: cells of ~0.1–0.2 s, closer to a real study's.
  sets: ['duration=5m'],
  variants: [parseVariant('fsync5s:services.store.flush=5s'), parseVariant('everywrite:services.store.flush=every-write')],
  params: [],
  seeds: parseSeeds(`1..${SEEDS}`),
});
const cells = cellsOf(study.spec);

/** Cells per second through a warm pool of `jobs` workers, and the trace hashes it produced. */
async function throughput(jobs: number, timed: readonly Cell[]): Promise<{ perSec: number; hashes: string[] }> {
  const pool = workerPool(jobs);
  try {
    // Warm-up on seeds outside the timed set, so that both pools are timed with settled JITs.
    const warm = cellsOf({ ...study.spec, seeds: Array.from({ length: jobs * WARM_CELLS }, (_, i) => 10_000 + i) }).slice(0, jobs * WARM_CELLS);
    await runCells(study, warm, pool, () => {});
    const started = performance.now();
    const records = await runCells(study, timed, pool, () => {});
    const seconds = (performance.now() - started) / 1000;
    return { perSec: timed.length / seconds, hashes: records.map((r) => (r.status === 'error' ? `error: ${r.error.message}` : r.traceHash)) };
  } finally {
    await pool.close();
  }
}

/** Work items per second for `threads` bare threads that only compute: what the machine allows. */
async function ceiling(threads: number): Promise<number> {
  const code = `require('node:worker_threads').parentPort.on('message', (n) => {
    let x = 0; for (let i = 0; i < n; i++) x += Math.sqrt(i);
    require('node:worker_threads').parentPort.postMessage(x);
  });`;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
  const items = 24;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    workers.map(async (worker) => {
      while (next < items) {
        next++;
        await new Promise((resolve) => {
          worker.once('message', resolve);
          worker.postMessage(5e6);
        });
      }
    }),
  );
  const perSec = items / ((performance.now() - started) / 1000);
  await Promise.all(workers.map((w) => w.terminate()));
  return perSec;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`sweep benchmark: ${cells.length} cells (demo scenario for 5 min, 2 flush policies × ${SEEDS} seeds), ${ROUNDS} round(s), ${availableParallelism()} cores`);
const one: number[] = [];
const two: number[] = [];
const machine: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const a = await throughput(1, cells);
  const b = await throughput(2, cells);
  if (a.hashes.join() !== b.hashes.join()) throw new Error('1 and 2 workers produced different results: a cell is not deterministic');
  const bare = (await ceiling(2)) / (await ceiling(1));
  one.push(a.perSec);
  two.push(b.perSec);
  machine.push(bare);
  console.log(`  round ${round}: 1 worker ${a.perSec.toFixed(2)} cells/s, 2 workers ${b.perSec.toFixed(2)} cells/s, ratio ${(b.perSec / a.perSec).toFixed(2)} (bare threads: ${bare.toFixed(2)})`);
}
const ratio = median(two) / median(one);
console.log(`1 worker:  ${median(one).toFixed(2)} cells/s (median)`);
console.log(`2 workers: ${median(two).toFixed(2)} cells/s (median)`);
console.log(`ratio 2/1: ${ratio.toFixed(2)} (goal ≥ 1.7 on 2 cores)${availableParallelism() < 2 ? ' — this machine has one core, so no gain is possible' : ''}`);
console.log(`machine ceiling: two bare CPU-bound threads do ${median(machine).toFixed(2)}× the work of one right now${median(machine) < 1.7 ? ' — the machine is busy; run again when it is idle' : ''}`);

/**
 * Parallel-simulation benchmark (`npm run bench:parallel`; `--quick` for a smoke run).
 *
 * 1. Exchange mechanisms: one window's round trip between a coordinator and two worker threads,
 *    by structured clone, by transferred buffers, and through SharedArrayBuffer + Atomics
 *    (bench/parallel-exchange.ts). The fastest is what src/exec/parallel uses.
 * 2. Speedup: a compute-heavy world (bench/parallel-world.ts: many beamline sites, each frame
 *    reconstructed with real CPU work) run in this thread, then over 1 and 2 worker threads. The
 *    ratio single ÷ parallel is measured in the same process, median of the rounds (single and
 *    parallel alternate, so a burst of load hits both); the threads are kept in a pool across
 *    rounds, and their startup (loading tsx, building the world) is reported apart.
 * 3. Where the lookahead limits it: the same world with shorter and shorter WAN latencies —
 *    fewer events per window, more barriers, less speedup.
 *
 * Every parallel run's trace hash is compared with the single-thread one; a mismatch aborts.
 * Wall-clock time is read here on purpose: this is a benchmark.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { executeParallel, PartitionPool, type ParallelStats } from '../src/exec/parallel/index.ts';
import { execute } from '../src/exec/run.ts';
import { formatMicros, MS, SECOND, TraceWriter } from '../src/kernel/index.ts';
import { EXCHANGE_MODES, measureExchange } from './parallel-exchange.ts';
import { heavyWorld, reconstruct, type HeavyArgs } from './parallel-world.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 5;
/** Threads kept warm across rounds (their JIT too), as a sweep of parallel runs would. */
const pool = new PartitionPool();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number, digits = 2) => x.toFixed(digits);

async function exchangeTable(): Promise<void> {
  console.log('## Exchange at the window barrier (coordinator ⇄ 2 workers, one batch each way)\n');
  console.log('| batch (msgs) | mechanism | windows/s | messages/s |');
  console.log('|---:|---|---:|---:|');
  for (const batch of quick ? [16, 1024] : [1, 16, 256, 4096]) {
    for (const mode of EXCHANGE_MODES) {
      const r = await measureExchange(mode, batch, quick ? 0.2 : 0.4, quick ? 1 : 3);
      console.log(`| ${batch} | ${mode} | ${Math.round(r.windowsPerSec).toLocaleString('en')} | ${(r.messagesPerSec / 1e6).toFixed(2)} M |`);
    }
  }
  console.log();
}

const recipe = (args: HeavyArgs) => ({ module: new URL('./parallel-world.ts', import.meta.url).href, export: 'heavyWorld', args });

function singleRun(args: HeavyArgs): { ms: number; hash: string; events: number } {
  const started = performance.now();
  const summary = execute(heavyWorld(args, new TraceWriter()));
  return { ms: performance.now() - started, hash: summary.traceHash, events: summary.events };
}

async function parallelRun(args: HeavyArgs, workers: number, expectHash: string): Promise<{ ms: number; stats: ParallelStats }> {
  const { summary, stats } = await executeParallel(recipe(args), { workers, pool });
  if (summary.traceHash !== expectHash) throw new Error(`${workers} workers: trace hash ${summary.traceHash} differs from one thread's ${expectHash}`);
  return { ms: summary.wallTimeMs, stats };
}

interface Row {
  single: number;
  parallel: number;
  stats: ParallelStats;
  /** Setup of the first round: starting threads (when the pool had too few) and building worlds. */
  coldStartMs: number;
}

async function compare(args: HeavyArgs, workers: number): Promise<Row> {
  const singles: number[] = [];
  const parallels: number[] = [];
  let stats: ParallelStats | undefined;
  let coldStartMs = 0;
  let hash = '';
  // Alternate single and parallel rounds, so a burst of load on a shared machine hits both.
  for (let r = 0; r < ROUNDS; r++) {
    const s = singleRun(args);
    hash = s.hash;
    singles.push(s.ms);
    const p = await parallelRun(args, workers, hash);
    parallels.push(p.ms);
    stats = p.stats;
    if (r === 0) coldStartMs = p.stats.startupMs;
  }
  return { single: median(singles), parallel: median(parallels), stats: stats!, coldStartMs };
}

async function speedupTable(base: HeavyArgs): Promise<void> {
  for (let i = 0; i < 20; i++) reconstruct(i, base.workIterations); // warm the JIT before timing
  const probe = performance.now();
  for (let i = 0; i < 20; i++) reconstruct(i, base.workIterations);
  const perFrameUs = ((performance.now() - probe) * 1000) / 20;
  console.log(
    `## Speedup: ${base.sites} sites, a frame every ${formatMicros(base.frameEveryUs)} per site, ` +
      `${base.workIterations.toLocaleString('en')} rounds of work per frame (≈${Math.round(perFrameUs)} µs), ` +
      `WAN latency ${formatMicros(base.latencyUs)}, ${formatMicros(base.endUs)} simulated\n`,
  );
  console.log('| workers | one thread | parallel | speedup | windows | events/window | at barriers | setup, first / pooled |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const workers of [1, 2]) {
    const row = await compare(base, workers);
    console.log(
      `| ${workers} | ${Math.round(row.single)} ms | ${Math.round(row.parallel)} ms | **${fmt(row.single / row.parallel)}×** | ` +
        `${row.stats.windows.toLocaleString('en')} | ${row.stats.eventsPerWindow} | ${Math.round(row.stats.barrierShare * 100)}% | ${row.coldStartMs} / ${row.stats.startupMs} ms |`,
    );
  }
  console.log();
}

async function lookaheadTable(base: HeavyArgs): Promise<void> {
  console.log('## Where the lookahead limits it (2 workers, same world, shorter WAN latency)\n');
  console.log('| lookahead | windows | events/window | at barriers | one thread | 2 workers | speedup |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const latencyUs of quick ? [100, 5 * MS] : [20, 100, 500, 2 * MS, 10 * MS]) {
    const row = await compare({ ...base, latencyUs }, 2);
    console.log(
      `| ${formatMicros(latencyUs)} | ${row.stats.windows.toLocaleString('en')} | ${row.stats.eventsPerWindow} | ${Math.round(row.stats.barrierShare * 100)}% | ` +
        `${Math.round(row.single)} ms | ${Math.round(row.parallel)} ms | ${fmt(row.single / row.parallel)}× |`,
    );
  }
  console.log();
}

console.log(`# bench:parallel — Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}${quick ? ' (quick)' : ''}\n`);
await exchangeTable();
// WAN links of 10 ms: facilities a few hundred km apart (the lookahead table shows shorter ones).
const base: HeavyArgs = { sites: 8, endUs: (quick ? 0.5 : 1) * SECOND, frameEveryUs: 2 * MS, workIterations: 200_000, latencyUs: 10 * MS };
await speedupTable(base);
await lookaheadTable({ ...base, endUs: (quick ? 0.25 : 0.5) * SECOND });
await pool.close();
console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

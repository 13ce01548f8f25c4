/**
 * Where study cells run: a piscina pool of worker threads (one cell per worker at a time, one
 * worker per core by default), or this thread, one cell after another.
 *
 * Both are a `CellRunner`, so a study does not know which it has; a test runs the same cells
 * through both and compares trace hashes. Cells are independent, deterministic runs, so the pool
 * changes when results arrive, never what they are.
 *
 * Failure: a worker that dies (out of memory, a native crash) rejects that cell's promise; the
 * caller records it as an internal error of that cell. `close()` waits for the workers to exit.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { buildCell, runCell, type CellBuild, type CellRun, type CellTask } from './sweep-cell.ts';
import { poolModule } from './worker-entry.ts';

export interface CellRunner {
  /** How many cells run at once. */
  readonly jobs: number;
  run(task: CellTask): Promise<CellRun>;
  /** Builds the cell's world without running it (`buildCell`). */
  build(task: CellTask): Promise<CellBuild>;
  close(): Promise<void>;
}

/** One worker per core: each cell is single-threaded and CPU-bound. */
export const defaultJobs = (): number => availableParallelism();

export function workerPool(jobs: number = defaultJobs()): CellRunner {
  const pool = new Piscina<CellTask, CellRun | CellBuild>({
    filename: poolModule('src/exec/sweep-cell.ts', 'src/exec/pool-worker.mjs').href,
    name: 'runCell',
    minThreads: jobs,
    maxThreads: jobs,
    // Workers live for the whole study: starting one loads the simulator (and tsx from source, ~0.5 s).
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
  });
  return {
    jobs,
    run: (task) => pool.run(task) as Promise<CellRun>,
    build: (task) => pool.run(task, { name: 'buildCell' }) as Promise<CellBuild>,
    close: () => pool.destroy(),
  };
}

/** Runs cells in the calling thread, in the order asked: the reference the pool is tested against. */
export function inThisThread(): CellRunner {
  return {
    jobs: 1,
    run: (task) => runCell(task),
    build: (task) => buildCell(task),
    close: () => Promise.resolve(),
  };
}

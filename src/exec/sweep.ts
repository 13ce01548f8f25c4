/**
 * Running a study's cells: through a `CellRunner` (the worker pool, or this thread), streaming
 * each result to whoever listens as it finishes — and, for a sweep, to `results.jsonl`, so that an
 * interrupted sweep resumes where it stopped.
 *
 * Guarantee: every cell asked for is run exactly once per call and reported exactly once; the
 * results do not depend on the runner or the order in which cells finish (the returned records are
 * in cell order). A resumed sweep runs only the cells its directory does not hold yet, and ends
 * with the same records as a sweep that was never interrupted.
 *
 * Failure: a cell that fails is a record with `status: 'error'`, never an exception; a worker that
 * dies becomes an internal error of its cell. Input problems with the directory (another study,
 * another slice, a damaged line) are `InputError`s from `sweep-log.ts`, raised before any cell runs.
 */
import { InputError } from '../kernel/index.ts';
import { makeDirs } from '../make-dirs.ts';
import type { TargetOptions } from './output-guard.ts';
import type { CellRunner } from './pool.ts';
import type { CellRun } from './sweep-cell.ts';
import { join } from 'node:path';
import { type CellRecord, cellOutcome, checkSweepDir, manifestOf, openSweepDir, readResultsLog, RESULTS_LOG, ResultsLog } from './sweep-log.ts';
import { lockSweepDir } from './sweep-lock.ts';
import { type Cell, cellsOf, type Shard, shardOf, type Study } from './sweep-plan.ts';

export interface Tally {
  /** Cells this run is responsible for (the slice, or the whole study). */
  total: number;
  done: number;
  /** Of `done`, found already finished in the directory. */
  resumed: number;
  failedChecks: number;
  errors: number;
}

export type RecordListener = (record: CellRecord, tally: Tally) => void;

/** A flag to stop handing out cells (on Ctrl-C); cells already running finish and are recorded. */
export interface StopSignal {
  stopped: boolean;
}

/** Runs `cells` through `runner`, calling `onRecord` as each finishes; returns them in cell order. */
export async function runCells(
  study: Study,
  cells: readonly Cell[],
  runner: CellRunner,
  onRecord: (record: CellRecord) => void,
  stop?: StopSignal,
): Promise<CellRecord[]> {
  const records: CellRecord[] = [];
  let next = 0;
  // Twice as many cells in flight as workers, so a worker never waits for this thread to fsync.
  const lane = async (): Promise<void> => {
    while (next < cells.length && !stop?.stopped) {
      const cell = cells[next++]!;
      const task = { scenarioText: study.scenarioText, file: study.file, sets: cell.sets, seed: cell.seed };
      const run = await runner.run(task).catch(workerDied);
      const record = recordOf(study, cell, run);
      records.push(record);
      onRecord(record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(cells.length, runner.jobs * 2) }, lane));
  return records.sort((a, b) => a.index - b.index);
}

/** Every cell of a study, in memory (for `compare`): nothing is written. */
export function runStudy(study: Study, runner: CellRunner, onRecord: RecordListener, stop?: StopSignal): Promise<CellRecord[]> {
  const cells = cellsOf(study.spec);
  const tally = newTally(cells.length);
  return runCells(study, cells, runner, (record) => onRecord(record, count(tally, record)), stop);
}

export interface SweepOptions {
  study: Study;
  dir: string;
  shard?: Shard;
  runner: CellRunner;
  /** Called once the directory is open, before any cell runs: how much is left. */
  onStart?: (tally: Tally) => void;
  /** How messages name `dir`, and whether to start over in diaspora's own output there. */
  target?: TargetOptions;
  onRecord?: RecordListener;
  stop?: StopSignal;
}

export interface SweepOutcome {
  /** Every record of this directory (resumed and new), in cell order. */
  records: CellRecord[];
  tally: Tally;
  /** True when every cell of the slice (or study) has a record. */
  complete: boolean;
}

/** Runs the cells of a sweep (or of one slice) that `dir` does not hold yet, appending each result. */
export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const { study, dir, shard } = options;
  const all = cellsOf(study.spec);
  const mine = shard ? shardOf(all, shard) : all;
  const manifest = manifestOf(study, all.length, shard);
  // Refused before the directory is made or locked; decided again under the lock, before anything
  // in it is changed (--force's start over too), since another sweep may change it meanwhile.
  checkSweepDir(dir, manifest, options.target);
  makeDirs(dir);
  const unlock = lockSweepDir(dir, options.target?.label ?? dir);
  try {
    // A sweep begun with its sets spelt otherwise resumes under the id its results carry.
    const id = openSweepDir(dir, manifest, options.target);
    return await runUnlocked({ ...options, study: { ...study, id } }, mine);
  } finally {
    unlock();
  }
}

/** {@link runSweep} once the directory is open and this process is its only writer. */
async function runUnlocked(options: SweepOptions, mine: readonly Cell[]): Promise<SweepOutcome> {
  const { study, dir } = options;
  const log = readResultsLog(dir, study.id);
  const finished = finishedCells(log.records, mine, dir);
  const tally = newTally(mine.length);
  for (const record of finished.values()) count(tally, record);
  tally.resumed = tally.done;
  options.onStart?.({ ...tally });

  const writer = new ResultsLog(dir, log.validBytes);
  let fresh: CellRecord[];
  try {
    const pending = mine.filter((cell) => !finished.has(cell.key));
    fresh = await runCells(study, pending, options.runner, (record) => {
      writer.append(record);
      options.onRecord?.(record, count(tally, record));
    }, options.stop);
  } finally {
    writer.close();
  }
  const records = [...finished.values(), ...fresh].sort((a, b) => a.index - b.index);
  return { records, tally, complete: records.length === mine.length };
}

/**
 * The records of `log` by cell key, checked against the cells this directory is for. A cell
 * written twice (by hand, or by two writers before the lock existed) is kept once when both copies
 * agree, and refused when they do not: which one to trust cannot be told.
 */
function finishedCells(records: readonly CellRecord[], mine: readonly Cell[], dir: string): Map<string, CellRecord> {
  const expected = new Map(mine.map((cell) => [cell.key, cell.index]));
  const finished = new Map<string, CellRecord>();
  const log = join(dir, RESULTS_LOG);
  for (const [i, record] of records.entries()) {
    if (expected.get(record.cell) !== record.index) {
      throw new InputError(`${log}:${i + 1}: cell "${record.cell}" (index ${record.index}) is not a cell of this sweep or slice`);
    }
    const seen = finished.get(record.cell);
    if (seen === undefined) finished.set(record.cell, record);
    else if (cellOutcome(seen) !== cellOutcome(record)) {
      throw new InputError(`${log}:${i + 1}: cell "${record.cell}" is here twice with different outcomes (${cellOutcome(seen)} vs ${cellOutcome(record)}); remove the wrong line, or both to run the cell again`);
    }
  }
  return finished;
}

function recordOf(study: Study, cell: Cell, run: CellRun): CellRecord {
  return { sweep: study.id, cell: cell.key, index: cell.index, variant: cell.variant, params: cell.params, seed: cell.seed, ...run };
}

function workerDied(error: unknown): CellRun {
  const message = `the worker running this cell died: ${error instanceof Error ? error.message : String(error)}`;
  return { status: 'error', error: { kind: 'internal', message }, wallTimeMs: 0 };
}

function newTally(total: number): Tally {
  return { total, done: 0, resumed: 0, failedChecks: 0, errors: 0 };
}

function count(tally: Tally, record: CellRecord): Tally {
  tally.done++;
  if (record.status === 'fail') tally.failedChecks++;
  if (record.status === 'error') tally.errors++;
  return { ...tally };
}

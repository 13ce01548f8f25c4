/**
 * `compare --timelines` and `sweep --timelines`: after the report is written, each cell is run
 * again with `--viz` into `cells/<index>/` beside it, so that the report's timeline links open.
 * Studies keep no traces; runs are deterministic, so the re-run is the same run.
 *
 * Guarantee: one child `diaspora run` per cell that did not error, one at a time, a line of
 * progress each (unless quiet); a cell whose run fails to write its timeline is named, and the
 * report stays as written (its command for that cell still says how to write it). Each run writes
 * its directory atomically, so a cell whose timeline is there is done: Ctrl-C stops between cells,
 * and the same command again (a sweep resumes) writes only the missing ones.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../package-layout.ts';
import type { StudyView } from '../report/study-data.ts';
import { cellArgs } from '../report/study-format.ts';
import { stopOnInterrupt } from './study-run.ts';

const CLI = fileURLToPath(packageFile('bin/diaspora.mjs'));

/** Writes each cell's timeline under `dir/cells/<index>/`; returns how many were written. */
export async function writeCellTimelines(view: StudyView, dir: string, say: (line: string) => void, stop: { stopped: boolean }): Promise<number> {
  const cells = view.cells.filter((cell) => cell.status !== 'error');
  // Each cell's run reads the scenario file again: a pipe (`<(…)`) was read once, by the study.
  if (!statSync(view.file, { throwIfNoEntry: false })?.isFile()) {
    process.stderr.write(`timelines: not written: ${view.file} is not a regular file (a pipe cannot be read again); save the scenario to a file and run the study on it\n`);
    return 0;
  }
  let written = 0;
  for (const [i, cell] of cells.entries()) {
    if (stop.stopped) break;
    if (existsSync(join(dir, 'cells', String(cell.index), 'timeline.html'))) {
      written++;
      continue;
    }
    const args = cellArgs(view.file, view.spec, cell, ['--viz', '-q', '--force', '-o', join(dir, 'cells', String(cell.index))]);
    // Exit 1 is a failed check: a result, with its timeline written.
    const code = await new Promise<number>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { maxBuffer: 64 << 20 }, (error) => resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1));
    });
    if (code === 0 || code === 1) written++;
    say(`timelines: ${i + 1}/${cells.length} cell ${cell.index}${code === 0 || code === 1 ? '' : ` not written (exit ${code})`}`);
  }
  return written;
}

/** `--timelines` after a study's report: every cell's timeline, Ctrl-C stopping between cells; false when interrupted. */
export async function timelinesBesideReport(view: StudyView, dir: string, quiet: boolean): Promise<boolean> {
  const stop = { stopped: false };
  const unhook = stopOnInterrupt(stop, (line) => process.stderr.write(`\n${line}\n`));
  try {
    await writeCellTimelines(view, dir, (line) => quiet || process.stderr.write(`${line}\n`), stop);
  } finally {
    unhook();
  }
  return !stop.stopped;
}

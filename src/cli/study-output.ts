/**
 * Writes a study's reports next to its results: `results.json`, `results.csv`, `report.md` and
 * `report.html`, each through the caller's `write` (a staged directory for `compare` and `merge`,
 * atomic single files for a sweep, whose directory is written as it goes).
 */
import type { CellRecord } from '../exec/sweep-log.ts';
import type { Study } from '../exec/sweep-plan.ts';
import { compareMarkdown, compareTitle } from '../report/compare-markdown.ts';
import type { StudyView } from '../report/study-data.ts';
import { studyCsv, studyJson } from '../report/study-files.ts';
import { studyHtml } from '../report/study-html.ts';
import { summarise, type StudySummary } from '../report/study-summary.ts';
import { sweepMarkdown, sweepTitle } from '../report/sweep-markdown.ts';
import { cellCommand } from '../report/study-format.ts';
import { EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK } from './exit.ts';

export const REPORT_FILES = ['report.html', 'report.md', 'results.csv', 'results.json'];

export function studyView(study: Pick<Study, 'id' | 'file' | 'spec'>, records: readonly CellRecord[], dir?: string): StudyView {
  return { id: study.id, file: study.file, spec: study.spec, cells: [...records], ...(dir === undefined ? {} : { dir }) };
}

export function writeStudyReports(view: StudyView, write: (file: string, content: string) => void): StudySummary {
  const summary = summarise(view);
  const compare = view.spec.kind === 'compare';
  const markdown = compare ? compareMarkdown(view, summary) : sweepMarkdown(view, summary);
  const title = compare ? compareTitle(view) : sweepTitle(view);
  write('results.json', studyJson(view, summary));
  write('results.csv', studyCsv(view, summary));
  write('report.md', markdown);
  write('report.html', studyHtml(view, summary, title));
  return summary;
}

export interface Closing {
  view: StudyView;
  /** `--skip-invalid`: cells that could not run because of their values were skipped on purpose. */
  skipInvalid?: boolean;
  summary: StudySummary;
  dir: string;
  files: readonly string[];
  seconds: number;
  say: (line: string) => void;
}

/**
 * The last lines of a study: what the cells did, where the results are, and for a cell that could
 * not run, its error and the command that reproduces it. Returns the exit code (`errorExit`).
 */
export function studyClosing({ view, summary, dir, files, seconds, say, skipInvalid = false }: Closing): number {
  const c = summary.cells;
  say(`${c.total} cells: ${c.pass} passed every check, ${c.fail} failed a check, ${erroredOf(view, c.error)} · ${seconds.toFixed(1)} s`);
  say(`results: ${dir}/ (${files.join(', ')})`);
  return errorExit(view, skipInvalid);
}

/** "N errored", and how many of them were skipped on purpose (`--skip-invalid`). */
export function erroredOf(view: StudyView, errored: number): string {
  const skipped = view.cells.filter((cell) => cell.error?.skipped === true).length;
  return `${errored} errored${skipped === 0 ? '' : ` (${skipped} skipped: their scenario cannot be built)`}`;
}

/**
 * 0 when every cell ran (failed checks are findings, not failures of the study); 2 when cells could
 * not run only because of their values (a world that cannot be built with them, e.g. a quiesce too
 * short for one of them); 3 when a cell hit a bug. The first such cell is printed on stderr with
 * the command that reproduces it. Cells skipped as asked (`--skip-invalid`: their scenario cannot
 * be built; the record says so, so a merge of slices knows it too) do not count; with
 * `skipInvalid`, neither does any other cell that could not run because of its values.
 */
export function errorExit(view: StudyView, skipInvalid = false): number {
  const excused = (cell: StudyView['cells'][number]) => cell.error?.skipped === true || (skipInvalid && cell.error?.kind === 'input');
  const errored = view.cells.filter((cell) => cell.status === 'error' && !excused(cell));
  const first = errored.find((cell) => cell.error?.kind !== 'input') ?? errored[0];
  if (first === undefined) return EXIT_OK;
  process.stderr.write(`${errored.length} cell${errored.length === 1 ? '' : 's'} could not run; ${first.cell}:\n${first.error?.message ?? ''}\n`);
  process.stderr.write(`reproduce with: ${cellCommand(view.file, view.spec, first)}\n`);
  return first.error?.kind === 'input' ? EXIT_BAD_INPUT : EXIT_INTERNAL;
}

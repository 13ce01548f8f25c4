/**
 * What `diaspora compare` does (its options: compare-command.ts): plans the study, runs every
 * variant on the same seeds on a worker pool, writes the reports whole into a staged directory and
 * prints the table.
 */
import { join } from 'node:path';
import { InputError } from '../kernel/index.ts';
import { closest, suggestion } from '../scenario/suggest.ts';
import type { StagedDirectory } from '../exec/staging.ts';
import { runStudy } from '../exec/sweep.ts';
import { cellsOf } from '../exec/sweep-plan.ts';
import { compareTable } from '../report/compare-table.ts';
import { alignedTable } from '../report/study-markdown.ts';
import { cellProgress } from './cell-progress.ts';
import { timelinesBesideReport } from './cell-timelines.ts';
import { checkOutputTarget, stageOutput } from './output-options.ts';
import { reportError } from './exit.ts';
import { REPORT_FILES, studyClosing, studyView, writeStudyReports } from './study-output.ts';
import { checkedRunner, runnerFor, studyBanner, studyFromArgs, studyShape, stopOnInterrupt } from './study-run.ts';
import type { StudyArgs } from './study-options.ts';

export type CompareArgs = StudyArgs & { metrics?: string; timelines: boolean };

/** Runs `compare`; `defaultSeeds` is the command's seed count when `--seeds` is not given. */
export async function compareHandler(args: CompareArgs, defaultSeeds: number): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let dir: StagedDirectory | undefined;
  try {
    const only = metricPrefixes(args.metrics);
    const study = await studyFromArgs(args, 'compare', [], defaultSeeds);
    if (study.spec.variants.length < 2) {
      throw new InputError('compare needs at least two variants: --strategies a,b or --variant NAME:path=value twice');
    }
    const target = join('results', study.spec.scenario.name, `compare-${study.id}`);
    checkOutputTarget(args.out, target, args.force);
    const pool = runnerFor(args.jobs);
    const stop = { stopped: false };
    const started = performance.now();
    let records;
    try {
      say(studyBanner(study));
      if (!args.quiet) say(`${studyShape(study, cellsOf(study.spec).length)} · ${pool.jobs} jobs`);
      const { runner, reported } = await checkedRunner(study, pool, args.skipInvalid, say);
      for (const prefix of only ?? []) checkMetricPrefix(prefix, reported, study.spec.scenario.name);
      const progress = cellProgress('compare', !args.quiet);
      const unhook = stopOnInterrupt(stop, (line) => process.stderr.write(`\n${line}\n`));
      progress.start({ total: cellsOf(study.spec).length, done: 0, resumed: 0, failedChecks: 0, errors: 0 });
      try {
        records = await runStudy(study, runner, (_, tally) => progress.update(tally), stop);
      } finally {
        progress.stop();
        unhook();
      }
    } finally {
      await pool.close();
    }
    if (stop.stopped) {
      say('interrupted: nothing written (a comparison is written whole or not at all)');
      return 130;
    }
    dir = stageOutput(args.out, target, 'compare', args.force);
    const staged = dir;
    const view = studyView(study, records, args.out ?? target);
    const summary = writeStudyReports(view, (file, content) => staged.write(file, content));
    const final = dir.commit();
    // The runs are done and written: a prefix that names a check or metric but matches none of
    // the numbers that varied (a key the results lack, or a constant) is worth a warning, not a failure.
    for (const prefix of only ?? []) {
      if (!summary.varying.some((metric) => metric.startsWith(prefix))) {
        process.stderr.write(`--metrics: no varying metric starts with "${prefix}"; they start with ${[...new Set(summary.varying.map((m) => m.split('.')[0]))].join(', ')}\n`);
      }
    }
    if (!args.quiet) for (const line of alignedTable(compareTable(view, summary, { compact: true, ...(only ? { only } : {}) }))) say(line);
    if (args.timelines && !(await timelinesBesideReport(view, final, args.quiet))) return 130;
    return studyClosing({ view, summary, dir: final, files: REPORT_FILES, seconds: (performance.now() - started) / 1000, say, skipInvalid: args.skipInvalid });
  } catch (error) {
    dir?.abort();
    return reportError(error);
  }
}

/** `--metrics a,b` as its prefixes; undefined without the flag. A list of nothing would print an empty table. */
function metricPrefixes(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const prefixes = text.split(',').map((prefix) => prefix.trim()).filter((prefix) => prefix !== '');
  if (prefixes.length === 0) throw new InputError(`--metrics: "${text}" names no metric; give prefixes a,b (e.g. --metrics produce,recovery)`);
  return prefixes;
}

/**
 * Refuses, before any cell runs, a `--metrics` prefix that can match nothing the cells report: one
 * that neither begins a check's or metric's name nor continues one (`recovery.lostWork`). A key
 * after the name is known only from results, so a prefix that goes past a name is left to the
 * warning after the run.
 */
function checkMetricPrefix(prefix: string, reported: readonly string[], scenario: string): void {
  if (reported.some((name) => name.startsWith(prefix) || prefix.startsWith(`${name}.`))) return;
  const dot = prefix.indexOf('.');
  const [head, rest] = dot < 0 ? [prefix, ''] : [prefix.slice(0, dot), prefix.slice(dot)];
  const near = closest(head, reported);
  const hint = near === undefined ? suggestion(head, reported, '', 'its cells report') : `; did you mean "${near}${rest}"?`;
  throw new InputError(`--metrics: "${prefix}" matches no check or metric of ${scenario}${hint}`);
}


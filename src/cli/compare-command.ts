/**
 * `diaspora compare <scenario> --strategies a,b,c | --variant NAME:path=value …`: every variant on
 * the same seeds, in parallel worker threads; means with 95% intervals, and paired differences to
 * the baseline with a significance flag.
 *
 * Prints the table and writes `results/<scenario>/compare-<id>/` (or `--out`) atomically:
 * `report.html`, `report.md`, `results.csv`, `results.json`. Exit 0 when every cell ran (failed
 * checks are results, not errors), 2 for bad input (including values a cell's world cannot be
 * built with), 3 when a cell hit a bug (with the command that reproduces it), 130 when interrupted
 * (nothing is written). With `--timelines`, each cell is then run again with `--viz` into
 * `cells/<i>/` beside the report, so that its timeline links open (`cell-timelines.ts`).
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
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
import { checkedRunner, runnerFor, studyBanner, studyFromArgs, studyOptions, studyShape, stopOnInterrupt, type StudyArgs } from './study-options.ts';

const DEFAULT_SEEDS = 10;

type CompareArgs = StudyArgs & { metrics?: string; timelines: boolean };

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <scenario>',
  describe: 'Run variants (strategies) on the same seeds and compare them with confidence intervals',
  builder: (yargs: Argv) =>
    studyOptions(yargs, DEFAULT_SEEDS)
      .option('metrics', { type: 'string', describe: 'Print only the metrics starting with one of these prefixes, a,b (the reports keep every metric)' })
      .option('timelines', { type: 'boolean', default: false, describe: "Also write each cell's timeline beside the report (cells/<i>/timeline.html, the report's links), running each cell again" })
      .example('$0 compare scenarios/beamline-store.yaml --variant fsync5s:services.store.flush=5s --variant everywrite:services.store.flush=every-write --seeds 20', 'Does fsync before every ack cost latency, and save data?')
      .example('$0 compare scenario.yaml --strategies none,stream-replay,coordinated --seeds 1..30', 'Checkpoint strategies, paired by seed')
      .example('$0 compare scenarios/aps-xray.yaml --strategies none,stream-replay --seeds 1 --metrics recovery,output', 'Only the recovery and output metrics in the printed table') as unknown as Argv<CompareArgs>,
  handler: async (args) => {
    process.exitCode = await compareHandler(args);
  },
};

async function compareHandler(args: CompareArgs): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let dir: StagedDirectory | undefined;
  try {
    const only = metricPrefixes(args.metrics);
    const study = await studyFromArgs(args, 'compare', [], DEFAULT_SEEDS);
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


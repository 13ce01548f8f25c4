/**
 * `diaspora sweep <scenario> --param path=values … [--variant …] [--seeds …] [--shard i/n]`: a grid
 * of parameter values × variants × seeds, run in parallel worker threads.
 *
 * Results stream to `results.jsonl` as cells finish; running the same command again resumes an
 * interrupted sweep (the directory is named by the study's id, so it is found again). When every
 * cell is done, the reports are written beside it: `report.html` (metric against parameter, with
 * intervals, one line per variant), `report.md`, `results.csv`, `results.json`; with `--timelines`,
 * each cell's timeline in `cells/<i>/`, where the report links it (`cell-timelines.ts`). A slice
 * (`--shard i/n`, for a Slurm or PBS job array) writes only its results; `diaspora merge` joins them.
 *
 * Exit codes as for `compare`: 0 every cell ran, 2 bad input, 3 a cell hit a bug, 130 interrupted.
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { checkDirectoryPlace } from '../exec/output-guard.ts';
import { writeFileAtomic } from '../exec/staging.ts';
import { noteOnInterrupt } from '../exec/interrupt.ts';
import { runSweep, type SweepOutcome, type Tally } from '../exec/sweep.ts';
import { cellsOf, parseShard, type Shard, type Study } from '../exec/sweep-plan.ts';
import { RESULTS_LOG } from '../exec/sweep-log.ts';
import { InputError } from '../kernel/index.ts';
import { cellProgress } from './cell-progress.ts';
import { timelinesBesideReport } from './cell-timelines.ts';
import { reportError } from './exit.ts';
import { targetLabel } from './output-options.ts';
import { errorExit, erroredOf, REPORT_FILES, studyClosing, studyView, writeStudyReports } from './study-output.ts';
import { checkedRunner, runnerFor, studyBanner, studyFromArgs, studyOptions, studyShape, stopOnInterrupt, type StudyArgs } from './study-options.ts';

const DEFAULT_SEEDS = 5;

interface SweepArgs extends StudyArgs {
  param: string[];
  shard?: string;
  timelines: boolean;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe: 'Run a grid of parameter values × variants × seeds; resumable, shardable across a cluster',
  builder: (yargs: Argv) =>
    studyOptions(yargs, DEFAULT_SEEDS)
      .option('param', { alias: 'p', type: 'string', array: true, default: [], describe: 'A swept field: path=a,b,c | path=1..10 | path=10s..10m:log:12 (repeatable)' })
      .option('shard', { type: 'string', describe: 'Run slice i of n (0 ≤ i < n), e.g. $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT' })
      .option('timelines', { type: 'boolean', default: false, describe: "Also write each cell's timeline beside the report (cells/<i>/timeline.html, the report's links), running each cell again; resumes too" })
      .example('$0 sweep scenarios/beamline-store.yaml --param services.store.flush=1s,2s,5s,10s,every-write --seeds 10', 'Lost events against the fsync interval')
      .example('$0 sweep scenarios/aps-xray.yaml --param checkpoint.interval=10s..10m:log:12 --strategies stream-replay,coordinated', 'Lost work against checkpoint interval, one line per strategy')
      .example('$0 sweep scenario.yaml --param … --shard 3/8 --out sweep/shard-3', 'One slice of a job array; then: diaspora merge sweep/shard-*') as unknown as Argv<SweepArgs>,
  handler: async (args) => {
    process.exitCode = await sweepHandler(args);
  },
};

async function sweepHandler(args: SweepArgs): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const study = await studyFromArgs(args, 'sweep', args.param, DEFAULT_SEEDS);
    const shard = args.shard === undefined ? undefined : parseShard(args.shard);
    if (shard && args.timelines) {
      throw new InputError('--timelines with --shard: a slice has no report to link timelines from; merge the slices, then run the same sweep without --shard, with --out <merged dir> --timelines');
    }
    const dir = args.out ?? defaultDir(study, shard);
    const target = { label: targetLabel('--out', args.out, dir), force: args.force };
    // Where the sweep goes is checked before any worker starts; what the directory holds, when it is opened.
    checkDirectoryPlace(dir, target.label);
    const pool = runnerFor(args.jobs);
    let outcome: SweepOutcome;
    const started = performance.now();
    try {
      say(studyBanner(study));
      if (!args.quiet) say(`${studyShape(study, cellsOf(study.spec).length)}${shard ? ` · slice ${shard.index}/${shard.count}` : ''} · ${pool.jobs} jobs`);
      // Every shard checks the whole study, so that every slice of a job array refuses it alike.
      const { runner } = await checkedRunner(study, pool, args.skipInvalid, say);
      const progress = cellProgress(shard ? `slice ${shard.index}/${shard.count}` : 'sweep', !args.quiet);
      const stop = { stopped: false };
      const unhook = stopOnInterrupt(stop, (line) => process.stderr.write(`\n${line}\n`));
      let tally: Tally | undefined;
      const unnote = noteOnInterrupt(() => `${tally?.done ?? 0} of ${tally?.total ?? '?'} cells are saved in ${dir}/; run the same command again to resume`);
      try {
        outcome = await runSweep({
          study,
          dir,
          target,
          ...(shard ? { shard } : {}),
          runner,
          onStart: (started) => {
            tally = started;
            if (started.resumed > 0 && !args.quiet) say(`resuming: ${started.resumed} of ${started.total} cells are already in ${join(dir, RESULTS_LOG)}`);
            progress.start(started);
          },
          onRecord: (_, recorded) => {
            tally = recorded;
            progress.update(recorded);
          },
          stop,
        });
      } finally {
        progress.stop();
        unhook();
        unnote();
      }
    } finally {
      await pool.close();
    }
    if (!outcome.complete) {
      say(`interrupted: ${outcome.tally.done} of ${outcome.tally.total} cells are saved in ${dir}/; run the same command again to resume`);
      return 130;
    }
    const view = studyView(study, outcome.records, dir);
    const seconds = (performance.now() - started) / 1000;
    if (shard) return sliceClosing(view, dir, shard, seconds, say, args.skipInvalid);
    const summary = writeStudyReports(view, (file, content) => writeFileAtomic(join(dir, file), content));
    if (args.timelines && !(await timelinesBesideReport(view, dir, args.quiet))) {
      say(`interrupted: the results and reports are in ${dir}/; run the same command again to write the remaining timelines`);
      return 130;
    }
    return studyClosing({ view, summary, dir, files: [...REPORT_FILES, RESULTS_LOG], seconds, say, skipInvalid: args.skipInvalid });
  } catch (error) {
    return reportError(error);
  }
}

/** A slice has no report of its own: its cells are a sample of every group. */
function sliceClosing(view: ReturnType<typeof studyView>, dir: string, shard: Shard, seconds: number, say: (line: string) => void, skipInvalid: boolean): number {
  const errors = view.cells.filter((c) => c.status === 'error').length;
  const failed = view.cells.filter((c) => c.status === 'fail').length;
  say(`slice ${shard.index}/${shard.count}: ${view.cells.length} cells, ${failed} failed a check, ${erroredOf(view, errors)} · ${seconds.toFixed(1)} s`);
  say(`results: ${dir}/${RESULTS_LOG}; when every slice is done: npx diaspora merge <slice dirs…>`);
  return errorExit(view, skipInvalid);
}

/** `results/<scenario>/sweep-<id>`, so that running the same command again finds it and resumes. */
function defaultDir(study: Study, shard: Shard | undefined): string {
  const name = `sweep-${study.id}${shard ? `-shard-${shard.index}of${shard.count}` : ''}`;
  return join('results', study.spec.scenario.name, name);
}

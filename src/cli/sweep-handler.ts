/**
 * What `diaspora sweep` does (its options: sweep-command.ts): plans the study, runs its cells on a
 * worker pool into `results.jsonl` (resuming what an earlier run left), then writes the reports —
 * or, for a slice (`--shard`), its results alone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkDirectoryPlace } from '../exec/output-guard.ts';
import { writeFileAtomic } from '../exec/staging.ts';
import { noteOnInterrupt } from '../exec/interrupt.ts';
import { runSweep, type SweepOutcome, type Tally } from '../exec/sweep.ts';
import { cellsOf, parseShard, type Shard, type Study } from '../exec/sweep-plan.ts';
import { MANIFEST, RESULTS_LOG } from '../exec/sweep-log.ts';
import { InputError } from '../kernel/index.ts';
import { cellProgress } from './cell-progress.ts';
import { timelinesBesideReport } from './cell-timelines.ts';
import { reportError } from './exit.ts';
import { targetLabel } from './output-options.ts';
import { errorExit, erroredOf, REPORT_FILES, studyClosing, studyView, writeStudyReports } from './study-output.ts';
import { checkedRunner, runnerFor, studyBanner, studyFromArgs, studyShape, stopOnInterrupt } from './study-run.ts';
import type { StudyArgs } from './study-options.ts';

export interface SweepArgs extends StudyArgs {
  param: string[];
  shard?: string;
  timelines: boolean;
}

/** Runs `sweep`; `defaultSeeds` is the command's seed count when `--seeds` is not given. */
export async function sweepHandler(args: SweepArgs, defaultSeeds: number): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const study = await studyFromArgs(args, 'sweep', args.param, defaultSeeds);
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

/**
 * `results/<scenario>/sweep-<id>`, so that running the same command again finds it and resumes —
 * also one begun by a version that named it by the study's former id (its sets as typed): that
 * directory, if it holds its manifest and there is none by the id, is resumed (openSweepDir checks
 * that its study is this one, its sets spelt one way). Without the manifest its results, under the
 * former id, cannot be shown to be this study's: the sweep starts in its own directory.
 */
function defaultDir(study: Study, shard: Shard | undefined): string {
  const dirOf = (id: string) => join('results', study.spec.scenario.name, `sweep-${id}${shard ? `-shard-${shard.index}of${shard.count}` : ''}`);
  const dir = dirOf(study.id);
  return study.formerId !== undefined && !existsSync(dir) && existsSync(join(dirOf(study.formerId), MANIFEST)) ? dirOf(study.formerId) : dir;
}

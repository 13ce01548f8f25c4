/**
 * `diaspora merge <dirs…> [--out DIR]`: joins the slices of a sharded sweep into one sweep
 * directory — the same `results.json`, `results.csv`, `report.md` and `report.html` as the sweep
 * run unsharded, plus its `sweep.json` and `results.jsonl` (in cell order) — written atomically.
 *
 * Exit 0 when merged, 2 for slices of different sweeps, missing cells, a directory that is not a
 * sweep or one named twice (one line saying which); when merged cells had errored, 2 or 3 as for the sweep itself —
 * cells a slice skipped on purpose (`--skip-invalid`: their scenario cannot be built; their records
 * say so) do not count, so slices run with it merge as the whole sweep run with it.
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { StagedDirectory } from '../exec/staging.ts';
import { MANIFEST, RESULTS_LOG } from '../exec/sweep-log.ts';
import { mergeSweeps } from '../exec/sweep-merge.ts';
import { VERSION } from '../exec/version.ts';
import { requireDistinct } from './distinct-paths.ts';
import { reportError } from './exit.ts';
import { checkOutputTarget, FORCE_OPTION, stageOutput } from './output-options.ts';
import { REPORT_FILES, studyClosing, studyView, writeStudyReports } from './study-output.ts';

interface MergeArgs {
  dirs: string[];
  out?: string;
  force: boolean;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Join the slices of a sharded sweep (--shard i/n) into the result of the whole sweep',
  builder: (yargs: Argv) =>
    yargs
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'The slice directories' })
      .option('out', { alias: 'o', type: 'string', describe: 'Directory to write, new or empty (default results/<scenario>/sweep-<id>)' })
      .options(FORCE_OPTION)
      .example('$0 merge sweep/shard-*', 'Join every slice of a job array') as unknown as Argv<MergeArgs>,
  handler: (args) => {
    process.exitCode = mergeHandler(args);
  },
};

function mergeHandler(args: MergeArgs): number {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const started = performance.now();
  let dir: StagedDirectory | undefined;
  try {
    // An explicit --out is checked before the slices are read, the default once they name it.
    if (args.out !== undefined) checkOutputTarget(args.out, args.out, args.force);
    requireDistinct('merge', 'slice', args.dirs);
    const { manifest, records } = mergeSweeps(args.dirs);
    const reportDir = args.out ?? join('results', manifest.spec.scenario.name, `sweep-${manifest.id}`);
    dir = stageOutput(args.out, reportDir, 'merge', args.force);
    say(`diaspora-sim ${VERSION} · ${manifest.spec.scenario.name} · merge of sweep ${manifest.id} from ${args.dirs.length} director${args.dirs.length === 1 ? 'y' : 'ies'}`);
    const staged = dir;
    staged.write(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
    staged.write(RESULTS_LOG, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const view = studyView(manifest, records, reportDir);
    const summary = writeStudyReports(view, (file, content) => staged.write(file, content));
    const final = dir.commit();
    return studyClosing({ view, summary, dir: final, files: [...REPORT_FILES, RESULTS_LOG], seconds: (performance.now() - started) / 1000, say });
  } catch (error) {
    dir?.abort();
    return reportError(error);
  }
}

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
 *
 * This module is the command's options; what it does is sweep-handler.ts, imported when it runs.
 */
import type { Argv, CommandModule } from 'yargs';
import { studyOptions } from './study-options.ts';
import type { SweepArgs } from './sweep-handler.ts';

const DEFAULT_SEEDS = 5;

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
  // Loaded when the command runs: `sweep --help` and a refused flag load only the options above.
  handler: async (args) => {
    process.exitCode = await (await import('./sweep-handler.ts')).sweepHandler(args, DEFAULT_SEEDS);
  },
};

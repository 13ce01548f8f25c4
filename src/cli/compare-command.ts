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
 *
 * This module is the command's options; what it does is compare-handler.ts, imported when it runs.
 */
import type { Argv, CommandModule } from 'yargs';
import type { CompareArgs } from './compare-handler.ts';
import { studyOptions } from './study-options.ts';

const DEFAULT_SEEDS = 10;

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
  // Loaded when the command runs: `compare --help` and a refused flag load only the options above.
  handler: async (args) => {
    process.exitCode = await (await import('./compare-handler.ts')).compareHandler(args, DEFAULT_SEEDS);
  },
};

/**
 * The options `compare` and `sweep` share on the command line: the scenario and its `--set`s,
 * variants (`--variant`, `--strategies`, `--baseline`), seeds, `--jobs` and `--out`. Only the
 * options: what the commands do with them is study-run.ts, imported when a command runs, so their
 * `--help` and a flag yargs refuses load no scenario reader, pool or simulator.
 */
import type { Argv } from 'yargs';
import { countReader, MAX_EVENTS_OPTION, numericOption } from './numeric-flags.ts';
import { FORCE_OPTION } from './output-options.ts';

/** More workers than this is a typo; each is a thread with its own heap. */
const MAX_JOBS = 1024;

export interface StudyArgs {
  scenario: string;
  set: string[];
  variant: string[];
  strategies?: string;
  baseline?: string;
  seeds?: string;
  jobs?: number;
  out?: string;
  force: boolean;
  maxEvents: number;
  quiet: boolean;
  skipInvalid: boolean;
}

export function studyOptions(yargs: Argv, defaultSeeds: number): Argv {
  return yargs
    .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
    .option('variant', { type: 'string', array: true, default: [], describe: 'A variant to run: NAME:path=value[,path=value] (repeatable)' })
    .option('strategies', { type: 'string', describe: 'Checkpoint strategies a,b,c: short for --variant a:checkpoint.strategy=a …' })
    .option('baseline', { type: 'string', describe: 'The variant the others are compared with (default: the first)' })
    .option('seeds', { type: 'string', describe: `Seeds: N (1..N), a range 1..30 or a list 1,5,9 (default ${defaultSeeds})` })
    .option('set', { type: 'string', array: true, default: [], describe: 'Override a scenario field in every cell: path=value (repeatable)' })
    .option('jobs', numericOption('--jobs', 'Cells run at once, each in a worker thread (default: one per core)', countReader(1, MAX_JOBS, 'workers'), 'j'))
    .option('out', { alias: 'o', type: 'string', describe: 'Results directory, new or empty' })
    .options(FORCE_OPTION)
    .options(MAX_EVENTS_OPTION)
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only the closing lines' })
    .option('skip-invalid', { type: 'boolean', default: false, describe: 'Run the cells whose scenario can be built and record the others as skipped (default: refuse the study)' });
}

/**
 * `diaspora run <scenario>`: one scenario, one seed, in this thread. This module is the command's
 * options; what it does is imported when the command runs — scenario-input.ts reads and validates
 * the scenario, run-scenario.ts runs it and writes the run directory — so `run --help` and a refused
 * flag load these options alone, and a refused scenario no simulator.
 */
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../kernel/contract/index.ts';
import { MAX_EVENTS_OPTION, numericOption, readSeed } from './numeric-flags.ts';
import { FORCE_OPTION } from './output-options.ts';
import type { RunArgs } from './run-scenario.ts';
import { checkWorkersFlags, WORKERS_OPTIONS } from './workers-option.ts';

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenario>',
  describe: 'Run one scenario with one seed and check what its protocols promise',
  builder: (yargs: Argv) =>
    yargs
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
      .option('seed', numericOption('--seed', "Root seed, a whole number 0 … 2^53−1 (default: the scenario's seed)", readSeed, 's'))
      .option('set', { type: 'string', array: true, default: [], describe: 'Override a scenario field: path=value (repeatable)' })
      .option('out', { alias: 'o', type: 'string', describe: 'Run directory to write, new or empty (default results/<scenario>/<run-id>)' })
      .options(FORCE_OPTION)
      .option('trace', { alias: 't', type: 'boolean', default: false, describe: 'Also write the full trace.jsonl' })
      .option('viz', { type: 'boolean', default: false, describe: 'Also write timeline.html, the interactive timeline (implies --trace)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print exactly summary.json on stdout and nothing else' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only the verdict line' })
      .option('fail-vacuous', { type: 'boolean', default: false, describe: 'A check that judged nothing (VACUOUS, e.g. 0 cuts) fails the run' })
      .option('check-determinism', { type: 'boolean', default: false, describe: 'Run twice and report the first event where the runs diverge' })
      .options(WORKERS_OPTIONS)
      .options(MAX_EVENTS_OPTION)
      .example('$0 run scenarios/beamline-store.yaml', 'Run the demo scenario with its own seed')
      .example('$0 run scenarios/beamline-store.yaml --seed 7 --set services.store.flush=never', 'Another seed, a different fsync policy')
      .example('$0 run scenarios/beamline-store.yaml --trace --json > summary.json', 'Keep the trace, print the summary as JSON')
      .example('$0 run scenarios/beamline-store.yaml --viz', 'Also draw the interactive timeline (timeline.html)')
      .example('$0 run scenarios/beamline-store.yaml --check-determinism', 'Prove the run is reproducible')
      .example('$0 run scenarios/beamline-store.yaml --workers 2', 'Split the run over two threads (same trace hash)') as unknown as Argv<RunArgs>,
  // Loaded when the command runs, the run itself once the scenario is valid: `run --help` and a
  // refused flag load only the options above, a refused scenario only its reader.
  handler: async (args) => {
    checkDeterminismFlags(args);
    checkWorkersFlags(args);
    const input = await (await import('./scenario-input.ts')).readValidScenario(args);
    process.exitCode = typeof input === 'number' ? input : await (await import('./run-scenario.ts')).runScenario(args, input.scenario, input.source);
  },
};

/**
 * `--check-determinism` runs the scenario twice in this thread and compares the two traces; it
 * writes no run directory and prints no summary. A flag about the run it does not make would be
 * ignored: the user would believe, say, a run over --workers threads checked, or wait for a
 * summary that --json never prints (it printed nothing at all, exit 0).
 */
function checkDeterminismFlags(args: RunArgs): void {
  if (!args.checkDeterminism) return;
  const ignored: [string, boolean][] = [
    ['--workers', args.workers !== undefined],
    ['--partition-by', args.partitionBy !== undefined],
    ['--out', args.out !== undefined],
    ['--force', args.force],
    ['--trace', args.trace],
    ['--viz', args.viz],
    ['--json', args.json],
    ['--fail-vacuous', args.failVacuous],
  ];
  const flag = ignored.find(([, given]) => given)?.[0];
  if (flag !== undefined) {
    throw new InputError(`${flag}: does not apply with --check-determinism, which runs the scenario twice in this thread and compares the traces (no run directory, summary or trace is written); run without one of the two`);
  }
}

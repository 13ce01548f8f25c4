/**
 * `diaspora check <run-dir | trace.jsonl>`: re-runs checkers offline over a saved trace — the
 * offline checker is the one that decides. Checks default to those the run's scenario named; a
 * run's plug-ins are loaded so that their checks are known (`--plugin` for a bare trace file).
 */
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { failingVacuous, verdictDetail, verdictWord } from '../check/index.ts';
import { checkerNamed, checkers, loadPlugins } from '../scenario/index.ts';
import { checkTraceFile } from '../exec/check-trace.ts';
import { isRunDirectory, type RecordedTrace, runToCheck } from '../exec/run-dir.ts';
import { InputError } from '../kernel/contract/index.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, reportError } from './exit.ts';
import { requireExisting } from './file-problem.ts';
import { recordProgress } from './progress.ts';

interface CheckArgs {
  path: string;
  check: string[];
  plugin: string[];
  json: boolean;
  failVacuous: boolean;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <path>',
  describe: 'Run checkers over a saved trace (a run directory written with --trace, or a trace.jsonl)',
  builder: (yargs: Argv) =>
    yargs
      .positional('path', { type: 'string', demandOption: true, describe: 'Run directory or trace.jsonl' })
      .option('check', { alias: 'c', type: 'string', array: true, default: [], describe: `Check to run (repeatable, or a,b): ${[...checkers().keys()].join(', ')}` })
      .option('plugin', { type: 'string', array: true, default: [], describe: 'Plug-in module (.ts or .js) whose checks a bare trace needs (repeatable; a run directory names its own)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the verdicts as JSON' })
      .option('fail-vacuous', { type: 'boolean', default: false, describe: 'A check that judged nothing (VACUOUS, e.g. 0 cuts) fails' })
      .example('$0 check results/beamline-store/<run-id>', "The run's own checks over its trace")
      .example('$0 check trace.jsonl --check no-acked-loss', 'One check over a trace file') as unknown as Argv<CheckArgs>,
  handler: async (args) => {
    try {
      const { trace, checks, plugins, recorded } = locate(args.path);
      await loadPlugins([...plugins, ...args.plugin.map((path) => resolve(path))]);
      const requested = requestedChecks(args.check);
      const names = requested.length > 0 ? requested : (checks ?? [...checkers().keys()]);
      const definitions = names.map((name) => checkerNamed(name, '--check'));
      const progress = recordProgress('check', recorded?.records, !args.json);
      const judged = await checkTraceFile(trace, definitions, recorded, progress.update).finally(progress.stop);
      const verdicts = args.failVacuous ? Object.fromEntries(Object.entries(judged).map(([name, verdict]) => [name, failingVacuous(verdict)])) : judged;
      const ok = Object.values(verdicts).every((v) => v.ok);
      if (args.json) process.stdout.write(`${JSON.stringify(verdicts, null, 2)}\n`);
      else {
        for (const [name, verdict] of Object.entries(verdicts)) {
          process.stdout.write(`${verdictWord(verdict)} ${name} — ${verdictDetail(verdict)}\n`);
          for (const v of verdict.violations.slice(0, 5)) process.stdout.write(`     ${v.anomaly}: ${v.message}\n`);
        }
      }
      process.exitCode = ok ? EXIT_OK : EXIT_CHECK_FAILED;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  },
};

/**
 * `--check a,b` as `--strategies a,b` and `--metrics a,b` are written, or `--check a --check b`. An
 * empty name (`--check ""` from an unset shell variable, `a,,b`, `a,`) is refused: read as no name,
 * it would run every check, or fewer than were meant, and say nothing.
 */
function requestedChecks(values: readonly string[]): string[] {
  const empty = values.find((value) => value.split(',').some((name) => name.trim() === ''));
  if (empty !== undefined) throw new InputError(`--check ${JSON.stringify(empty)}: an empty check name; give names like --check no-acked-loss,liveness (without --check: the run's own checks)`);
  return values.flatMap((value) => value.split(',')).map((name) => name.trim());
}

/**
 * The trace to check, the checks its run named, their plug-ins, and what the trace must match when
 * it is a run's. A run's own `trace.jsonl` named as a file is that run's trace: without its
 * directory's checks, every check would run, and those whose subject the run lacks (a consumer, an
 * FL server, a conserved quantity) fail for want of it.
 */
function locate(path: string): { trace: string; checks?: string[]; plugins: readonly string[]; recorded?: RecordedTrace } {
  requireExisting(path);
  const dir = statSync(path).isDirectory() ? path : basename(path) === 'trace.jsonl' && isRunDirectory(dirname(path)) ? dirname(path) : undefined;
  if (dir === undefined) return { trace: path, plugins: [] };
  const { trace, checks, plugins, recorded } = runToCheck(dir);
  return { trace, plugins, ...(checks ? { checks } : {}), ...(recorded ? { recorded } : {}) };
}

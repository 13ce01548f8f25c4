/**
 * `diaspora shrink <run-dir> [--check NAME]`: minimises a failing run's realised faults (drop,
 * shorten, move later) while the check still fails, and writes the smallest failing scenario as
 * YAML with an explicit `faults:` schedule and no nemesis.
 *
 * Prints a progress bar of probe runs on a terminal, then how far it got (faults before → after,
 * probes, time, whether it finished or stopped at the budget) and the minimal faults. Exit 0: a
 * minimal scenario was written and reproduces the failure; 1: the failure did not reproduce (so
 * nothing could be shrunk) or the written scenario does not fail; 2: bad input.
 */
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Argv, CommandModule } from 'yargs';
import type { ShrinkProgress } from '../faults/index.ts';
import { InputError } from '../kernel/contract/index.ts';
import { readRunDirectory } from '../exec/run-dir.ts';
import { shrinkRun } from '../exec/shrink.ts';
import { writeFileAtomic } from '../exec/staging.ts';
import { VERSION } from '../exec/version.ts';
import { writtenFault } from '../scenario/index.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, reportError } from './exit.ts';
import { countReader, numericOption } from './numeric-flags.ts';
import { FORCE_OPTION, prepareFile, targetLabel } from './output-options.ts';

/** A budget beyond this is a typo: each probe is a whole run. */
const MAX_PROBES = 1_000_000;

interface ShrinkArgs {
  dir: string;
  check?: string;
  out?: string;
  probes: number;
  force: boolean;
}

export const shrinkCommand: CommandModule<object, ShrinkArgs> = {
  command: 'shrink <dir>',
  describe: 'Minimise the faults of a failing run and write the smallest failing scenario',
  builder: (yargs: Argv) =>
    yargs
      .positional('dir', { type: 'string', demandOption: true, describe: 'Run directory of a failing run' })
      .option('check', { alias: 'c', type: 'string', describe: 'The check that must keep failing (default: the first that failed)' })
      .option('out', { alias: 'o', type: 'string', describe: 'Where to write the minimal scenario (default <dir>/shrunk.yaml)' })
      .option('probes', { ...numericOption('--probes', 'At most this many probe runs', countReader(1, MAX_PROBES, 'probe runs')), default: '300' })
      .options(FORCE_OPTION)
      .example('$0 shrink results/beamline-nemesis/<run-id>', 'The fewest, shortest faults that still lose acknowledged events')
      .example('$0 shrink results/beamline-nemesis/<run-id> --check liveness', 'Shrink a liveness failure instead') as unknown as Argv<ShrinkArgs>,
  handler: async (args) => {
    process.exitCode = await shrink(args);
  },
};

async function shrink(args: ShrinkArgs): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const bar = probeBar(args.probes);
  try {
    // An unset shell variable: read as no name, the check would be the first that failed, silently.
    if (args.check !== undefined && args.check.trim() === '') {
      throw new InputError(`--check ${JSON.stringify(args.check)}: an empty check name; give the check that must keep failing, like --check no-acked-loss (without --check: the first that failed)`);
    }
    const run = readRunDirectory(args.dir);
    const target = args.out ?? join(args.dir, 'shrunk.yaml');
    // Checked before the probes run, so that a refused target costs nothing.
    prepareFile(target, targetLabel('--out', args.out, target), 'shrunk', args.force, false);
    out(`diaspora-sim ${VERSION} · shrink ${run.scenario.name} · seed ${run.seed} · ${run.faults.length} fault${run.faults.length === 1 ? '' : 's'}`);
    const started = performance.now();
    const result = await shrinkRun(run, { ...(args.check === undefined ? {} : { check: args.check }), maxProbes: args.probes, out: target, onProgress: bar.update });
    bar.stop();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (!result.reproduced) {
      out(`the ${result.check} failure did not reproduce with the recorded faults as a schedule; nothing to shrink (replay the run to check it)`);
      return EXIT_CHECK_FAILED;
    }
    writeFileAtomic(target, result.yaml);
    out(`check ${result.check}: faults ${result.before.length} → ${result.faults.length} in ${result.probes} probes, ${seconds} s (${result.complete ? 'finished' : 'stopped at the probe budget; smaller may exist'})`);
    // One line per fault, however long (yaml folds flow collections past 80 columns otherwise).
    for (const fault of result.faults) out(`  - ${stringify(writtenFault(fault), { collectionStyle: 'flow', flowCollectionPadding: true, lineWidth: 0 }).trim()}`);
    out(`minimal scenario: ${target}${result.verified ? '' : ' — WARNING: loaded back, it does not fail the check'}`);
    out(`reproduce: npx diaspora run ${target}`);
    return result.verified ? EXIT_OK : EXIT_CHECK_FAILED;
  } catch (error) {
    bar.stop();
    return reportError(error, `npx diaspora shrink ${args.dir}${args.check === undefined ? '' : ` --check ${args.check}`}`);
  }
}

/** Probe runs against the budget, on stderr and only on a terminal. */
function probeBar(budget: number): { update: (p: ShrinkProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'shrink [{bar}] {value}/{total} probes | {phase} | smallest {faults} faults | {duration_formatted}', clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      if (!started) bar.start(budget, p.probes, { phase: p.phase, faults: p.faults });
      else bar.update(p.probes, { phase: p.phase, faults: p.faults });
      started = true;
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

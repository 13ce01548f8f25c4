/**
 * `diaspora replay <run-dir>`: runs a recorded run again from its `scenario.resolved.json` and
 * seed, and verifies that the trace hash is the one in its `summary.json`.
 *
 * A run recorded in an older trace format (another hash) is compared record by record against its
 * kept trace, and the output says so; without its trace only the hash can be compared.
 *
 * Exit 0: reproduced. Exit 1: not reproduced — with the first divergent record when the run kept
 * its trace (or, without one, when this build turns out nondeterministic). Exit 2: not a run
 * directory.
 */
import type { Argv, CommandModule } from 'yargs';
import { formatMicros } from '../kernel/index.ts';
import type { Divergence } from '../exec/determinism.ts';
import { replayRun } from '../exec/replay.ts';
import { readRunDirectory } from '../exec/run-dir.ts';
import { VERSION } from '../exec/version.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, reportError } from './exit.ts';

interface ReplayArgs {
  dir: string;
}

export const replayCommand: CommandModule<object, ReplayArgs> = {
  command: 'replay <dir>',
  describe: 'Run a recorded run again from its resolved scenario and seed, and verify its trace hash',
  builder: (yargs: Argv) =>
    yargs
      .positional('dir', { type: 'string', demandOption: true, describe: 'Run directory written by diaspora run' })
      .example('$0 replay results/beamline-store/<run-id>', 'Reproduce a run exactly, or show where it diverges') as unknown as Argv<ReplayArgs>,
  handler: async (args) => {
    process.exitCode = await replay(args.dir);
  },
};

async function replay(dir: string): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const run = readRunDirectory(dir);
    out(`diaspora-sim ${VERSION} · replay ${run.scenario.name} · seed ${run.seed}`);
    const report = await replayRun(run);
    if (report.compared === 'records') {
      out(`the run's trace is of format ${report.recordedFormat}, this version writes format ${report.format} (another trace hash): comparing its ${report.records} records instead of the hash`);
    }
    if (report.matches && report.compared === 'records') {
      out(`reproduced: every record equal to the recorded trace (trace hash now ${report.replayedHash})`);
      return EXIT_OK;
    }
    if (report.matches) {
      out(`reproduced: trace hash ${report.replayedHash} (${report.compared === 'trace' ? 'and the recorded trace' : 'no trace recorded'})`);
      return EXIT_OK;
    }
    out(report.compared === 'records' ? 'NOT reproduced: the records differ' : `NOT reproduced: recorded ${report.recordedHash.slice(0, 16)}, replayed ${report.replayedHash.slice(0, 16)}`);
    if (report.recordedVersion !== report.version) out(`the run was recorded by version ${report.recordedVersion}; this is ${report.version}`);
    if (report.compared === 'hash') {
      out(report.deterministicNow ? 'two fresh runs agree with each other: the code or version changed since the recording (record with --trace to see where)' : 'two fresh runs disagree: this build is nondeterministic');
    }
    if (report.divergence !== undefined) describe(report.divergence, report.compared === 'hash' ? ['first run', 'second run'] : ['recorded', 'replayed'], out);
    return EXIT_CHECK_FAILED;
  } catch (error) {
    return reportError(error, `npx diaspora replay ${dir}`);
  }
}

function describe(d: Divergence, names: [string, string], out: (line: string) => void): void {
  out(`first divergence at trace line ${d.line}${d.timeUs === undefined ? '' : `, simulated time ${formatMicros(d.timeUs)} (${d.timeUs}us)`}:`);
  out(`  ${names[0]}: ${d.first ?? '(trace ended)'}`);
  out(`  ${names[1]}: ${d.second ?? '(trace ended)'}`);
}

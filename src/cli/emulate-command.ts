/**
 * `diaspora emulate <scenario>`: the scenario's actors in real worker threads (one per node) and
 * real time scaled by `--speed`, with real crashes (a node's thread is terminated) and real files.
 *
 * Writes a run directory like `diaspora run` (atomically: nothing complete-looking if it fails):
 * `scenario.resolved.json`, `trace.jsonl` (always: the same format, so `diaspora check` and the
 * timeline work on it), `summary.json` (with an `emulation` section), `summary.md`, and `disk/`,
 * the nodes' real files. Shows live progress on a terminal. Not deterministic: the trace hash is
 * printed for reference only.
 */
import cliProgress from 'cli-progress';
import type { Argv, CommandModule } from 'yargs';
import { Emulation, emulationFaultNotes, type EmulationProgress, type EmulationResult } from '../exec/emulate/index.ts';
import { scenarioRecipe } from '../exec/scenario-recipe.ts';
import type { StagedDirectory } from '../exec/staging.ts';
import { onInterrupt } from '../exec/interrupt.ts';
import { VERSION } from '../exec/version.ts';
import { formatMicros, InputError, TraceWriter, type Micros } from '../kernel/index.ts';
import { summaryMarkdown } from '../report/summary-markdown.ts';
import { checkWorkBudget, loadScenarioFileAsync, tryReadDuration, type Scenario } from '../scenario/index.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, inScenario, reportError } from './exit.ts';
import { MAX_EVENTS_OPTION, numericOption, readPositive, readSeed } from './numeric-flags.ts';
import { FORCE_OPTION, stageOutput } from './output-options.ts';
import { printSummary } from './print-summary.ts';

interface EmulateArgs {
  scenario: string;
  seed?: number;
  set: string[];
  speed: number;
  duration?: string;
  out?: string;
  force: boolean;
  maxEvents: number;
  json: boolean;
  quiet: boolean;
}

export const emulateCommand: CommandModule<object, EmulateArgs> = {
  command: 'emulate <scenario>',
  describe: 'Run a scenario in real (scaled) time: a worker thread per node, real crashes, real files',
  builder: (yargs: Argv) =>
    yargs
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
      .option('speed', { ...numericOption('--speed', 'Emulated seconds per real second', readPositive), default: '1' })
      .option('duration', { alias: 'd', type: 'string', describe: 'Emulated length, e.g. 30s (default: duration + quiesce)' })
      .option('seed', numericOption('--seed', "Root seed of the actors' random streams, 0 … 2^53−1 (default: the scenario's)", readSeed, 's'))
      .option('set', { type: 'string', array: true, default: [], describe: 'Override a scenario field: path=value (repeatable)' })
      .option('out', { alias: 'o', type: 'string', describe: 'Run directory to write, new or empty (default results/<scenario>/emulated-<time>)' })
      .options(FORCE_OPTION)
      .options(MAX_EVENTS_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'Print exactly summary.json on stdout and nothing else' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only the verdict line' })
      .example('$0 emulate scenarios/beamline-store.yaml --speed 10', 'The demo at ten times real time: about 7 s')
      .example('$0 emulate scenarios/beamline-store.yaml --speed 20 --duration 40s', 'Only the first 40 s of emulated time') as unknown as Argv<EmulateArgs>,
  handler: async (args) => {
    process.exitCode = await emulateHandler(args);
  },
};

async function emulateHandler(args: EmulateArgs): Promise<number> {
  let scenario: Scenario;
  let durationUs: Micros | undefined;
  let dir: StagedDirectory;
  try {
    scenario = await loadScenarioFileAsync(args.scenario, args.set);
    checkWorkBudget(scenario, args.maxEvents);
  } catch (error) {
    return reportError(inScenario(error, args.scenario));
  }
  try {
    durationUs = parseDurationFlag(args.duration);
    dir = stageOutput(args.out, `results/${scenario.name}/emulated-${stamp()}`, 'emulation', args.force);
  } catch (error) {
    return reportError(error);
  }
  const seed = args.seed ?? scenario.seed;
  const say = (line: string) => {
    if (!args.json) process.stdout.write(`${line}\n`);
  };
  say(`diaspora-sim ${VERSION} · ${scenario.name} · seed ${seed} · emulated at ${args.speed}× real time`);
  const { skipped, standby } = emulationFaultNotes(scenario);
  if (skipped.length > 0) say(`not emulated (they act on the simulated world only): ${skipped.join(', ')}`);

  const progress = emulationProgress(!args.quiet && !args.json);
  let result: EmulationResult;
  try {
    dir.write('scenario.resolved.json', `${JSON.stringify({ ...scenario, seed }, null, 2)}\n`);
    const trace = new TraceWriter(dir.path('trace.jsonl'));
    const emulation = await Emulation.start(scenarioRecipe(scenario, seed), { speed: args.speed, durationUs, dir: dir.staging, trace, standby, version: VERSION, onProgress: progress.update });
    const unhook = onInterrupt(() => emulation.abort('interrupted (Ctrl-C)'));
    result = await emulation.done.finally(unhook);
    progress.stop();
    dir.write('summary.json', `${JSON.stringify({ ...result.summary, emulation: result.emulation }, null, 2)}\n`);
    dir.write('summary.md', summaryMarkdown(result.summary, `npx diaspora emulate ${args.scenario} --speed ${args.speed}`));
    dir.commit();
  } catch (error) {
    progress.stop();
    dir.abort();
    return reportError(inScenario(error, args.scenario));
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...result.summary, emulation: result.emulation }, null, 2)}\n`);
  } else {
    printSummary(result.summary, { quiet: args.quiet, dir: dir.final, reproduce: '(emulation is not deterministic; rerun to sample again)', timeline: false });
    if (!args.quiet) say(describeEmulation(result));
  }
  return result.summary.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

function parseDurationFlag(text: string | undefined): Micros | undefined {
  if (text === undefined) return undefined;
  const read = tryReadDuration(text);
  if (!read.ok || read.value <= 0) throw new InputError(`--duration: ${read.ok ? 'must be more than 0' : read.message}`);
  return read.value;
}

/** One line on what the emulation did for real. */
function describeEmulation(result: EmulationResult): string {
  const { emulation } = result;
  const crashes = emulation.crashes.map((c) => `${c.node} at ${formatMicros(c.atUs)}${c.restartedAtUs === undefined ? '' : `, back at ${formatMicros(c.restartedAtUs)}`}`);
  return (
    `emulated ${formatMicros(result.summary.simulatedTimeUs)} at ${emulation.speed}× in ${(emulation.realTimeMs / 1000).toFixed(1)} s real: ` +
    `${emulation.crashes.length} real crash(es)${crashes.length > 0 ? ` (${crashes.join('; ')})` : ''}, ${emulation.messagesRouted} messages routed`
  );
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** A progress bar over emulated time with the nodes up and the crashes so far (terminals only). */
function emulationProgress(enabled: boolean): { update: (p: EmulationProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'emulating [{bar}] {percentage}% | {now} of {end} | nodes up {up}/{nodes} | {events} events | {crashes} crashes{paused}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { now: formatMicros(p.nowUs), end: formatMicros(p.endUs), up: p.nodesUp, nodes: p.nodes, events: p.events, crashes: p.crashes, paused: p.paused ? ' | paused' : '' };
      if (!started) bar.start(p.endUs, p.nowUs, payload);
      else bar.update(p.nowUs, payload);
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

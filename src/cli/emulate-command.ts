/**
 * `diaspora emulate <scenario>`: the scenario's actors in real worker threads (one per node) and
 * real time scaled by `--speed`, with real crashes (a node's thread is terminated) and real files.
 *
 * Writes a run directory like `diaspora run` (atomically: nothing complete-looking if it fails):
 * `scenario.resolved.json`, `trace.jsonl` (always: the same format, so `diaspora check` and the
 * timeline work on it), `summary.json` (with an `emulation` section), `summary.md`, and `disk/`,
 * the nodes' real files. Shows live progress on a terminal. Not deterministic: the trace hash is
 * printed for reference only.
 *
 * With `--kafka [PORT]` the scenario's log service is served to real Kafka clients (kafkajs, kcat,
 * librdkafka, …) on 127.0.0.1:PORT, PORT+1, … — one port per broker — and the emulator prints the
 * faults, crashes and rebalances as they happen instead of a progress bar (exec/emulate/kafka).
 */
import cliProgress from 'cli-progress';
import type { Argv, CommandModule } from 'yargs';
import { MAX_HOST_TIMER_MS } from '../exec/emulate/clock.ts';
import { Emulation, emulationFaultNotes, type EmulationProgress, type EmulationResult } from '../exec/emulate/index.ts';
import { DEFAULT_KAFKA_PORT, startKafkaEmulation } from '../exec/emulate/kafka/index.ts';
import { scenarioRecipe } from '../exec/scenario-recipe.ts';
import type { StagedDirectory } from '../exec/staging.ts';
import { onInterrupt } from '../exec/interrupt.ts';
import { VERSION } from '../exec/version.ts';
import { formatMicros, groupedDigits, InputError, TraceWriter, type Micros } from '../kernel/index.ts';
import { traceFile } from '../kernel/trace-file.ts';
import { summaryMarkdown } from '../report/summary-markdown.ts';
import { tryReadDuration } from '../scenario/index.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, inScenario, reportError } from './exit.ts';
import { MAX_EVENTS_OPTION, numericOption, readPositive, readSeed } from './numeric-flags.ts';
import { FORCE_OPTION, stageOutput } from './output-options.ts';
import { printSummary } from './print-summary.ts';
import { readValidScenario } from './scenario-input.ts';

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
  kafka?: string;
  kafkaService?: string;
  kafkaClientNode?: string;
  kafkaKeepWorkload: boolean;
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
      .option('kafka', { type: 'string', describe: `Serve the log service to real Kafka clients: broker i on 127.0.0.1:PORT+i-1 (bare --kafka: ${DEFAULT_KAFKA_PORT})` })
      .option('kafka-service', { type: 'string', describe: "With --kafka: the log service to serve (default the scenario's first)" })
      .option('kafka-client-node', { type: 'string', describe: "With --kafka: the node the real clients count as running on, for partitions and latency (default the service's first producer's node)" })
      .option('kafka-keep-workload', { type: 'boolean', default: false, describe: "With --kafka: keep the scenario's own producers and consumers of the service running" })
      .example('$0 emulate scenarios/drills/log-acks1-leader-crash.yaml --kafka', 'Kafka clients meet the drill on 127.0.0.1:9092-9094')
      .example('$0 emulate scenarios/beamline-store.yaml --speed 10', 'The demo at ten times real time: about 7 s')
      .example('$0 emulate scenarios/beamline-store.yaml --speed 20 --duration 40s', 'Only the first 40 s of emulated time') as unknown as Argv<EmulateArgs>,
  handler: async (args) => {
    process.exitCode = await emulateHandler(args);
  },
};

/**
 * Refuses a --speed so low that the emulation would last longer than a Node timer can wait (24.8
 * days): a run of months is no emulation anyone waits for. (Its timers once fired at once past that,
 * so `--speed 0.0000001` raced through the run it claimed to slow down; clock.ts now steps there.)
 */
function checkRealTime(speed: number, emulatedUs: Micros): void {
  const realMs = emulatedUs / 1000 / speed;
  if (realMs <= MAX_HOST_TIMER_MS) return;
  // Rounded up to two digits, so the speed offered is one that runs; written out (0.000033, not 3.3e-5) as typed.
  const least = Math.ceil((emulatedUs / 1000 / MAX_HOST_TIMER_MS) * 10 ** (1 - Math.floor(Math.log10(emulatedUs / 1000 / MAX_HOST_TIMER_MS)))) / 10 ** (1 - Math.floor(Math.log10(emulatedUs / 1000 / MAX_HOST_TIMER_MS)));
  const plain = (n: number) => (n >= 1e-6 ? String(n) : n.toFixed(20).replace(/0+$/, ''));
  throw new InputError(
    `--speed ${plain(speed)}: ${formatMicros(emulatedUs)} emulated would take ${groupedDigits(Math.round(realMs / 86_400_000))} days of real time, ` +
      `longer than a timer can wait (24.8 days); give --speed ${plain(Number(least.toPrecision(2)))} or more, or a shorter -d`,
  );
}

async function emulateHandler(args: EmulateArgs): Promise<number> {
  const input = await readValidScenario(args);
  if (typeof input === 'number') return input;
  const { scenario, source } = input;
  let durationUs: Micros | undefined;
  let dir: StagedDirectory;
  let kafkaPort: number | undefined;
  try {
    checkKafkaCompanions(args);
    kafkaPort = parseKafkaPort(args.kafka);
    durationUs = parseDurationFlag(args.duration);
    checkRealTime(args.speed, durationUs ?? ((scenario.durationUs + scenario.quiesceUs) as Micros));
    dir = stageOutput(args.out, `results/${scenario.name}/emulated-${stamp()}`, 'emulation', args.force);
  } catch (error) {
    return reportError(error);
  }
  const seed = args.seed ?? scenario.seed;
  const say = (line: string) => {
    if (!args.json) process.stdout.write(`${line}\n`);
  };
  // Live lines of a Kafka emulation go to stderr under --json, so stdout stays summary.json alone.
  const live = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  say(`diaspora-sim ${VERSION} · ${scenario.name} · seed ${seed} · emulated at ${args.speed}× real time`);
  const { skipped, standby } = emulationFaultNotes(scenario);
  if (skipped.length > 0) say(`not emulated (they act on the simulated world only): ${skipped.join(', ')}`);

  const progress = emulationProgress(!args.quiet && !args.json && kafkaPort === undefined);
  let result: EmulationResult;
  try {
    dir.write('scenario.resolved.json', `${JSON.stringify({ ...scenario, seed }, null, 2)}\n`);
    const trace = new TraceWriter(traceFile(dir.path('trace.jsonl')));
    const options = { speed: args.speed, durationUs, dir: dir.staging, trace, standby, version: VERSION, onProgress: progress.update };
    const kafka =
      kafkaPort === undefined
        ? undefined
        : await startKafkaEmulation(scenario, seed, { ...options, port: kafkaPort, service: args.kafkaService, clientNode: args.kafkaClientNode, keepWorkload: args.kafkaKeepWorkload, say: live });
    const emulation = kafka?.emulation ?? (await Emulation.start(scenarioRecipe(scenario, seed), options));
    const unhook = onInterrupt(() => emulation.abort('interrupted (Ctrl-C)'));
    result = await (kafka?.done ?? emulation.done).finally(unhook);
    progress.stop();
    dir.write('summary.json', `${JSON.stringify({ ...result.summary, emulation: result.emulation }, null, 2)}\n`);
    dir.write('summary.md', summaryMarkdown(result.summary, `npx diaspora emulate ${args.scenario} --speed ${args.speed}${kafkaPort === undefined ? '' : ` --kafka ${kafkaPort}`}`));
    dir.commit();
  } catch (error) {
    progress.stop();
    dir.abort();
    return reportError(inScenario(error, args.scenario, source, args.set));
  }
  const behind = fellBehind(result);
  if (behind !== undefined) process.stderr.write(`warning: ${behind}\n`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...result.summary, emulation: result.emulation }, null, 2)}\n`);
  } else {
    printSummary(result.summary, { quiet: args.quiet, dir: dir.final, reproduce: '(emulation is not deterministic; rerun to sample again)', timeline: false });
    if (!args.quiet) say(describeEmulation(result));
  }
  return result.summary.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** The flags that shape a Kafka emulation mean nothing without `--kafka`: the run would go on without what they ask. */
function checkKafkaCompanions(args: EmulateArgs): void {
  if (args.kafka !== undefined) return;
  const given = args.kafkaService !== undefined ? '--kafka-service' : args.kafkaClientNode !== undefined ? '--kafka-client-node' : args.kafkaKeepWorkload ? '--kafka-keep-workload' : undefined;
  if (given !== undefined) throw new InputError(`${given}: applies only with --kafka (serving a log service to real Kafka clients); add --kafka, or leave ${given} out`);
}

/** `--kafka` alone is the default port; with a value, a port that leaves room for the brokers after it. */
function parseKafkaPort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === '') return DEFAULT_KAFKA_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_000) throw new InputError(`--kafka: expected a port number like ${DEFAULT_KAFKA_PORT}, got "${text}"`);
  return port;
}

function parseDurationFlag(text: string | undefined): Micros | undefined {
  if (text === undefined) return undefined;
  const read = tryReadDuration(text);
  if (!read.ok || read.value <= 0) throw new InputError(`--duration: ${read.ok ? `must be more than 0, got "${text}"` : read.message}`);
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

/**
 * Held time (the clock waiting for starved threads) worth telling: more than 5 % of the real time
 * the run should have taken at its speed, and at least 100 ms — below that it is a garbage
 * collection or a thread's start, not an emulation that cannot keep up.
 */
const BEHIND_SHARE = 0.05;
const BEHIND_MIN_MS = 100;

/** The warning for an emulation that fell behind real time, or undefined when it kept up. */
export function fellBehind(result: Pick<EmulationResult, 'summary' | 'emulation'>): string | undefined {
  const { speed, heldMs, realTimeMs } = result.emulation;
  const plannedMs = result.summary.simulatedTimeUs / 1000 / speed;
  if (heldMs < BEHIND_MIN_MS || heldMs < BEHIND_SHARE * plannedMs) return undefined;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `fell behind real time by ${seconds(heldMs)}: the clock waited for threads the machine could not run at ${speed}× ` +
    `(${formatMicros(result.summary.simulatedTimeUs)} emulated took ${seconds(realTimeMs)} real, not ${seconds(plannedMs)}), ` +
    `so latencies and timeouts are not real-time; a lower --speed keeps up`
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

/**
 * `diaspora run` with a valid scenario (scenario-input.ts read and validated it): runs it in this
 * thread (or over `--workers`) and writes `results/<scenario>/<run-id>/` (or `--out`) atomically —
 * `scenario.resolved.json`, `scenario.yaml` (as written, with `--set` applied), `summary.json`,
 * `faults.json` (the realised faults), `summary.md`, and `trace.jsonl` with `--trace`. Prints the
 * version and seed first and, on failure, the exact command that reproduces the run.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { formatMicros, TraceWriter } from '../kernel/index.ts';
import { traceFile } from '../kernel/trace-file.ts';
import { executeInSlices, failingVacuousChecks, type RunSummary } from '../exec/run.ts';
import type { StagedDirectory } from '../exec/staging.ts';
import type { Scenario } from '../scenario/types.ts';
import { renderScenarioYaml, writtenScenario } from '../scenario/written.ts';
import { summaryMarkdown } from '../report/summary-markdown.ts';
import { EXIT_CHECK_FAILED, EXIT_INTERNAL, EXIT_OK, inScenario, reportError } from './exit.ts';
import { stageOutput } from './output-options.ts';
import { simulatedTimeProgress } from './progress.ts';
import { printSummary } from './print-summary.ts';
import { describeParallel, executeScenario } from './workers-option.ts';
import { VERSION } from '../exec/version.ts';

/** The parsed command line (run-command.ts's options). */
export interface RunArgs {
  scenario: string;
  seed?: number;
  set: string[];
  out?: string;
  force: boolean;
  trace: boolean;
  viz: boolean;
  json: boolean;
  quiet: boolean;
  checkDeterminism: boolean;
  workers?: number;
  partitionBy?: string;
  maxEvents: number;
  failVacuous: boolean;
}

/** Runs the valid `scenario`, read from `source`, as `args` ask; the exit code. */
export async function runScenario(args: RunArgs, scenario: Scenario, source: string): Promise<number> {
  const seed = args.seed ?? scenario.seed;
  const reproduce = reproduceCommand(args, seed);
  const say = (line: string) => {
    if (!args.json) process.stdout.write(`${line}\n`);
  };
  if (args.checkDeterminism) {
    say(`diaspora-sim ${VERSION} · ${scenario.name} · seed ${seed}`);
    return determinism(scenario, seed, args.maxEvents, say, reproduce);
  }
  let dir: StagedDirectory;
  try {
    dir = stageOutput(args.out, freshRunDirectory(scenario.name, seed), 'run', args.force);
  } catch (error) {
    return reportError(error);
  }
  say(`diaspora-sim ${VERSION} · ${scenario.name} · seed ${seed}`);
  const progress = simulatedTimeProgress(scenario.name, !args.quiet && !args.json);
  let summary: RunSummary;
  try {
    dir.write('scenario.resolved.json', `${JSON.stringify({ ...scenario, seed }, null, 2)}\n`);
    // As written (with --set applied), so `diaspora shrink` can write a minimal scenario back.
    dir.write('scenario.yaml', renderScenarioYaml({ ...writtenScenario(source, args.scenario, args.set), seed }));
    const trace = new TraceWriter(traceFile(args.trace || args.viz ? dir.path('trace.jsonl') : undefined));
    const ran = await executeScenario(scenario, seed, trace, args, progress.update);
    summary = args.failVacuous ? failingVacuousChecks(ran.summary) : ran.summary;
    progress.stop();
    if (ran.parallel !== undefined && !args.quiet) say(describeParallel(ran.parallel));
    dir.write('summary.json', `${JSON.stringify(summary, null, 2)}\n`);
    dir.write('faults.json', `${JSON.stringify({ scenario: scenario.name, seed, faults: summary.faults ?? [] }, null, 2)}\n`);
    dir.write('summary.md', summaryMarkdown(summary, reproduce));
    if (args.viz) {
      const label = join(displayPath(dir.final), 'trace.jsonl');
      // Loaded only when asked for, as --check-determinism and --workers are: a plain run does not pay their modules' loading.
      const { writeTimeline } = await import('../report/timeline.ts');
      await writeTimeline({ traces: [dir.path('trace.jsonl')], out: dir.path('timeline.html'), title: `${scenario.name} · seed ${seed}`, labels: [label] });
    }
    dir.commit();
  } catch (error) {
    progress.stop();
    dir.abort();
    return reportError(inScenario(error, args.scenario, source, args.set), reproduce);
  }
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printSummary(summary, { quiet: args.quiet, dir: displayPath(dir.final), reproduce, timeline: args.viz });
  return summary.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

async function determinism(scenario: Scenario, seed: number, maxEvents: number, say: (line: string) => void, reproduce: string): Promise<number> {
  try {
    const [{ checkDeterminism }, { prepareRun }] = await Promise.all([import('../exec/determinism.ts'), import('../scenario/prepare.ts')]);
    const report = await checkDeterminism(async (path) => {
      const trace = new TraceWriter(traceFile(path));
      // Each run computes its fault-free reference itself: a reference recalled from the cache would
      // hide a nondeterminism in it.
      return (await executeInSlices(prepareRun(scenario, { seed, trace, referenceCache: { mode: 'refresh' } }), { version: VERSION, maxEvents })).traceHash;
    });
    if (report.deterministic) {
      say(`deterministic: two runs gave trace hash ${report.hashes[0]}`);
      return EXIT_OK;
    }
    const d = report.divergence!;
    say(`NOT deterministic: hashes ${report.hashes[0].slice(0, 16)} and ${report.hashes[1].slice(0, 16)} differ`);
    say(`first divergence at trace line ${d.line}${d.timeUs === undefined ? '' : `, simulated time ${formatMicros(d.timeUs)} (${d.timeUs}us)`}:`);
    say(`  first run:  ${d.first ?? '(trace ended)'}`);
    say(`  second run: ${d.second ?? '(trace ended)'}`);
    return EXIT_INTERNAL;
  } catch (error) {
    return reportError(error, reproduce);
  }
}

/** A path relative to the working directory when it lies below it, absolute otherwise. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? resolve(path) : rel;
}

/**
 * `results/<scenario>/20261125-172800-seed1`: sortable by time, says the seed, and never reuses the
 * directory of an earlier run (a second run in the same second gets `-2`).
 */
function freshRunDirectory(scenario: string, seed: number): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const base = join('results', scenario, `${stamp}-seed${seed}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}

function reproduceCommand(args: RunArgs, seed: number): string {
  const sets = args.set.map((s) => ` --set ${shellQuote(s)}`).join('');
  return `npx diaspora run ${shellQuote(args.scenario)} --seed ${seed}${sets} --trace`;
}

function shellQuote(word: string): string {
  return /^[\w./=:,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

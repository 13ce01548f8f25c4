/**
 * Checkpoint benchmark: the x-ray scenario (`scenarios/aps-xray.yaml`) for one simulated hour under
 * every strategy, on the same seed and the same two crashes: how fast the simulator runs each
 * (simulated-to-wall time ratio, kernel events per wall second), next to what each strategy cost
 * the pipeline (lost work, recovery time, blocked time, bytes written).
 *
 *   node --import=tsx bench/checkpoint.ts            (npm run bench:checkpoint)
 *   node --import=tsx bench/checkpoint.ts --quick    (15 simulated minutes each, for a smoke test)
 *
 * The hour is 50 minutes of beam time (the safety phase, with the scenario's faults at 5 and 10
 * minutes) and 10 minutes in which the pipeline drains. Checks are left out (the reference run
 * would double the time measured); the tests check the same strategies on the same pipeline.
 * Ratios come from one process, strategies run one after another in the order listed; the machine
 * is shared and noisy, so compare ratios from one invocation, not across invocations.
 *
 * Wall-clock time is read here on purpose: this is a benchmark, outside the simulation.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execute } from '../src/exec/run.ts';
import { TraceWriter } from '../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../src/scenario/index.ts';

const quick = process.argv.includes('--quick');
const file = fileURLToPath(new URL('../scenarios/aps-xray.yaml', import.meta.url));
const phase = quick ? ['duration=11m', 'quiesce=4m'] : ['duration=50m', 'quiesce=10m'];

const STRATEGIES: [string, string[]][] = [
  ['none', ['checkpoint.strategy=none']],
  ['coordinated', ['checkpoint.strategy=coordinated']],
  ['barrier-snapshot aligned', ['checkpoint.strategy=barrier-snapshot', 'checkpoint.alignment=aligned']],
  ['barrier-snapshot unaligned', ['checkpoint.strategy=barrier-snapshot', 'checkpoint.alignment=unaligned']],
  ['barrier-snapshot none', ['checkpoint.strategy=barrier-snapshot', 'checkpoint.alignment=none']],
  ['uncoordinated', ['checkpoint.strategy=uncoordinated']],
  ['stream-replay', ['checkpoint.strategy=stream-replay']],
  ['multilevel', ['checkpoint.strategy=multilevel']],
];

interface Row {
  strategy: string;
  wallS: number;
  simS: number;
  ratio: number;
  events: number;
  eventsPerSec: number;
  lostWork: number;
  recoveryS: string;
  blockedS: number;
  writtenGB: number;
  p99S: number;
}

const rows: Row[] = [];
for (const [strategy, sets] of STRATEGIES) {
  const scenario = loadScenarioFile(file, [...phase, ...sets, 'checks=[]']);
  const prepared = prepareRun(scenario, { trace: new TraceWriter() });
  const started = performance.now();
  const summary = execute(prepared);
  const wallS = (performance.now() - started) / 1000;
  const recovery = summary.metrics.recovery as { lostWorkEvents: number; recoveryUs: { each: number[] }; blockedUs: Record<string, number> };
  const checkpoint = summary.metrics.checkpoint as { bytesWritten: number };
  const output = summary.metrics.output as { latencyUs: { p99: number } };
  const simS = summary.simulatedTimeUs / 1e6;
  rows.push({
    strategy,
    wallS: round(wallS, 2),
    simS,
    ratio: Math.round(simS / wallS),
    events: summary.events,
    eventsPerSec: Math.round(summary.events / wallS),
    lostWork: recovery.lostWorkEvents,
    recoveryS: recovery.recoveryUs.each.map((us) => round(us / 1e6, 1)).join(' / '),
    blockedS: round(Object.values(recovery.blockedUs).reduce((a, b) => a + b, 0) / 1e6, 1),
    writtenGB: round(checkpoint.bytesWritten / 1e9, 1),
    p99S: round(output.latencyUs.p99 / 1e6, 2),
  });
  process.stderr.write(`${strategy}: ${round(wallS, 1)} s\n`);
}

const header = ['strategy', 'wall s', 'sim s', 'sim/wall', 'events', 'events/s', 'lost work', 'recovery s', 'blocked s', 'written GB', 'p99 latency s'];
const table = rows.map((r) => [r.strategy, r.wallS, r.simS, r.ratio, r.events, r.eventsPerSec, r.lostWork, r.recoveryS, r.blockedS, r.writtenGB, r.p99S].map(String));
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
process.stdout.write(`aps-xray, ${quick ? '15 simulated minutes' : 'one simulated hour'} per strategy, seed 1\n\n${line(header)}\n${table.map(line).join('\n')}\n`);

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

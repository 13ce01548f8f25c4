/**
 * When independent checkpoints fall (interval.ts, "Phase"): an independently started participant's
 * first checkpoint is U·I after its start, U uniform in [0, 1) and independent of every other
 * participant's (the stationary phase the domino analyses assume); after a restart the next one is a
 * whole interval I after the restart (Daly's renewal: restart, then τ of compute, then the dump).
 * Measured from the simulator's own `ckpt:due` wake-ups, over seeds.
 *
 * Tolerances for the first phase: n = 6 processes × 40 seeds = 240 draws of U.
 * - mean 0.5, standard error (1/√12)/√n = 0.019; allowed 4 SE = 0.075. The rule before session 23,
 *   I·(0.5 + U), has mean 1.0.
 * - share below I/2: 0.5, SE √(0.25/n) = 0.032; allowed 4 SE = 0.13 (the old rule: 0).
 * - Kolmogorov–Smirnov distance to the uniform law below 1.95/√n = 0.126, its 0.1 % critical value
 *   (the old rule: 0.5).
 * - the correlation of two processes' phases over the 40 seeds, SE ≈ 1/√40 = 0.16; allowed 4 SE
 *   (a phase shared by every participant would give 1).
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { CheckpointClock } from '../../../src/features/checkpoint/actors/index.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const I = 4 * SECOND;
const PROCESSES = 6;

/** Six processes exchanging transfers at Poisson times (domino-poisson's pipeline), one crash if asked. */
const scenario = (seed: number, strategy: string, crash: string) => `
name: independent-phase
seed: ${seed}
duration: ${crash === '' ? '6s' : '20s'}
sites:
  a: { role: facility, nodes: 4 }
  c: { role: facility, nodes: 3 }
links:
  - { between: [a, c], latency: 10ms, bandwidth: 1Gbps }
pipeline:
  operators:
    process:
      kind: account
      nodes: [a-1, c-1, a-2, c-2, a-3, c-3]
      parallelism: ${PROCESSES}
      from: messages
      to: messages
      rate: 0.5/s
      arrivals: poisson
      service: 2ms
      state: 1MiB
checkpoint:
  strategy: ${strategy}
  interval: 4s
  tier: node-local
  coordinator: { node: a-4 }
faults: [${crash}]
checks: []
`;

/** The run's `ckpt:due` wake-ups and restarts, per process. */
function run(seed: number, strategy: string, crash = ''): TraceRecord[] {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((r) => void (((r.k === 'timer' && r.name === 'ckpt:due') || r.k === 'restart') && r.a.startsWith('process-') && records.push(r)));
  execute(prepareRun(loadScenario(scenario(seed, strategy, crash), 'independent-phase.yaml'), { trace }));
  return records;
}

test('the clock: the first checkpoint at phase · I (at least 1 µs), every later one I apart', (t) => {
  const clock = new CheckpointClock({ kind: 'time', everyUs: I });
  const now = { failures: 0, nowUs: 0 };
  t.is(clock.firstDelay(now, 0), 1);
  t.is(clock.firstDelay(now, 0.25), I / 4);
  t.is(clock.firstDelay(now, 0.999999), Math.floor(I * 0.999999));
  t.is(clock.nextDelay(now), I);
});

test('independent checkpoints: each process\'s first one is at a uniform phase of the interval, independent of the others\'', (t) => {
  const SEEDS = 40;
  const phases: number[][] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const first = new Map<string, number>();
    for (const r of run(seed, 'uncoordinated')) if (!first.has(r.a)) first.set(r.a, r.t / I);
    t.is(first.size, PROCESSES, `seed ${seed}: every process checkpoints within the first interval`);
    phases.push([...first.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, u]) => u));
  }
  const all = phases.flat();
  const n = all.length;
  t.true(all.every((u) => u > 0 && u < 1), 'every first checkpoint within (0, I)');
  const mean = all.reduce((s, u) => s + u, 0) / n;
  t.true(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / n), `mean phase ${mean.toFixed(3)}`);
  const early = all.filter((u) => u < 0.5).length / n;
  t.true(Math.abs(early - 0.5) < 4 * Math.sqrt(0.25 / n), `share in the first half ${early.toFixed(3)}`);
  const sorted = [...all].sort((a, b) => a - b);
  const ks = Math.max(...sorted.map((u, i) => Math.max((i + 1) / n - u, u - i / n)));
  t.true(ks < 1.95 / Math.sqrt(n), `Kolmogorov–Smirnov distance ${ks.toFixed(3)}`);
  // Two processes' phases over the seeds: uncorrelated.
  const x = phases.map((p) => p[0]!);
  const y = phases.map((p) => p[1]!);
  const mx = x.reduce((s, v) => s + v, 0) / SEEDS;
  const my = y.reduce((s, v) => s + v, 0) / SEEDS;
  const cov = x.reduce((s, v, i) => s + (v - mx) * (y[i]! - my), 0);
  const corr = cov / Math.sqrt(x.reduce((s, v) => s + (v - mx) ** 2, 0) * y.reduce((s, v) => s + (v - my) ** 2, 0));
  t.true(Math.abs(corr) < 4 / Math.sqrt(SEEDS), `correlation of process-1's and process-2's phases ${corr.toFixed(3)}`);
  t.log(`n ${n}: mean ${mean.toFixed(3)}, below I/2 ${early.toFixed(3)}, KS ${ks.toFixed(3)}, correlation ${corr.toFixed(3)}`);
});

for (const strategy of ['stream-replay', 'uncoordinated']) {
  test(`${strategy}: after a restart the next checkpoint is due a whole interval later, whatever the seed`, (t) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const records = run(seed, strategy, '{ kind: process-crash, target: a-2, at: 9s, for: 1s }');
      const restart = records.find((r) => r.k === 'restart' && r.a === 'process-3')!;
      t.is(restart.t, 10 * SECOND, `seed ${seed}: process-3 restarts when the fault heals`);
      const next = records.find((r) => r.k === 'timer' && r.a === 'process-3' && r.t > restart.t)!;
      t.is(next.t - restart.t, I, `seed ${seed}: due I after the restart`);
    }
  });
}

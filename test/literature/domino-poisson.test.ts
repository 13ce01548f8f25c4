/**
 * Randell's domino effect under the literature's message model (scenarios/literature/domino-poisson.yaml):
 * six processes, Poisson(μ) sends each to a uniformly random other, independent checkpoints every
 * I = 4 s, one process crashing at T = 30 s. A sweep over seeds — each seed other checkpoint phases,
 * other Poisson times, other destinations — is compared with two numbers of the model:
 *
 * 1. Derived: every survivor keeps its present state exactly when no message joined the failed
 *    process to anyone between its last checkpoint c and the crash (and none reached it until the
 *    recovery round began, D later). Those messages are Poisson of rate 2μ (its own μ plus μ/5 from
 *    each of five others) and T − c is uniform on (0, I), so P = e^(−μD) · (1 − e^(−2μI)) / (2μI):
 *    0.43 at μ = 0.25/s.
 * 2. Computed by a Monte Carlo of the model written here, apart from the simulator (the latest
 *    recovery line with no orphan and no message lost in transit, as domino-six.test.ts computes
 *    it from a trace): P(all six back to the start) at μ = 0.5/s. The model's checkpoints follow the
 *    simulator's placement rule — the first at a uniform phase U·I, then every I (interval.ts
 *    `firstDelay`, "Phase") — because it matters here: the same model with the rule the simulator
 *    had until session 22, the first at I·(0.5 + U), gives 0.31 instead of 0.07 — no process has a
 *    checkpoint in the first I/2, so a cascade reaches the start far more easily. The sweep must
 *    tell the two apart.
 *
 * Tolerances: a share p over N = 120 independent seeds has a binomial standard error √(p(1−p)/N)
 * (0.045 at p = 0.43, 0.023 at 0.07); the Monte Carlo's 4 000 trials add 0.008 and 0.004. The test
 * allows four standard errors, which still tells the model from the periodic generator (0.13 kept,
 * 0.18 to the start, over the same 120 seeds) and from the old first phase (0.31 to the start).
 */
import test from 'ava';
import { deriveRng } from '../../src/kernel/index.ts';
import { run } from './literature-run.ts';

const SEEDS = 120;
const I = 4;
const T = 30;
const PROCESSES = 6;
const FAILED = 2; // process-3, on a-2

function sweep(rate: number): { kept: number; toStart: number; meanDecay: number } {
  let kept = 0;
  let toStart = 0;
  let decay = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { summary, records } = run('domino-poisson', [`seed=${seed}`, `pipeline.operators.process.rate=${rate}/s`], (r) => r.k === 'ckpt' && r.op === 'rollback');
    if (!summary.ok) throw new Error(`seed ${seed}: ${JSON.stringify(summary.checks)}`);
    const rollback = records[0]!;
    const survivorsKept = (rollback.kept as string[]).length;
    if (survivorsKept === PROCESSES - 1) kept++;
    if (survivorsKept === 0 && Object.values(rollback.targets as Record<string, number>).every((id) => id === 0)) toStart++;
    decay += Math.exp((-rate * (rollback.t - T * 1e6)) / 1e6);
  }
  return { kept: kept / SEEDS, toStart: toStart / SEEDS, meanDecay: decay / SEEDS };
}

/** One trial of the model: how many survivors keep their state, and whether all six go back to the start. */
function modelTrial(trial: number, rate: number, firstAt: (u: number) => number): { kept: number; allToStart: boolean } {
  const rng = deriveRng(trial, 'domino-model', 'poisson');
  const recoveryS = T + 0.06;
  const latencyS = 0.01;
  const messages: { from: number; to: number; sent: number; received: number }[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    const until = p === FAILED ? T : recoveryS;
    for (let t = rng.exponential(1 / rate); t < until; t += rng.exponential(1 / rate)) {
      let to = rng.int(0, PROCESSES - 2);
      if (to >= p) to++;
      messages.push({ from: p, to, sent: t, received: to === FAILED && t + latencyS >= T ? Infinity : t + latencyS });
    }
  }
  const checkpoints = Array.from({ length: PROCESSES }, (_, p) => {
    const list = [0];
    for (let c = firstAt(rng.next()); c < (p === FAILED ? T : recoveryS); c += I) list.push(c);
    return list;
  });
  const line = checkpoints.map((list, p) => (p === FAILED ? list[list.length - 1]! : recoveryS));
  const back = (p: number, atS: number) => {
    const to = Math.max(...checkpoints[p]!.filter((c) => c <= atS));
    if (to >= line[p]!) return false;
    line[p] = to;
    return true;
  };
  for (let moved = true; moved; ) {
    moved = false;
    for (const m of messages) {
      if (m.sent >= line[m.from]! && m.received < line[m.to]!) moved = back(m.to, m.received) || moved; // orphan
      if (m.sent < line[m.from]! && m.received >= line[m.to]!) moved = back(m.from, m.sent) || moved; // lost in transit
    }
  }
  return { kept: line.filter((v, p) => p !== FAILED && v === recoveryS).length, allToStart: line.every((v) => v === 0) };
}

function model(rate: number, firstAt: (u: number) => number): { kept: number; toStart: number } {
  const trials = 4000;
  let kept = 0;
  let toStart = 0;
  for (let i = 0; i < trials; i++) {
    const one = modelTrial(i, rate, firstAt);
    if (one.kept === PROCESSES - 1) kept++;
    if (one.allToStart) toStart++;
  }
  return { kept: kept / trials, toStart: toStart / trials };
}

/** The simulator's first checkpoint: a uniform phase of the interval (interval.ts `firstDelay`). */
const simulatorRule = (u: number) => I * u;
/** The rule until session 22: never in the first half interval. */
const lateFirst = (u: number) => I * (0.5 + u);
const bound = (p: number) => 4 * Math.sqrt((p * (1 - p)) / SEEDS + (p * (1 - p)) / 4000);

test('Poisson messages, μ = 0.25/s: the share of crashes no survivor feels is e^(−μD)(1 − e^(−2μI))/(2μI)', (t) => {
  const rate = 0.25;
  const measured = sweep(rate);
  const x = 2 * rate * I;
  const derived = (measured.meanDecay * (1 - Math.exp(-x))) / x;
  t.log(`kept ${measured.kept} over ${SEEDS} seeds; derived ${derived.toFixed(3)}`);
  t.true(Math.abs(derived - 0.426) < 0.01, 'D is a few round trips: e^(−μD) ≈ 1');
  // The model computed apart agrees with the formula, within its own error (0.008).
  t.true(Math.abs(model(rate, simulatorRule).kept - derived) < 0.03);
  t.true(Math.abs(measured.kept - derived) < bound(derived), `${measured.kept} vs ${derived.toFixed(3)} ± ${bound(derived).toFixed(3)}`);
});

test('Poisson messages, μ = 0.5/s: the share of crashes sending all six to the start matches the model (with the simulator\'s first-checkpoint rule)', (t) => {
  const rate = 0.5;
  const measured = sweep(rate);
  const expected = model(rate, simulatorRule).toStart;
  const late = model(rate, lateFirst).toStart;
  t.log(`to the start ${measured.toStart} over ${SEEDS} seeds; model ${expected} (first checkpoint at I·(0.5 + U): ${late})`);
  t.true(Math.abs(measured.toStart - expected) < bound(expected), `${measured.toStart} vs ${expected} ± ${bound(expected).toFixed(3)}`);
  t.true(Math.abs(measured.toStart - late) > bound(late), 'the sweep tells the simulator\'s placement rule from the old one');
});

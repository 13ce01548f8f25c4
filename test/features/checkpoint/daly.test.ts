/**
 * Daly's model of the checkpoint interval, as a researcher would test it from the paper (Daly 2006,
 * "A higher order estimate of the optimum checkpoint interval for restart dumps"): the shipped drill
 * (a saturated 2-hour batch job, 5 GB state, process crashes with MTBF 10 min) run at a short, the
 * optimal and a long interval. The waste 1 − T_s/T_w (`job.wasteFraction`) must agree with the
 * model's T_w(τ) = M e^(R/M) (e^((τ+δ)/M) − 1) T_s/τ within 0.05 at each, and be least at the
 * model's optimum √(2δM) − δ. The old measure (`recovery.wasteFraction`: blocked time of every
 * operator, also after the job) reads 0.38 at τ = 15 s where the model says 0.20 — it would fail.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { execute } from '../../../src/exec/run.ts';
import { TraceWriter } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const FILE = 'scenarios/drills/daly-checkpoint-interval.yaml';
const M = 600; // s, the nemesis's MTBF
const DELTA = 3; // s: 5 GB at 2 GB/s, plus finishing the item in service (measured trigger → complete)
const R = 12.5; // s: mean repair 10 s + reading 5 GB back at 2 GB/s
const SEEDS = [1, 2];

function dalyWaste(tau: number): number {
  const perSolve = (M * Math.exp(R / M) * (Math.exp((tau + DELTA) / M) - 1)) / tau; // T_w / T_s
  return 1 - 1 / perSolve;
}

function measuredWaste(tau: number): number {
  const text = readFileSync(FILE, 'utf8');
  let sum = 0;
  for (const seed of SEEDS) {
    const summary = execute(prepareRun(loadScenario(text, FILE, [`checkpoint.interval=${tau}s`, `seed=${seed}`, 'checks=[]']), { trace: new TraceWriter() }));
    const job = summary.metrics.job as { wasteFraction: number; solveUs: number; workEvents: number };
    if (job.workEvents !== 28_800) throw new Error(`seed ${seed}, τ ${tau} s: the job did not finish (${job.workEvents} of 28800)`);
    if (job.solveUs !== 7_200_000_000) throw new Error(`T_s is the operator's first-time service time, 7200 s, but ${job.solveUs} µs`);
    sum += job.wasteFraction;
  }
  return sum / SEEDS.length;
}

test("Daly: the waste at a short, the optimal and a long interval follows the model, least at √(2δM) − δ", (t) => {
  const optimum = Math.sqrt(2 * DELTA * M) * (1 + Math.sqrt(DELTA / (2 * M)) / 3 + DELTA / (2 * M) / 9) - DELTA;
  t.true(Math.abs(optimum - 58) < 1, `higher-order optimum ${optimum}`);
  const taus = [15, Math.round(optimum), 400];
  const measured = taus.map(measuredWaste);
  taus.forEach((tau, i) => {
    const theory = dalyWaste(tau);
    t.true(Math.abs(measured[i]! - theory) <= 0.05, `τ ${tau} s: measured waste ${measured[i]}, Daly ${theory.toFixed(3)}`);
  });
  t.true(measured[1]! < measured[0]! && measured[1]! < measured[2]!, `waste ${measured.join(' / ')}: least at the optimum`);
});

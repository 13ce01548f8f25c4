/**
 * Daly 2006 at δ ≥ 2M for an independent participant (session 21): `daly-half-mtbf` with the
 * uncoordinated strategy, a 300 GB image (δ ≈ 150 s at 2 GB/s), M = 1 min (the nemesis's MTBF, and
 * the `mtbf` given) and `interval: adaptive`. Daly's optimum there is τ = M. Until a save has run
 * 2M (one completed, or one cut short by a crash after running that long: the restarted tier
 * deletes it and the clock counts how long it ran) the clock cannot know δ ≥ 2M; from then on, in
 * every incarnation — what it learnt is on disk — the participant's `ckpt:due` wake-ups are M
 * apart, exactly.
 *
 * The first wake-up after a restart is placed at a random phase, τ·(0.5 + U), U uniform on [0, 1),
 * and is seen only if the next crash, Exp(M) after the restart, comes later. With τ = M and
 * x = delay / M on [0.5, 1.5] weighted by e^(−x): E[x] = ∫x e^(−x) / ∫e^(−x) = 0.35197 / 0.38340 =
 * 0.9180, sd = √(0.92209 − 0.9180²) = 0.2817. The mean over the n first wake-ups seen must be within
 * three standard errors, 3 · 0.2817 M / √n, of 0.9180 M (M itself would be 5.5 standard errors off
 * at n ≈ 340, two 8 h runs: the survivorship matters). Before the fix the clock never learnt: 10.3 s throughout.
 */
import test from 'ava';
import { SECOND, type TraceRecord } from '../../src/kernel/index.ts';
import { run } from './literature-run.ts';

const M = 60 * SECOND;
const SETS = ['checkpoint.strategy=uncoordinated', 'checkpoint.interval=adaptive', 'checkpoint.mtbf=1m', 'pipeline.operators.compute.state=300GB', 'nemesis.faults[0].mtbf=1m', 'checks=[]'];

function kept(record: TraceRecord): boolean {
  if (record.a !== 'compute') return false;
  if (record.k === 'timer') return record.name === 'ckpt:due';
  return record.k === 'restart' || record.k === 'crash' || (record.k === 'ckpt' && (record.op === 'abandoned' || record.op === 'saved'));
}

test('Daly δ ≥ 2M (M = 1 min, δ ≈ 150 s), uncoordinated, adaptive: once a save has run 2M, the participant checkpoints every M in every later incarnation', (t) => {
  const firsts: number[] = [];
  let spacings = 0;
  for (const seed of [1, 2]) {
    const { records } = run('daly-half-mtbf', [`seed=${seed}`, ...SETS], kept);
    // When the clock can first know δ ≥ 2M: a save that completed, or was found cut short, after running 2M.
    const learnt = records.find((r) => r.k === 'ckpt' && (r.op === 'saved' ? (r.us as number) >= 2 * M : r.t - (r.id as number) >= 2 * M));
    if (learnt === undefined) return t.fail(`seed ${seed}: no save ran 2M`);
    t.true(learnt.t < 3600 * SECOND, `seed ${seed}: learnt at ${learnt.t}`);
    let restartAt: number | undefined;
    let previous: number | undefined;
    for (const r of records) {
      if (r.k === 'crash') previous = undefined;
      else if (r.k === 'restart') {
        restartAt = r.t;
        previous = undefined;
      } else if (r.k === 'timer') {
        if (previous === undefined && restartAt !== undefined && restartAt > learnt.t) firsts.push((r.t - restartAt) / M);
        if (previous !== undefined && previous >= learnt.t) {
          t.is(r.t - previous, M, `seed ${seed}: wake-ups at ${previous} and ${r.t}`);
          spacings++;
        }
        previous = r.t;
      }
    }
  }
  t.true(spacings >= 100, `${spacings} spacings`);
  const n = firsts.length;
  const mean = firsts.reduce((a, b) => a + b, 0) / n;
  t.log(`spacings ${spacings}, firsts ${n}, mean ${mean}`);
  t.true(n >= 100, `${n} first wake-ups`);
  t.true(Math.abs(mean - 0.918) <= (3 * 0.2817) / Math.sqrt(n), `first wake-up after a restart: mean ${mean} M over ${n}`);
});

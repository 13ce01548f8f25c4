/**
 * Daly 2006 at δ ≥ 2M for an independent participant (session 21): `daly-half-mtbf` with the
 * uncoordinated strategy, a 300 GB image (δ ≈ 150 s at 2 GB/s), M = 1 min (the nemesis's MTBF, and
 * the `mtbf` given) and `interval: adaptive`. Daly's optimum there is τ = M. Until a save has run
 * 2M (one completed, or one cut short by a crash after running that long: the restarted tier
 * deletes it and the clock counts how long it ran) the clock cannot know δ ≥ 2M; from then on, in
 * every incarnation — what it learnt is on disk — the participant's `ckpt:due` wake-ups are M
 * apart, exactly.
 *
 * The first wake-up after a restart is a whole τ = M after it (Daly's renewal: restart, then τ of
 * compute, then the dump; interval.ts, "Phase"), exactly, in every incarnation after the clock
 * learnt δ ≥ 2M. (Until session 22 it was placed at a random phase, τ·(0.5 + U), and the test
 * compared the mean of those seen — a crash Exp(M) after the restart hides the later ones — with
 * 0.918 M.)
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
  t.deepEqual(firsts.filter((x) => x !== 1), [], `every first wake-up after a restart is M after it (mean ${mean} M over ${n})`);
});

/**
 * The instrument's clocks (instrument.ts): periodic due times as before, and Poisson arrivals —
 * a pure function of (seed, instance, k) whose gaps look exponential, whose counts agree with
 * the due times they are counted from, and which a bounded buffer overwrites as it does periodic ones.
 */
import test from 'ava';
import { dueBy, dueUs, nextDueUs, overwritten, PoissonClock, type GeneratorSpec } from '../../../src/features/pipeline/actors/instrument.ts';
import { SECOND, type TraceRecord } from '../../../src/kernel/index.ts';
import { stateEqualsReference } from '../../../src/features/pipeline/checks/state-equals-reference.ts';
import { pipelineRun, referenceRecord, verdict, xray } from './_harness.ts';

const poisson = (seed: number, instance = 'detector-1', ratePerSec = 10) => new PoissonClock({ seed, instance, ratePerSec });
const dues = (clock: PoissonClock, n: number) => Array.from({ length: n }, (_, k) => clock.dueUs(k));

test('Poisson due times are a pure function of the seed, the instance and k, whatever order they are asked in', (t) => {
  const forward = dues(poisson(7), 200);
  const backward = poisson(7);
  // A replay asks for k again after later ones: the table answers the same.
  t.deepEqual(Array.from({ length: 200 }, (_, i) => backward.dueUs(199 - i)).reverse(), forward);
  t.notDeepEqual(dues(poisson(8), 200), forward, 'another seed, other times');
  t.notDeepEqual(dues(poisson(7, 'detector-2'), 200), forward, 'another instance, other times');
  for (let k = 1; k < forward.length; k++) t.true(forward[k]! >= forward[k - 1]!, 'non-decreasing');
});

test('Poisson gaps: mean 1/rate and coefficient of variation 1, within bounds from n', (t) => {
  // n = 20 000 exponential gaps of mean m: the sample mean has a standard error m/√n (0.71 %), the
  // sample standard deviation ≈ m·√(2/n) (1 %; the exponential's fourth central moment is 9m⁴),
  // and the share of gaps below m is 1 − 1/e with a binomial error of 0.34 %. Bounds of about
  // five standard errors: a periodic clock (CV 0, share 0 or 1) or a wrong mean fails all three.
  const n = 20_000;
  const meanUs = SECOND / 10;
  const times = dues(poisson(3), n);
  const gaps = times.map((due, k) => due - (k === 0 ? 0 : times[k - 1]!));
  const mean = gaps.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (n - 1));
  const below = gaps.filter((g) => g < meanUs).length / n;
  t.true(Math.abs(mean / meanUs - 1) < 0.035, `mean gap ${mean} µs`);
  t.true(Math.abs(sd / mean - 1) < 0.05, `CV ${sd / mean}`);
  t.true(Math.abs(below - (1 - Math.exp(-1))) < 0.017, `share below the mean ${below}`);
});

test('dueBy counts exactly the events whose due time has come, for both clocks, within limit and stop', (t) => {
  const specs: GeneratorSpec[] = [
    { ratePerSec: 3, phaseUs: 123_456, stopAtUs: 20 * SECOND },
    { ratePerSec: 3, phaseUs: 0, stopAtUs: 20 * SECOND, poisson: poisson(5, 'p', 3) },
    { ratePerSec: 3, phaseUs: 0, stopAtUs: 20 * SECOND, limit: 25, poisson: poisson(5, 'p', 3) },
  ];
  for (const spec of specs) {
    const all: number[] = [];
    for (let k = 0; ; k++) {
      const due = nextDueUs(spec, k);
      if (due === undefined) break;
      t.is(due, dueUs(spec, k));
      all.push(due);
    }
    t.true(all.length > 20);
    if (spec.limit !== undefined) t.is(all.length, spec.limit);
    for (let nowUs = -1; nowUs < 25 * SECOND; nowUs += 97_531) t.is(dueBy(spec, nowUs), all.filter((due) => due <= nowUs).length, `at ${nowUs} µs`);
    for (const due of all.slice(0, 10)) {
      t.is(dueBy(spec, due), all.filter((d) => d <= due).length);
      t.is(dueBy(spec, due - 1), all.filter((d) => d < due).length);
    }
  }
});

// Red before (s22 review NIT-4): the table grew to every event the rate had due by the instant
// asked (≈ 360,000 here, as the buffer asks about the whole run), not to the limit.
test('a Poisson source with a limit tables as many due times as the limit (and one to tell), however late it is asked', (t) => {
  const clock = poisson(4, 'p', 100);
  const spec: GeneratorSpec = { ratePerSec: 100, phaseUs: 0, stopAtUs: 3600 * SECOND, limit: 25, bufferEvents: 5, poisson: clock };
  t.is(dueBy(spec, 3599 * SECOND), 25);
  t.is(overwritten(spec, 0, 3599 * SECOND), 20);
  t.true(clock.tabled <= 26, `${clock.tabled} due times tabled`);
  // The same due times as a clock asked without the limit.
  t.deepEqual(dues(clock, 25), dues(poisson(4, 'p', 100), 25));
});

test('a bounded buffer overwrites Poisson events as it does periodic ones: what waits beyond its size', (t) => {
  const spec: GeneratorSpec = { ratePerSec: 10, phaseUs: 0, stopAtUs: 60 * SECOND, bufferEvents: 5, poisson: poisson(2) };
  const nowUs = 10 * SECOND;
  const due = dueBy(spec, nowUs);
  t.true(due > 50);
  t.is(overwritten(spec, 0, nowUs), due - 5);
  t.is(overwritten(spec, due - 5, nowUs), 0);
  t.is(overwritten({ ...spec, bufferEvents: undefined } as GeneratorSpec, 0, nowUs), 0);
});

test('a Poisson source whose node crashes under coordinated checkpoints ends in the fault-free state; what it produces again keeps its due times', (t) => {
  const operators = xray().map((op) => (op.kind === 'source' ? { ...op, arrivals: 'poisson' as const } : op));
  const keep = (r: TraceRecord) => r.k === 'state' || r.k === 'ckpt';
  const reference = pipelineRun({ checkpoint: { strategy: 'none' }, operators, seed: 4, keep });
  const run = pipelineRun({
    checkpoint: { strategy: 'coordinated', tier: 'site-pfs', interval: { kind: 'time', everyUs: 3 * SECOND } },
    operators,
    seed: 4,
    keep,
    crashes: [{ node: 'beamline-1', atUs: 8 * SECOND + 700_000, forUs: 2 * SECOND }],
  });
  t.true(run.records.some((r) => r.k === 'ckpt' && r.op === 'restore'), 'the crash restored something');
  const state = verdict(stateEqualsReference, run.records, referenceRecord(reference));
  t.true(state.ok, JSON.stringify(state.violations[0]));
  const born = (records: readonly TraceRecord[]) => {
    const byId = new Map<number, Set<number>>();
    for (const r of records) if (r.k === 'state' && r.a === 'detector' && typeof r.event === 'number') byId.set(r.event, (byId.get(r.event) ?? new Set()).add(r.born as number));
    return byId;
  };
  const replayed = born(run.records);
  const fresh = born(reference.records);
  t.true([...replayed.values()].every((times) => times.size === 1), 'an event produced twice has one due time');
  const redone = run.records.filter((r) => r.k === 'state' && r.a === 'detector' && typeof r.event === 'number').length - replayed.size;
  t.true(redone > 10, `${redone} events produced again after the restore`);
  for (const [id, times] of replayed) t.deepEqual(times, fresh.get(id), `${id} is due when the fault-free run's is`);
  const times = [...fresh.values()].map((s) => [...s][0]!).sort((a, b) => a - b);
  t.true(new Set(times.slice(1).map((b, i) => b - times[i]!)).size > times.length / 2, 'irregular gaps: Poisson, not periodic');
});

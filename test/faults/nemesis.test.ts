/**
 * The nemesis: common random numbers (the same seed gives the same faults whatever the store or
 * workload), the shape of its plans (quiet period, cap, safety phase), its distributions, and
 * rejection of failure units that would affect nothing.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NemesisSpec, type RealisedFault, drawDuration, gamma, planNemesis } from '../../src/faults/index.ts';
import { InputError, SECOND, TraceWriter, deriveRng } from '../../src/kernel/index.ts';
import { execute } from '../../src/exec/run.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';

const NEMESIS_FILE = fileURLToPath(new URL('../../scenarios/beamline-nemesis.yaml', import.meta.url));
const TEXT = readFileSync(NEMESIS_FILE, 'utf8');

function realised(sets: string[], seed?: number): readonly RealisedFault[] {
  const scenario = loadScenario(TEXT, 'beamline-nemesis.yaml', sets);
  return prepareRun(scenario, { seed: seed ?? scenario.seed, trace: new TraceWriter() }).faults!;
}

/** `[t, fault, phase]` of the `fault` records a run actually wrote. */
function injected(sets: string[]): [number, unknown, unknown][] {
  const scenario = loadScenario(TEXT, 'beamline-nemesis.yaml', sets);
  const trace = new TraceWriter();
  const seen: [number, unknown, unknown][] = [];
  trace.listen((r) => {
    if (r.k === 'fault') seen.push([r.t, r.fault, r.phase]);
  });
  execute(prepareRun(scenario, { seed: scenario.seed, trace }));
  return seen;
}

test('common random numbers: the same seed gives the same realised faults whatever the flush policy or workload', (t) => {
  const base = realised(['services.store.flush=5s']);
  t.true(base.length >= 5, `${base.length} faults`);
  t.deepEqual(realised(['services.store.flush=every-write']), base);
  t.deepEqual(realised(['services.store.flush=never', 'workload.detector.rate=50/s', 'workload.detector.retries=0']), base);
  // And the runs inject them at the same times, though the store behaves differently.
  t.deepEqual(injected(['services.store.flush=every-write']), injected(['services.store.flush=5s']));
});

test('another seed gives other faults; the schedule section is realised first, in file order', (t) => {
  t.notDeepEqual(realised([], 4), realised([], 3));
  const withSchedule = realised(['faults=[{ kind: node-crash, target: hpc-2, at: 1s, for: 1s }]']);
  t.deepEqual(withSchedule[0], { kind: 'node-crash', target: 'hpc-2', atUs: SECOND, forUs: SECOND, endUs: 2 * SECOND, id: 'node-crash-1', source: 'schedule' });
  t.deepEqual(withSchedule.slice(1), realised([]));
});

const SPEC: NemesisSpec = {
  quietUs: 5 * SECOND,
  maxConcurrent: 2,
  faults: [
    { units: [{ kind: 'node-crash', target: 'a-1' }, { kind: 'node-crash', target: 'a-2' }], mtbf: { distribution: 'exponential', meanUs: 10 * SECOND }, repair: { distribution: 'exponential', meanUs: 5 * SECOND } },
    { units: [{ kind: 'latency-spike', between: ['a', 'b'], extraUs: 1000 }], mtbf: { distribution: 'weibull', meanUs: 8 * SECOND, shape: 0.7 }, repair: { distribution: 'lognormal', meanUs: 4 * SECOND, sigma: 1 } },
    { units: [{ kind: 'lose-unsynced', targets: ['a'] }], mtbf: { distribution: 'fixed', meanUs: 7 * SECOND } },
    {
      units: [{ kind: 'partition', from: [], to: [], fromNodes: [], toNodes: [], direction: 'both' }],
      among: ['a-1', 'a-2', 'b-1', 'b-2', 'b-3'],
      shape: 'majority',
      mtbf: { distribution: 'exponential', meanUs: 12 * SECOND },
      repair: { distribution: 'fixed', meanUs: 2 * SECOND },
    },
  ],
};

test('plans respect the quiet period, the cap on concurrent faults and the end of the safety phase', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
      const safetyEndUs = 120 * SECOND;
      const plan = planNemesis(SPEC, { safetyEndUs, rng: (purpose) => deriveRng(seed, 'world', purpose) });
      plan.forEach((f, i) => {
        t.is(f.id, `nemesis-${i + 1}`);
        t.true(f.atUs >= SPEC.quietUs && f.atUs < safetyEndUs);
        t.true(f.endUs! >= f.atUs && f.endUs! <= safetyEndUs);
        if (i > 0) t.true(plan[i - 1]!.atUs <= f.atUs);
        const overlapping = plan.filter((g) => g.endUs! > g.atUs && g.atUs <= f.atUs && g.endUs! > f.atUs).length;
        t.true(overlapping <= SPEC.maxConcurrent);
        if (f.kind === 'lose-unsynced') t.is(f.endUs, f.atUs);
        if (f.kind === 'partition') {
          t.is(f.fromNodes.length, 2);
          t.deepEqual([...f.fromNodes, ...f.toNodes].sort(), [...SPEC.faults[3]!.among!].sort());
        }
      });
      return true;
    }),
    { numRuns: 60 },
  );
});

test('each failure unit draws from its own stream: adding a unit does not move the others', (t) => {
  const rng = (purpose: string) => deriveRng(9, 'world', purpose);
  const cap = { ...SPEC, maxConcurrent: 100 };
  const one = planNemesis({ ...cap, faults: [SPEC.faults[0]!] }, { safetyEndUs: 100 * SECOND, rng });
  const both = planNemesis({ ...cap, faults: [SPEC.faults[0]!, SPEC.faults[1]!] }, { safetyEndUs: 100 * SECOND, rng });
  const strip = (fs: readonly RealisedFault[]) => fs.filter((f) => f.kind === 'node-crash').map(({ id: _id, ...f }) => f);
  t.deepEqual(strip(both), strip(one));
});

test('distributions keep their mean: exponential, Weibull (shape 0.7 and 3), lognormal, fixed', (t) => {
  const rng = deriveRng(1, 'test', 'distributions');
  const mean = SECOND;
  for (const spec of [
    { distribution: 'exponential', meanUs: mean },
    { distribution: 'weibull', meanUs: mean, shape: 0.7 },
    { distribution: 'weibull', meanUs: mean, shape: 3 },
    { distribution: 'lognormal', meanUs: mean, sigma: 0.5 },
    { distribution: 'fixed', meanUs: mean },
  ] as const) {
    let sum = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const d = drawDuration(spec, rng);
      t.true(Number.isInteger(d) && d >= 1);
      sum += d;
    }
    t.true(Math.abs(sum / n - mean) < 0.03 * mean, `${spec.distribution} ${JSON.stringify(spec)}: mean ${sum / n}`);
  }
  t.true(Math.abs(gamma(5) - 24) < 1e-9);
  t.true(Math.abs(gamma(0.5) - Math.sqrt(Math.PI)) < 1e-9);
});

test('a nemesis unit that would affect nothing is rejected even when the seed never makes it fail', (t) => {
  const bad = loadScenario(TEXT, 'x.yaml', ['nemesis.faults=[{ kind: process-crash, targets: [hpc-2], mtbf: 1000h, repair: 1s }]']);
  const error = t.throws(() => prepareRun(bad, { trace: new TraceWriter() }), { instanceOf: InputError });
  t.regex(error!.message, /^nemesis\.faults\[0\]: no actors on hpc-2, so the fault would affect nothing/);
});

test('a mistyped mtbf that would plan an absurd number of faults is an input error', (t) => {
  const bad = loadScenario(TEXT, 'x.yaml', ['nemesis.faults=[{ kind: slow-disk, targets: [hpc-1], factor: 2, mtbf: 1us, repair: 1us }]']);
  t.throws(() => prepareRun(bad, { trace: new TraceWriter() }), { instanceOf: InputError, message: /mtbf .* too short/ });
});

test('repair: 0s restarts at once (Daly\'s instantaneous failure): a crash and its restart at the same instant, written back as for: 0s', (t) => {
  const nemesis = 'nemesis.faults=[{ kind: process-crash, targets: [detector], mtbf: 20s, repair: 0s }]';
  const faults = realised([nemesis]);
  t.true(faults.length > 0);
  for (const fault of faults) t.like(fault, { kind: 'process-crash', forUs: 0, endUs: fault.atUs });
  // Each crash has its end, at its own instant: the process restarts at once, never stays down.
  const records = injected([nemesis]).filter(([, fault]) => fault === faults[0]!.id);
  t.deepEqual(records.map(([time, , phase]) => [time, phase]), [[faults[0]!.atUs, 'start'], [faults[0]!.atUs, 'end']]);
  // The same as a schedule entry: `for: 0s`, replayed exactly.
  const scheduled = realised(['faults=[{ kind: process-crash, targets: [detector], at: 7s, for: 0s }]']);
  t.like(scheduled[0], { atUs: 7 * SECOND, forUs: 0, endUs: 7 * SECOND });
  // A negative or malformed repair is still refused, with its field.
  for (const bad of ['-1s', 'soon', '{ mean: -2s }']) {
    const error = t.throws(() => loadScenario(TEXT, 'x.yaml', [`nemesis.faults=[{ kind: process-crash, targets: [detector], mtbf: 20s, repair: ${bad} }]`]), { instanceOf: InputError });
    t.regex(error!.message, /nemesis\.faults\[0\]\.repair/);
  }
});

test('a zero length is refused where it would be no fault at all: a partition healed as it begins', (t) => {
  const nemesis = t.throws(() => loadScenario(TEXT, 'x.yaml', ['nemesis.faults=[{ kind: partition, among: [beamline, hpc], shape: isolate, mtbf: 20s, repair: 0s }]']), { instanceOf: InputError });
  t.regex(nemesis!.message, /nemesis\.faults\[0\]\.repair: 0s would end a partition as it begins \(no fault at all\); only a crash restarts at once/);
  const schedule = t.throws(() => loadScenario(TEXT, 'x.yaml', ['faults=[{ kind: slow-disk, targets: [hpc-1], factor: 2, at: 5s, for: 0s }]']), { instanceOf: InputError });
  t.regex(schedule!.message, /faults\[0\]\.for: 0s would end a slow-disk as it begins/);
});

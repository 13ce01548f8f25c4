/**
 * Shrinking: ddmin finds 1-minimal failing subsets; per-fault bisection shortens and delays; the
 * probe budget is honoured; and, end to end, a loss of acknowledged events found by a random
 * nemesis against the demo store (flush every 5 s) shrinks to at most two faults, written as a
 * scenario that fails the same way when loaded back.
 *
 * (The issue asks for an `acks=1` loss of the replicated log; that drill does not exist yet, so
 * the single-node store's acknowledge-before-fsync loss stands in for it.)
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type RealisedFault, shrinkFaults } from '../../src/faults/index.ts';
import { ddmin } from '../../src/faults/shrink.ts';
import { largerThan } from './_shrink-measure.ts';
import type { RunDirectory } from '../../src/exec/run-dir.ts';
import { execute } from '../../src/exec/run.ts';
import { shrinkRun } from '../../src/exec/shrink.ts';
import { MS, SECOND, TraceWriter } from '../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';

test('ddmin: the result fails, and removing any one element of it passes (1-minimal)', (t) => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat(40), { minLength: 1, maxLength: 25 }), fc.uniqueArray(fc.nat(40), { minLength: 1, maxLength: 3 }), (items, culprits) => {
      const needed = culprits.filter((c) => items.includes(c));
      fc.pre(needed.length > 0);
      const fails = (list: number[]) => needed.every((c) => list.includes(c));
      const result = ddmin(items, fails);
      t.true(fails(result));
      t.deepEqual([...result].sort((a, b) => a - b), [...needed].sort((a, b) => a - b));
      return true;
    }),
    { numRuns: 100 },
  );
});

function crash(id: string, atUs: number, forUs: number): RealisedFault {
  return { kind: 'node-crash', target: 'n-1', atUs, forUs, endUs: atUs + forUs, id, source: 'nemesis' };
}

test('shrinkFaults: drops the innocent, shortens to the grid, and moves the culprit as late as it still fails', (t) => {
  // Fails when some crash lasts at least 2 s and starts at or before 40 s.
  const fails = (list: readonly RealisedFault[]) => list.some((f) => f.endUs! - f.atUs >= 2 * SECOND && f.atUs <= 40 * SECOND);
  const input = [crash('a', 5 * SECOND, SECOND), crash('b', 12_345 * MS, 7 * SECOND), crash('c', 30 * SECOND, 500 * MS)];
  const result = shrinkFaults(input, { fails, safetyEndUs: 60 * SECOND, resolutionUs: 100 * MS });
  t.true(result.complete && result.reproduced);
  t.is(result.faults.length, 1);
  t.like(result.faults[0], { id: 'b', atUs: 40 * SECOND, forUs: 2 * SECOND, endUs: 42 * SECOND });
});

test('shrinkFaults: a failure that does not reproduce is reported, and the budget stops shrinking at a failing list', (t) => {
  const input = Array.from({ length: 12 }, (_, i) => crash(`f${i}`, (i + 1) * SECOND, SECOND));
  const never = shrinkFaults(input, { fails: () => false, safetyEndUs: 60 * SECOND });
  t.false(never.reproduced);
  t.is(never.probes, 1);
  const fails = (list: readonly RealisedFault[]) => list.some((f) => f.id === 'f7') && list.some((f) => f.id === 'f2');
  const cut = shrinkFaults(input, { fails, safetyEndUs: 60 * SECOND, maxProbes: 10 });
  t.false(cut.complete);
  t.is(cut.probes, 10);
  t.true(fails(cut.faults));
  t.true(cut.faults.length < input.length);
});

const NEMESIS = readFileSync(fileURLToPath(new URL('../../scenarios/beamline-nemesis.yaml', import.meta.url)), 'utf8');

/** A failing run of the nemesis scenario, as `diaspora run` would have recorded it (in memory). */
function failingRun(): RunDirectory {
  const scenario = loadScenario(NEMESIS, 'beamline-nemesis.yaml');
  const summary = execute(prepareRun(scenario, { trace: new TraceWriter() }));
  return { dir: 'in-memory', scenario, seed: scenario.seed, summary, faults: summary.faults, written: parse(NEMESIS) as Record<string, unknown>, tracePath: undefined };
}

test('a random nemesis finds a loss of acknowledged events on the demo store; shrinking leaves at most two faults', async (t) => {
  const run = failingRun();
  t.false(run.summary.checks['no-acked-loss']!.ok, 'the seed of beamline-nemesis.yaml loses acknowledged events');
  t.true(run.faults.length >= 6, `${run.faults.length} realised faults`);
  const result = await shrinkRun(run, { check: 'no-acked-loss' });
  t.true(result.reproduced && result.complete && result.verified);
  t.true(result.faults.length >= 1 && result.faults.length <= 2, `${result.faults.length} faults left`);
  // The minimal scenario is a plain schedule: no nemesis, the faults written out, the same seed.
  const minimal = loadScenario(result.yaml, 'shrunk.yaml');
  t.is(minimal.nemesis, undefined);
  t.is(minimal.seed, run.seed);
  t.is(minimal.faults.length, result.faults.length);
  t.true(result.faults.some((f) => f.kind === 'node-crash' || f.kind === 'power-loss' || f.kind === 'torn-write'), 'the culprit loses power');
  const rerun = execute(prepareRun(minimal, { trace: new TraceWriter() }));
  t.false(rerun.checks['no-acked-loss']!.ok);
});

test('shrinkFaults, for any fault list and any failure monotone in duration and start: the result fails, is no larger, fits the safety phase, is the same twice, and is 1-minimal when finished', (t) => {
  const SAFETY = 60 * SECOND;
  const faultArb = fc.record({ node: fc.integer({ min: 1, max: 3 }), at: fc.integer({ min: 0, max: 500 }), length: fc.integer({ min: 1, max: 100 }) });
  // A condition: a crash of node n lasting at least `min` (×100 ms) and starting by `by` (×100 ms).
  const conditionArb = fc.record({ node: fc.integer({ min: 1, max: 3 }), min: fc.integer({ min: 1, max: 60 }), by: fc.integer({ min: 0, max: 550 }) });
  fc.assert(
    fc.property(fc.array(faultArb, { minLength: 1, maxLength: 12 }), fc.array(conditionArb, { minLength: 1, maxLength: 2 }), fc.integer({ min: 5, max: 400 }), (raw, conditions, maxProbes) => {
      const input = raw.map((f, i) => ({ ...crash(`f${i}`, f.at * 100 * MS, f.length * 100 * MS), target: `n-${f.node}` }) as RealisedFault);
      const fails = (list: readonly RealisedFault[]) =>
        conditions.every((c) => list.some((f) => f.kind === 'node-crash' && f.target === `n-${c.node}` && f.endUs! - f.atUs >= c.min * 100 * MS && f.atUs <= c.by * 100 * MS));
      fc.pre(fails(input) && input.every((f) => f.endUs! <= SAFETY));
      let probes = 0;
      const counted = (list: readonly RealisedFault[]) => (probes++, fails(list));
      const result = shrinkFaults(input, { fails: counted, safetyEndUs: SAFETY, maxProbes });
      t.true(result.reproduced);
      t.true(fails(result.faults), 'the result still fails');
      t.is(largerThan(result.faults, input), undefined);
      t.true(result.faults.every((f) => f.endUs! <= SAFETY && f.atUs >= 0 && f.forUs === f.endUs! - f.atUs), 'every fault fits the safety phase');
      t.true(result.probes <= maxProbes && result.probes === probes, 'the budget holds and no list is probed twice');
      t.deepEqual(shrinkFaults(input, { fails, safetyEndUs: SAFETY, maxProbes }), result, 'the same result twice');
      if (result.complete) {
        for (const i of result.faults.keys()) t.false(fails(result.faults.filter((_, j) => j !== i)), `fault ${i} can be dropped`);
      }
      return true;
    }),
    { numRuns: 200, seed: 9 },
  );
});

test('shrinkFaults, for any failure at all (not monotone, instants and permanent crashes included): the result was seen to fail, is no larger, and is the same twice', (t) => {
  const SAFETY = 30 * SECOND;
  const faultArb = fc.record({ at: fc.integer({ min: 0, max: 250 }), length: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }) });
  fc.assert(
    fc.property(fc.array(faultArb, { minLength: 1, maxLength: 10 }), fc.integer(), (raw, salt) => {
      const input = raw.map((f, i): RealisedFault =>
        f.length === undefined
          ? { kind: 'node-crash', target: 'n-1', atUs: f.at * 100 * MS, id: `f${i}`, source: 'nemesis' }
          : crash(`f${i}`, f.at * 100 * MS, f.length * 100 * MS),
      );
      // An arbitrary verdict per list (a hash of it), failing on the input itself.
      const verdict = (list: readonly RealisedFault[]) => [...JSON.stringify(list)].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, salt >>> 0) % 3 === 0;
      const fails = (list: readonly RealisedFault[]) => list.length === input.length && JSON.stringify(list) === JSON.stringify(input) ? true : verdict(list);
      const result = shrinkFaults(input, { fails, safetyEndUs: SAFETY, maxProbes: 120 });
      t.true(fails(result.faults), 'the result is a list seen to fail');
      t.is(largerThan(result.faults, input), undefined);
      t.deepEqual(shrinkFaults(input, { fails, safetyEndUs: SAFETY, maxProbes: 120 }), result);
      return true;
    }),
    { numRuns: 200, seed: 11 },
  );
});

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

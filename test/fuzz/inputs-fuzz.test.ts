/**
 * The input fuzzer (test/fuzz, scripts/fuzz-inputs.ts) on a small seeded sample, in this process:
 * every shipped scenario mutated a few times and given to `diaspora run` — each refusal one
 * located line, exit 2, no stack, nothing half-written; each mutation that changes nothing still
 * accepted; a few accepted mutations run in full — then odd flags, and damaged traces, run
 * directories and sweep slices given to check, viz, replay and merge; then odd things where a path is
 * expected (a directory, a dangling link, a loop, /dev/null…), flags given twice, a misplaced `--`. `FUZZ_SEED` picks another sample;
 * `node --import=tsx scripts/fuzz-inputs.ts --per-file 60` runs thousands.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzFlags } from './fuzz-flags.ts';
import { fuzzScenarios } from './fuzz-scenarios.ts';
import { fuzzTraces } from './fuzz-traces.ts';
import { fuzzFiles } from './fuzz-files.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 1);
const SCRATCH = mkdtempSync(join(tmpdir(), 'diaspora-fuzz-test-'));
test.after.always(() => rmSync(SCRATCH, { recursive: true, force: true }));

test.serial(`mutated scenarios (seed ${SEED}): refused in one located line, or accepted and run`, async (t) => {
  const { findings, tally } = await fuzzScenarios({
    seed: SEED,
    perFile: 4,
    scratch: join(SCRATCH, 'scenarios'),
    runs: { files: ['beamline-store.yaml', 'token-ring.yaml', 'raft-leader-crash.yaml'], count: 3 },
  });
  t.deepEqual(findings, []);
  t.true(tally.rejected > tally.cases / 2, `most mutations break the scenario: ${JSON.stringify(tally)}`);
  t.true(tally.loaded + tally.ran > 0, 'some mutations are accepted');
});

test.serial(`odd command lines (seed ${SEED}): refused in one line, or run`, async (t) => {
  const { findings, refused, cases } = await fuzzFlags(SEED, 30, join(SCRATCH, 'flags'));
  t.deepEqual(findings, []);
  t.true(refused > cases / 2);
});

test.serial(`damaged traces, run directories and sweep slices (seed ${SEED}): refused in one located line, nothing written`, async (t) => {
  const { findings, refused, cases } = await fuzzTraces(SEED, 40, join(SCRATCH, 'traces'));
  t.deepEqual(findings, []);
  t.true(refused > cases / 2);
});

test.serial(`odd paths, repeated flags, misplaced "--" and cache places (seed ${SEED}): refused in one line, or run`, async (t) => {
  const { findings, refused, cases } = await fuzzFiles(SEED, 24, join(SCRATCH, 'files'));
  t.deepEqual(findings, []);
  t.true(refused > cases / 2, `${refused} of ${cases} refused`);
});

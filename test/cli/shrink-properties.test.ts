/**
 * `diaspora shrink` judged by properties, not by one hand-checked output, on recorded failing runs
 * of three scenarios (two checks, one plug-in feature): the minimal scenario it writes is a valid
 * scenario that `diaspora run` accepts and that fails the same check with the same seed; it is no
 * larger than the recorded faults by the shrinker's measure (a sub-list, matched one to one, none
 * lasting longer than the fault it came from), every fault inside the safety phase; and shrinking
 * is deterministic — the same run shrunk twice writes the same bytes.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RealisedFault } from '../../src/faults/index.ts';
import { largerThan } from '../faults/_shrink-measure.ts';
import { diaspora, ROOT } from './cli.ts';

const SCRATCH = mkdtempSync(join(tmpdir(), 'diaspora-shrink-properties-'));
test.after.always(() => rmSync(SCRATCH, { recursive: true, force: true }));

const CASES = [
  { scenario: 'scenarios/beamline-nemesis.yaml', seed: 3, check: 'no-acked-loss' },
  { scenario: 'scenarios/beamline-nemesis.yaml', seed: 4, check: 'no-acked-loss' },
  { scenario: 'examples/token-ring/token-ring-nemesis.yaml', seed: 1, check: 'single-token' },
];

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

for (const { scenario, seed, check } of CASES) {
  test.serial(`shrink ${scenario} seed ${seed}: the minimal scenario runs, fails ${check}, is no larger, and is written the same twice`, async (t) => {
    const dir = join(SCRATCH, `${scenario.replace(/\W+/g, '-')}-${seed}`);
    const recorded = await diaspora(['run', join(ROOT, scenario), '--seed', String(seed), '--out', join(dir, 'run'), '--quiet']);
    t.is(recorded.code, 1, `the recorded run fails: ${recorded.stdout}${recorded.stderr}`);
    const before = json(join(dir, 'run', 'faults.json')).faults as RealisedFault[];

    const first = await diaspora(['shrink', join(dir, 'run'), '--out', join(dir, 'first.yaml')]);
    const second = await diaspora(['shrink', join(dir, 'run'), '--out', join(dir, 'second.yaml')]);
    t.is(first.code, 0, first.stdout + first.stderr);
    t.is(second.code, 0, second.stdout + second.stderr);
    t.regex(first.stdout, new RegExp(`check ${check}: faults ${before.length} → \\d+ in \\d+ probes`));
    const minimal = readFileSync(join(dir, 'first.yaml'), 'utf8');
    t.is(readFileSync(join(dir, 'second.yaml'), 'utf8').replaceAll('second.yaml', 'first.yaml'), minimal, 'the same bytes twice');
    const withoutTimes = (out: string) => out.replace(/, [\d.]+ s \(/, ', … s (').replaceAll('second.yaml', 'first.yaml');
    t.is(withoutTimes(second.stdout), withoutTimes(first.stdout));

    const rerun = await diaspora(['run', join(dir, 'first.yaml'), '--out', join(dir, 'rerun'), '--json']);
    t.is(rerun.code, 1, `run accepts the minimal scenario and it fails: ${rerun.stderr}`);
    const summary = JSON.parse(rerun.stdout) as { seed: number; checks: Record<string, { ok: boolean }> };
    t.is(summary.seed, seed);
    t.false(summary.checks[check]!.ok, `${check} still fails`);
    const after = json(join(dir, 'rerun', 'faults.json')).faults as RealisedFault[];
    t.true(after.length >= 1, 'never an empty witness');
    t.is(largerThan(after, before), undefined);
    const durationUs = (json(join(dir, 'run', 'scenario.resolved.json')) as { durationUs: number }).durationUs;
    t.true(after.every((f) => f.atUs >= 0 && (f.endUs ?? f.atUs) <= durationUs), 'every fault in the safety phase');
  });
}

/**
 * Checks that checked nothing say so: a distinct verdict — `vacuous: true` with the reason, in
 * summary.json, in the printed output and in what compare and sweep tabulate — which still passes,
 * unless `--fail-vacuous` (run, check) makes it fail.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceWriter } from '../../src/kernel/index.ts';
import { execute } from '../../src/exec/run.ts';
import { flattenSummary } from '../../src/exec/sweep-cell.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';
import { diaspora, ROOT } from '../cli/cli.ts';

/** Independent checkpoints over persistent streams: no global snapshot, so no cut to check. */
const NO_CUTS = `
name: no-cuts
duration: 10s
quiesce: 5s
sites:
  hpc: { role: hpc, nodes: 2 }
pipeline:
  operators:
    input: { kind: source, node: hpc-1, rate: 10/s, to: items }
    compute: { kind: map, node: hpc-2, from: items, service: 5ms, to: results }
checkpoint: { strategy: stream-replay, interval: 2s }
checks: [consistent-cuts]
`;

function scratch(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-vacuous-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const summaryOf = (text: string, name: string, sets: string[] = []) => execute(prepareRun(loadScenario(text, name, sets), { trace: new TraceWriter() }));

test('consistent-cuts with no global checkpoint: vacuous, "0 cuts", passing; compare and sweep see it', (t) => {
  const summary = summaryOf(NO_CUTS, 'no-cuts.yaml');
  const verdict = summary.checks['consistent-cuts'];
  t.like(verdict, { ok: true, vacuous: true });
  t.regex(verdict.vacuousReason!, /0 cuts/);
  t.true(summary.ok);
  t.is(flattenSummary(summary)['consistent-cuts.vacuous'], 1);
  // A check that judged something is not vacuous.
  const cuts = summaryOf(NO_CUTS, 'no-cuts.yaml', ['checkpoint.strategy=coordinated']);
  t.is(cuts.checks['consistent-cuts'].vacuous, undefined);
  t.is(flattenSummary(cuts)['consistent-cuts.vacuous'], 0);
});

test('no-acked-loss with nothing acknowledged is vacuous: "0 acknowledged events"', (t) => {
  const text = readFileSync(join(ROOT, 'scenarios/beamline-store.yaml'), 'utf8');
  // The detector's node is lost at once: nothing is produced, so nothing is acknowledged.
  const summary = summaryOf(text, 'beamline-store.yaml', ['faults=[{kind: node-crash, target: beamline-1, at: 0s, restart: false}]']);
  const verdict = summary.checks['no-acked-loss'];
  t.is(verdict.stats.acked, 0);
  t.like(verdict, { ok: true, vacuous: true });
  t.regex(verdict.vacuousReason!, /0 acknowledged/);
});

test('run and check print VACUOUS, and --fail-vacuous makes it fail', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'no-cuts.yaml');
  writeFileSync(file, NO_CUTS);
  const ran = await diaspora(['run', file, '--out', join(dir, 'run'), '--trace']);
  t.is(ran.code, 0, ran.stdout + ran.stderr);
  t.regex(ran.stdout, /VACUOUS consistent-cuts — checked nothing: 0 cuts/);
  const summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  t.like(summary.checks['consistent-cuts'], { ok: true, vacuous: true });
  const strict = await diaspora(['run', file, '--out', join(dir, 'strict'), '--fail-vacuous']);
  t.is(strict.code, 1, strict.stdout + strict.stderr);
  t.regex(strict.stdout, /FAIL consistent-cuts/);
  t.false(JSON.parse(readFileSync(join(dir, 'strict', 'summary.json'), 'utf8')).ok);
  const checked = await diaspora(['check', join(dir, 'run')]);
  t.is(checked.code, 0, checked.stdout + checked.stderr);
  t.regex(checked.stdout, /VACUOUS consistent-cuts/);
  const strictCheck = await diaspora(['check', join(dir, 'run'), '--fail-vacuous']);
  t.is(strictCheck.code, 1, strictCheck.stdout + strictCheck.stderr);
});

/**
 * The liveness check (after the last fault heals, writes are acknowledged again within the bound,
 * and the final read completes) and fault coverage (which failure-handling paths ran), on the demo
 * store with scripted faults.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execute } from '../../src/exec/run.ts';
import { SECOND, TraceWriter } from '../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';

const DEMO = readFileSync(fileURLToPath(new URL('../../scenarios/beamline-store.yaml', import.meta.url)), 'utf8');

function run(sets: string[]) {
  const scenario = loadScenario(DEMO, 'beamline-store.yaml', ['checks=[no-acked-loss, liveness]', ...sets]);
  return execute(prepareRun(scenario, { trace: new TraceWriter() }));
}

test('the demo recovers: after the store restarts, writes are acknowledged again within the bound', (t) => {
  const summary = run([]);
  const verdict = summary.checks.liveness!;
  t.true(verdict.ok, JSON.stringify(verdict));
  t.is(verdict.stats.lastHealUs, 30 * SECOND);
  t.true(verdict.stats.recoveryUs! > 0 && verdict.stats.recoveryUs! < SECOND);
});

test('a store that never comes back fails liveness: no recovery, and no final read', (t) => {
  const verdict = run(['faults=[{ kind: node-crash, target: hpc-1, at: 20s, restart: false }]']).checks.liveness!;
  t.false(verdict.ok);
  t.deepEqual(verdict.violations.map((v) => v.anomaly), ['no-recovery', 'no-final-read']);
  t.regex(verdict.violations[0]!.message, /last fault change was at 20s .* no write was acknowledged after it, beyond the bound of 5s/);
});

test('recovery slower than the bound fails; the bound comes from the scenario', (t) => {
  // The store is partitioned away until 40 s; the detector's retries then get through within a second.
  const slow = ['faults=[{ kind: partition, from: [beamline], to: [hpc], at: 20s, for: 20s }]'];
  const ok = run(slow).checks.liveness!;
  t.true(ok.ok);
  const strict = run([...slow, 'liveness={ bound: 1ms }']).checks.liveness!;
  t.false(strict.ok);
  t.is(strict.stats.boundUs, 1_000);
  t.is(strict.stats.recoveryUs, ok.stats.recoveryUs);
});

test('a run without faults, or idle after the last one, passes', (t) => {
  t.true(run(['faults=[]']).checks.liveness!.ok);
  const idle = run(['workload.detector.rate=1/h', 'faults=[{ kind: node-crash, target: hpc-1, at: 20s, for: 5s }]']).checks.liveness!;
  t.true(idle.ok);
  t.is(idle.stats.idle, 1);
});

test('fault coverage: the demo exercises store recovery and producer retries, and names what it missed', (t) => {
  const coverage = run([]).metrics.coverage as { distinct: number; hits: Record<string, number>; missed: string[] };
  t.true(coverage.hits['store.recover']! >= 1);
  t.true(coverage.hits['producer.retry']! >= 1);
  t.true(coverage.missed.includes('store.truncate-torn'));
  t.true(coverage.missed.includes('store.disk-full'));
  const quiet = run(['faults=[]']).metrics.coverage as { distinct: number };
  t.is(quiet.distinct, 0, 'a run without faults covers no failure handling');
});

test('a torn write at the store is truncated on recovery (coverage says so) and never read as an event', (t) => {
  const summary = run(['faults=[{ kind: torn-write, target: hpc-1, at: 20s, for: 1s }]']);
  const coverage = summary.metrics.coverage as { hits: Record<string, number> };
  t.is(coverage.hits['store.truncate-torn'], 1);
  const loss = summary.checks['no-acked-loss']!;
  t.true(loss.stats.lost! > 0, 'the unsynced acknowledged events are still lost');
  t.is(loss.stats.finalRead! + loss.stats.lost!, loss.stats.acked! + loss.stats.unackedPresent!, 'nothing extra was read');
});

test('a full disk makes the store refuse appends; with fsync before ack nothing acknowledged is lost', (t) => {
  const summary = run(['services.store.flush=every-write', 'faults=[{ kind: disk-full, target: store, at: 20s, for: 2s }]']);
  t.true((summary.metrics.coverage as { hits: Record<string, number> }).hits['store.disk-full']! > 0);
  t.true(summary.checks['no-acked-loss']!.ok);
  t.true(summary.checks.liveness!.ok);
});

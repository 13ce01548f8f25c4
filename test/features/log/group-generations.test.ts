/**
 * `group-generations`: a consumer group's generations only grow, across controller crashes and
 * quorum failovers (the coordinator journals each new generation, as Kafka keeps it in
 * __consumer_offsets), and the checker names a generation handed out twice.
 */
import test from 'ava';
import { checkerNamed } from '../../../src/scenario/index.ts';
import type { TraceRecord } from '../../../src/kernel/index.ts';
import { logWorld, SECOND, topic } from './_harness.ts';

const CHECKS = ['no-acked-loss', 'group-generations'];

test('a single controller restarts: the group rejoins at a higher generation', (t) => {
  const run = logWorld({ topics: [topic('t', 2)], flush: { kind: 'every-write' }, checks: CHECKS });
  run.producer('p', { stopAtUs: 6 * SECOND, ratePerSec: 100 });
  run.consumer('c1').consumer('c2');
  run.crashNode('hpc-ctl', 3 * SECOND, 2 * SECOND);
  const { verdicts, records } = run.go(12 * SECOND);
  const verdict = verdicts['group-generations']!;
  t.true(verdict.ok, verdict.violations[0]?.message);
  const generations = records.filter((r) => r.k === 'client' && r.op === 'rebalance').map((r) => r.generation as number);
  t.true(records.some((r) => r.k === 'client' && r.op === 'rebalance' && r.t > 5 * SECOND), `a rebalance after the restart (generations ${generations.join(', ')})`);
  t.deepEqual(generations, [...generations].sort((a, b) => a - b));
});

test('the active controller of a quorum crashes: the new one continues the group generations', (t) => {
  const run = logWorld({ quorum: true, topics: [topic('t', 2)], flush: { kind: 'every-write' }, checks: CHECKS });
  run.producer('p', { stopAtUs: 8 * SECOND, ratePerSec: 100, retries: 100 });
  run.consumer('c1').consumer('c2');
  let active = '';
  run.world.trace.listen((r) => {
    if (r.k === 'log' && r.op === 'controller-activate' && active === '') active = r.a;
  });
  run.at(4 * SECOND, 'the active controller dies', (w) => w.crashActor(active, 'test'));
  const { verdicts, records } = run.go(16 * SECOND);
  const verdict = verdicts['group-generations']!;
  t.true(verdict.ok, verdict.violations[0]?.message);
  const after = records.filter((r) => r.k === 'client' && r.op === 'rebalance' && r.t > 4 * SECOND);
  t.true(after.length > 0 && after.every((r) => r.a !== active), 'the group rebalanced under the new active controller');
});

test('the checker names a generation started twice and an assignment that went back', (t) => {
  const checker = checkerNamed('group-generations').create();
  const rec = (n: number, a: string, op: string, generation: number): TraceRecord => ({ t: n * 1000, k: 'client', a, n, op, group: 'g', generation });
  for (const r of [rec(1, 'ctl-1', 'rebalance', 1), rec(2, 'c1', 'assign', 1), rec(3, 'ctl-1', 'rebalance', 2), rec(4, 'c1', 'assign', 2), rec(5, 'ctl-2', 'rebalance', 1), rec(6, 'c1', 'assign', 1)]) checker.observe(r);
  const verdict = checker.verdict();
  t.false(verdict.ok);
  t.deepEqual(verdict.violations.map((v) => v.anomaly), ['generation-reused', 'generation-regressed']);
  t.regex(verdict.violations[0]!.message, /ctl-2 started generation 1 at rebalance, but generation 2 was started before \(by ctl-1\)/);
});

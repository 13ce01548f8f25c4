/**
 * The pipeline scenarios as a user runs them (`diaspora run`): the teaching drills show what they
 * teach, and the x-ray scenario runs its strategy with its checks and metrics in the summary.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { TraceWriter, type TraceRecord } from '../../src/kernel/index.ts';
import { execute, type RunSummary } from '../../src/exec/run.ts';
import { loadScenarioFile, prepareRun } from '../../src/scenario/index.ts';

const scenarios = fileURLToPath(new URL('../../scenarios/', import.meta.url));

function run(file: string, sets: string[] = []): { summary: RunSummary; records: TraceRecord[] } {
  const scenario = loadScenarioFile(`${scenarios}${file}`, sets);
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((record) => {
    if (record.k === 'ckpt') records.push(record);
  });
  return { summary: execute(prepareRun(scenario, { trace })), records };
}

const recovery = (summary: RunSummary) => summary.metrics.recovery as Record<string, number>;

test('Chandy–Lamport bank: money is conserved in every snapshot while transfers are in flight, and across a crash', (t) => {
  const { summary, records } = run('drills/chandy-lamport-bank.yaml');
  t.true(summary.ok, JSON.stringify(summary.checks));
  t.true(summary.checks.conservation.stats.cuts >= 8, `${summary.checks.conservation.stats.cuts} snapshots`);
  t.is(summary.checks.conservation.stats.total, 4000);
  // Transfers really were in flight: snapshots recorded channel state.
  t.true(records.some((r) => r.op === 'snapshot' && (r.pending as number) > 0), 'some snapshot recorded in-flight transfers');
  t.is(recovery(summary).rollbacks, 1);
});

test('the domino effect: uncoordinated checkpoints roll both processes back to the start', (t) => {
  const { summary, records } = run('drills/domino-uncoordinated.yaml');
  t.true(summary.ok, JSON.stringify(summary.checks));
  const rollback = records.find((r) => r.op === 'rollback')!;
  t.deepEqual(rollback.toStart, ['process-1', 'process-2']);
  t.is(recovery(summary).rolledBackToStart, 2);
  // Both had checkpoints to roll back to; none formed a consistent line.
  t.true(records.filter((r) => r.op === 'saved' && r.a === 'process-1' && r.t < 20_000_000).length >= 4);
});

test('the same pattern over a persistent stream: only the crashed process restores, from its own checkpoint', (t) => {
  const { summary, records } = run('drills/domino-stream-replay.yaml');
  t.true(summary.ok, JSON.stringify(summary.checks));
  t.false(records.some((r) => r.op === 'rollback'));
  const restores = records.filter((r) => r.op === 'restore');
  t.deepEqual(restores.map((r) => [r.a, r.toStart]), [['process-2', false]]);
  t.is(recovery(summary).rolledBackToStart, 0);
  const uncoordinated = run('drills/domino-uncoordinated.yaml').summary;
  t.true(recovery(summary).lostWorkEvents * 10 < recovery(uncoordinated).lostWorkEvents);
});

test('a coordinated checkpoint stalls the fast edge pipeline behind the slow site; stream-replay does not', (t) => {
  const coordinated = run('drills/coordinated-slow-site.yaml').summary;
  const independent = run('drills/coordinated-slow-site.yaml', ['checkpoint.strategy=stream-replay']).summary;
  t.true(coordinated.ok && independent.ok);
  const blocked = (s: RunSummary) => (s.metrics.checkpoint as { blockedUs: number }).blockedUs;
  const p99 = (s: RunSummary) => (s.metrics.output as { latencyUs: { p99: number } }).latencyUs.p99;
  t.true(blocked(coordinated) > 60_000_000, `blocked ${blocked(coordinated)}us`);
  t.is(blocked(independent), 0);
  t.true(p99(coordinated) > 10 * p99(independent), `${p99(coordinated)} vs ${p99(independent)}`);
});

test('aligned barriers behind a backlog: bounded windows keep the waste near Daly\'s prediction, unbounded buffers do not', (t) => {
  const bounded = run('drills/backpressure-aligned-barriers.yaml').summary;
  const unbounded = run('drills/backpressure-aligned-barriers.yaml', ['pipeline.flow-control.segment-size=1GiB']).summary;
  const waste = (summary: RunSummary) => (summary.metrics.job as { wasteFraction: number }).wasteFraction;
  const complete = (summary: RunSummary) => (summary.metrics.checkpoint as { globalComplete: number }).globalComplete;
  t.true(bounded.ok && unbounded.ok, 'exactly-once either way');
  // Daly's model predicts ≈ 0.13 at this interval (the drill's header).
  t.true(waste(bounded) < 0.16, `bounded: waste ${waste(bounded)}`);
  t.true(waste(unbounded) > 0.5, `unbounded: waste ${waste(unbounded)}`);
  t.true(complete(bounded) > 5 * complete(unbounded), `${complete(bounded)} against ${complete(unbounded)} global checkpoints`);
});

test('aps-xray runs its strategy with its checks and metrics in the summary', (t) => {
  const shorter = ['duration=4m', 'quiesce=2m', 'faults=[{kind: node-crash, target: hpc-2, at: 2m, for: 20s}]'];
  const { summary } = run('aps-xray.yaml', shorter);
  t.true(summary.ok, JSON.stringify(summary.checks));
  t.is(summary.checks['state-equals-reference'].stats.matching, 7);
  const r = recovery(summary) as unknown as { recovered: number; lostWorkEvents: number; recoveryUs: { max: number } };
  t.is(r.recovered, 1);
  // A 20 s power loss, recovered within a minute, redoing at most a checkpoint interval of work.
  t.true(r.recoveryUs.max > 20_000_000 && r.recoveryUs.max < 60_000_000, `${r.recoveryUs.max}`);
  t.true(r.lostWorkEvents > 0 && r.lostWorkEvents < 30 * 10 * 4, `${r.lostWorkEvents}`);
  t.is((summary.metrics.output as { duplicates: number }).duplicates, 0);
  t.true((summary.metrics.checkpoint as { bytesByTier: Record<string, number> }).bytesByTier['site-pfs'] > 0);
});

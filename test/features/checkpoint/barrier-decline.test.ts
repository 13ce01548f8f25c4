/**
 * Barrier snapshots (barrier.ts): an operator whose store refuses its image declines the
 * checkpoint, and the coordinator aborts it at once (global-checkpoints.ts) rather than at
 * `checkpoint-timeout` (10 min), so the next one starts an interval later. Shown on the shipped
 * drill coordinated-slow-site run with `barrier-snapshot`, edge-3 (the store of the instrument's
 * and the filter's images) out of room from 19 s to 29 s.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';

const DISK_FULL = '{kind: disk-full, target: edge-3, at: 19s, for: 10s}';

function run(faults: string[]) {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'ckpt' && r.op !== 'snapshot' && r.op !== 'begin') records.push(r);
  });
  const sets = ['checkpoint.strategy=barrier-snapshot', `faults=[${faults.join(', ')}]`];
  const summary = execute(prepareRun(loadScenarioFile('scenarios/drills/coordinated-slow-site.yaml', sets), { trace }));
  const ended = records.filter((r) => r.op === 'aborted' || r.op === 'complete');
  const failed = records.filter((r) => r.op === 'failed');
  const cancelled = records.filter((r) => r.op === 'cancelled');
  const trigger2 = records.find((r) => r.op === 'trigger' && r.id === 2)?.t as number | undefined;
  return { summary, ended, failed, cancelled, trigger2 };
}

test('a barrier checkpoint whose save a full disk refuses is declined: aborted at once, and the next one starts an interval later and completes', (t) => {
  const full = run([DISK_FULL]);
  t.deepEqual(full.failed.map((r) => [r.a, r.id]), [['instrument', 1], ['filter', 1]]);
  t.true(full.failed.every((r) => r.t > 20 * SECOND && r.t < 21 * SECOND), 'refused at once, not timed out');
  // Red before: a failed save said nothing, so checkpoint 1 stayed in progress until its 10-min
  // timeout, past the end of the run, and no other checkpoint started.
  t.deepEqual(full.ended.slice(0, 2).map((r) => [r.id, r.op, r.reason]), [[1, 'aborted', 'declined'], [2, 'complete', undefined]]);
  const abortedAt = full.ended[0]!.t as number;
  t.true(abortedAt - full.failed[0]!.t < 0.1 * SECOND, `aborted at ${abortedAt} us`);
  t.true(full.trigger2! >= abortedAt + 20 * SECOND && full.trigger2! < abortedAt + 20.1 * SECOND, `checkpoint 2 triggered at ${full.trigger2} us`);
  // The abort tells every operator (`aborted`, Flink's notifyCheckpointAborted). It reaches the
  // archiver before checkpoint 1's barrier does, so its 32-s write of it never begins (no tier:
  // nothing was written), and its write of checkpoint 2 has the HDD to itself. Red before: that
  // write ran to its end, checkpoint 2's queued behind it, and checkpoint 2 completed at ≈ 80.8 s.
  t.deepEqual(full.cancelled.map((r) => [r.a, r.id, r.tier]), [['archiver', 1, undefined]]);
  t.like(full.summary.metrics.checkpoint, { failed: 2, cancelled: 1 });
  t.true((full.ended[1]!.t as number) < full.trigger2! + 33 * SECOND, `checkpoint 2 complete at ${full.ended[1]!.t} us`);
  t.true(full.summary.ok, JSON.stringify(full.summary.checks));
});

test('a lost `declined` is said again when the coordinator re-sends the trigger or asks for the status: a 5-s partition from the coordinator delays the abort ≈ 6 s, not 10 min', (t) => {
  // The edge's declines (sent at 20.023 s) are in flight when the edge is cut off from the
  // coordinator (archive-3) at 20.030 s: lost. Red without the repeated answer: nothing more was
  // said, and checkpoint 1 lasted until its timeout.
  const lost = run([DISK_FULL, '{kind: partition, from: [edge-1, edge-2], to: [archive-3], at: 20030ms, for: 5s}']);
  t.deepEqual(lost.failed.map((r) => [r.a, r.id]), [['instrument', 1], ['filter', 1]]);
  t.deepEqual(lost.ended.slice(0, 2).map((r) => [r.id, r.op, r.reason]), [[1, 'aborted', 'declined'], [2, 'complete', undefined]]);
  const abortedAt = lost.ended[0]!.t as number;
  t.true(abortedAt > 25 * SECOND && abortedAt < 27.1 * SECOND, `aborted at ${abortedAt} us`);
  t.true(lost.trigger2! >= abortedAt + 20 * SECOND && lost.trigger2! < abortedAt + 20.1 * SECOND, `checkpoint 2 triggered at ${lost.trigger2} us`);
  t.true(lost.summary.ok, JSON.stringify(lost.summary.checks));
});

/**
 * A batch job (every source has a `limit`) as a checkpointing study measures it: its makespan
 * (`job.completionUs`, reported by `compare` and `sweep` like any metric), the recovery time of
 * each failure — from the failure until every operator is back at the progress it had then — and
 * the restart cost the `checkpoint:` section sets: a fixed `restart-time` that every restart pays,
 * a rollback to the start included, plus reading the checkpoint (node-local disk at
 * `read-bandwidth`).
 */
import test from 'ava';
import { SECOND, TraceWriter, type TraceRecord } from '../../src/kernel/index.ts';
import { execute, type RunSummary } from '../../src/exec/run.ts';
import { flattenSummary } from '../../src/exec/sweep-cell.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';

/** 2000 items at 100/s into an operator that takes 20 ms each: about 40 s of work without faults. */
const BATCH = `
name: batch-job
duration: 60s
quiesce: 120s
sites:
  hpc: { role: hpc, nodes: 3 }
  storage: { role: hpc, nodes: 1, disk: { kind: pfs } }
links:
  - { between: [hpc, storage], latency: 50us }
pipeline:
  operators:
    input: { kind: source, node: hpc-1, rate: 100/s, limit: 2000, size: 1KiB, service: 1ms, to: items }
    compute: { kind: map, node: hpc-2, from: items, service: 20ms, state: 1GiB, to: results }
checkpoint:
  strategy: none
  coordinator: { node: hpc-3 }
  tiers: { site-pfs: { node: storage-1 } }
`;

const CRASH = 'faults=[{kind: node-crash, target: hpc-2, at: 30s, for: 5s}]';

function run(sets: string[]): { summary: RunSummary; records: TraceRecord[] } {
  const scenario = loadScenario(BATCH, 'batch-job.yaml', sets);
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((record) => {
    if (record.k === 'state' || record.k === 'ckpt' || record.k === 'crash') records.push(record);
  });
  return { summary: execute(prepareRun(scenario, { trace })), records };
}

const job = (summary: RunSummary) => summary.metrics.job as { completionUs: number };
const recovery = (summary: RunSummary) => summary.metrics.recovery as { failures: number; recovered: number; unrecovered: number; recoveryUs: { each: number[] } };
const work = (records: readonly TraceRecord[], a: string) => records.filter((r) => r.k === 'state' && r.a === a && typeof r.event === 'number');

test('the makespan of a batch job: when its last item was first processed; compare and sweep see it', (t) => {
  const { summary, records } = run([]);
  const last = work(records, 'compute').at(-1)!;
  t.is(job(summary).completionUs, last.t);
  t.true(last.t > 39 * SECOND && last.t < 42 * SECOND, `${last.t}`);
  // A failure makes the job finish later: by its downtime and the work it redid at least.
  const crashed = run([CRASH]).summary;
  t.true(job(crashed).completionUs > job(summary).completionUs + 5 * SECOND, `${job(crashed).completionUs} vs ${job(summary).completionUs}`);
  t.is(flattenSummary(crashed)['job.completionUs'], job(crashed).completionUs);
});

test("a batch job's summary leads with the job's metrics: Daly's waste before the operators' (recovery.wasteFraction)", (t) => {
  const { summary } = run([CRASH]);
  // The printed summary lists metrics in this order (those that measured nothing, as produce here, left out).
  const names = Object.keys(summary.metrics);
  t.true(names.includes('recovery') && names.indexOf('job') >= 0 && names.indexOf('job') < names.indexOf('recovery'), names.join(', '));
});

test("the job's failures: those before it completed (Daly's T_w / M); one after its end is the run's, not the job's", (t) => {
  const during = run([CRASH]).summary;
  t.is((during.metrics.job as { failures: number }).failures, 1);
  const after = run(['faults=[{kind: node-crash, target: hpc-2, at: 50s, for: 5s}]']).summary;
  t.true(job(after).completionUs < 50 * SECOND);
  t.is((after.metrics.job as { failures: number }).failures, 0);
  t.is(recovery(after).failures, 1);
});

test('recovery time of a batch job: from the failure until every operator is back where it was', (t) => {
  const { summary, records } = run([CRASH]);
  const r = recovery(summary);
  t.like(r, { failures: 1, recovered: 1, unrecovered: 0 });
  // Strategy none: every operator starts over once compute's node comes back, and has caught up
  // when it has processed again as many items as it had at the failure. The source, held back by
  // compute's receive window, is back where it was only as compute makes room for it.
  const caughtUpAt = (a: string) => {
    const before = work(records, a).filter((s) => s.t < 30 * SECOND).length;
    const restoredAt = records.find((s) => s.k === 'ckpt' && s.op === 'restore' && s.a === a)!.t;
    return work(records, a).filter((s) => s.t >= restoredAt)[before - 1]!.t;
  };
  t.is(r.recoveryUs.each[0], Math.max(caughtUpAt('compute'), caughtUpAt('input')) - 30 * SECOND);
  const before = work(records, 'compute').filter((s) => s.t < 30 * SECOND).length;
  t.true(r.recoveryUs.each[0] > 5 * SECOND + before * 20_000);
});

const restores = (records: readonly TraceRecord[]) => records.filter((r) => r.k === 'ckpt' && r.op === 'restore');

test('restart cost: a crashed process pays restart-time, a rollback to the start too, and node-local reads take state ÷ read-bandwidth', (t) => {
  const free = run([CRASH]);
  const costly = run([CRASH, 'checkpoint.restart-time=10s']);
  // Under `none` every operator rolls back to the start; the crashed one waits the restart time
  // first, the surviving source only resets (it did not reboot, and the start reads nothing).
  t.true(restores(costly.records).length >= 2);
  for (const restore of restores(costly.records)) {
    if (restore.a === 'compute') t.true((restore.us as number) >= 10 * SECOND, `${restore.a}: ${restore.us}`);
    else t.is(restore.us, 0, `${restore.a} survived: it pays no restart`);
  }
  t.true(job(costly.summary).completionUs >= job(free.summary).completionUs + 10 * SECOND);
  t.true(recovery(costly.summary).recoveryUs.each[0] >= recovery(free.summary).recoveryUs.each[0] + 10 * SECOND);
  // Local recovery from a node-local disk checkpoint of 1 GiB read at 100 MB/s: 10.7 s, plus 2 s to restart.
  const local = run([CRASH, 'checkpoint.strategy=stream-replay', 'checkpoint.interval=5s', 'checkpoint.read-bandwidth=100MB/s', 'checkpoint.restart-time=2s']);
  const restore = restores(local.records).find((r) => r.a === 'compute' && r.toStart === false)!;
  t.is(restore.tier, 'node-local');
  const saved = local.records.find((r) => r.k === 'ckpt' && r.op === 'saved' && r.a === 'compute' && r.id === restore.id)!;
  t.true((saved.bytes as number) >= 1 << 30);
  t.is(restore.us, 2 * SECOND + Math.ceil(((saved.bytes as number) * SECOND) / 100_000_000));
});

test('restart cost of a global rollback: survivors reload their checkpoint and do not reboot, so recovery takes the longest of restart + read and read, not their sum', (t) => {
  // The source (a tiny state) crashes; compute survives but rolls back to the last global
  // checkpoint: 1 GiB read at 100 MB/s (10.7 s). Restart time 2 s is the source's alone.
  const sets = ['checkpoint.strategy=coordinated', 'checkpoint.interval=5s', 'checkpoint.read-bandwidth=100MB/s', 'faults=[{kind: process-crash, target: input, at: 30s, for: 0s}]'];
  const free = run(sets);
  const costly = run([...sets, 'checkpoint.restart-time=2s']);
  const restoreOf = (records: readonly TraceRecord[], a: string) => restores(records).find((r) => r.a === a)!;
  t.is(restoreOf(costly.records, 'compute').us, restoreOf(free.records, 'compute').us, 'the survivor pays its read only');
  t.true((restoreOf(free.records, 'compute').us as number) > 10 * SECOND);
  t.is((restoreOf(costly.records, 'input').us as number) - (restoreOf(free.records, 'input').us as number), 2 * SECOND, 'the crashed source pays the restart');
  // Everyone resumes together once the slowest has restored: the survivor's read, not restart + read.
  t.is(recovery(costly.summary).recoveryUs.each[0], recovery(free.summary).recoveryUs.each[0]);
  // And the failure is not over before the survivor has read its checkpoint back (it abandoned its state at the rollback).
  t.true(recovery(free.summary).recoveryUs.each[0]! > 10 * SECOND, `${recovery(free.summary).recoveryUs.each[0]}`);
});

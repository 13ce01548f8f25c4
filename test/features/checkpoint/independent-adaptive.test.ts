/**
 * The adaptive interval of an independent participant (uncoordinated here) at δ ≥ 2M: a 300 GB
 * image on node-local disk at 2 GB/s (δ ≈ 150 s) and M = 1 min given, so Daly says τ = M. The
 * participant learns δ from a save its own crash cut short (its restarted tier finds the file not
 * yet on the device, deletes it, and the clock counts the time the save ran), and keeps what it
 * learnt across a restart (its `ckpt-clock` file); until it learns anything, δ is 1 s and τ is
 * √(2M·1 s)·[…] − 1 s ≈ 10.3 s. The spacing of the operator's `ckpt:due` wake-ups is its τ.
 * The participant alone (fake host, writer and context): a write a rollback abandoned, or one the
 * tier refused, teaches it too.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { SECOND, TraceWriter, type Context, type TraceRecord } from '../../../src/kernel/index.ts';
import type { CheckpointConfig } from '../../../src/features/checkpoint/actors/config.ts';
import type { OperatorHost } from '../../../src/features/checkpoint/actors/host.ts';
import { IndependentCheckpoints } from '../../../src/features/checkpoint/actors/independent.ts';
import { dalyInterval } from '../../../src/features/checkpoint/actors/interval.ts';
import type { CheckpointWriter, WriteResult } from '../../../src/features/checkpoint/actors/writer.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const scenario = (crashAt: string) => `
name: independent-adaptive
seed: 1
duration: 10m
sites:
  hpc: { role: hpc, nodes: 3 }
pipeline:
  operators:
    input: { kind: source, node: hpc-1, rate: 4/s, limit: 100000, size: 1KiB, service: 1ms, to: items }
    compute: { kind: map, node: hpc-2, from: items, service: 200ms, state: 300GB, to: results }
checkpoint:
  strategy: uncoordinated
  interval: adaptive
  mtbf: 1m
  tier: node-local
  coordinator: { node: hpc-3 }
faults:
  - { kind: process-crash, target: compute, at: ${crashAt}, for: 5s }
checks: []
`;

/** Runs the scenario; the compute operator's `ckpt:due` wake-up times and its `ckpt` and `disk` records. */
function run(crashAt: string): { dues: number[]; records: TraceRecord[] } {
  const trace = new TraceWriter();
  const dues: number[] = [];
  const records: TraceRecord[] = [];
  trace.listen((record) => {
    if (record.a !== 'compute') return;
    if (record.k === 'timer' && record.name === 'ckpt:due') dues.push(record.t);
    else if (record.k === 'ckpt' || record.k === 'disk') records.push(record);
  });
  execute(prepareRun(loadScenario(scenario(crashAt), 'independent-adaptive.yaml'), { trace }));
  return { dues, records };
}

/** The spacings of the wake-ups after `fromUs` but the first (which a random phase places), µs. */
function spacingsAfter(dues: number[], fromUs: number): number[] {
  const after = dues.filter((t) => t > fromUs);
  return after.slice(1).map((t, i) => t - after[i]!);
}

const M = 60 * SECOND;
const UNLEARNT = Math.round(dalyInterval(SECOND, M));

test('a save its own crash cut short teaches the restarted participant δ ≥ what it ran: τ = M after the restart', (t) => {
  // The first save begins 5–15 s in and would run ≈ 150 s: the crash at 140 s cuts it, the restart at 145 s deletes it.
  const { dues, records } = run('140s');
  const before = spacingsAfter(dues, 0).slice(0, 5);
  t.deepEqual(before, before.map(() => UNLEARNT));
  const abandoned = records.filter((r) => r.k === 'ckpt' && r.op === 'abandoned');
  t.is(abandoned.length, 1);
  t.is(abandoned[0]!.t, 145 * SECOND);
  // The device had written part of it; the rest is dropped, not written for a process that is gone.
  const dropped = records.filter((r) => r.k === 'disk' && r.op === 'dropped');
  t.deepEqual(dropped.map((r) => r.t), [145 * SECOND]);
  t.true((dropped[0]!.bytes as number) > 0);
  const after = spacingsAfter(dues, 145 * SECOND);
  t.true(after.length >= 4, `${after.length} wake-ups after the restart`);
  t.deepEqual(after, after.map(() => M));
});

test('what the participant learnt survives its crash: a completed 150 s save still says τ = M after the restart', (t) => {
  // The first save completes at ≈ 160 s (δ = 150 s measured); the next is cut short by the crash at 200 s.
  const { dues, records } = run('200s');
  t.true(records.some((r) => r.k === 'ckpt' && r.op === 'saved' && r.t < 200 * SECOND));
  const after = spacingsAfter(dues, 205 * SECOND);
  t.true(after.length >= 4, `${after.length} wake-ups after the restart`);
  // Forgetting it, the clock would know only the save the crash cut (≈ 40 s): τ ≈ 45 s.
  t.deepEqual(after, after.map(() => M));
});

/** An independent participant on an adaptive interval (M = 1 min) over a writer whose writes end when the test says. */
function participant() {
  let now = 0;
  const delays: number[] = [];
  const writes: ((result: WriteResult) => void)[] = [];
  const ctx = {
    now: () => now,
    rng: () => ({ next: () => 0.5 }),
    setTimer: (delay: number) => void delays.push(delay),
    disk: { put: () => true, get: () => undefined, fsync: () => undefined },
    record: () => undefined,
  } as unknown as Context;
  const host = { instance: 'op', isHeld: () => false, whenIdle: (_ctx: Context, go: () => void) => go(), capture: () => ({ image: {}, patches: [] }) } as unknown as OperatorHost;
  const writer = { write: (_c: Context, _id: number, _capture: unknown, _options: unknown, done: (result: WriteResult) => void) => void writes.push(done), cutShort: [] } as unknown as CheckpointWriter;
  const config = { strategy: 'uncoordinated', interval: { kind: 'adaptive', mtbfUs: M, minUs: SECOND, maxUs: 3600 * SECOND }, nodeLocal: 'disk' } as unknown as CheckpointConfig;
  const part = new IndependentCheckpoints(host, config, writer, { pending: true, retainAll: true });
  part.start(ctx);
  const due = () => {
    now += delays.at(-1)!;
    part.onTimer(ctx, { name: 'ckpt:due' });
  };
  const end = (ok: boolean, durationUs: number) => writes.at(-1)!({ ok, durationUs } as WriteResult);
  return { part, ctx, delays, writes, due, end };
}

test('a write a rollback abandoned still measures the cost when it completes: 150 s, so the next interval is M', (t) => {
  const p = participant();
  p.due();
  t.is(p.writes.length, 1);
  t.is(p.delays.at(-1), UNLEARNT);
  p.part.onRollback();
  p.end(true, 150 * SECOND);
  p.due();
  // The rollback freed the participant for a new write; the clock knows δ = 150 s ≥ 2M.
  t.is(p.writes.length, 2);
  t.is(p.delays.at(-1), M);
});

test('a write the tier refused after 130 s says the cost is more than that: the next interval is M', (t) => {
  const p = participant();
  p.due();
  p.end(false, 130 * SECOND);
  p.due();
  t.is(p.delays.at(-1), M);
});

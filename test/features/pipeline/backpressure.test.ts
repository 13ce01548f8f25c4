/**
 * Backpressure on direct channels (stream/direct.ts, stream/flow-control.ts, instrument.ts): a
 * slow operator's receive window stops its upstream back to the source, whose instrument keeps the
 * backlog; aligned barriers then wait behind a window's worth of items, not behind the backlog.
 */
import test from 'ava';
import { stateEqualsReference } from '../../../src/features/pipeline/checks/state-equals-reference.ts';
import { FLINK_FLOW_CONTROL, type FlowControl, type OperatorDef } from '../../../src/features/pipeline/actors/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import type { CheckpointConfig } from '../../../src/features/checkpoint/actors/index.ts';
import { OutputMetrics } from '../../../src/features/pipeline/metrics/pipeline-output.ts';
import { pipelineRun, referenceRecord, verdict, xray, type PipelineRun } from './_harness.ts';

const fixed = (ms: number) => ({ distribution: 'fixed' as const, meanUs: ms * MS, cv: 0 });
const KIB = 1024;
/** Windows far larger than any backlog here: the unbounded buffers of before. */
const UNBOUNDED: FlowControl = { buffers: 1, segmentBytes: 2 ** 40 };
/** A window of 20 items of 1 KiB. */
const SMALL: FlowControl = { buffers: 10, segmentBytes: 2 * KIB };

/** A source of 1 KiB events at 10/s into a map that takes 200 ms each: it can take only half. */
function overload(options: { limit?: number; bufferEvents?: number } = {}): OperatorDef[] {
  return [
    { name: 'input', kind: 'source', nodes: ['hpc-1'], parallelism: 1, to: 'items', service: fixed(1), stateBytes: 1024, ratePerSec: 10, eventBytes: KIB, ...options },
    { name: 'compute', kind: 'map', nodes: ['hpc-2'], parallelism: 1, from: 'items', to: 'results', service: fixed(200), stateBytes: 1 << 20 },
  ];
}

/** The most items the source had sent that the map had not yet finished, over the run. */
function largestBacklog(run: PipelineRun): number {
  let sent = 0;
  let done = 0;
  let largest = 0;
  for (const r of run.records) {
    if (r.k === 'send' && r.a === 'input' && r.msg === 'stream:data') sent++;
    if (r.k === 'state' && r.a === 'compute' && typeof r.event === 'number') done++;
    largest = Math.max(largest, sent - done);
  }
  return largest;
}

function latencies(run: PipelineRun, actor: string): number[] {
  return run.records.filter((r) => r.k === 'state' && r.a === actor && typeof r.event === 'number').map((r) => r.t - (r.born as number));
}

test('a receive window bounds the backlog in front of a slow operator; unbounded buffers let it grow with the run', (t) => {
  const bounded = pipelineRun({ checkpoint: { strategy: 'none' }, operators: overload(), durationUs: 120 * SECOND, endUs: 121 * SECOND });
  const unbounded = pipelineRun({ checkpoint: { strategy: 'none' }, operators: overload(), durationUs: 120 * SECOND, endUs: 121 * SECOND, flow: UNBOUNDED });
  // Flink's 10 buffers of 32 KiB hold 320 items of 1 KiB, one more is in service, and one step's output may overshoot.
  const window = (FLINK_FLOW_CONTROL.buffers * FLINK_FLOW_CONTROL.segmentBytes) / KIB;
  t.true(largestBacklog(bounded) <= window + 2, `bounded: ${largestBacklog(bounded)} items in flight`);
  t.true(largestBacklog(bounded) >= window - 2, 'the window did fill');
  t.true(largestBacklog(unbounded) > 550, `unbounded: ${largestBacklog(unbounded)} items in flight (≈ 5/s of excess for 120 s)`);
});

test('a source under backpressure takes its instrument\'s events late, birth times kept, and loses none by default', (t) => {
  const run = pipelineRun({ checkpoint: { strategy: 'none' }, operators: overload({ limit: 600 }), durationUs: 60 * SECOND, endUs: 200 * SECOND, flow: SMALL });
  const taken = run.records.filter((r) => r.k === 'state' && r.a === 'input' && typeof r.event === 'number');
  t.is(taken.length, 600, 'every event of the instrument is taken, later');
  t.is(run.records.filter((r) => r.k === 'client' && r.op === 'instrument-lost').length, 0);
  // At 5/s the last of 600 events born by 60 s is taken around 116 s (20 wait in the window): the wait shows at the source.
  const waits = latencies(run, 'input');
  t.true(waits.at(-1)! > 50 * SECOND, `the last event waited ${waits.at(-1)! / SECOND} s in the instrument`);
  t.is(latencies(run, 'compute').length, 600);
});

test('a bounded instrument buffer overwrites the oldest waiting events: each loss recorded, the rest taken', (t) => {
  const run = pipelineRun({ checkpoint: { strategy: 'none' }, operators: overload({ limit: 600, bufferEvents: 20 }), durationUs: 60 * SECOND, endUs: 200 * SECOND, flow: SMALL });
  const lost = run.records.filter((r) => r.k === 'client' && r.op === 'instrument-lost');
  const lostCount = lost.reduce((sum, r) => sum + (r.count as number), 0);
  const taken = run.records.filter((r) => r.k === 'state' && r.a === 'input' && typeof r.event === 'number');
  t.true(lostCount > 200, `${lostCount} overwritten`);
  t.is(taken.length + lostCount, 600, 'every event is either taken or recorded lost');
  // The output metric counts each lost position once, even when a rollback's source loses it again.
  const metric = new OutputMetrics();
  for (const r of [...lost, ...lost.slice(1, 3)]) metric.observe(r);
  t.is((metric.result({ lastUs: 0 }) as { instrumentLost: number }).instrumentLost, lostCount);
  const ids = new Set(taken.map((r) => run.plan.ids.name(r.event as number)));
  for (const r of lost) for (let k = r.first as number; k < (r.first as number) + (r.count as number); k++) t.false(ids.has(`input:${k}`));
  // The buffer bounds the wait at the source: 20 events at 10/s, plus what the window holds.
  t.true(Math.max(...latencies(run, 'input')) < 5 * SECOND);
});

test('aligned barriers wait behind the window, not the backlog: with unbounded buffers the wait grows with the run', (t) => {
  const checkpoint: Partial<CheckpointConfig> = { strategy: 'barrier-snapshot', alignment: 'aligned', interval: { kind: 'time', everyUs: 20 * SECOND } };
  const durationUs = 400 * SECOND;
  /** How long each checkpoint's barrier took from its trigger to the map's alignment, s. */
  const waits = (run: PipelineRun) => {
    const triggered = new Map<number, number>();
    for (const r of run.records) if (r.k === 'ckpt' && r.op === 'trigger') triggered.set(r.id as number, r.t);
    return run.records.filter((r) => r.k === 'ckpt' && r.op === 'aligned' && r.a === 'compute').map((r) => (r.t - triggered.get(r.id as number)!) / SECOND);
  };
  const bounded = waits(pipelineRun({ checkpoint, operators: overload(), durationUs, endUs: durationUs }));
  const debloated = waits(pipelineRun({ checkpoint, operators: overload(), durationUs, endUs: durationUs, flow: { ...FLINK_FLOW_CONTROL, debloatTargetUs: SECOND } }));
  const unbounded = waits(pipelineRun({ checkpoint, operators: overload(), durationUs, endUs: durationUs, flow: UNBOUNDED }));
  // A 320-item window at 5 items/s: a barrier behind it waits at most about 64 s; debloated, about the 1 s target.
  t.true(Math.max(...bounded) <= 66, `bounded: barriers waited ${bounded.join(', ')} s`);
  t.true(Math.max(...bounded) >= 60, 'the window did fill');
  t.true(Math.max(...debloated.slice(3)) <= 3, `debloated: barriers waited ${debloated.join(', ')} s`);
  t.true(Math.max(...unbounded) > 100, `unbounded: barriers waited ${unbounded.join(', ')} s`);
  t.true(debloated.length > bounded.length && bounded.length > unbounded.length, 'more checkpoints the shorter the wait');
});

test('uncoordinated: a survivor with outputs waiting for credit answers the stop within a round trip, and its capture counts only what its receiver got', (t) => {
  // source → relay (both on hpc-1) → slow compute (hpc-2): the relay's window fills and the source's outputs wait for credit.
  const operators: OperatorDef[] = [
    overload()[0]!,
    { name: 'relay', kind: 'map', nodes: ['hpc-1'], parallelism: 1, from: 'items', to: 'mid', service: fixed(1), stateBytes: 1024 },
    { ...overload()[1]!, from: 'mid' },
  ];
  const run = pipelineRun({
    checkpoint: { strategy: 'uncoordinated', interval: { kind: 'time', everyUs: 3 * SECOND } },
    operators,
    flow: SMALL,
    durationUs: 40 * SECOND,
    endUs: 40 * SECOND,
    crashes: [{ node: 'hpc-2', atUs: 30 * SECOND + 333, forUs: 2 * SECOND }],
    keep: (r) => (r.k === 'send' && (r.msg === 'ckpt:report' || r.msg === 'ckpt:current')) || (r.k === 'ckpt' && r.op === 'current'),
  });
  const asked = run.records.find((r) => r.k === 'send' && r.msg === 'ckpt:report' && r.to === 'input')!;
  const answered = run.records.find((r) => r.k === 'send' && r.msg === 'ckpt:current' && r.a === 'input' && r.t >= asked.t)!;
  // Held, the relay opens no window: before, the source's queued outputs stayed queued and the stop waited out the 2 s request timeout.
  t.true(answered.t - asked.t < 100 * MS, `the source answered the stop ${(answered.t - asked.t) / MS} ms after the report`);
  const current = (actor: string) => run.records.find((r) => r.k === 'ckpt' && r.op === 'current' && r.a === actor)!;
  const sent = (current('input').outputs as Record<string, number>)['items>relay'];
  t.is(sent, (current('relay').inputs as Record<string, number>)['items<input'], 'nothing the source counts as sent is left in transit');
});

test('message logging: a restored sender sends nothing before its receiver, which did not reset, tells its window', (t) => {
  const run = pipelineRun({
    checkpoint: { strategy: 'uncoordinated', messageLogging: 'pessimistic', interval: { kind: 'time', everyUs: 3 * SECOND } },
    operators: overload(),
    flow: SMALL,
    durationUs: 40 * SECOND,
    endUs: 40 * SECOND,
    crashes: [{ node: 'hpc-1', atUs: 30 * SECOND + 333, forUs: 2 * SECOND }],
    keep: (r) => (r.k === 'ckpt' && r.op === 'restore' && r.a === 'input') || (r.a === 'input' && (r.msg === 'stream:data' || r.msg === 'stream:ack')),
  });
  const restored = run.records.find((r) => r.k === 'ckpt' && r.t > 30 * SECOND)!;
  const told = run.records.find((r) => r.k === 'recv' && r.msg === 'stream:ack' && r.t > restored.t)!;
  // The map's window was full at the crash: before, the restored source assumed a whole free window and sent its outbox and new events into it.
  const early = run.records.filter((r) => r.k === 'send' && r.msg === 'stream:data' && r.t >= restored.t && r.t < told.t);
  t.is(early.length, 0, `${early.length} items sent before the first acknowledgement after the restore`);
  t.true(run.records.some((r) => r.k === 'send' && r.msg === 'stream:data' && r.t > told.t), 'and it sends again once told');
});

const EXACTLY_ONCE: Partial<CheckpointConfig>[] = [
  { strategy: 'coordinated' },
  { strategy: 'barrier-snapshot', alignment: 'aligned' },
  { strategy: 'barrier-snapshot', alignment: 'unaligned' },
  { strategy: 'uncoordinated' },
];

let reference: PipelineRun | undefined;
for (const checkpoint of EXACTLY_ONCE) {
  const name = `${checkpoint.strategy}${checkpoint.alignment === undefined ? '' : ` (${checkpoint.alignment})`}`;
  test(`${name} under backpressure (a reconstruction slower than the detector, a lossy WAN): crashes end in the fault-free state`, (t) => {
    // recon at 200 ms per piece takes 5 of the 10 pieces a second each instance gets: the windows fill back to the detector.
    const operators = xray({ rate: 10, recon: 200 }).map((op) => (op.kind === 'source' ? { ...op, limit: 200 } : op));
    const small: FlowControl = { buffers: 4, segmentBytes: 1 << 20 };
    reference ??= pipelineRun({ checkpoint: { strategy: 'none' }, operators, flow: small, endUs: 120 * SECOND });
    const run = pipelineRun({
      checkpoint: { ...checkpoint, interval: { kind: 'time', everyUs: 3 * SECOND } },
      operators,
      flow: small,
      endUs: 120 * SECOND,
      wan: { latencyUs: 2 * MS, loss: 0.02 },
      crashes: [{ node: 'hpc-2', atUs: 9 * SECOND + 333, forUs: 2 * SECOND }],
    });
    t.true(Math.max(...latencies(reference, 'detector')) > 5 * SECOND, 'the detector was held back: its instrument kept frames waiting');
    t.true(run.records.some((r) => r.k === 'client' && r.op === 'output'));
    const v = verdict(stateEqualsReference, run.records, referenceRecord(reference));
    t.true(v.ok, JSON.stringify(v.violations.slice(0, 2)));
  });
}

test('how it breaks: a cycle whose windows all fill deadlocks (as Flink iterations can); windows larger than its backlog do not', (t) => {
  // Two accounts paying each other 100 transfers a second that each take 20 ms: both fall behind.
  const bank = (): OperatorDef[] => [
    { name: 'account', kind: 'account', nodes: ['hpc-1', 'hpc-2'], parallelism: 2, from: 'transfers', to: 'transfers', service: fixed(20), stateBytes: 1024, ratePerSec: 100, balance: 1000, maxAmount: 100 },
  ];
  const lastStep = (run: PipelineRun) => Math.max(...run.records.filter((r) => r.k === 'state' && typeof r.event === 'number').map((r) => r.t));
  const tight = pipelineRun({ checkpoint: { strategy: 'none' }, operators: bank(), durationUs: 30 * SECOND, endUs: 30 * SECOND, flow: { buffers: 2, segmentBytes: 128 } });
  const roomy = pipelineRun({ checkpoint: { strategy: 'none' }, operators: bank(), durationUs: 30 * SECOND, endUs: 30 * SECOND, flow: UNBOUNDED });
  t.true(lastStep(tight) < 5 * SECOND, `deadlocked: the last step at ${lastStep(tight) / SECOND} s`);
  t.true(lastStep(roomy) > 29 * SECOND, `unbounded: still working at ${lastStep(roomy) / SECOND} s`);
});

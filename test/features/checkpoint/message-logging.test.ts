/**
 * Randell's domino effect and its classic cure, as the literature states them: without a message
 * log, independent checkpoints that interleave sends and receives leave no consistent recovery
 * line but the initial states (Randell 1975) — one way (sender → receiver) as well as both ways;
 * with pessimistic receiver-based message logging (Johnson & Zwaenepoel 1987, Strom & Yemini 1985;
 * Elnozahy et al. 2002 §4) only the failed process rolls back, to its own latest checkpoint, and
 * replays its log: no orphan, no domino, the state a fault-free run reaches. What the log costs is
 * measured (`messageLog`).
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { execute, type RunSummary } from '../../../src/exec/run.ts';
import { TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { InputError } from '../../../src/kernel/contract/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const DRILL = 'scenarios/drills/domino-message-logging.yaml';

/** Randell's one-way case: a source sends to a receiver; each checkpoints on its own clock. */
const ONE_WAY = `
name: one-way-domino
seed: 1
duration: 30s
quiesce: 30s
sites:
  left: { role: facility, nodes: 2 }
  right: { role: facility, nodes: 1 }
links:
  - { between: [left, right], latency: 10ms, bandwidth: 1Gbps }
pipeline:
  operators:
    sender: { kind: source, node: left-1, rate: 5/s, size: 1KiB, service: 2ms, to: messages }
    receiver: { kind: map, node: right-1, from: messages, service: 2ms, state: 64MiB, to: out }
checkpoint:
  strategy: uncoordinated
  interval: 3s
  tier: node-local
  coordinator: { node: left-2 }
faults:
  - { kind: node-crash, target: right-1, at: 20s, for: 1s }
checks: [state-equals-reference]
`;

/** Three stages over a lossy WAN, every process crashing at random, two failures at a time. */
const STRESS = `
name: logging-under-fire
seed: 1
duration: 60s
quiesce: 30s
sites:
  left: { role: facility, nodes: 3 }
  right: { role: facility, nodes: 2 }
links:
  - { between: [left, right], latency: 10ms, bandwidth: 1Gbps }
pipeline:
  operators:
    src: { kind: source, node: left-1, rate: 50/s, size: 1KiB, service: 1ms, to: items }
    work: { kind: map, nodes: [left-2, right-1], parallelism: 2, from: items, service: 5ms, state: 16MiB, to: results }
    total: { kind: map, node: right-2, from: results, service: 1ms, state: 1MiB, to: out }
checkpoint:
  strategy: uncoordinated
  interval: 2s
  tier: node-local
  coordinator: { node: left-3 }
  message-logging: pessimistic
nemesis:
  quiet: 3s
  max-concurrent: 2
  faults:
    - { kind: node-crash, targets: [left-1, left-2, right-1, right-2], mtbf: 15s, repair: 1s }
    - { kind: process-crash, targets: [work, total, src], mtbf: 10s, repair: 500ms }
    - { kind: packet-loss, between: [left, right], loss: 0.05, mtbf: 10s, repair: 3s }
checks: [state-equals-reference]
`;

function run(text: string, file: string, sets: string[] = []): { summary: RunSummary; records: TraceRecord[] } {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((record) => {
    if (record.k === 'ckpt' || record.k === 'crash' || (record.k === 'recv' && record.msg === 'stream:data')) records.push(record);
  });
  return { summary: execute(prepareRun(loadScenario(text, file, sets), { trace })), records };
}

const recovery = (summary: RunSummary) => summary.metrics.recovery as Record<string, number>;
const messageLog = (summary: RunSummary) => summary.metrics.messageLog as Record<string, number>;

test('domino drill: without a log both processes roll back to the start; with it the failed one alone replays', (t) => {
  const text = readFileSync(DRILL, 'utf8');
  const domino = run(text, DRILL, ['checkpoint.message-logging=none']);
  t.true(domino.summary.ok, JSON.stringify(domino.summary.checks));
  t.is(recovery(domino.summary).rolledBackToStart, 2);
  t.false('messageLog' in domino.summary.metrics, 'no log, no log metric');

  const logged = run(text, DRILL);
  t.true(logged.summary.ok, JSON.stringify(logged.summary.checks));
  t.false(logged.records.some((r) => r.op === 'rollback'), 'no global rollback');
  const restores = logged.records.filter((r) => r.op === 'restore');
  t.deepEqual(restores.map((r) => [r.a, r.toStart]), [['process-2', false]]);
  // It restored its latest checkpoint before the crash (ids are capture times), no older one.
  const saved = logged.records.filter((r) => r.op === 'saved' && r.a === 'process-2' && r.t < 20_000_000).map((r) => r.id as number);
  t.is(restores[0]!.id, Math.max(...saved));
  const replay = logged.records.find((r) => r.op === 'replay')!;
  t.is(replay.a, 'process-2');
  t.is(recovery(logged.summary).rolledBackToStart, 0);
  // What it redid is what it replayed: at most the 3 s since its checkpoint, at 5 + 5 events a second.
  t.is(recovery(logged.summary).lostWorkEvents, replay.events as number);
  t.true(recovery(logged.summary).lostWorkEvents <= 30, `${recovery(logged.summary).lostWorkEvents} redone`);
  t.true(recovery(logged.summary).lostWorkEvents * 10 < recovery(domino.summary).lostWorkEvents);
  // The price: every received message and every processing decision went through an fsync.
  const log = messageLog(logged.summary);
  t.true(log.syncs > 0 && log.entries >= recovery(logged.summary).eventsProcessed - log.replayedEvents, JSON.stringify(log));
  t.is(log.replayedEvents, replay.events as number);
});

test("Randell's one-way case: the receiver's failure rolls the sender back too without a log, never with one", (t) => {
  const domino = run(ONE_WAY, 'one-way.yaml');
  t.true(domino.summary.ok, JSON.stringify(domino.summary.checks));
  // Every interval of the sender holds a send: the sender goes back to its start, and so the
  // receiver back past every receipt — to its start, or to a checkpoint before its first message
  // arrived (seed 1: its first checkpoint, at a uniform phase of its 3 s interval, falls at 6.9 ms,
  // the first message arrives at 12 ms), which holds the same state.
  const rollback = domino.records.find((r) => r.op === 'rollback')!;
  t.deepEqual(rollback.toStart, ['sender', ...(rollback.toStart as string[]).filter((p) => p === 'receiver')]);
  const firstReceipt = domino.records.find((r) => r.k === 'recv' && r.a === 'receiver')!.t;
  t.true((rollback.targets as Record<string, number>).receiver! < firstReceipt, `receiver back to ${JSON.stringify(rollback.targets)}, before its first receipt at ${firstReceipt} µs`);

  const logged = run(ONE_WAY, 'one-way.yaml', ['checkpoint.message-logging=pessimistic']);
  t.true(logged.summary.ok, JSON.stringify(logged.summary.checks));
  t.deepEqual(logged.records.filter((r) => r.op === 'restore').map((r) => [r.a, r.toStart]), [['receiver', false]]);
  t.true(recovery(logged.summary).lostWorkEvents < recovery(domino.summary).lostWorkEvents / 5);
});

test('pessimistic logging under random process and node crashes and a lossy link: only failed processes restore, never to the start, and the state is right', (t) => {
  for (const seed of [1, 2, 3]) {
    const { summary, records } = run(STRESS, 'stress.yaml', [`seed=${seed}`]);
    t.true(summary.ok, `seed ${seed}: ${JSON.stringify(summary.checks)}`);
    t.false(records.some((r) => r.op === 'rollback'), `seed ${seed}: a global rollback`);
    const restores = records.filter((r) => r.op === 'restore');
    t.true(restores.length >= 10, `seed ${seed}: ${restores.length} restores`);
    t.is(recovery(summary).restoresToStart, 0, `seed ${seed}`);
    // Each restore is a failed process's own: one per failure, none of a survivor.
    t.is(restores.length, recovery(summary).failures, `seed ${seed}`);
  }
});

test('the log forgets what a stable checkpoint covers, and its live bytes count as checkpoint storage; behind a memory checkpoint it keeps everything', (t) => {
  const logBytes = (records: TraceRecord[], actor: string) => records.filter((r) => r.op === 'stored' && r.tier === 'message-log' && r.a === actor).map((r) => r.totalBytes as number);
  const imageBytes = (records: TraceRecord[]) => {
    const held = new Map<string, number>();
    for (const r of records) if (r.op === 'stored' && r.tier !== 'message-log') held.set(`${r.a} ${String(r.key)}`, r.totalBytes as number);
    return [...held.values()].reduce((a, b) => a + b, 0);
  };
  const sets = ['checkpoint.message-logging=pessimistic', 'duration=60s'];
  const trimmed = run(ONE_WAY, 'one-way.yaml', sets);
  t.true(trimmed.summary.ok, JSON.stringify(trimmed.summary.checks));
  const live = logBytes(trimmed.records, 'receiver');
  const logged = messageLog(trimmed.summary).bytes;
  // 60 s at 5 events/s of ~1 KiB, checkpoints every 3 s: about two intervals' worth stays, never the whole run.
  t.true(live.length > 0 && live.at(-1)! > 0, JSON.stringify(live.slice(-3)));
  t.true(Math.max(...live) * 5 < logged, `peak ${Math.max(...live)} of ${logged} logged`);
  const storage = trimmed.summary.metrics.checkpoint as Record<string, number>;
  t.is(storage.storageBytes, imageBytes(trimmed.records) + live.at(-1)! + logBytes(trimmed.records, 'sender').at(-1)!);

  // A node-local memory checkpoint dies with the node; the disk log must still hold everything.
  const kept = run(ONE_WAY, 'one-way.yaml', [...sets, 'checkpoint.node-local=memory']);
  t.true(kept.summary.ok, JSON.stringify(kept.summary.checks));
  t.is(logBytes(kept.records, 'receiver').at(-1), messageLog(kept.summary).bytes - logBytes(kept.records, 'sender').at(-1)!);
});

test('message logging belongs to the uncoordinated strategy: elsewhere it is refused at its line', (t) => {
  const text = readFileSync(DRILL, 'utf8').replace('strategy: uncoordinated', 'strategy: coordinated');
  const error = t.throws(() => loadScenario(text, DRILL), { instanceOf: InputError });
  t.regex(error.message, /:\d+ checkpoint\.message-logging: message logging is an option of strategy uncoordinated/);
});

test('a full disk refuses the log\'s appends: they are retried every 100 ms, and meanwhile that operator logs nothing durable and emits nothing; after, the state is right', (t) => {
  const text = readFileSync(DRILL, 'utf8');
  const window = (r: TraceRecord) => r.t > 10_200_000 && r.t < 15 * 1_000_000;
  const traced = (sets: string[]) => {
    const trace = new TraceWriter();
    const records: TraceRecord[] = [];
    trace.listen((r) => {
      if (r.a !== 'process-2') return;
      if ((r.k === 'disk' && r.op === 'refused') || (r.k === 'ckpt' && r.op === 'logged') || (r.k === 'send' && r.msg === 'stream:data')) records.push(r);
    });
    return { summary: execute(prepareRun(loadScenario(text, DRILL, sets), { trace })), records };
  };
  // process-2 runs on right-1, whose disk is full from 10 s to 15 s (the drill's crash removed).
  const full = traced(['faults=[{kind: disk-full, target: right-1, at: 10s, for: 5s}]']);
  const refused = full.records.filter((r) => r.k === 'disk');
  t.true(refused.length >= 45, `${refused.length} refused appends`);
  t.deepEqual([...new Set(refused.slice(1).map((r, i) => r.t - refused[i]!.t))], [100_000]);
  t.deepEqual(full.records.filter((r) => r.k !== 'disk' && window(r)), [], 'nothing logged, nothing sent');
  t.true(full.summary.ok, JSON.stringify(full.summary.checks));

  const calm = traced(['faults=[]']);
  const sent = calm.records.filter((r) => r.k === 'send' && window(r)).length;
  t.true(sent > 10 && calm.records.some((r) => r.k === 'ckpt' && window(r)), `without the fault: ${sent} sent in the window`);
});

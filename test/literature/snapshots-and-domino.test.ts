/**
 * Chandy–Lamport snapshots and Randell's domino effect on topologies and rates other than the
 * drills' (`scenarios/literature/`), checked against what the papers imply:
 * - every snapshot of a ring and of a complete graph holds the money the accounts started with,
 *   counting the recorded channel state; on a unidirectional ring that channel state can only be
 *   on the initiator's one input (every other account gets the marker on its only channel first);
 * - with independent checkpoints and no message log, the recovery line falls back further as
 *   messages per checkpoint interval grow, to the initial states once every interval holds one,
 *   and coordination removes the fall-back.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { execute, type RunSummary } from '../../src/exec/run.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../src/scenario/index.ts';

const dir = fileURLToPath(new URL('../../scenarios/literature/', import.meta.url));

function run(name: string, sets: string[] = []): { summary: RunSummary; ckpt: TraceRecord[] } {
  const trace = new TraceWriter();
  const ckpt: TraceRecord[] = [];
  trace.listen((record) => void (record.k === 'ckpt' && ckpt.push(record)));
  return { summary: execute(prepareRun(loadScenarioFile(`${dir}${name}.yaml`, sets), { trace })), ckpt };
}

const recovery = (summary: RunSummary) => summary.metrics.recovery as Record<string, number> & { rollbackDepth: { max: number; mean: number } };

/** Each completed cut's total: the `conserved` share (state + recorded channel state) of its snapshots. */
function cutTotals(ckpt: readonly TraceRecord[]): number[] {
  const complete = new Set(ckpt.filter((r) => r.op === 'complete').map((r) => r.id as number));
  const totals = new Map<number, number>();
  for (const r of ckpt) if (r.op === 'snapshot' && complete.has(r.cut as number)) totals.set(r.cut as number, (totals.get(r.cut as number) ?? 0) + (r.conserved as number));
  return [...totals.values()];
}

test('Chandy–Lamport on a unidirectional ring: every cut holds 5 × 500, channel state only on the initiator', (t) => {
  const { summary, ckpt } = run('chandy-lamport-ring');
  t.true(summary.ok, JSON.stringify(summary.checks));
  const totals = cutTotals(ckpt);
  t.true(totals.length >= 15, `${totals.length} cuts`);
  t.deepEqual([...new Set(totals)], [5 * 500]);
  const withChannelState = ckpt.filter((r) => r.op === 'snapshot' && (r.inFlight as number) > 0);
  t.true(withChannelState.length > 0, 'transfers were in flight at some cut');
  // The coordinator starts every snapshot at p1, the first operator.
  t.deepEqual([...new Set(withChannelState.map((r) => r.a))], ['p1'], 'recorded channel state sits at the initiator');
});

test('Chandy–Lamport on a complete graph of six accounts: every cut holds 6 × 2000 through two failures', (t) => {
  const { summary, ckpt } = run('chandy-lamport-complete');
  t.true(summary.ok, JSON.stringify(summary.checks));
  const totals = cutTotals(ckpt);
  t.true(totals.length >= 15, `${totals.length} cuts`);
  t.deepEqual([...new Set(totals)], [6 * 2000]);
  t.true(ckpt.filter((r) => r.op === 'snapshot' && (r.inFlight as number) > 0).length >= totals.length, 'most cuts caught transfers in flight');
  t.is(recovery(summary).rollbacks, 2);
  // Chandy–Lamport's channels join distinct processes: n(n − 1) = 30 a cut; each account's channel to itself apart.
  const cuts = summary.checks['consistent-cuts']!.stats as Record<string, number>;
  t.is(cuts.channels, 30 * cuts.cuts!);
  t.is(cuts.selfChannels, 6 * cuts.cuts!);
});

type Counters = { id: number; inputs: Record<string, number>; outputs: Record<string, number> };

/**
 * The recovery line recomputed from the trace alone, as the survey states it: each survivor starts
 * at its present state (`current`), the failed process at its latest checkpoint saved before the
 * round; an orphan (received > sent) sends the receiver back, a message in transit (sent >
 * received, which no log holds) the sender, each to its newest earlier candidate, until none is left.
 */
function lineFromTrace(ckpt: readonly TraceRecord[]): Record<string, number> {
  const currents = ckpt.filter((r) => r.op === 'current');
  const roundUs = Math.min(...currents.map((r) => r.t), ckpt.find((r) => r.op === 'rollback')!.t);
  const saved = new Set(ckpt.filter((r) => r.op === 'saved' && r.t < roundUs).map((r) => `${r.a}#${r.id}`));
  const candidates = new Map<string, Counters[]>();
  for (const p of ['p1', 'p2', 'p3']) {
    const own = ckpt.filter((r) => r.a === p && r.op === 'snapshot' && saved.has(`${p}#${r.id}`)).map((r) => r as unknown as Counters);
    const present = currents.filter((r) => r.a === p).map((r) => r as unknown as Counters);
    candidates.set(p, [{ id: 0, inputs: {}, outputs: {} }, ...own, ...present]);
  }
  const at = new Map([...candidates].map(([p, list]) => [p, list.length - 1]));
  const pick = (p: string) => candidates.get(p)![at.get(p)!]!;
  for (let changed = true; changed; ) {
    changed = false;
    for (const sender of candidates.keys()) {
      for (const [channel, sent] of Object.entries(pick(sender).outputs)) {
        const [stream, receiver] = channel.split('>') as [string, string];
        const inKey = `${stream}<${sender}`;
        const received = pick(receiver).inputs[inKey] ?? 0;
        if (received > sent) while (at.get(receiver)! > 0 && (pick(receiver).inputs[inKey] ?? 0) > sent) at.set(receiver, at.get(receiver)! - 1);
        else if (sent > received) while (at.get(sender)! > 0 && (pick(sender).outputs[channel] ?? 0) > received) at.set(sender, at.get(sender)! - 1);
        else continue;
        changed = true;
      }
    }
  }
  return Object.fromEntries([...candidates.keys()].map((p) => [p, pick(p).id]));
}

test('domino effect on a ring: survivors keep their state with no messages, fall back exactly as far as the line needs, to the start with one every interval', (t) => {
  const failure = 30 * SECOND; // p2's node-crash
  const line = (rate: string) => {
    const { summary, ckpt } = run('domino-ring', ['p1', 'p2', 'p3'].map((p) => `pipeline.operators.${p}.rate=${rate}`));
    t.true(summary.checks['state-equals-reference']!.ok);
    t.true(summary.checks['consistent-cuts']!.ok, 'the line is a consistent cut');
    const rollback = ckpt.find((r) => r.op === 'rollback')!;
    const targets = rollback.targets as Record<string, number>;
    t.deepEqual(targets, lineFromTrace(ckpt), `the coordinator's line at ${rate} is the one recomputed from the trace`);
    const kept = rollback.kept as string[];
    // States each process fell back past: its checkpoints from before the failure after its target,
    // and for a survivor (p1, p3) its present state unless it kept it.
    const depths = Object.entries(targets).map(([p, id]) => ckpt.filter((r) => r.a === p && r.op === 'snapshot' && r.t < failure && (r.id as number) > id).length + (p !== 'p2' && !kept.includes(p) ? 1 : 0));
    t.deepEqual(recovery(summary).rollbackDepth, { max: Math.max(...depths), mean: Math.round((depths.reduce((a, b) => a + b, 0) / depths.length) * 100) / 100 });
    return { depths, kept, summary, ckpt };
  };
  // No message since p2's last checkpoint: p2 restores it, p1 and p3 go on from where they were.
  const quiet = line('0.02/s');
  t.deepEqual(quiet.kept, ['p1', 'p3']);
  t.deepEqual(quiet.depths, [0, 0, 0]);
  t.is(recovery(quiet.summary).lostWorkEvents, 0, 'no work redone');
  t.is(recovery(quiet.summary).restores, 1, 'only the failed process restores');
  // Some messages: each survivor back past its present state and as many checkpoints as the orphans
  // and in-transit messages need (the depths are those of the line recomputed from the trace, above),
  // short of the start; more messages per interval, a deeper fall-back.
  const some = line('0.1/s');
  const more = line('0.4/s');
  t.log(`depths: 0.1/s ${some.depths.join(' ')}, 0.4/s ${more.depths.join(' ')}`);
  for (const { summary } of [some, more]) t.is(recovery(summary).rolledBackToStart, 0);
  t.true(Math.max(...some.depths) >= 1, 'a message since the failed process\'s checkpoint disturbs a survivor');
  t.true(Math.max(...more.depths) > Math.max(...some.depths), 'four times the messages, a deeper line');
  // A message across every channel in every interval: all the way to the initial states.
  const every = line('2/s');
  t.deepEqual(every.kept, []);
  t.is(recovery(every.summary).rolledBackToStart, 3);
  // Past every checkpoint each took before the failure (one every 3 s from a phase in (0, 3 s): 10),
  // and the survivors past their present states.
  const taken = ['p1', 'p2', 'p3'].map((p) => new Set(every.ckpt.filter((r) => r.a === p && r.op === 'snapshot' && r.t < failure).map((r) => r.id)).size);
  t.deepEqual(taken, [10, 10, 10]);
  t.deepEqual(every.depths, [11, 10, 11]);
  const coordinated = run('domino-ring', ['checkpoint.strategy=coordinated']).summary;
  t.true(coordinated.ok);
  t.is(recovery(coordinated).rolledBackToStart, 0);
  t.deepEqual(recovery(coordinated).rollbackDepth, { max: 0, mean: 0 }, 'a global checkpoint is a recovery line: no fall-back');
});

test('domino ring: survivors that talk to each other all the time, across a 5 ms link, keep their states when a quiet process fails', (t) => {
  // p3 (moved to site b) pays p1 20 times a second; p1 and p2 send almost nothing. When p2 fails,
  // nothing it sent or received since its checkpoint is at stake: p1 and p3 must not fall back,
  // though transfers between them are always in flight — they stop, let those arrive, then report.
  const { summary, ckpt } = run('domino-ring', ['pipeline.operators.p1.rate=0.02/s', 'pipeline.operators.p2.rate=0.02/s', 'pipeline.operators.p3.rate=20/s', 'pipeline.operators.p3.node=b-2']);
  t.true(summary.ok, JSON.stringify(summary.checks));
  const rollback = ckpt.find((r) => r.op === 'rollback')!;
  t.deepEqual(rollback.kept, ['p1', 'p3']);
  t.deepEqual(rollback.targets, lineFromTrace(ckpt));
  t.is(recovery(summary).lostWorkEvents, 0);
  t.deepEqual(recovery(summary).rollbackDepth, { max: 0, mean: 0 });
  // Their present states agree on the busy channel: every transfer p3 had sent, p1 holds.
  const current = (p: string) => ckpt.find((r) => r.op === 'current' && r.a === p)!;
  t.true(((current('p3').outputs as Record<string, number>)['c31>p1'] ?? 0) > 500);
  t.is((current('p1').inputs as Record<string, number>)['c31<p3'], (current('p3').outputs as Record<string, number>)['c31>p1']);
});

test('uncoordinated recovery under a nemesis of instant process crashes and node crashes on the six-account graph: every check holds', (t) => {
  // Seeds 1, 2 and 6 crash an account after it reported its present state and before its rollback
  // (repair 0s: it is back at once, without that state): its hello must open a newer round.
  for (const seed of [1, 2, 6]) {
    const sets = [
      `seed=${seed}`,
      'checkpoint.strategy=uncoordinated',
      'pipeline.operators.bank.rate=0.3/s',
      'faults=[]',
      'nemesis={quiet: 2s, faults: [{kind: process-crash, targets: [bank], mtbf: 6s, repair: 0s}, {kind: node-crash, targets: [b-1, c-2], mtbf: 10s, repair: 300ms}]}',
    ];
    const { summary, ckpt } = run('chandy-lamport-complete', sets);
    t.true(summary.ok, `seed ${seed}: ${JSON.stringify(summary.checks)}`);
    t.true(ckpt.some((r) => r.op === 'keep'), `seed ${seed}: some survivor kept its state`);
  }
});

test('a process restarting during the recovery round is heard of at once: survivors stop waiting for what they sent it when its hello comes, not a request timeout later', (t) => {
  // p3 (site b) pays p1 20 times a second. p1's process crashes at 30.9 s and is back 200 ms later;
  // p2's node is down from 30 s to 31 s, and its hello opens the round while p1 is still down. p3
  // stops and waits for its transfers to p1 to be acknowledged — which p1, restarted, never will.
  // p1's hello tells the coordinator, which names p1 to p3: the round goes on without the 2 s wait.
  const sets = [
    'pipeline.operators.p1.rate=0.02/s',
    'pipeline.operators.p2.rate=0.02/s',
    'pipeline.operators.p3.rate=20/s',
    'pipeline.operators.p3.node=b-2',
    'faults=[{kind: node-crash, target: b-1, at: 30s, for: 1s}, {kind: process-crash, target: p1, at: 30.9s, for: 200ms}]',
  ];
  const { summary, ckpt } = run('domino-ring', sets);
  t.true(summary.ok, JSON.stringify(summary.checks));
  const rollback = ckpt.find((r) => r.op === 'rollback')!;
  t.deepEqual(rollback.targets, lineFromTrace(ckpt));
  // p1 is back at 31.1 s: the line is chosen within a few round trips of that, far inside the 2 s request timeout.
  t.true(rollback.t < 31.1 * SECOND + 200_000, `rollback at ${rollback.t} µs`);
});

test('a receiver whose node is down is heard of by nobody, yet costs the round nothing: the line comes when it is back, as it must, whether it was down for less or more than a request timeout', (t) => {
  // As above, but p1's whole node goes down: no host is left to refuse p3's transfers, so nothing
  // tells p3 (as TCP tells a sender nothing of a dead host). p3 waits until p1's hello names it, or
  // one request timeout (2 s). The round needs p1's own answer anyway, which comes only when p1 is
  // back: the line follows p1's return within a few round trips either way, and a failure detector
  // could not bring it sooner.
  for (const downMs of [1_000, 4_000]) {
    const sets = [
      'pipeline.operators.p1.rate=0.02/s',
      'pipeline.operators.p2.rate=0.02/s',
      'pipeline.operators.p3.rate=20/s',
      'pipeline.operators.p3.node=b-2',
      `faults=[{kind: node-crash, target: b-1, at: 30s, for: 1s}, {kind: node-crash, target: a-1, at: 30.9s, for: ${downMs}ms}]`,
    ];
    const { summary, ckpt } = run('domino-ring', sets);
    t.true(summary.ok, JSON.stringify(summary.checks));
    const rollback = ckpt.find((r) => r.op === 'rollback')!;
    t.deepEqual(rollback.targets, lineFromTrace(ckpt));
    const back = 30.9 * SECOND + downMs * 1_000;
    t.true(rollback.t > back && rollback.t < back + 100_000, `p1 back at ${back} µs, rollback at ${rollback.t} µs`);
  }
});

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

test('domino effect on a ring: no fall-back with rare messages, to the start with one every interval, none when coordinated', (t) => {
  const depth = (rate: string) => {
    const { summary, ckpt } = run('domino-ring', ['p1', 'p2', 'p3'].map((p) => `pipeline.operators.${p}.rate=${rate}`));
    t.true(summary.checks['state-equals-reference']!.ok);
    const rollback = ckpt.find((r) => r.op === 'rollback')!;
    const failure = 30 * SECOND; // p2's node-crash
    // How many of its own checkpoints from before the failure each process falls behind.
    const depths = Object.entries(rollback.targets as Record<string, number>).map(([p, id]) => ckpt.filter((r) => r.a === p && r.op === 'snapshot' && r.t < failure && (r.id as number) > id).length);
    // The summary reports the same: recovery.rollbackDepth.
    t.deepEqual(recovery(summary).rollbackDepth, { max: Math.max(...depths), mean: Math.round((depths.reduce((a, b) => a + b, 0) / depths.length) * 100) / 100 });
    return depths;
  };
  const rare = depth('0.1/s');
  const some = depth('0.4/s');
  const every = depth('2/s');
  t.deepEqual(rare, [0, 0, 0], 'the latest checkpoints form a line');
  t.true(some.some((d) => d > 0) && some.every((d) => d <= 3), `some fall-back: ${some}`);
  t.true(every.every((d, i) => d >= 7 && d > some[i]!), `every process back to its start: ${every}`);
  t.is(recovery(run('domino-ring').summary).rolledBackToStart, 3);
  const coordinated = run('domino-ring', ['checkpoint.strategy=coordinated']).summary;
  t.true(coordinated.ok);
  t.is(recovery(coordinated).rolledBackToStart, 0);
  t.deepEqual(recovery(coordinated).rollbackDepth, { max: 0, mean: 0 }, 'a global checkpoint is a recovery line: no fall-back');
});

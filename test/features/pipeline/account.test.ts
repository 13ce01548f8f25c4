/**
 * The `account` workload (kinds.ts): transfer k's destination and amount are a pure function of
 * (seed, account, k) — the same seed the same transfers, another seed other ones — uniform over
 * the other accounts and 1…max-amount; and with Poisson arrivals (instrument.ts) a rollback
 * regenerates the same transfers at the same due times, and the money is still conserved.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { accountLogic } from '../../../src/features/pipeline/actors/kinds.ts';
import { execute, type RunSummary } from '../../../src/exec/run.ts';
import { EventIds, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';

const transfers = (seed: number, index: number, n: number) => {
  const ids = EventIds.of([{ name: 'bank', kind: 'account', parallelism: 6, from: 'transfers', to: 'transfers', limit: n }], n * 1_000_000);
  const logic = accountLogic({ op: 'bank', instance: `bank-${index + 1}`, index, parallelism: 6, seed, ids }, { balance: 1000, maxAmount: 100 });
  return Array.from({ length: n }, (_, k) => logic.generate!(k, 0)).map((e) => ({ id: ids.name(e.id), to: e.key, amount: e.value[0]! }));
};

test('transfer k is a pure function of (seed, account, k): another seed, another pattern', (t) => {
  t.deepEqual(transfers(1, 2, 100), transfers(1, 2, 100));
  const a = transfers(1, 2, 100);
  const b = transfers(2, 2, 100);
  t.deepEqual(b.map((x) => x.id), a.map((x) => x.id), 'ids name the account and k only');
  // Two seeds agree on a destination with probability 1/5 per transfer: 100 transfers differ in ≈ 80.
  t.true(a.filter((x, k) => x.to !== b[k]!.to).length > 60, 'destinations differ');
  t.true(a.filter((x, k) => x.amount !== b[k]!.amount).length > 90, 'amounts differ');
  t.notDeepEqual(transfers(1, 3, 100).map((x) => x.to), a.map((x) => x.to), 'another account, another pattern');
});

test('destinations are uniform over the other accounts, amounts over 1…max-amount', (t) => {
  // 6 000 transfers to 5 others: 1 200 each, binomial sd 31 — ±150 is ~5 sd; amounts' mean 50.5, sd of the mean 0.37.
  const all = transfers(9, 2, 6000);
  const counts = [0, 0, 0, 0, 0, 0];
  for (const x of all) counts[x.to]!++;
  t.is(counts[2], 0, 'never to itself');
  for (const [to, count] of counts.entries()) if (to !== 2) t.true(Math.abs(count - 1200) < 150, `${count} to account ${to}`);
  t.true(all.every((x) => Number.isInteger(x.amount) && x.amount >= 1 && x.amount <= 100));
  t.true(all.some((x) => x.amount === 1) && all.some((x) => x.amount === 100));
  const mean = all.reduce((s, x) => s + x.amount, 0) / all.length;
  t.true(Math.abs(mean - 50.5) < 2, `mean amount ${mean}`);
});

const drills = fileURLToPath(new URL('../../../scenarios/drills/', import.meta.url));

function run(name: string, sets: string[], keep: (r: TraceRecord) => boolean): { summary: RunSummary; records: TraceRecord[] } {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  // The records as the trace file shows them: event ids by name.
  trace.listen((written) => {
    const r = trace.named(written);
    if (keep(r)) records.push(r);
  });
  return { summary: execute(prepareRun(loadScenarioFile(`${drills}${name}.yaml`, sets), { trace })), records };
}

test('Poisson transfers: a rollback to the start regenerates every transfer with its due time; the same seed, the same trace; another, another', (t) => {
  const sets = ['pipeline.operators.process.arrivals=poisson'];
  const generated = (r: TraceRecord) => r.k === 'state' && typeof r.event === 'string' && !(r.event as string).includes('/');
  const { summary, records } = run('domino-uncoordinated', sets, generated);
  t.true(summary.ok, JSON.stringify(summary.checks));
  const born = new Map<string, number[]>();
  for (const r of records) {
    // An account's own transfers are `<instance>:<k>`; the ones it received are its peer's, also generated there.
    const list = born.get(`${r.a} ${String(r.event)}`) ?? [];
    list.push(r.born as number);
    born.set(`${r.a} ${String(r.event)}`, list);
  }
  const redone = [...born.values()].filter((list) => list.length > 1);
  t.true(redone.length > 20, `${redone.length} events processed again after the rollback`);
  for (const list of redone) t.is(new Set(list).size, 1, 'a replayed transfer keeps its due time');
  t.true((summary.metrics.recovery as Record<string, number>).rolledBackToStart! >= 1);
  // The due times are Poisson, not every 1/rate: process-1's own transfers come at irregular gaps.
  const own = [...new Set(records.filter((r) => r.a === 'process-1' && String(r.event).startsWith('process-1:')).map((r) => r.born as number))].sort((x, y) => x - y);
  t.true(new Set(own.slice(1).map((b, i) => b - own[i]!)).size > own.length / 2, 'irregular gaps');
  const again = run('domino-uncoordinated', sets, () => false).summary;
  t.is(again.traceHash, summary.traceHash);
  t.not(run('domino-uncoordinated', [...sets, 'seed=2'], () => false).summary.traceHash, summary.traceHash);
});

test('Poisson transfers under Chandy–Lamport snapshots and a crash: every cut conserves the money', (t) => {
  const { summary, records } = run('chandy-lamport-bank', ['pipeline.operators.account.arrivals=poisson'], (r) => r.k === 'ckpt' && r.op === 'snapshot');
  t.true(summary.ok, JSON.stringify(summary.checks));
  t.true(summary.checks.conservation!.ok && !summary.checks.conservation!.vacuous);
  t.true(records.length >= 20, `${records.length} snapshots`);
});

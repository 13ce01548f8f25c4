/**
 * The pipeline checkers on hand-written traces: each anomaly is named, counted and cited, and a
 * checker that cannot see fails instead of passing.
 */
import test from 'ava';
import type { CheckerDefinition, Verdict } from '../../src/check/index.ts';
import { conservation } from '../../src/features/checkpoint/checks/conservation.ts';
import { consistentCuts } from '../../src/features/checkpoint/checks/consistent-cuts.ts';
import { stateEqualsReference } from '../../src/features/pipeline/checks/state-equals-reference.ts';
import type { TraceRecord } from '../../src/kernel/index.ts';

let n = 0;
const rec = (t: number, k: string, a: string, fields: Record<string, unknown>): TraceRecord => ({ t, k: k as TraceRecord['k'], a, n: n++, ...fields });
const snapshot = (t: number, a: string, cut: number, inputs: Record<string, number>, outputs: Record<string, number>, conserved?: number) =>
  rec(t, 'ckpt', a, { op: 'snapshot', strategy: 'barrier-snapshot', id: cut, cut, inputs, outputs, ...(conserved === undefined ? {} : { conserved }) });
const complete = (t: number, id: number) => rec(t, 'ckpt', 'ckpt-coordinator', { op: 'complete', strategy: 'barrier-snapshot', id });

function check(checker: CheckerDefinition, records: TraceRecord[]): Verdict {
  const c = checker.create();
  for (const r of records) c.observe(r);
  return c.verdict();
}

test('consistent-cuts: a matching cut passes; an orphan and a lost in-flight message are named and cited', (t) => {
  const good = check(consistentCuts, [snapshot(10, 'p', 1, {}, { 's>q': 5 }), snapshot(12, 'q', 1, { 's<p': 5 }, {}), complete(20, 1)]);
  t.true(good.ok);
  t.deepEqual(good.stats, { cuts: 1, channels: 1, selfChannels: 0, orphans: 0, lostInTransit: 0 });
  const bad = check(consistentCuts, [
    snapshot(10, 'p', 2, {}, { 's>q': 5, 's>r': 3 }),
    snapshot(12, 'q', 2, { 's<p': 7 }, {}),
    snapshot(13, 'r', 2, { 's<p': 1 }, {}),
    complete(20, 2),
  ]);
  t.false(bad.ok);
  t.deepEqual(bad.violations.map((v) => v.anomaly), ['orphan', 'lost-in-transit']);
  t.regex(bad.violations[0].message, /q includes 7 messages of channel s>q but p had sent only 5/);
  t.deepEqual(bad.violations[0].cites.map((c) => [c.a, c.t]), [['p', 10], ['q', 12], ['ckpt-coordinator', 20]]);
});

test('consistent-cuts: channels are those between distinct processes (Chandy–Lamport); a self-channel is checked but counted apart', (t) => {
  // Two accounts whose output stream routes to both, themselves included (as a complete graph's `from: pay, to: pay`).
  const verdict = check(consistentCuts, [
    snapshot(10, 'a', 1, { 'pay<a': 0, 'pay<b': 3 }, { 'pay>a': 0, 'pay>b': 2 }),
    snapshot(11, 'b', 1, { 'pay<a': 2, 'pay<b': 0 }, { 'pay>a': 3, 'pay>b': 0 }),
    complete(20, 1),
  ]);
  t.true(verdict.ok);
  t.deepEqual(verdict.stats, { cuts: 1, channels: 2, selfChannels: 2, orphans: 0, lostInTransit: 0 });
  const selfOrphan = check(consistentCuts, [snapshot(10, 'a', 2, { 'pay<a': 4 }, { 'pay>a': 3 }), complete(20, 2)]);
  t.deepEqual(selfOrphan.violations.map((v) => v.anomaly), ['orphan']);
});

test('consistent-cuts: an abandoned checkpoint is no cut; a recovery line is', (t) => {
  const aborted = check(consistentCuts, [snapshot(10, 'p', 3, {}, { 's>q': 5 }), rec(15, 'ckpt', 'ckpt-coordinator', { op: 'aborted', id: 3 }), snapshot(16, 'q', 3, { 's<p': 9 }, {})]);
  t.true(aborted.ok);
  t.is(aborted.stats.cuts, 0);
  const local = (t0: number, a: string, id: number, inputs: Record<string, number>, outputs: Record<string, number>) =>
    rec(t0, 'ckpt', a, { op: 'snapshot', strategy: 'uncoordinated', id, inputs, outputs });
  const line = check(consistentCuts, [
    local(10, 'p', 100, {}, { 's>q': 4 }),
    local(11, 'q', 200, { 's<p': 6 }, {}),
    rec(30, 'ckpt', 'ckpt-coordinator', { op: 'rollback', strategy: 'uncoordinated', epoch: 1, targets: { p: 100, q: 200 }, toStart: [] }),
  ]);
  t.false(line.ok);
  t.regex(line.violations[0].message, /the recovery line of epoch 1/);
});

test('consistent-cuts: a recovery line of initial states counts and checks its channels; an orphan from a sender sent to its start is named', (t) => {
  const local = (t0: number, a: string, id: number, inputs: Record<string, number>, outputs: Record<string, number>) =>
    rec(t0, 'ckpt', a, { op: 'snapshot', strategy: 'uncoordinated', id, inputs, outputs });
  const rollback = (t0: number, epoch: number, targets: Record<string, number>) =>
    rec(t0, 'ckpt', 'ckpt-coordinator', { op: 'rollback', strategy: 'uncoordinated', epoch, targets, toStart: Object.keys(targets).filter((a) => targets[a] === 0) });
  // p ⇄ q: their checkpoints named both channels; the line sends both to their initial states (0 on each).
  const start = check(consistentCuts, [local(10, 'p', 100, { 's<q': 1 }, { 's>q': 2 }), local(11, 'q', 200, { 's<p': 2 }, { 's>p': 1 }), rollback(30, 1, { p: 0, q: 0 })]);
  t.true(start.ok);
  t.deepEqual(start.stats, { cuts: 1, channels: 2, selfChannels: 0, orphans: 0, lostInTransit: 0 });
  // p at its start, q at a checkpoint that holds 2 of p's messages: p never sent them in this cut.
  const orphan = check(consistentCuts, [local(10, 'p', 100, {}, { 's>q': 2 }), local(11, 'q', 200, { 's<p': 2 }, {}), rollback(30, 1, { p: 0, q: 200 })]);
  t.deepEqual(orphan.violations.map((v) => v.anomaly), ['orphan']);
  t.regex(orphan.violations[0]!.message, /q includes 2 messages of channel s>q but p had sent only 0/);
  t.is(orphan.stats.channels, 1);
});

test('conservation: every snapshot must hold what the accounts started with', (t) => {
  const init = [rec(0, 'state', 'a', { init: true, conserved: 100 }), rec(0, 'state', 'b', { init: true, conserved: 100 })];
  const ok = check(conservation, [...init, snapshot(5, 'a', 1, {}, {}, 70), snapshot(6, 'b', 1, {}, {}, 130), complete(9, 1)]);
  t.true(ok.ok);
  t.deepEqual(ok.stats, { cuts: 1, total: 200 });
  const lost = check(conservation, [...init, snapshot(5, 'a', 1, {}, {}, 70), snapshot(6, 'b', 1, {}, {}, 120), complete(9, 1)]);
  t.false(lost.ok);
  t.regex(lost.violations[0].message, /checkpoint 1 holds 190 in all .* started with 200: lost 10/);
  // A recovery line that sends one account back to its initial state: that one holds its initial share.
  const line = check(conservation, [
    ...init,
    rec(5, 'ckpt', 'a', { op: 'snapshot', strategy: 'uncoordinated', id: 5, inputs: {}, outputs: {}, conserved: 100 }),
    rec(9, 'ckpt', 'ckpt-coordinator', { op: 'rollback', strategy: 'uncoordinated', epoch: 1, targets: { a: 5, b: 0 }, toStart: ['b'] }),
  ]);
  t.true(line.ok, JSON.stringify(line.violations));
  t.deepEqual(line.stats, { cuts: 1, total: 200 });
  const blind = check(conservation, [snapshot(5, 'a', 1, {}, {}), complete(9, 1)]);
  t.false(blind.ok);
  t.is(blind.violations[0].anomaly, 'no-invariant');
});

test('state-equals-reference: compares final digests with the reference record, and fails without one', (t) => {
  const reference = rec(0, 'state', 'world', { reference: { a: 'x2', b: 'y1', c: 'z1' }, processed: { a: 2, b: 1, c: 1 } });
  const trace = [
    rec(0, 'state', 'a', { init: true, digest: 'x0' }),
    rec(1, 'state', 'a', { event: 'e1', digest: 'x1' }),
    rec(2, 'state', 'a', { event: 'e2', digest: 'x2' }),
    rec(3, 'state', 'b', { event: 'e1', digest: 'y1' }),
    rec(4, 'ckpt', 'b', { op: 'restore', digest: 'y0' }),
  ];
  const verdict = check(stateEqualsReference, [reference, ...trace]);
  t.false(verdict.ok);
  t.deepEqual(verdict.violations.map((v) => v.anomaly), ['diverged', 'missing']);
  t.regex(verdict.violations[0].message, /operator b ends with state y0, the fault-free run with y1 after processing 1 events .*last restored at 4us/);
  t.deepEqual(verdict.stats, { instances: 3, matching: 1, processed: 3, referenceProcessed: 4 });
  const none = check(stateEqualsReference, trace);
  t.false(none.ok);
  t.is(none.violations[0].anomaly, 'no-reference');
});

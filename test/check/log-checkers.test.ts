/**
 * The log's checkers on small hand-written traces: each anomaly is found, cited, and counted, and
 * the benign look-alikes (a re-read, a rebalance, a restart) are not reported.
 */
import test from 'ava';
import { duplicate, noAckedLoss, type CheckerDefinition, type Verdict } from '../../src/check/index.ts';
import { divergence } from '../../src/features/log/checks/divergence.ts';
import { nonmonotonic } from '../../src/features/log/checks/nonmonotonic.ts';
import { produceOrder } from '../../src/features/log/checks/produce-order.ts';
import { skip } from '../../src/features/log/checks/skip.ts';
import { unobserved } from '../../src/features/log/checks/unobserved.ts';
import type { TraceRecord } from '../../src/kernel/index.ts';

/** A trace builder: `r(t, a, k, fields)` with per-actor record counters. */
function trace() {
  const counters = new Map<string, number>();
  const records: TraceRecord[] = [];
  const add = (t: number, a: string, k: TraceRecord['k'], fields: Record<string, unknown> = {}) => {
    const n = counters.get(a) ?? 0;
    counters.set(a, n + 1);
    records.push({ t, k, a, n, ...fields });
    return records;
  };
  return { records, add };
}

function check(def: CheckerDefinition, records: readonly TraceRecord[]): Verdict {
  const checker = def.create();
  for (const r of records) checker.observe(r);
  return checker.verdict();
}

const consume = (offset: number, events: string[], extra: Record<string, unknown> = {}) => ({ op: 'consume', topic: 't', partition: 0, offset, events, ...extra });

test('duplicate: an id at two offsets is a duplicate; the same offset read twice is not', (t) => {
  const { records, add } = trace();
  add(1, 'reader', 'client', consume(0, ['a', 'b', 'c'], { final: true }));
  add(2, 'reader', 'client', consume(0, ['a', 'b'], { final: true })); // a restarted reader re-reads
  add(3, 'reader', 'client', consume(3, ['d', 'b'], { final: true })); // b again, at offset 4
  add(4, 'reader', 'client', { op: 'final-read', events: 5 });
  const verdict = check(duplicate, records);
  t.false(verdict.ok);
  t.is(verdict.stats.duplicates, 1);
  t.deepEqual(verdict.violations[0]!.events, ['b']);
  t.regex(verdict.violations[0]!.message, /b is stored in reader\/t at 0@1 and again at 0@4/);
  t.deepEqual(verdict.violations[0]!.cites.map((c) => c.n), [0, 2]);
});

test('duplicate: consumer re-deliveries are counted, not violations; no final read fails', (t) => {
  const { records, add } = trace();
  add(1, 'c', 'client', consume(0, ['a', 'b']));
  add(2, 'c', 'client', consume(0, ['a', 'b']));
  const verdict = check(duplicate, records);
  t.is(verdict.stats.redelivered, 2);
  t.is(verdict.violations[0]!.anomaly, 'no-final-read');
  add(3, 'r', 'client', { op: 'final-read', events: 0 });
  t.true(check(duplicate, records).ok);
});

test('duplicate: positions are per service, so two services\' topics of the same name neither collide nor double-count', (t) => {
  const { records, add } = trace();
  // The edge and cloud logs both have a topic `t`; the cloud holds the forwarded events in another order.
  add(1, 'edge-reader', 'client', consume(0, ['a', 'b', 'c'], { final: true }));
  add(2, 'edge-reader', 'client', { op: 'final-read', events: 3 });
  add(3, 'cloud-reader', 'client', consume(0, ['c', 'a', 'b'], { final: true }));
  add(4, 'cloud-reader', 'client', consume(3, ['a'], { final: true })); // a forwarded twice: stored twice in the cloud
  add(5, 'cloud-reader', 'client', { op: 'final-read', events: 4 });
  const verdict = check(duplicate, records);
  t.is(verdict.stats.stored, 3);
  t.is(verdict.stats.duplicates, 1);
  t.deepEqual(verdict.violations.map((v) => v.events), [['a']]);
  t.regex(verdict.violations[0]!.message, /a is stored in cloud-reader\/t at 0@1 and again at 0@3/);
  t.deepEqual(verdict.violations[0]!.cites.map((c) => [c.a, c.n]), [['cloud-reader', 0], ['cloud-reader', 1]]);
});

test('no-acked-loss: an ack in flight when the acknowledging broker lost power is lost to that power loss', (t) => {
  const { records, add } = trace();
  add(1_000, 'p', 'client', { op: 'produce', events: ['a'] });
  add(1_010, 'p', 'client', { op: 'ack', events: ['a'] });
  add(6_000, 'p', 'client', { op: 'produce', events: ['b', 'c'] });
  // The broker appended b and c and answered at 6 010; its node lost power at 7 000, before the ack arrived.
  add(7_000, 'broker', 'disk', { op: 'lost', file: 'events-0/0.log', records: 3 });
  add(7_001, 'p', 'client', { op: 'ack', events: ['b', 'c'] });
  add(9_000, 'other', 'disk', { op: 'lost', file: 'x.log', records: 1 });
  add(9_500, 'reader', 'client', { op: 'final-read', events: 0 });
  const verdict = check(noAckedLoss, records);
  t.is(verdict.stats.lost, 3);
  // a: acknowledged, then lost at 7 000; b and c: the same power loss, with their acks in flight.
  t.deepEqual(verdict.violations.map((v) => v.events), [['a', 'b', 'c']]);
  t.regex(verdict.violations[0]!.message, /broker lost unsynced data at 7ms; 2 of them were acknowledged after it, their acks in flight when it struck/);
});

test('no-acked-loss: an id found in two tiers or re-read is not a duplicate; an id at two offsets of one stream is', (t) => {
  const { records, add } = trace();
  add(1, 'p', 'client', { op: 'ack', events: ['a', 'b', 'c'] });
  add(2, 'edge-reader', 'client', consume(0, ['a', 'b', 'c'], { final: true }));
  add(3, 'edge-reader', 'client', consume(0, ['a', 'b'], { final: true })); // a restarted reader re-reads
  add(4, 'edge-reader', 'client', { op: 'final-read', events: 3 });
  add(5, 'cloud-reader', 'client', consume(0, ['a', 'b', 'c'], { final: true })); // the next tier holds the same ids
  add(6, 'cloud-reader', 'client', consume(3, ['c'], { final: true })); // c stored twice in the cloud log
  add(7, 'cloud-reader', 'client', { op: 'final-read', events: 4 });
  const verdict = check(noAckedLoss, records);
  t.true(verdict.ok);
  t.is(verdict.stats.finalRead, 3);
  t.is(verdict.stats.lost, 0);
  t.is(verdict.stats.duplicates, 1);
});

test('unobserved: acknowledged, kept, never delivered', (t) => {
  const { records, add } = trace();
  add(1, 'p', 'client', { op: 'ack', events: ['a', 'b', 'c'] });
  add(2, 'c', 'client', consume(0, ['a']));
  add(3, 'r', 'client', consume(0, ['a', 'b'], { final: true }));
  add(4, 'r', 'client', { op: 'final-read', events: 2 });
  const verdict = check(unobserved, records);
  t.false(verdict.ok);
  t.is(verdict.stats.unobserved, 1, 'c was lost, not unobserved: only b counts');
  t.deepEqual(verdict.violations[0]!.events, ['b']);
});

test('unobserved: a scenario without consumers cannot pass', (t) => {
  const { records, add } = trace();
  add(1, 'p', 'client', { op: 'ack', events: ['a'] });
  add(3, 'r', 'client', consume(0, ['a'], { final: true }));
  add(4, 'r', 'client', { op: 'final-read', events: 1 });
  t.is(check(unobserved, records).violations[0]!.anomaly, 'no-consumer');
});

test('nonmonotonic and skip: offsets within a session; assignments and restarts start new sessions', (t) => {
  const { records, add } = trace();
  add(1, 'c', 'client', { op: 'assign', partitions: [0] });
  add(2, 'c', 'client', consume(10, ['a', 'b']));
  add(3, 'c', 'client', consume(12, ['c']));
  add(4, 'c', 'client', consume(15, ['f'])); // skips 13, 14
  add(5, 'c', 'client', consume(11, ['b'])); // goes back
  add(6, 'c', 'client', { op: 'assign', partitions: [0] });
  add(7, 'c', 'client', consume(5, ['x'])); // rewound by a rebalance: fine
  add(8, 'c', 'restart', { scope: 'process' });
  add(9, 'c', 'client', consume(2, ['y'])); // after a restart: fine
  add(10, 'd', 'client', consume(0, ['z'])); // another consumer, its own session
  const skips = check(skip, records);
  const back = check(nonmonotonic, records);
  t.is(skips.violationCount, 1, 'only the jump from 13 to 15; going back is not a skip');
  t.regex(skips.violations[0]!.message, /jumped from offset 13 to 15 of t-0, skipping 2 offsets/);
  t.is(skips.stats.skippedOffsets, 2);
  t.is(back.violationCount, 1);
  t.regex(back.violations[0]!.message, /read t-0 from offset 11 after reading up to 15/);
  t.deepEqual(back.violations[0]!.cites.map((c) => c.t), [4, 5]);
});

const produce = (events: string[], partition = 0) => ({ op: 'produce', topic: 't', partition, events });

test('produce-order: a producer\'s events stored in a partition out of their send order are reordered; a duplicate\'s later copy and another producer are not', (t) => {
  const { records, add } = trace();
  add(1, 'p', 'client', produce(['p-0', 'p-1']));
  add(2, 'p', 'client', produce(['p-2']));
  add(3, 'p', 'client', produce(['p-3'], 1)); // another partition: its own order
  add(4, 'q', 'client', produce(['q-0']));
  add(5, 'p', 'client', produce(['p-4']));
  // Partition 0 holds p-0, p-2 (p-1's request was lost and retried), p-1, q-0, p-0 again (a re-sent batch), p-4.
  add(6, 'r', 'client', consume(0, ['p-0', 'p-2', 'p-1'], { final: true }));
  add(7, 'r', 'client', consume(0, ['p-0', 'p-2'], { final: true })); // a restarted reader re-reads
  add(8, 'r', 'client', consume(3, ['q-0', 'p-0', 'p-4'], { final: true }));
  add(9, 'r', 'client', { ...consume(0, ['p-3'], { final: true }), partition: 1 });
  add(10, 'r', 'client', { op: 'final-read', events: 7 });
  const verdict = check(produceOrder, records);
  t.false(verdict.ok);
  t.is(verdict.violationCount, 1);
  t.is(verdict.stats.reordered, 1);
  t.is(verdict.stats.stored, 6, 'first copies of produced events');
  t.deepEqual(verdict.violations[0]!.events, ['p-1', 'p-2']);
  t.regex(verdict.violations[0]!.message, /p-1 \(p's 2nd send\) is stored in r\/t-0 at offset 2, after p-2 \(its 3rd\) at offset 1/);
  t.deepEqual(verdict.violations[0]!.cites.map((c) => c.t), [1, 6]);
});

test('produce-order: events in send order pass; nothing produced and stored is vacuous; no final read fails', (t) => {
  const { records, add } = trace();
  add(1, 'p', 'client', produce(['p-0', 'p-1']));
  add(2, 'p', 'client', produce(['p-2']));
  t.is(check(produceOrder, records).violations[0]!.anomaly, 'no-final-read');
  add(3, 'r', 'client', consume(0, ['x-9', 'p-0', 'p-1', 'p-2'], { final: true })); // x-9: produced by no traced producer
  add(4, 'r', 'client', { op: 'final-read', events: 4 });
  const verdict = check(produceOrder, records);
  t.true(verdict.ok);
  t.is(verdict.stats.stored, 3);
  t.is(produceOrder.vacuous!({ stored: 0, reordered: 0 }), '0 produced events in the final read');
});

/** The duplicate test's edge/cloud trace: p sends a, b, c to the edge log (stored in `edge` order); a forwarder re-sends them to the cloud log's `t`, which holds them as c, a, b and a again. */
function forwardedTrace(edge: string[]) {
  const { records, add } = trace();
  add(0, 'p', 'client', produce(['a', 'b', 'c']));
  add(1, 'fwd', 'client', { op: 'forward-route', from: { service: 'edge', topic: 't' }, to: { service: 'cloud', topic: 't' } });
  add(1, 'fwd', 'client', { op: 'forward', events: ['c'], topic: 't', partition: 0, seq: 0 });
  add(1, 'fwd', 'client', { op: 'forward', events: ['a', 'b'], topic: 't', partition: 0, seq: 1 });
  add(2, 'edge-reader', 'client', consume(0, edge, { final: true }));
  add(3, 'edge-reader', 'client', { op: 'final-read', events: 3 });
  add(4, 'cloud-reader', 'client', consume(0, ['c', 'a', 'b'], { final: true }));
  add(5, 'cloud-reader', 'client', consume(3, ['a'], { final: true }));
  add(6, 'cloud-reader', 'client', { op: 'final-read', events: 4 });
  return records;
}

test('produce-order: a copy in another service (forwarded) or in another partition than its send is not its producer\'s order', (t) => {
  const verdict = check(produceOrder, forwardedTrace(['a', 'b', 'c']));
  t.true(verdict.ok, verdict.violations[0]?.message);
  t.is(verdict.stats.stored, 3, 'the edge log\'s copies only');
  // The producer's own stream is still judged.
  t.deepEqual(check(produceOrder, forwardedTrace(['b', 'a', 'c'])).violations.map((v) => v.events), [['a', 'b']]);
  // A merge of two partitions into one: p sent a to t-0 and b to t-1; a reader's t-0 holds b, a.
  const { records, add } = trace();
  add(1, 'p', 'client', produce(['a'], 0));
  add(2, 'p', 'client', produce(['b'], 1));
  add(3, 'cloud-reader', 'client', consume(0, ['b', 'a'], { final: true }));
  add(4, 'cloud-reader', 'client', { op: 'final-read', events: 2 });
  const merged = check(produceOrder, records);
  t.true(merged.ok, merged.violations[0]?.message);
  t.is(merged.stats.stored, 1, 'b is not in the partition it was sent to');
});

test('produce-order: an emulated gateway\'s records are each of its clients\' sends, not the gateway\'s', (t) => {
  const { records, add } = trace();
  add(1, 'gateway', 'client', { ...produce(['a-0']), client: 'A' });
  add(2, 'gateway', 'client', { ...produce(['b-0']), client: 'B' });
  add(3, 'gateway', 'client', { ...produce(['a-1']), client: 'A' });
  add(4, 'r', 'client', consume(0, ['b-0', 'a-1', 'a-0'], { final: true })); // b-0 before a-0: two clients, no order between them
  add(5, 'r', 'client', { op: 'final-read', events: 3 });
  const verdict = check(produceOrder, records);
  t.deepEqual(verdict.violations.map((v) => v.events), [['a-0', 'a-1']]);
  t.regex(verdict.violations[0]!.message, /a-0 \(A's 1st send\)/);
});

const log = (op: string, offset: number, extra: Record<string, unknown> = {}) => ({ op, topic: 't', partition: 0, offset, epoch: 0, ...extra });

test('divergence: replicas agreeing below their high watermarks pass; a different event at a committed offset fails', (t) => {
  const { records, add } = trace();
  add(1, 'b1', 'log', log('append', 0, { events: ['a', 'b'] }));
  add(2, 'b2', 'log', log('replicate', 0, { events: ['a', 'b'] }));
  add(3, 'b1', 'log', log('hw', 2));
  add(4, 'b2', 'log', log('hw', 2));
  t.true(check(divergence, records).ok);
  // b3 was elected uncleanly with a different history, and advances its high watermark over it.
  add(5, 'b3', 'log', log('append', 0, { events: ['a', 'x'] }));
  add(6, 'b3', 'log', log('hw', 2));
  const verdict = check(divergence, records);
  t.false(verdict.ok);
  t.deepEqual(verdict.violations[0]!.events, ['x', 'b']);
  t.regex(verdict.violations[0]!.message, /b3 holds x at t-0 offset 1, below its high watermark 2, but b1 held b there below its own/);
  t.deepEqual(verdict.violations[0]!.cites.map((c) => [c.a, c.t]), [['b1', 3], ['b3', 6]]);
});

test('divergence: uncommitted data may differ and be truncated away', (t) => {
  const { records, add } = trace();
  add(1, 'b1', 'log', log('append', 0, { events: ['a', 'b', 'c'] }));
  add(2, 'b2', 'log', log('replicate', 0, { events: ['a'] }));
  add(3, 'b1', 'log', log('hw', 1));
  add(4, 'b2', 'log', log('append', 1, { events: ['d'] })); // b2 leads a new epoch
  add(5, 'b1', 'log', log('truncate', 1, { from: 3 })); // b1 aligns
  add(6, 'b1', 'log', log('replicate', 1, { events: ['d'] }));
  add(7, 'b2', 'log', log('hw', 2));
  add(8, 'b1', 'log', log('hw', 2));
  const verdict = check(divergence, records);
  t.true(verdict.ok, verdict.violations[0]?.message);
  // Offset 0 is compared when b2's high watermark passes it, offset 1 when b1's does.
  t.is(verdict.stats.compared, 2);
});

test('divergence: a power loss rolls a replica back to what its last completed fsync covered', (t) => {
  const { records, add } = trace();
  add(1, 'b1', 'log', log('append', 0, { events: ['a', 'b'] }));
  add(2, 'b1', 'disk', { op: 'fsync', bytes: 10 });
  add(3, 'b1', 'disk', { op: 'fsync-done', bytes: 10 });
  add(4, 'b1', 'log', log('truncate', 1, { from: 2 }));
  add(5, 'b1', 'log', log('append', 1, { events: ['x', 'y'] }));
  add(6, 'b1', 'disk', { op: 'fsync', bytes: 10 }); // never completes
  add(7, 'b1', 'crash', { scope: 'node' });
  add(8, 'b1', 'log', log('recover', 2, { logStart: 0 })); // the disk holds [a, b] again
  add(9, 'b1', 'log', log('hw', 2));
  add(10, 'b2', 'log', log('replicate', 0, { events: ['a', 'b'] }));
  add(11, 'b2', 'log', log('hw', 2));
  const verdict = check(divergence, records);
  t.true(verdict.ok, verdict.violations[0]?.message);
  t.is(verdict.stats.unverified, 0, 'the model followed the disk');
  // Without the rollback the model would have believed [a, x]: prove the check can see that.
  const { records: wrong, add: add2 } = trace();
  add2(1, 'b1', 'log', log('append', 0, { events: ['a', 'x'] }));
  add2(2, 'b1', 'log', log('hw', 2));
  add2(3, 'b2', 'log', log('replicate', 0, { events: ['a', 'b'] }));
  add2(4, 'b2', 'log', log('hw', 2));
  t.false(check(divergence, wrong).ok);
});

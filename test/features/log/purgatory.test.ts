/**
 * The waits of the replicated log's long polls, checked when the broker wakes rather than by a timer
 * per fetch — as Kafka's purgatory (a completed DelayedFetch leaves its timing wheel's bucket and
 * fires nothing; the expiration reaper wakes for what is due) and its NetworkClient (a request's
 * timeout checked at each poll) check them: a fetch answered in time costs no kernel event, and one
 * that is not is still answered, or given up, at its deadline exactly.
 */
import test from 'ava';
import type { TraceRecord } from '../../../src/kernel/index.ts';
import { logWorld, MS, SECOND, topic } from './_harness.ts';

test('a broker\'s parked fetches and its followers\' fetches answered in time cost no timer event each', (t) => {
  const run = logWorld({ topics: [topic('t', 3)] });
  run.producer('p', { ratePerSec: 200, stopAtUs: 10 * SECOND });
  run.consumer('c');
  let recorded = 0;
  let fetches = 0;
  run.world.trace.listen((r: TraceRecord) => {
    // The records that stand for an event: a delivery, a timer that fired, an fsync that completed.
    if (r.k === 'recv' || r.k === 'timer' || (r.k === 'disk' && r.op === 'fsync-done')) recorded++;
    if (r.k === 'send' && r.msg === 'fetch') fetches++;
  });
  const { events, verdicts } = run.go(20 * SECOND);
  t.true(Object.values(verdicts).every((v) => v.ok));
  t.true(fetches > 5000, `${fetches} fetches`);
  // A timer per parked fetch and per follower fetch, cancelled when answered, still popped: 10,559 events without a record here.
  t.true(events - recorded < 50, `${events - recorded} kernel events without a record`);
});

test('a parked fetch with nothing to read is answered, empty, when its wait ends (replica.fetch.wait.max.ms) exactly', (t) => {
  // No producer: every follower fetch parks and expires.
  const run = logWorld({ topics: [topic('t', 2)], replicaFetchWaitMaxUs: 100 * MS });
  const fetchAt = new Map<string, number>();
  const waits: number[] = [];
  run.world.trace.listen((r: TraceRecord) => {
    if (r.k === 'recv' && r.msg === 'fetch') fetchAt.set(`${r.a}<${r.from}`, r.t);
    if (r.k === 'send' && r.msg === 'fetch-reply' && r.t > SECOND) waits.push(r.t - fetchAt.get(`${r.a}<${r.to}`)!);
  });
  run.go(3 * SECOND);
  t.true(waits.length > 50, `${waits.length} replies`);
  t.deepEqual([...new Set(waits)], [100 * MS]);
});

test('a follower whose fetch goes unanswered asks again after the wait plus its silence (1 s), and then every time', (t) => {
  const run = logWorld({ topics: [topic('t', 1)], replicaFetchWaitMaxUs: 100 * MS });
  let leader: string | undefined;
  const sent: number[] = [];
  run.world.trace.listen((r: TraceRecord) => {
    if (r.k === 'log' && r.op === 'leader') leader = r.a as string;
    if (r.k === 'send' && r.msg === 'fetch' && r.a === 'log-broker-2' && r.to === leader && r.t > 2 * SECOND && r.t < 7 * SECOND) sent.push(r.t);
  });
  // From 2 s to 7 s the leader's node hears nothing from, and says nothing to, the other brokers' nodes.
  run.at(2 * SECOND, 'cut', (world) => world.partition({ id: 'cut', from: ['hpc-1'], to: ['hpc-2', 'hpc-3'] }));
  run.at(7 * SECOND, 'heal', (world) => world.heal('cut'));
  run.go(8 * SECOND);
  t.is(leader, 'log-broker-1', 'the partition cuts the leader off from its follower log-broker-2');
  const gaps = sent.slice(1).map((at, i) => at - sent[i]!);
  t.true(gaps.length >= 3, `${sent.length} fetches sent to the cut-off leader`);
  t.deepEqual([...new Set(gaps)], [100 * MS + SECOND]);
});

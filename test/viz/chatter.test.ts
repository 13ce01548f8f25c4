/**
 * Idle chatter is told from the messages that matter by what they carry: heartbeats always, and a
 * fetch whose reply came back with no records (a bare control message) together with that reply;
 * a fetch answered with data, other messages, and the requests a crashed server forgot are not.
 */
import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import type { TraceRecord } from '../../src/kernel/trace.ts';
import { decodePayload } from '../../viz/wire/codec.ts';
import { buildModel } from '../../viz/model/model.ts';

/** One message: its send and its receipt, `us` µs later. */
function message(at: number, from: string, to: string, msg: string, bytes: number, n: Record<string, number>): object[] {
  n[from] = (n[from] ?? -1) + 1;
  n[to] = (n[to] ?? -1) + 1;
  return [
    { t: at, k: 'send', a: from, n: n[from], to, msg, bytes },
    { t: at + 5, k: 'recv', a: to, n: n[to], from, msg, s: n[from] },
  ];
}

test('heartbeats and fetches answered empty are idle; fetches answered with data are not', async (t) => {
  const n: Record<string, number> = {};
  const records = [
    ...message(0, 'follower', 'leader', 'fetch', 64, n),
    ...message(10, 'leader', 'follower', 'fetch-reply', 4_096, n), // carried records
    ...message(20, 'follower', 'leader', 'fetch', 64, n),
    ...message(30, 'leader', 'follower', 'fetch-reply', 64, n), // came back empty
    ...message(40, 'broker', 'controller', 'broker-heartbeat', 64, n),
    ...message(50, 'controller', 'broker', 'broker-heartbeat-reply', 160, n),
    ...message(60, 'client', 'leader', 'produce', 64, n),
  ];
  // Fed to the encoder directly: a hand-made trace has no meta header for readTrace to accept.
  const encoder = new TraceEncoder('chatter.jsonl');
  records.forEach((record, i) => encoder.add(record as TraceRecord, i + 1));
  const model = buildModel(decodePayload(gunzipSync(await encoder.finish())), 'A');
  const idleAt = (at: number) => model.chatter.idle[model.data.t.indexOf(at)];
  t.deepEqual([0, 5, 10, 15].map(idleAt), [0, 0, 0, 0], 'the fetch answered with data is drawn');
  t.deepEqual([20, 25, 30, 35].map(idleAt), [1, 1, 1, 1], 'the empty fetch and its reply fold');
  t.deepEqual([40, 45, 50, 55].map(idleAt), [1, 1, 1, 1], 'heartbeats fold');
  t.deepEqual([60, 65].map(idleAt), [0, 0]);
  t.is(model.chatter.messages, 4);
  t.deepEqual(model.flows.filter((f) => f.idle).map((f) => f.msg).sort(), ['broker-heartbeat', 'broker-heartbeat-reply', 'fetch', 'fetch-reply']);
});

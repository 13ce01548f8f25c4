/**
 * Idle chatter is told from the messages that matter by what they did: heartbeats and heartbeat
 * timers always, and a fetch whose reply carried no records (a bare control message) and whose
 * receiving step only fetched again, together with that reply; a fetch answered with data, with an
 * error (as small, but its step backs off) or with a new high watermark, and other messages are not.
 */
import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import type { TraceRecord } from '../../src/kernel/trace.ts';
import { decodePayload } from '../../viz/wire/codec.ts';
import { buildModel } from '../../viz/model/model.ts';

/** One record per call, numbered per actor as the simulator numbers them. */
function recorder() {
  const n: Record<string, number> = {};
  const sends = new Map<string, number>();
  const records: object[] = [];
  const next = (actor: string) => (n[actor] = (n[actor] ?? -1) + 1);
  return {
    records,
    send(at: number, from: string, to: string, msg: string, bytes = 64, id = `${from}>${to}:${msg}@${at}`) {
      const seq = next(from);
      sends.set(id, seq);
      records.push({ t: at, k: 'send', a: from, n: seq, to, msg, bytes });
      return id;
    },
    recv(at: number, id: string) {
      const [route, rest] = id.split(':') as [string, string];
      const [from, to] = route.split('>') as [string, string];
      records.push({ t: at, k: 'recv', a: to, n: next(to), from, msg: rest.split('@')[0], s: sends.get(id) });
    },
    local(at: number, a: string, k: string, fields: object) {
      records.push({ t: at, k, a, n: next(a), ...fields });
    },
  };
}

async function modelOf(records: readonly object[]) {
  // Fed to the encoder directly: a hand-made trace has no meta header for readTrace to accept.
  const encoder = new TraceEncoder('chatter.jsonl');
  records.forEach((record, i) => encoder.add(record as TraceRecord, i + 1));
  return buildModel(decodePayload(gunzipSync(await encoder.finish())), 'A');
}

test('a fetch is idle when the step its reply reaches only fetches again; heartbeats and their timers are idle; an error or data reply is drawn', async (t) => {
  const r = recorder();
  // 0: a fetch answered with data: the follower appends before it fetches again.
  r.recv(5, r.send(0, 'follower', 'leader', 'fetch'));
  const data = r.send(10, 'leader', 'follower', 'fetch-reply', 4_096);
  r.recv(15, data);
  r.local(15, 'follower', 'log', { op: 'replicate', offset: 0 });
  // 20: an empty reply, answered by fetching again at once.
  r.recv(25, r.send(15, 'follower', 'leader', 'fetch'));
  const empty = r.send(30, 'leader', 'follower', 'fetch-reply', 64);
  r.recv(35, empty);
  // 40: a reply of 64 bytes that carried an error: the follower backs off (its step writes nothing).
  r.recv(45, r.send(35, 'follower', 'leader', 'fetch'));
  r.recv(55, r.send(50, 'leader', 'follower', 'fetch-reply', 64));
  // 60: a reply of 64 bytes that moved the high watermark.
  r.recv(65, r.send(60, 'follower', 'leader', 'fetch'));
  r.recv(75, r.send(70, 'leader', 'follower', 'fetch-reply', 64));
  r.local(75, 'follower', 'log', { op: 'hw', offset: 1 });
  r.send(75, 'follower', 'leader', 'fetch');
  // 76: a reply with one record that its receiver queues for later (a pipeline operator): it only fetches again.
  r.recv(78, r.send(76, 'operator', 'leader', 'fetch'));
  r.recv(79, r.send(78, 'leader', 'operator', 'fetch-reply', 253));
  r.send(79, 'operator', 'leader', 'fetch');
  // 80: heartbeats, their timer, and a timer of another name.
  r.local(80, 'broker', 'timer', { name: 'heartbeat' });
  r.recv(85, r.send(80, 'broker', 'controller', 'broker-heartbeat'));
  r.recv(95, r.send(90, 'controller', 'broker', 'broker-heartbeat-reply', 160));
  r.local(100, 'client', 'timer', { name: 'tick' });
  r.recv(105, r.send(100, 'client', 'leader', 'produce'));
  const model = await modelOf(r.records);
  const rowsAt = (at: number) => [...model.data.t.keys()].filter((i) => model.data.t[i] === at);
  const idleAt = (at: number) => rowsAt(at).map((i) => model.chatter.idle[i]);
  t.deepEqual([0, 5, 10].flatMap(idleAt), [0, 0, 0], 'the fetch answered with data is drawn');
  t.deepEqual(idleAt(15), [0, 0, 1], 'its receipt and the append are drawn; the fetch sent next, answered empty, folds');
  t.deepEqual([25, 30].flatMap(idleAt), [1, 1], 'the empty reply folds');
  t.deepEqual(idleAt(35), [1, 0], 'its receipt folds; the fetch sent next was answered with an error, drawn');
  t.deepEqual([45, 50, 55].flatMap(idleAt), [0, 0, 0], 'a 64-byte error reply is drawn');
  t.deepEqual([65, 70].flatMap(idleAt), [0, 0], 'a 64-byte reply that moved the high watermark is drawn');
  t.deepEqual([76, 78, 79].flatMap(idleAt), [0, 0, 0, 0, 0], 'a reply that carried records is drawn, though its step only fetched again');
  t.deepEqual([80, 85, 90, 95].flatMap(idleAt), [1, 1, 1, 1, 1], 'heartbeats and the heartbeat timer fold');
  t.deepEqual([100, 105].flatMap(idleAt), [0, 0, 0], 'a timer of another name and other messages are drawn');
  t.is(model.chatter.messages, 4);
  t.deepEqual(model.flows.filter((f) => f.idle).map((f) => f.msg).sort(), ['broker-heartbeat', 'broker-heartbeat-reply', 'fetch', 'fetch-reply']);
});

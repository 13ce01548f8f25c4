/**
 * A sender's crash cuts what it had not finished transmitting (src/world/network.ts, "A sender's
 * crash"; the cut itself is `Simulator.cut`): all of it when its node goes down, past its socket
 * buffer when only its process dies.
 */
import test from 'ava';
import { MS, SECOND, type Actor, type Message } from '../../src/kernel/index.ts';
import { SOCKET_BUFFER_BYTES } from '../../src/world/index.ts';
import { Scenario } from './_scenario.ts';

const MB = 1_000_000;

/**
 * Site `edge` (node edge-1: the client `alice` and her neighbour `carol`) and site `store`
 * (node store-1: `bob`), joined by a 1 MB/s WAN with 1 ms latency: a byte takes 1 µs on the wire.
 */
function upload() {
  const s = new Scenario();
  s.lanSite('edge', 1, { latencyUs: 10, bandwidthBytesPerSec: 1_000 * MB });
  s.lanSite('store', 1, { latencyUs: 10, bandwidthBytesPerSec: 1_000 * MB });
  s.link('edge', 'store', { latencyUs: 1 * MS, bandwidthBytesPerSec: 1 * MB });
  return { s, alice: s.puppet('alice', 'edge-1'), carol: s.puppet('carol', 'edge-1'), bob: s.puppet('bob', 'store-1') };
}

/** `[time, sender, send record number]` of the messages dropped at `at` because their sender crashed. */
function cuts(s: Scenario, at: string): [number, string, number][] {
  return s.kinds('drop', at).filter((r) => r.cause === 'sender-crash').map((r) => [r.t, String(r.from), Number(r.s)]);
}

test('a big upload whose client node crashes mid-transfer never arrives: the receiver drops it as sender-crash when it would have', (t) => {
  const { s, alice, bob } = upload();
  s.at(100, () => alice.send('bob', { bytes: 10 * MB })); // on the wire 100 µs .. 10.0001 s
  s.crashNode('edge-1').at(1 * SECOND);
  s.run(20 * SECOND);
  t.deepEqual(bob.inbox, [], 'nothing arrived, so nothing was stored or acknowledged');
  const sendN = s.kinds('send', 'alice')[0].n;
  t.deepEqual(cuts(s, 'bob'), [[100 + 10 * SECOND + 1 * MS, 'alice', sendN]]);
});

interface Put extends Message {
  type: 'put';
  name: string;
}

/** A store: it writes each put it receives to its disk and acknowledges it to the sender. */
function store(): Actor<Put> {
  return {
    onMessage: (ctx, put, from) => {
      ctx.disk.put(put.name, put.name, 1_000);
      ctx.send(from, { type: 'ack', name: put.name });
    },
  };
}

test('a checkpoint put cut by its client node’s crash is neither stored nor acknowledged; one sent before it is both', (t) => {
  const s = new Scenario();
  s.lanSite('edge', 1, { latencyUs: 10, bandwidthBytesPerSec: 1_000 * MB });
  s.lanSite('store', 1, { latencyUs: 10, bandwidthBytesPerSec: 1_000 * MB });
  s.link('edge', 'store', { latencyUs: 1 * MS, bandwidthBytesPerSec: 1 * MB });
  const client = s.puppet('client', 'edge-1');
  s.world.spawn('pfs', 'store-1', store);
  s.at(100, () => {
    client.ctx.send<Put>('pfs', { type: 'put', name: 'ckpt-1' }, { bytes: 1 * MB }); // on the wire until 1.0001 s
    client.ctx.send<Put>('pfs', { type: 'put', name: 'ckpt-2' }, { bytes: 4 * MB }); // until 5.0001 s
  });
  s.crashNode('edge-1').at(2 * SECOND);
  s.run(20 * SECOND);
  t.deepEqual(
    s.kinds('disk', 'pfs').map((r) => r.file),
    ['ckpt-1'],
    'only the whole put was stored',
  );
  t.deepEqual(
    s.kinds('send', 'pfs').map((r) => r.msg),
    ['ack'],
  );
  t.deepEqual(
    cuts(s, 'pfs').map(([time, from]) => [time, from]),
    [[100 + 5 * SECOND + 1 * MS, 'client']],
  );
});

test('a message whose last byte left before the node crash still arrives; one still on the wire does not', (t) => {
  const { s, alice, bob } = upload();
  s.at(100, () => {
    alice.send('bob', { bytes: 1_000 }); // on the wire until 1 100 µs
    alice.send('bob', { bytes: 1_000 }); // until 2 100 µs
  });
  s.crashNode('edge-1').at(1_100); // the first's last byte left at 1 100 µs exactly
  s.run(1 * SECOND);
  t.deepEqual(bob.inbox, [{ t: 1_100 + 1 * MS, from: 'alice', id: 0 }]);
  t.deepEqual(
    cuts(s, 'bob').map(([time]) => time),
    [2_100 + 1 * MS],
  );
});

test('a process crash: its host still sends what fits its socket buffer, and cuts a message that does not', (t) => {
  const { s, alice, bob } = upload();
  s.at(100, () => alice.send('bob', { bytes: 1_000 })); // a small message written just before the crash
  s.crashActor('alice').at(200);
  s.run(1 * SECOND);
  t.deepEqual(bob.inbox, [{ t: 1_100 + 1 * MS, from: 'alice', id: 0 }], 'the small message arrived whole and on time');

  const big = upload();
  big.s.at(100, () => big.alice.send('bob', { bytes: 10 * MB }));
  big.s.crashActor('alice').at(1 * SECOND); // 9 MB still to send: more than the buffer
  big.s.run(20 * SECOND);
  t.deepEqual(big.bob.inbox, []);
  t.is(cuts(big.s, 'bob').length, 1);

  const nearlyDone = upload();
  nearlyDone.s.at(100, () => nearlyDone.alice.send('bob', { bytes: 10 * MB }));
  // The rest, 10 MB − (crash − 100 µs) · 1 B/µs, is just within the buffer.
  nearlyDone.s.crashActor('alice').at(100 + 10 * MB - SOCKET_BUFFER_BYTES);
  nearlyDone.s.run(20 * SECOND);
  t.deepEqual(nearlyDone.bob.arrivalsFrom('alice'), [100 + 10 * SECOND + 1 * MS]);
  t.deepEqual(cuts(nearlyDone.s, 'bob'), []);
});

test('a process crash with one byte more than the buffer left cuts the message', (t) => {
  const { s, alice, bob } = upload();
  s.at(100, () => alice.send('bob', { bytes: 10 * MB }));
  s.crashActor('alice').at(100 + 10 * MB - SOCKET_BUFFER_BYTES - 1);
  s.run(20 * SECOND);
  t.deepEqual(bob.inbox, []);
  t.is(cuts(s, 'bob').length, 1);
});

test('messages queued behind a cut one on the same connection are cut too; another sender’s on the same channel still arrive', (t) => {
  const { s, alice, carol, bob } = upload();
  s.at(100, () => {
    alice.send('bob', { bytes: 10 * MB }); // cut
    alice.send('bob', { bytes: 1_000 }); // small, but behind the cut one on alice's connection
    carol.send('bob', { bytes: 1_000 }); // behind both on the edge>store channel, from carol
  });
  s.crashActor('alice').at(1 * SECOND);
  s.run(20 * SECOND);
  t.deepEqual(bob.arrivalsFrom('alice'), []);
  t.deepEqual(
    cuts(s, 'bob').map(([, from]) => from),
    ['alice', 'alice'],
  );
  // The channel is not given back at the crash: carol's message keeps the time it was given.
  t.deepEqual(bob.arrivalsFrom('carol'), [100 + 10 * SECOND + 2_000 + 1 * MS]);
});

test('what a dead process’s host was still flushing is lost when the node goes down before it left', (t) => {
  const { s, alice, bob } = upload();
  s.at(100, () => alice.send('bob', { bytes: 3 * MB })); // on the wire until 3.0001 s
  s.crashActor('alice').at(1 * SECOND); // 2 MB left: within the buffer
  s.crashNode('edge-1').at(2 * SECOND); // but the host dies before the last byte leaves
  s.run(10 * SECOND);
  t.deepEqual(bob.inbox, []);
  t.is(cuts(s, 'bob').length, 1);

  const late = upload();
  late.s.at(100, () => late.alice.send('bob', { bytes: 3 * MB }));
  late.s.crashActor('alice').at(1 * SECOND);
  late.s.crashNode('edge-1').at(3 * SECOND + 100); // the last byte left just now
  late.s.run(10 * SECOND);
  t.deepEqual(late.bob.arrivalsFrom('alice'), [100 + 3 * SECOND + 1 * MS]);
});

test('a dead process restarted while its host flushes: the node’s crash still cuts the flushed bytes, and a later message does not overtake them', (t) => {
  const s = new Scenario();
  s.lanSite('lan', 2, { latencyUs: 10, bandwidthBytesPerSec: 1 * MB });
  const alice = s.puppet('alice', 'lan-1');
  const bob = s.puppet('bob', 'lan-2');
  s.at(100, () => alice.send('bob', { bytes: 3 * MB })); // on the wire until 3.0001 s
  s.crashActor('alice').at(1 * SECOND); // 2 MB left: within the buffer, the host flushes it
  s.restartActor('alice').at(1.5 * SECOND); // a new incarnation while the old one's bytes still leave
  s.crashNode('lan-1').at(2 * SECOND); // the host dies before they all left
  s.restartNode('lan-1').at(2.5 * SECOND);
  s.at(2.6 * SECOND, () => alice.send('bob', { bytes: 1_000 }));
  s.run(10 * SECOND);
  t.is(cuts(s, 'bob').length, 1);
  t.deepEqual(bob.arrivalsFrom('alice'), [2.6 * SECOND + 1_000 + 10]);
});

test('a restarted sender’s new messages are not cut by its earlier crash', (t) => {
  const { s, alice, bob } = upload();
  s.at(100, () => alice.send('bob', { bytes: 10 * MB }));
  s.crashNode('edge-1').at(1 * SECOND);
  s.restartNode('edge-1').at(2 * SECOND);
  s.at(3 * SECOND, () => alice.send('bob', { bytes: 1_000 }));
  s.run(30 * SECOND);
  t.is(cuts(s, 'bob').length, 1);
  // It waits behind the cut upload's time on the wire (the channel is not given back), then arrives.
  t.deepEqual(bob.arrivalsFrom('alice'), [100 + 10 * SECOND + 1_000 + 1 * MS]);
});

test('a node crash gives its LAN channels back: a message sent after its restart does not wait for the cut one’s bytes', (t) => {
  const s = new Scenario();
  s.lanSite('lan', 2, { latencyUs: 10, bandwidthBytesPerSec: 1 * MB });
  const alice = s.puppet('alice', 'lan-1');
  const bob = s.puppet('bob', 'lan-2');
  s.at(100, () => alice.send('bob', { bytes: 10 * MB })); // on the lan-1>lan-2 channel until 10.0001 s
  s.crashNode('lan-1').at(1 * SECOND);
  s.restartNode('lan-1').at(2 * SECOND);
  s.at(3 * SECOND, () => alice.send('bob', { bytes: 1_000 }));
  s.run(30 * SECOND);
  t.is(cuts(s, 'bob').length, 1);
  t.deepEqual(bob.arrivalsFrom('alice'), [3 * SECOND + 1_000 + 10]);
});

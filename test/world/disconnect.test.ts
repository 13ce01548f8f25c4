/**
 * A peer's death under a connection (contract/disconnect.ts): the host of a crashed process
 * refuses what arrives for it and closes its connections, one latency later at the sender; a host
 * that is down, or cut off, says nothing; an actor that does not listen hears nothing and its trace
 * is as before.
 */
import test from 'ava';
import { Scenario } from './_scenario.ts';

/** Sites `edge` (1 node) and `core` (2 nodes): 1 000 µs over the WAN, 10 µs over the core LAN; 64-byte messages take 1 µs more. */
function edgeAndCore(listens = true) {
  const s = new Scenario(1);
  s.lanSite('edge', 1, { latencyUs: 10, bandwidthBytesPerSec: 64_000_000 });
  s.lanSite('core', 2, { latencyUs: 10, bandwidthBytesPerSec: 64_000_000 });
  s.link('edge', 'core', { latencyUs: 1_000, bandwidthBytesPerSec: 64_000_000 });
  return { s, client: s.puppet('client', 'edge-1', { listens }), broker: s.puppet('broker', 'core-1'), peer: s.puppet('peer', 'core-2', { listens }) };
}

test('a message to a crashed process on a live host is refused one latency after it arrives', (t) => {
  const { s, client } = edgeAndCore();
  s.crashActor('broker').at(500);
  s.at(2_000, () => client.send('broker')); // arrives (and is dropped) at 3 001
  s.run(10_000);
  t.deepEqual(s.drops(), [[3_001, 'broker', 'dead']]);
  t.deepEqual(client.disconnects, [[4_001, 'broker', 'refused']]);
  t.like(s.kinds('conn', 'client')[0], { t: 4_001, peer: 'broker', cause: 'refused', msg: 'data' });
});

test('a crashed process closes its connections: a peer that sent to it hears "closed" one latency after the crash', (t) => {
  const { s, client, peer } = edgeAndCore();
  s.at(100, () => {
    client.send('broker');
    peer.send('broker');
  });
  s.crashActor('broker').at(5_000);
  s.run(20_000);
  t.deepEqual(client.disconnects, [[6_000, 'broker', 'closed']]);
  t.deepEqual(peer.disconnects, [[5_010, 'broker', 'closed']]);
});

test('a connection is one per incarnation: a closed one is not closed again, a new send opens it again', (t) => {
  const { s, client } = edgeAndCore();
  s.at(100, () => client.send('broker'));
  s.crashActor('broker').at(5_000);
  s.restartActor('broker').at(7_000);
  s.crashActor('broker').at(8_000); // no send since the first crash: no connection
  s.restartActor('broker').at(9_000);
  s.at(10_000, () => client.send('broker'));
  s.crashActor('broker').at(12_000);
  s.run(30_000);
  t.deepEqual(client.disconnects, [
    [6_000, 'broker', 'closed'],
    [13_000, 'broker', 'closed'],
  ]);
});

test('a host that is down says nothing: the sender waits for its own timeout, as before', (t) => {
  const { s, client } = edgeAndCore();
  s.at(100, () => client.send('broker')); // a connection (arrives at 1 101)
  s.crashNode('core-1').at(1_500);
  s.at(2_000, () => client.send('broker'));
  s.run(10_000);
  t.deepEqual(s.drops(), [[3_001, 'broker', 'dead']]);
  t.deepEqual(client.disconnects, []);
  t.deepEqual(s.kinds('conn'), []);
});

test('a partition silences the host: cut either way, no refusal and no close reaches the sender', (t) => {
  for (const oneWay of [false, true]) {
    const { s, client } = edgeAndCore();
    s.at(100, () => client.send('broker'));
    // One-way from core to edge: the client's message gets through, the host's answer does not.
    s.partition(['core'], ['edge'], { oneWay }).at(1_500).for(20_000);
    s.crashActor('broker').at(2_000);
    s.at(3_000, () => client.send('broker'));
    s.run(30_000);
    t.deepEqual(client.disconnects, [], oneWay ? 'one-way' : 'both ways');
  }
});

test('a notice for an incarnation that crashed since is dropped', (t) => {
  const { s, client } = edgeAndCore();
  s.crashActor('broker').at(500);
  s.at(2_000, () => client.send('broker')); // refused at 3 001, the notice would arrive at 4 001
  s.crashActor('client').at(3_500);
  s.restartActor('client').at(3_600);
  s.run(10_000);
  t.deepEqual(client.disconnects, []);
  t.deepEqual(s.kinds('conn'), []);
});

test('an actor that does not listen gets no notice and no record: its trace is the trace of before', (t) => {
  const { s, client } = edgeAndCore(false);
  s.crashActor('broker').at(500);
  s.at(2_000, () => client.send('broker'));
  s.run(10_000);
  t.deepEqual(s.kinds('conn'), []);
  t.deepEqual(s.drops(), [[3_001, 'broker', 'dead']]);
});

/**
 * Partitions (symmetric and one-way, of sites or of nodes), healing, messages in flight when a
 * partition starts, and messages to a node that is down.
 */
import test from 'ava';
import { Scenario } from './_scenario.ts';

/**
 * Sites `edge` (2 nodes) and `core` (1 node); every message takes 1 000 µs over the WAN and
 * 11 µs over the edge LAN (1 000 bytes at 1 GB/s plus 10 µs).
 */
function edgeAndCore(seed = 1) {
  const s = new Scenario(seed);
  s.lanSite('edge', 2, { latencyUs: 10, bandwidthBytesPerSec: 1_000_000_000 });
  s.lanSite('core', 1, { latencyUs: 10, bandwidthBytesPerSec: 1_000_000_000 });
  s.link('edge', 'core', { latencyUs: 999, bandwidthBytesPerSec: 1_000_000_000 });
  return { s, sensor: s.puppet('sensor', 'edge-1'), relay: s.puppet('relay', 'edge-2'), broker: s.puppet('broker', 'core-1') };
}

const BYTES = { bytes: 1_000 };

test('a symmetric partition drops both directions at send; heal restores both', (t) => {
  const { s, sensor, relay, broker } = edgeAndCore();
  s.partition(['edge'], ['core']).at(1_500).for(4_000);
  for (const at of [200, 2_000, 6_000]) {
    s.at(at, () => {
      sensor.send('broker', BYTES);
      broker.send('sensor', BYTES);
      sensor.send('relay', BYTES); // inside edge: never affected
    });
  }
  s.run(20_000);
  t.deepEqual(broker.arrivalsFrom('sensor'), [1_200, 7_000]);
  t.deepEqual(sensor.arrivalsFrom('broker'), [1_200, 7_000]);
  t.deepEqual(relay.arrivalsFrom('sensor'), [211, 2_011, 6_011]);
  t.deepEqual(s.drops(), [
    [2_000, 'sensor', 'partition'],
    [2_000, 'broker', 'partition'],
  ]);
});

test('a one-way partition drops only from → to; the reverse direction flows', (t) => {
  const { s, sensor, broker } = edgeAndCore();
  s.partition(['edge'], ['core'], { oneWay: true }).at(1_000).for(4_000);
  s.at(2_000, () => {
    sensor.send('broker', BYTES);
    broker.send('sensor', BYTES);
  });
  s.run(20_000);
  t.deepEqual(broker.arrivalsFrom('sensor'), []);
  t.deepEqual(sensor.arrivalsFrom('broker'), [3_000]);
  t.deepEqual(s.drops(), [[2_000, 'sensor', 'partition']]);
});

test('a message in flight when a partition starts is dropped on arrival, at the receiver', (t) => {
  const { s, sensor, broker } = edgeAndCore();
  s.at(100, () => sensor.send('broker', BYTES)); // would arrive at 1 100
  s.partition(['edge'], ['core']).at(600).for(10_000);
  s.run(20_000);
  t.deepEqual(broker.inbox, []);
  const [drop] = s.kinds('drop');
  t.like(drop, { t: 1_100, a: 'broker', from: 'sensor', cause: 'partition', s: s.kinds('send', 'sensor')[0].n });
});

test('a partition that heals before the message arrives does not drop it', (t) => {
  const { s, sensor, broker } = edgeAndCore();
  s.at(100, () => sensor.send('broker', BYTES)); // arrives at 1 100
  s.partition(['edge'], ['core']).at(600).for(300);
  s.run(20_000);
  t.deepEqual(broker.arrivalsFrom('sensor'), [1_100]);
  t.deepEqual(s.drops(), []);
});

test('a one-way partition leaves in-flight messages of the other direction alone', (t) => {
  const { s, sensor, broker } = edgeAndCore();
  s.at(100, () => {
    sensor.send('broker', BYTES);
    broker.send('sensor', BYTES);
  });
  s.partition(['core'], ['edge'], { oneWay: true }).at(600).for(10_000);
  s.run(20_000);
  t.deepEqual(broker.arrivalsFrom('sensor'), [1_100]);
  t.deepEqual(sensor.arrivalsFrom('broker'), []);
  t.deepEqual(s.drops(), [[1_100, 'sensor', 'partition']]);
});

test('partitions can name nodes: cutting one node off inside its site', (t) => {
  const { s, sensor, relay, broker } = edgeAndCore();
  s.partition(['edge-2'], ['edge-1', 'core-1']).at(50).for(1_000);
  s.at(100, () => {
    relay.send('sensor', BYTES);
    relay.send('broker', BYTES);
    sensor.send('broker', BYTES);
  });
  s.at(2_000, () => relay.send('sensor', BYTES));
  s.run(20_000);
  t.deepEqual(sensor.arrivalsFrom('relay'), [2_011]);
  t.deepEqual(broker.arrivalsFrom('relay'), []);
  t.deepEqual(broker.arrivalsFrom('sensor'), [1_100]);
});

test('overlapping partitions: healing one leaves the other in force', (t) => {
  const { s, sensor, broker } = edgeAndCore();
  s.partition(['edge'], ['core']).at(100).for(1_000); // heals at 1 100
  s.partition(['core'], ['edge'], { oneWay: true }).at(200).for(5_000); // heals at 5 200
  s.at(2_000, () => {
    sensor.send('broker', BYTES);
    broker.send('sensor', BYTES);
  });
  s.at(6_000, () => broker.send('sensor', BYTES));
  s.run(20_000);
  t.deepEqual(broker.arrivalsFrom('sensor'), [3_000]);
  t.deepEqual(sensor.arrivalsFrom('broker'), [7_000]);
});

test('a message arriving at a crashed node is dropped with cause dead', (t) => {
  const { s, sensor, broker } = edgeAndCore();
  s.at(100, () => sensor.send('broker', BYTES)); // arrives at 1 100: node down
  s.crashNode('core-1').at(500);
  s.restartNode('core-1').at(1_500);
  s.at(1_600, () => sensor.send('broker', BYTES)); // arrives at 2 600: node back
  s.run(20_000);
  t.deepEqual(broker.arrivalsFrom('sensor'), [2_600]);
  t.deepEqual(s.drops(), [[1_100, 'broker', 'dead']]);
  t.deepEqual(
    s.kinds('crash').map((r) => [r.t, r.a, r.scope]),
    [[500, 'broker', 'node']],
  );
  t.deepEqual(broker.recoveries.map((r) => r.t), [1_500]);
});

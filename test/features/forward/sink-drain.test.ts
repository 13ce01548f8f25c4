/**
 * The forwarders' sink drains its lanes as Kafka's RecordAccumulator drains partitions: each round
 * of requests starts one lane further than the round before, so a lane with a backlog does not
 * take every request to its broker from a later lane. Against the scripted brokers of the log client
 * tests (b1 leads partitions 0 and 2), with a `max.request.size` that one plan fills.
 */
import test from 'ava';
import { batchSizeInBytes } from '../../../src/features/log/actors/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';
import { scriptedWorld, SoleLeader } from '../log/_scripted-brokers.ts';
import { SinkHost } from './_sink-host.ts';

test('two lanes on one broker, each always with plans to send, share its requests when one plan fills a request', (t) => {
  const { world, script } = scriptedWorld(1);
  script.produceDelayUs = 10 * MS;
  // One 1000 B plan per request: a second would take it past max.request.size.
  const maxRequestBytes = 2 * batchSizeInBytes(1000, 1) - 1;
  let host!: SinkHost;
  world.spawn('fwd', 'nx', () => (host = new SinkHost({ refill: [0, 2], endpoint: { maxRequestBytes } })));
  world.run({ until: 2 * SECOND });
  const [lane0, lane2] = [host.forwarded[0]!.length, host.forwarded[2]!.length];
  t.true(lane0 >= 100, `lane 0 forwarded ${lane0} plans`);
  // Taken always from lane 0, lane 0's backlog filled every request to b1: 981 plans forwarded to lane 2's 0.
  t.true(Math.abs(lane0 - lane2) <= lane0 / 10, `lane 0 forwarded ${lane0} plans, lane 2 ${lane2}`);
});

test('a request ends at the first plan that does not fit max.request.size, as Kafka\'s drainBatchesForOneNode breaks there: a smaller plan of a later lane does not overtake it', (t) => {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: ['n1', 'nx'] });
  let leader!: SoleLeader;
  world.spawn('b1', 'n1', () => (leader = new SoleLeader()));
  // b1 leads all four lanes' partitions. Lane 1's plans are big: one fills a request alone; two
  // small plans fit one, three do not.
  const [small, big] = [batchSizeInBytes(1000, 1), batchSizeInBytes(1500, 1)];
  const maxRequestBytes = 2 * small + 1;
  t.true(small + big > maxRequestBytes && big <= maxRequestBytes);
  let host!: SinkHost;
  world.spawn('fwd', 'nx', () => (host = new SinkHost({ plansPerLane: 10, refill: [0, 1, 2, 3], planBytes: [1000, 1500, 1000, 1000], endpoint: { brokers: ['b1'], maxRequestBytes } })));
  world.run({ until: 1 * SECOND });
  const order = leader.produces.map((request) => request.partitions.map((p) => p.partition));
  // The first call sends five rounds (five requests in flight), each from one lane further: from
  // lane 0, lane 0's plan goes and lane 1's closes the request (lanes 2 and 3 wait: before, lane
  // 2's went past it); from lane 1, lane 1's alone; from lane 2, lanes 2 and 3 (lane 0's would
  // make three); from lane 3, lanes 3 and 0 (then lane 1's closes it); from lane 0 again, lane 0's.
  t.deepEqual(order.slice(0, 5), [[0], [1], [2, 3], [3, 0], [0]]);
  // Every lane always has a plan to send: no request skips one.
  const skipping = order.filter((ps) => ps.some((p, i) => i > 0 && p !== (ps[i - 1]! + 1) % 4));
  t.deepEqual(skipping, []);
  t.true(order.length > 50, `${order.length} requests`);
  t.true(host.forwarded[1]!.length > 10, `lane 1 forwarded ${host.forwarded[1]!.length} plans`);
});

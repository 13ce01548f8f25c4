/**
 * The forwarders' sink drains its lanes as Kafka 3.x's RecordAccumulator drains partitions
 * (log/actors/drain-index.ts): each broker's request starts at the lane where that broker's last
 * drain stopped — the plan that closed a request opens the next — or, when the last drain visited
 * every lane, at the lane before its start; so a lane with a backlog does not take every request
 * to its broker from a later lane. Against the scripted brokers of the log client tests (b1 leads
 * partitions 0 and 2), or a SoleLeader b1 of all four.
 */
import test from 'ava';
import { batchSizeInBytes } from '../../../src/features/log/actors/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';
import { PlacedLeader, scriptedWorld, SoleLeader } from '../log/_scripted-brokers.ts';
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
  // Five requests in flight, each starting at the lane whose plan closed the one before (Kafka's
  // drain index stays at the partition that broke): from lane 0, lane 0's plan goes and lane 1's
  // closes the request (lanes 2 and 3 wait: before, lane 2's went past it); from lane 1, lane 1's
  // alone (lane 2's closes it); from lane 2, lanes 2 and 3 (lane 0's would make three); from lane
  // 0, lane 0's; from lane 1, lane 1's. Red before: each round started one lane further, for every
  // broker at once — [3, 0] then [0], lane 3's second plan going ahead of lane 0's that closed the
  // request before.
  t.deepEqual(order.slice(0, 5), [[0], [1], [2, 3], [0], [1]]);
  // Every lane always has a plan to send: no request skips one.
  const skipping = order.filter((ps) => ps.some((p, i) => i > 0 && p !== (ps[i - 1]! + 1) % 4));
  t.deepEqual(skipping, []);
  t.true(order.length > 50, `${order.length} requests`);
  t.true(host.forwarded[1]!.length > 10, `lane 1 forwarded ${host.forwarded[1]!.length} plans`);
});

test('a drain that visits every lane without closing its request starts the next one at the lane before its start, as Kafka\'s drain index keeps the last place visited', (t) => {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: ['n1', 'nx'] });
  let leader!: SoleLeader;
  world.spawn('b1', 'n1', () => (leader = new SoleLeader()));
  // b1 leads all four lanes; lanes 0 and 1 always have plans, lanes 2 and 3 none; no max.request.size.
  world.spawn('fwd', 'nx', () => new SinkHost({ plansPerLane: [10, 10, 0, 0], refill: [0, 1], endpoint: { brokers: ['b1'] } }));
  world.run({ until: 1 * SECOND });
  const order = leader.produces.map((request) => request.partitions.map((p) => p.partition));
  t.true(order.length > 20, `${order.length} requests`);
  // Every request carries both lanes' plans. Each drain starts one lane back from the one before
  // (lane 0, then 3, 2, 1, 0, …: Kafka keeps the place of the last lane visited, start + 3), so
  // lane 1's plan goes first once in four requests: from lane 1 it is visited before lane 0.
  const expected = Array.from({ length: order.length }, (_, i) => (i % 4 === 3 ? [1, 0] : [0, 1]));
  t.deepEqual(order, expected);
});

test('each broker\'s drain starts where its own last one stopped: a request closed early on one broker does not move the other\'s start', (t) => {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: ['n1', 'n2', 'nx'] });
  // b1 leads lanes 0 and 2, whose plans are big: one fills a request alone, so every drain of b1
  // ends at its second lane. b2 leads lanes 1 and 3, whose small plans always fit two to a request.
  const leads = { b1: [0, 2], b2: [1, 3] };
  const brokers: Record<string, PlacedLeader> = {};
  for (const [i, b] of ['b1', 'b2'].entries()) world.spawn(b, `n${i + 1}`, () => (brokers[b] = new PlacedLeader(leads)));
  const [small, big] = [batchSizeInBytes(1000, 1), batchSizeInBytes(1500, 1)];
  const maxRequestBytes = 2 * small + 1;
  t.true(2 * big > maxRequestBytes && big <= maxRequestBytes);
  world.spawn('fwd', 'nx', () => new SinkHost({ plansPerLane: 10, refill: [0, 1, 2, 3], planBytes: [1500, 1000, 1500, 1000], endpoint: { brokers: ['b1', 'b2'], maxRequestBytes } }));
  world.run({ until: 1 * SECOND });
  const order = (b: string) => brokers[b]!.produces.map((request) => request.partitions.map((p) => p.partition));
  const [b1, b2] = [order('b1'), order('b2')];
  t.true(b1.length > 20 && b2.length > 20, `${b1.length} and ${b2.length} requests`);
  // b1: from lane 0, lane 0's plan goes and lane 2's closes the request; from lane 2, lane 2's (lane
  // 0's closes it); and so on, in turn.
  t.deepEqual(b1, Array.from({ length: b1.length }, (_, i) => [[0], [2]][i % 2]));
  // b2 never closes a request early, so its index keeps the last place visited — the one before its
  // start: its drains start at places 0, 1, 0, … of [1, 3]. Red with one index for both brokers:
  // b1's drains, ending at its place 1 or 0, would set where b2's start, and b2's where b1's do.
  t.deepEqual(b2, Array.from({ length: b2.length }, (_, i) => [[1, 3], [3, 1]][i % 2]));
});

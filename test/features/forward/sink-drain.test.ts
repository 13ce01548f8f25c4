/**
 * The forwarders' sink drains its lanes as Kafka's RecordAccumulator drains partitions: each round
 * of requests starts one lane further than the round before, so a lane with a backlog does not
 * take every request to its broker from a later lane. Against the scripted brokers of the log client
 * tests (b1 leads partitions 0 and 2), with a `max.request.size` that one plan fills.
 */
import test from 'ava';
import { batchSizeInBytes } from '../../../src/features/log/actors/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { scriptedWorld } from '../log/_scripted-brokers.ts';
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

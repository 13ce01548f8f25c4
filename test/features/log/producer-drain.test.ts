/**
 * The producer drains each broker's partitions as Kafka 3.x's RecordAccumulator does
 * (drain-index.ts): a start per broker, kept at the partition where that broker's last drain
 * stopped — the batch that closed a request opens the next — or, after a drain that visited every
 * partition without closing its request, at the one before its start. One broker's drains never
 * move another's start.
 */
import test from 'ava';
import { LogProducer, batchSizeInBytes, type ClientInbound } from '../../../src/features/log/actors/index.ts';
import type { Actor } from '../../../src/kernel/contract/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';
import { PlacedLeader, scriptedProducer } from './_scripted-brokers.ts';

test('each broker\'s drain starts where its own last one stopped: a request closed early on one broker does not move the other\'s start', (t) => {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: ['n1', 'n2', 'nx'] });
  // Six partitions; seven keys put events on all but partition 2 (fnv1a of key-0…key-6 mod 6: 3, 4,
  // 5, 0, 5, 0, 1). b1 leads 0, 3 and 4, each always with a batch to send; b2 leads 1, 2 and 5, of
  // which 1 and 5 always have one and 2 never.
  const leads = { b1: [0, 3, 4], b2: [1, 2, 5] };
  const brokers: Record<string, PlacedLeader> = {};
  // Metadata comes after 50 ms, so every busy partition has a backlog at the first drain.
  for (const [i, b] of ['b1', 'b2'].entries()) world.spawn(b, `n${i + 1}`, () => (brokers[b] = new PlacedLeader(leads, 50 * MS)));
  // One event per batch (batch.size 1 B), two batches per request (max.request.size), one request
  // out per broker: each drain of b1 closes its request at its third partition; b2's two busy
  // partitions always fit.
  const maxRequestBytes = 2 * batchSizeInBytes(1000, 1);
  const config = scriptedProducer({ brokers: ['b1', 'b2'], ratePerSec: 1000, eventBytes: 1000, batchBytes: 1, maxInFlight: 1, partitioner: 'key', keys: 7, maxRequestBytes, stopAtUs: 2 * SECOND });
  world.spawn('p', 'nx', () => new LogProducer(config, 6) as Actor<ClientInbound>);
  world.run({ until: 1 * SECOND });
  const order = (b: string) => brokers[b]!.produces.map((request) => request.partitions.map((p) => p.partition));
  const [b1, b2] = [order('b1'), order('b2')];
  t.true(b1.length > 20 && b2.length > 20, `${b1.length} and ${b2.length} requests`);
  // b1: from partition 0, 0 and 3 go and 4 closes the request; from 4, 4 and 0 (3 closes it); from
  // 3, 3 and 4 (0 closes it); from 0 again. Red before: one start for both brokers, moved on by
  // one at every drain of either (and at every tick of the rate), so b1's requests skipped ahead.
  t.deepEqual(b1, Array.from({ length: b1.length }, (_, i) => [[0, 3], [4, 0], [3, 4]][i % 3]));
  // b2 never closes a request early, so its index keeps the last place visited — the one before
  // its start: starts at places 0, 2, 1, 0, … of [1, 2, 5] (partitions 1, 5, 2, …), so its
  // requests carry [1, 5], [5, 1] and [5, 1] (from 2, empty: 5 then 1) in turn.
  t.deepEqual(b2, Array.from({ length: b2.length }, (_, i) => [[1, 5], [5, 1], [5, 1]][i % 3]));
});

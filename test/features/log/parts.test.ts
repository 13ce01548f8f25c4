/**
 * The log's parts on their own: the leader-epoch cache, a replica's segmented log on a simulated
 * disk (append, read, truncate, retention, recovery after a power loss), the idempotent-producer
 * table, the controller's election rules and the range assignor.
 */
import test from 'ava';
import type { Context } from '../../../src/kernel/index.ts';
import { EpochCache } from '../../../src/features/log/actors/epoch-cache.ts';
import { moveToEnd } from '../../../src/features/log/actors/fetch-request.ts';
import { afterUncleanShutdown, withIsr } from '../../../src/features/log/actors/elections.ts';
import { assignReplicas, electLeader, rangeAssignment, type Batch, type PartitionMeta } from '../../../src/features/log/actors/index.ts';
import { PartitionLog } from '../../../src/features/log/actors/partition-log.ts';
import { ProducerStateTable } from '../../../src/features/log/actors/producer-state.ts';
import { World } from '../../../src/world/index.ts';

test('epoch cache: where an epoch ends, KIP-101 style', (t) => {
  const cache = new EpochCache();
  cache.assign(0, 0);
  cache.assign(2, 10);
  cache.assign(2, 12); // same epoch: no new entry
  cache.assign(5, 20);
  t.deepEqual(cache.endOffsetFor(0, 30), { epoch: 0, end: 10 });
  t.deepEqual(cache.endOffsetFor(1, 30), { epoch: 0, end: 10 }, 'an unknown epoch answers with the largest below it');
  t.deepEqual(cache.endOffsetFor(2, 30), { epoch: 2, end: 20 });
  t.deepEqual(cache.endOffsetFor(9, 30), { epoch: 5, end: 30 }, 'the latest epoch ends at the log end');
  t.is(cache.largestBelow(5), 2);
  t.throws(() => cache.assign(4, 25), { message: /epoch 4 after epoch 5/ });
  cache.truncateFrom(15);
  t.is(cache.latest(), 2);
  cache.truncateBefore(11);
  t.deepEqual(cache.list(), [{ epoch: 2, start: 11 }]);
  t.deepEqual(cache.endOffsetFor(1, 15), { epoch: -1, end: 11 }, 'nothing as old: the first epoch start');
});

test('epoch cache: an epoch that appended nothing gives way to the next one at the same offset', (t) => {
  const cache = new EpochCache();
  cache.assign(1, 0);
  cache.assign(3, 7);
  cache.assign(4, 7);
  t.deepEqual(cache.list(), [{ epoch: 1, start: 0 }, { epoch: 4, start: 7 }]);
});

/** A disk to test the log on: one actor's files in a world with one node. */
function diskWorld(): { world: World; ctx: () => Context } {
  const world = new World({ seed: 1 });
  world.addSite('s', { nodes: 1 });
  let context: Context | undefined;
  world.spawn('broker', 's-1', () => ({ start: (c: Context) => void (context = c), recover: (c: Context) => void (context = c) }));
  world.advance({ until: 0 });
  return { world, ctx: () => context! };
}

const batch = (base: number, ids: string[], epoch = 0, ts = 0): Batch => ({ base, epoch, events: ids, bytes: 100 * ids.length, ts });

test('partition log: segments, reads bounded by offset and bytes, truncation inside a batch', (t) => {
  const { ctx } = diskWorld();
  const log = PartitionLog.open(ctx().disk, 't-0', 500);
  log.append(batch(0, ['a', 'b']));
  log.append(batch(2, ['c', 'd'], 1));
  log.append(batch(4, ['e', 'f', 'g'], 1));
  t.is(log.logEnd, 7);
  t.deepEqual(ctx().disk.files().filter((f) => f.endsWith('.log')).length, 2, 'the first segment filled up at 500 bytes (payload plus batch headers)');
  t.deepEqual(log.read(1, 7, 1 << 20).map((b) => b.base), [0, 2, 4], 'from the batch holding offset 1');
  t.deepEqual(log.read(0, 4, 1 << 20).map((b) => b.base), [0, 2], 'never past the upper bound');
  t.deepEqual(log.read(0, 7, 150).map((b) => b.base), [0], 'bytes bound, but always one batch');
  t.throws(() => log.append(batch(9, ['x'])), { message: /append at 9, but the log ends at 7/ });
  t.is(log.truncateTo(5), 2);
  t.is(log.logEnd, 5);
  t.deepEqual([...log.batches()].map((b) => b.events), [['a', 'b'], ['c', 'd'], ['e']]);
  t.deepEqual(log.epochs.endOffsetFor(1, log.logEnd), { epoch: 1, end: 5 });
});

test('partition log: a read from any offset returns what a scan of the whole log returns (the tail found without a search, older segments by one)', (t) => {
  const { ctx } = diskWorld();
  // 60 batches of 1–3 events in segments of ≈ 8 batches: reads at the tail and far behind it.
  const log = PartitionLog.open(ctx().disk, 't-0', 1200);
  for (let i = 0; i < 60; i++) log.append(batch(log.logEnd, Array.from({ length: 1 + (i % 3) }, (_, k) => `e${i}.${k}`)));
  const all = [...log.batches()];
  const scan = (from: number, upper: number, maxBytes: number): number[] => {
    const out: number[] = [];
    let bytes = 0;
    for (const b of all) {
      if (b.base + b.events.length <= from) continue;
      if (b.base + b.events.length > upper || (out.length > 0 && bytes + b.bytes > maxBytes)) break;
      out.push(b.base);
      bytes += b.bytes;
    }
    return from >= upper ? [] : out;
  };
  let reads = 0;
  for (const upper of [log.logEnd, log.logEnd - 1, 60]) {
    for (const maxBytes of [1, 500, 1 << 20]) {
      for (let from = 0; from <= log.logEnd; from++) {
        t.deepEqual(log.read(from, upper, maxBytes).map((b) => b.base), scan(from, upper, maxBytes), `read(${from}, ${upper}, ${maxBytes})`);
        reads++;
      }
    }
  }
  t.true(ctx().disk.files().filter((f) => f.endsWith('.log')).length >= 6, 'several segments');
  t.is(reads, 9 * (log.logEnd + 1));
});

test('partition log: what a power loss leaves is what the last fsync covered', (t) => {
  const { world, ctx } = diskWorld();
  const log = PartitionLog.open(ctx().disk, 't-0', 1 << 20);
  log.append(batch(0, ['a', 'b']));
  ctx().disk.fsync();
  world.advance({ until: 1000 });
  log.append(batch(2, ['c']));
  world.crashNode('s-1', 'test');
  world.restartNode('s-1', 'test');
  const recovered = PartitionLog.open(ctx().disk, 't-0', 1 << 20);
  t.is(recovered.logEnd, 2);
  t.deepEqual([...recovered.batches()].map((b) => b.events), [['a', 'b']]);
});

test('partition log: retention deletes whole old segments below the high watermark', (t) => {
  const { ctx } = diskWorld();
  const log = PartitionLog.open(ctx().disk, 't-0', 150);
  for (let i = 0; i < 5; i++) log.append(batch(i * 2, [`e${2 * i}`, `e${2 * i + 1}`], 0, i * 1000));
  t.is(log.applyRetention(10_000, 4, { retentionUs: 6_500, retentionBytes: null }), 4, 'the first two segments are old and below the high watermark');
  t.is(log.logStart, 4);
  t.deepEqual(log.read(2, 10, 1 << 20), [], 'deleted offsets are gone');
  t.is(log.applyRetention(10_000, 10, { retentionUs: null, retentionBytes: 300 }), 6, 'size: delete the oldest while over the limit, never the active segment');
  const reopened = PartitionLog.open(ctx().disk, 't-0', 150);
  t.is(reopened.logStart, 6);
  t.is(reopened.logEnd, 10);
});

test('producer table: a retry within the last five batches is a duplicate; a gap is out of order', (t) => {
  const table = new ProducerStateTable();
  for (let i = 0; i < 6; i++) table.appended({ ...batch(i * 2, ['x', 'y']), pid: 7, seq: i * 2 });
  t.deepEqual(table.check(7, 10, 2), { kind: 'duplicate', offset: 10 });
  t.deepEqual(table.check(7, 2, 2), { kind: 'duplicate', offset: 2 });
  t.deepEqual(table.check(7, 0, 2), { kind: 'out-of-order' }, 'the sixth batch back is forgotten');
  t.deepEqual(table.check(7, 12, 1), { kind: 'append' });
  t.deepEqual(table.check(7, 13, 1), { kind: 'out-of-order' });
  t.deepEqual(table.check(8, 40, 1), { kind: 'append' }, 'an unknown producer is accepted');
});

test('fetch order: a member that got data moves to the end, the others keep their order (PartitionStates)', (t) => {
  const order = ['p0', 'p1', 'p2', 'p3'];
  moveToEnd(order, 'p1');
  t.deepEqual(order, ['p0', 'p2', 'p3', 'p1']);
  moveToEnd(order, 'p1');
  t.deepEqual(order, ['p0', 'p2', 'p3', 'p1'], 'already last');
  moveToEnd(order, 'p0');
  t.deepEqual(order, ['p2', 'p3', 'p1', 'p0']);
  moveToEnd(order, 'px');
  t.deepEqual(order, ['p2', 'p3', 'p1', 'p0'], 'not a member: nothing moves');
});

const meta: PartitionMeta = { topic: 't', partition: 0, replicas: ['b1', 'b2', 'b3'], leader: 'b1', leaderEpoch: 4, partitionEpoch: 9, isr: ['b1', 'b3'] };

test('elections: clean ones pick the first live ISR member; none alive leaves the partition offline', (t) => {
  const clean = electLeader(meta, (b) => b !== 'b1', { unclean: false });
  t.deepEqual([clean.meta.leader, clean.meta.isr, clean.meta.leaderEpoch, clean.meta.partitionEpoch, clean.clean], ['b3', ['b3'], 5, 10, true]);
  const offline = electLeader(meta, (b) => b === 'b2', { unclean: false });
  t.is(offline.meta.leader, null);
  t.deepEqual(offline.meta.isr, ['b1', 'b3'], 'the last ISR members stay, to be elected when they return');
  const unclean = electLeader(meta, (b) => b === 'b2', { unclean: true });
  t.deepEqual([unclean.meta.leader, unclean.meta.isr, unclean.clean], ['b2', ['b2'], false]);
});

test('KIP-966: members leaving an ISR below min.insync.replicas join the ELR and stay electable; an unclean shutdown takes them out', (t) => {
  const rules = { unclean: false, elrMinIsr: 2 };
  const full: PartitionMeta = { ...meta, isr: ['b1', 'b2', 'b3'], elr: [], lastKnownElr: [] };
  const shrunk = withIsr(full, ['b1'], rules);
  t.deepEqual([shrunk.isr, shrunk.elr], [['b1'], ['b2', 'b3']], 'below the minimum: the removed members hold everything committed');
  t.deepEqual(withIsr(full, ['b1', 'b2'], rules).elr, [], 'at the minimum, no ELR');
  t.deepEqual(withIsr(shrunk, ['b1', 'b3'], rules).elr, [], 'back at the minimum, the ELR is cleared');
  // The leader b1 loses power: b2 is elected from the ELR, b1 moves to it.
  const elected = electLeader(shrunk, (b) => b !== 'b1', rules);
  t.deepEqual([elected.meta.leader, elected.meta.isr, elected.meta.elr, elected.clean], ['b2', ['b2'], ['b1', 'b3'], true]);
  // Without ELR the last replica standing keeps the partition offline until it returns.
  t.deepEqual(electLeader({ ...shrunk, elr: undefined, lastKnownElr: undefined }, (b) => b !== 'b1', { unclean: false }).meta.leader, null);
  // Every replica down: the ISR empties into the ELR.
  const offline = electLeader(shrunk, () => false, rules).meta;
  t.deepEqual([offline.leader, offline.isr, offline.elr], [null, [], ['b1', 'b2', 'b3']]);
  // b1 comes back from an unclean shutdown: out of the ELR; b2 returning cleanly is elected.
  const unclean = afterUncleanShutdown(offline, 'b1');
  t.deepEqual([unclean.elr, unclean.lastKnownElr], [['b2', 'b3'], ['b1']]);
  t.is(electLeader(unclean, (b) => b !== 'b3', rules).meta.leader, 'b2');
  // Every ELR member shut down uncleanly: the last known one is elected, as Kafka 4.0 does, uncleanly.
  const none = afterUncleanShutdown(afterUncleanShutdown(unclean, 'b2'), 'b3');
  const last = electLeader(none, (b) => b === 'b1', rules);
  t.deepEqual([last.meta.leader, last.clean], ['b1', false]);
});

test('replica assignment and the range assignor', (t) => {
  t.deepEqual(assignReplicas(['a', 'b', 'c'], 0, 1, 3), ['b', 'c', 'a']);
  t.throws(() => assignReplicas(['a'], 0, 0, 2));
  t.deepEqual(rangeAssignment(5, ['m1', 'm2'], 'm1'), [0, 1, 2]);
  t.deepEqual(rangeAssignment(5, ['m1', 'm2'], 'm2'), [3, 4]);
  t.deepEqual(rangeAssignment(1, ['m1', 'm2'], 'm2'), []);
  t.deepEqual(rangeAssignment(4, ['m1'], 'gone'), []);
});

test('partition log: payloads travel with their events through truncation inside a batch and recovery from disk', (t) => {
  const { ctx } = diskWorld();
  const log = PartitionLog.open(ctx().disk, 't-0', 1 << 20);
  log.append({ ...batch(0, ['a', 'b']), payloads: [{ v: 1 }, { v: 2 }] });
  log.append({ ...batch(2, ['c', 'd', 'e']), payloads: [{ v: 3 }, { v: 4 }, { v: 5 }] });
  log.append(batch(5, ['f']));
  log.truncateTo(4);
  t.deepEqual([...log.batches()].map((b) => b.payloads), [[{ v: 1 }, { v: 2 }], [{ v: 3 }, { v: 4 }]], 'the cut batch keeps the payloads of the events it keeps');
  const reopened = PartitionLog.open(ctx().disk, 't-0', 1 << 20);
  t.deepEqual(reopened.read(2, 4, 1 << 20)[0]!.payloads, [{ v: 3 }, { v: 4 }]);
});

test('producer table: DescribeProducers answers the last sequence the high watermark covers', (t) => {
  const table = new ProducerStateTable();
  t.deepEqual(table.committed(7, 100), { lastSeq: -1, uncommitted: false }, 'an unknown producer has stored nothing');
  for (let i = 0; i < 8; i++) table.appended({ ...batch(i * 2, ['x', 'y']), pid: 7, seq: i * 2 });
  t.deepEqual(table.committed(7, 16), { lastSeq: 15, uncommitted: false }, 'beyond the five remembered batches: sequence 15 at offsets 14–15');
  t.deepEqual(table.committed(7, 13), { lastSeq: 11, uncommitted: true }, 'offsets 12… are above the high watermark');
});

/** One keyed record per batch, as the log-topic checkpoint tier writes them (payload null: a tombstone). */
const keyed = (base: number, key: string, payload: unknown, ts = 0): Batch => ({ base, epoch: 0, events: [`${key}@${base}`], bytes: 1000, ts, keys: [key], payloads: [payload] });

test('compacted partition log: the cleaner keeps the newest record per key, offsets stay, the active segment is untouched', (t) => {
  const { ctx } = diskWorld();
  // 1061 bytes per batch on disk: a segment rolls after two batches.
  const log = PartitionLog.open(ctx().disk, 't-0', 2000, true);
  for (let i = 0; i < 8; i++) log.append(keyed(i, i % 2 === 0 ? 'a' : 'b', i));
  const result = log.compact(0, 8, 1000);
  t.deepEqual(result, { bytesBefore: 8 * 1061, bytesAfter: 4 * 1061, batchesRemoved: 4 });
  t.deepEqual([...log.batches()].map((b) => b.base), [4, 5, 6, 7], 'offsets 6 and 7 are in the active segment: they neither go nor supersede');
  t.is(log.logStart, 0);
  t.is(log.logEnd, 8);
  t.deepEqual(log.read(0, 8, 1 << 20).map((b) => b.base), [4, 5, 6, 7], 'a read from a gap starts at the next record');
  t.deepEqual(log.read(4, 8, 1 << 20).map((b) => b.base), [4, 5, 6, 7]);
  const reopened = PartitionLog.open(ctx().disk, 't-0', 2000, true);
  t.deepEqual([...reopened.batches()].map((b) => b.base), [4, 5, 6, 7], 'the cleaned log reopens with its gaps');
  t.is(reopened.logEnd, 8);
});

test('compacted partition log: nothing at or above the high watermark is cleaned or supersedes', (t) => {
  const { ctx } = diskWorld();
  const log = PartitionLog.open(ctx().disk, 't-0', 1000, true);
  for (let i = 0; i < 6; i++) log.append(keyed(i, 'k', i));
  t.is(log.compact(0, 3, 1000).batchesRemoved, 2, 'only offsets 0 and 1 are superseded below the high watermark 3');
  t.deepEqual([...log.batches()].map((b) => b.base), [2, 3, 4, 5]);
});

test('compacted partition log: a tombstone removes its key, and goes itself after delete.retention', (t) => {
  const { ctx } = diskWorld();
  const log = PartitionLog.open(ctx().disk, 't-0', 1000, true);
  log.append(keyed(0, 'k', 'v', 0));
  log.append(keyed(1, 'k', null, 10));
  log.append(keyed(2, 'other', 'v', 20));
  log.append(keyed(3, 'other', 'w', 30));
  log.append(keyed(4, 'active', 'v', 40));
  t.is(log.compact(100, 5, 1000).batchesRemoved, 2, 'the value under the tombstone and the superseded "other" go; the young tombstone stays');
  t.deepEqual([...log.batches()].map((b) => b.base), [1, 3, 4]);
  t.is(log.compact(2000, 5, 1000).batchesRemoved, 1, 'the tombstone, older than delete.retention, goes too');
  t.deepEqual([...log.batches()].map((b) => b.base), [3, 4]);
});

test('compacted partition log: a follower appends past a gap; a truncation in a gap keeps the batch before it', (t) => {
  const { ctx } = diskWorld();
  const log = PartitionLog.open(ctx().disk, 't-0', 1 << 20, true);
  log.append(keyed(0, 'a', 1));
  log.append(keyed(5, 'b', 1));
  t.is(log.logEnd, 6);
  log.append(keyed(9, 'c', 1));
  log.truncateTo(7);
  t.deepEqual([...log.batches()].map((b) => b.base), [0, 5]);
  t.is(log.logEnd, 6);
  const dense = PartitionLog.open(ctx().disk, 'u-0', 1 << 20);
  dense.append(keyed(0, 'a', 1));
  t.throws(() => dense.append(keyed(5, 'b', 1)), { message: /append at 5, but the log ends at 1/ }, 'an uncompacted log stays dense');
});

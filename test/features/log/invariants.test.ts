/**
 * The log's assertions catch deliberately corrupted state: each test drives a part into a state a
 * correct protocol never reaches, through its public methods, and expects the `InvariantViolation`
 * naming the invariant and the values. Without the assertion every one of these calls returns
 * quietly with a wrong answer.
 */
import test from 'ava';
import type { Context } from '../../../src/kernel/contract/index.ts';
import { InvariantViolation } from '../../../src/kernel/contract/index.ts';
import type { Batch, PartitionMeta } from '../../../src/features/log/actors/index.ts';
import { assertPartitionState } from '../../../src/features/log/actors/elections.ts';
import { EpochCache } from '../../../src/features/log/actors/epoch-cache.ts';
import { PartitionLog } from '../../../src/features/log/actors/partition-log.ts';
import { ProducerStateTable } from '../../../src/features/log/actors/producer-state.ts';
import { Replica } from '../../../src/features/log/actors/replica.ts';
import { World } from '../../../src/world/index.ts';

/** A broker's context on a one-node world, for parts that keep their data on its disk. */
function brokerContext(): Context {
  const world = new World({ seed: 1 });
  world.addSite('s', { nodes: 1 });
  let context: Context | undefined;
  world.spawn('broker', 's-1', () => ({ start: (c: Context) => void (context = c) }));
  world.advance({ until: 0 });
  return context!;
}

const batch = (base: number, count: number, epoch = 0): Batch => ({ base, epoch, events: Array.from({ length: count }, (_, i) => `e${base + i}`), bytes: 100 * count, ts: 0 });
const meta: PartitionMeta = { topic: 't', partition: 0, replicas: ['b1', 'b2', 'b3'], leader: 'b1', leaderEpoch: 0, partitionEpoch: 0, isr: ['b1', 'b2', 'b3'] };

test('a read bounded past the log end (a high watermark ahead of the log) is caught where the fetch is served', (t) => {
  const log = PartitionLog.open(brokerContext().disk, 't-0', 1 << 20);
  log.append(batch(0, 4));
  log.append(batch(4, 3));
  t.deepEqual(log.read(0, 7, 1 << 20).map((b) => b.base), [0, 4]);
  t.throws(() => log.read(0, 9, 1 << 20), { instanceOf: InvariantViolation, message: 't-0: read bound ≤ log end, but reading up to 9 of a log ending at 7' });
  t.throws(() => log.applyRetention(0, 9, { retentionUs: 0, retentionBytes: null }), { instanceOf: InvariantViolation, message: /log start ≤ high watermark ≤ log end before retention, but 0 \/ 9 \/ 7/ });
});

test('a replica refuses a high watermark past its log end, and notices a corrupted fsync frontier', (t) => {
  const ctx = brokerContext();
  const replica = new Replica(ctx, 't', 0, meta, 1 << 20);
  replica.leaderEpoch = 0;
  replica.append(ctx, batch(0, 5), 'append');
  replica.setHighWatermark(ctx, 5);
  t.throws(() => replica.setHighWatermark(ctx, 6), { instanceOf: InvariantViolation, message: /t-0 \(high watermark change\): log start ≤ high watermark ≤ log end, but 0 \/ 6 \/ 5/ });
  const other = new Replica(ctx, 'u', 0, { ...meta, topic: 'u' }, 1 << 20);
  other.leaderEpoch = 0;
  other.append(ctx, batch(0, 2), 'append');
  other.flushedEnd = 10; // what a broker counting an fsync over data truncated since would leave
  t.throws(() => other.setHighWatermark(ctx, 1), { instanceOf: InvariantViolation, message: /fsynced end ≤ log end, but 10 > 2/ });
});

test('a batch from a leader epoch the replica has not reached is refused', (t) => {
  const ctx = brokerContext();
  const replica = new Replica(ctx, 't', 0, meta, 1 << 20);
  replica.leaderEpoch = 2;
  t.throws(() => replica.append(ctx, batch(0, 1, 3), 'replicate'), { instanceOf: InvariantViolation, message: /batch epoch ≤ replica's leader epoch, but replicate of a batch of epoch 3 at 0 in epoch 2/ });
});

test('an epoch cache that outlives a truncation of its log is caught where a follower relies on it', (t) => {
  const cache = new EpochCache();
  cache.assign(1, 0);
  cache.assign(3, 50);
  t.deepEqual(cache.endOffsetFor(1, 60), { epoch: 1, end: 50 });
  // The log was cut to 40 without `truncateFrom(40)`: epoch 1 would "end" past the log.
  t.throws(() => cache.endOffsetFor(1, 40), { instanceOf: InvariantViolation, message: /epoch 1 ends at 50 > 40/ });
});

test('a producer sequence number going back in the log is caught when it is appended', (t) => {
  const table = new ProducerStateTable();
  table.appended({ ...batch(0, 3), pid: 7, seq: 0 });
  table.appended({ ...batch(3, 2), pid: 7, seq: 3 });
  t.throws(() => table.appended({ ...batch(5, 2), pid: 7, seq: 2 }), { instanceOf: InvariantViolation, message: /producer 7: sequence numbers monotone in the log, but seq 2 at 5 follows seq 4/ });
});

test('a partition state whose ISR lost its leader or strays outside the replicas is caught', (t) => {
  assertPartitionState(meta, 'test');
  assertPartitionState({ ...meta, leader: null, isr: ['b2'] }, 'test');
  t.throws(() => assertPartitionState({ ...meta, isr: ['b2', 'b3'] }, 'test'), { instanceOf: InvariantViolation, message: /the ISR contains the leader, but leader b1, ISR \[b2, b3\]/ });
  t.throws(() => assertPartitionState({ ...meta, isr: ['b1', 'b9'] }, 'test'), { instanceOf: InvariantViolation, message: /ISR non-empty and ⊆ replicas/ });
  t.throws(() => assertPartitionState({ ...meta, leader: null, isr: [] }, 'test'), { instanceOf: InvariantViolation, message: /ISR non-empty/ });
});

test('compacted partition log: a truncation into the gap at the start of a cleaned segment ends the log at the truncation point', (t) => {
  // Found by the truncation assertion (log-topic checkpoint tier, acks=1 with an unclean election):
  // the log ended at the cleaned segment's first surviving batch, past offsets the leader still had.
  const log = PartitionLog.open(brokerContext().disk, 'c-0', 2000, true);
  const keyed = (base: number, key: string): Batch => ({ base, epoch: 0, events: [`${key}@${base}`], bytes: 1000, ts: 0, keys: [key], payloads: [base] });
  // Segments of two batches: [0 x, 1 y], [2 a, 3 z], [4 a, 5 b], [6 c, 7 d] (active).
  ['x', 'y', 'a', 'z', 'a', 'b', 'c', 'd'].forEach((key, i) => log.append(keyed(i, key)));
  log.compact(0, 8, 1000);
  t.deepEqual([...log.batches()].map((b) => b.base), [0, 1, 3, 4, 5, 6, 7], 'offset 2 is superseded by 4: the segment named 2 starts with batch 3');
  t.is(log.truncateTo(2), 6);
  t.is(log.logEnd, 2, 'not 3: the follower must fetch offset 2 again from its leader');
  t.deepEqual([...log.batches()].map((b) => b.base), [0, 1]);
});

test('a follower that led an epoch without appending drops that epoch when it aligns, and takes the new leader\'s older batches', (t) => {
  // Found by the epoch-cache assertion in an emulated conformance run (log, acks=1, stream-broker-2
  // handling a fetch-reply): 'epoch cache: leader epochs monotone, but epoch 0 after epoch 1'.
  const ctx = brokerContext();
  const replica = new Replica(ctx, 't', 0, meta, 1 << 20);
  replica.leaderEpoch = 0;
  replica.append(ctx, batch(0, 3), 'replicate');
  // Elected for epoch 1 while behind another ISR member, it starts epoch 1 at its log end (3), appends nothing…
  replica.leaderEpoch = 1;
  replica.log.epochs.assign(1, replica.log.logEnd);
  // …and follows that member, leader of epoch 2, whose epoch 0 ends at 5: truncating to 3 removes nothing.
  replica.leaderEpoch = 2;
  replica.truncate(ctx, 3, 'leader-epoch');
  t.is(replica.log.epochs.latest(), 0, 'the empty epoch 1 is gone');
  t.true(replica.append(ctx, batch(3, 2, 0), 'replicate'));
  t.true(replica.append(ctx, batch(5, 1, 2), 'replicate'));
  t.deepEqual(replica.log.epochs.list(), [{ epoch: 0, start: 0 }, { epoch: 2, start: 5 }]);
});


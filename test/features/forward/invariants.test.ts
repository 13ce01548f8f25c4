/**
 * The edge buffer's assertions catch deliberately corrupted bookkeeping (releasing events the next
 * tier was never sent: the planned count going negative), and the bug its recovery assertion
 * found stays fixed (a record torn by a power loss is skipped, not read as an event).
 */
import test from 'ava';
import { InvariantViolation } from '../../../src/kernel/contract/index.ts';
import { EdgeBuffer } from '../../../src/features/forward/actors/index.ts';
import { edge } from './_edge.ts';

const config = { capacityBytes: 1000, overflow: 'block' as const, spillBytes: 0, spillBandwidthBytesPerSec: 1 };

test('releasing events that were never planned (sent) is caught', (t) => {
  const buffer = new EdgeBuffer(config, edge().ctx().disk);
  t.like(buffer.offer(['a', 'b', 'c'], 100, 0), { kind: 'accepted' });
  t.deepEqual(buffer.take(100).map((e) => e.id), ['a']);
  buffer.release(0, 1);
  t.deepEqual(buffer.fill(), { fastBytes: 200, spillBytes: 0, buffered: 2 });
  // b and c (seq 1, 2) were never handed to the next tier: an acknowledgement for them is a bug.
  t.throws(() => buffer.release(1, 3), { instanceOf: InvariantViolation, message: /0 ≤ planned ≤ held after releasing \[1, 3\), but -2 of 0/ });
});

test('recovery skips a segment record torn by a power loss (found by the recovery assertion: the torn record made the next seq NaN)', (t) => {
  const { world, ctx } = edge();
  const before = new EdgeBuffer(config, ctx().disk);
  before.offer(['a'], 100, 0);
  ctx().disk.fsync();
  world.advance({ until: 1000 });
  before.offer(['b'], 100, 1000); // not fsynced: the power loss tears it
  world.crashNode('edge-1', 'test', { tear: true });
  world.restartNode('edge-1', 'test');
  world.advance({ until: 2000 });
  const after = new EdgeBuffer(config, ctx().disk);
  after.recover(0, new Set());
  t.deepEqual(after.fill(), { fastBytes: 100, spillBytes: 0, buffered: 1 });
  t.deepEqual(after.take(1000).map((e) => e.id), ['a']);
  t.is(after.nextUnplannedSeq(), 1, 'the next event gets seq 1, not NaN');
});

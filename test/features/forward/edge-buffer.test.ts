/**
 * The edge buffer's guarantee and its breaks, offer by offer: an id held or recently released is
 * acknowledged again, not stored twice — until it falls out of the `RECENT_IDS` memory or the
 * buffer restarts; `drop-oldest` evicts the oldest events not yet planned, never a planned one,
 * and blocks rather than exceed its capacity.
 */
import test from 'ava';
import { EdgeBuffer } from '../../../src/features/forward/actors/index.ts';
import { edge } from './_edge.ts';

const roomy = { capacityBytes: 1 << 20, overflow: 'block' as const, spillBytes: 0, spillBandwidthBytesPerSec: 1 };

test('a retry of an id held or recently released is a duplicate; one 4096 releases later, or after a restart, is stored again', (t) => {
  const { world, ctx } = edge();
  const buffer = new EdgeBuffer(roomy, ctx().disk);
  t.like(buffer.offer(['a'], 1, 0), { kind: 'accepted' });
  t.like(buffer.offer(['a'], 1, 0), { kind: 'duplicate' }, 'held');
  buffer.take(1);
  buffer.release(0, 1);
  t.like(buffer.offer(['a'], 1, 0), { kind: 'duplicate' }, 'released, still remembered');
  const others = Array.from({ length: 4096 }, (_, i) => `e${i}`);
  t.like(buffer.offer(others, 1, 0), { kind: 'accepted' });
  buffer.take(1 << 30);
  buffer.release(1, 1 + others.length);
  t.like(buffer.offer(['a'], 1, 0), { kind: 'accepted' }, 'forgotten 4096 releases later: stored a second time');
  t.like(buffer.offer([others.at(-1)!], 1, 0), { kind: 'duplicate' });
  // The memory of released ids is not durable: a restarted buffer takes the last one again.
  ctx().disk.fsync();
  world.advance({ until: 1000 });
  world.crashNode('edge-1', 'test');
  world.restartNode('edge-1', 'test');
  world.advance({ until: 2000 });
  const restarted = new EdgeBuffer(roomy, ctx().disk);
  restarted.recover(1 + others.length, new Set());
  t.is(restarted.fill().buffered, 1, 'only the second a was still held');
  t.like(restarted.offer([others.at(-1)!], 1, 0), { kind: 'accepted' });
  t.like(restarted.offer(['a'], 1, 0), { kind: 'duplicate' });
});

test('drop-oldest evicts the oldest unplanned events, never a planned one, and blocks when only planned ones would make room', (t) => {
  const buffer = new EdgeBuffer({ ...roomy, capacityBytes: 300, overflow: 'drop-oldest' }, edge().ctx().disk);
  const dropped = (ids: string[]) => {
    const result = buffer.offer(ids, 100, 0);
    return result.kind === 'accepted' ? result.dropped.map((e) => e.id) : result.kind;
  };
  t.deepEqual(dropped(['a', 'b', 'c']), []);
  t.deepEqual(buffer.take(1).map((e) => e.id), ['a'], 'a is handed to the next tier');
  t.deepEqual(dropped(['d']), ['b']);
  t.deepEqual(dropped(['e', 'f']), ['c', 'd']);
  // Room for three takes evicting e and f and a: a is planned, so the offer is refused whole.
  t.is(dropped(['g', 'h', 'i']), 'blocked');
  t.deepEqual(buffer.fill(), { fastBytes: 300, spillBytes: 0, buffered: 3 });
  t.deepEqual(buffer.take(1 << 30).map((e) => e.id), ['e', 'f'], 'taken in order, nothing of the refused offer');
});

/**
 * The checkpoint catalog's assertions catch deliberately inconsistent entries: ids added out of
 * order (which would make `latest` answer an older checkpoint) and an incremental entry whose base
 * is not older than itself (whose chain walk would never end). Without the assertions both are
 * accepted silently.
 */
import test from 'ava';
import { InvariantViolation } from '../../../src/kernel/contract/index.ts';
import { CheckpointCatalog } from '../../../src/features/checkpoint/actors/catalog.ts';
import type { OperatorImage, StoredCheckpoint } from '../../../src/features/checkpoint/actors/index.ts';

const image: OperatorImage = { state: { n: 1 }, inputs: {}, outputs: {}, generated: 0, pending: [], outbox: [] };
const full = (id: number): StoredCheckpoint => ({ id, kind: 'full', bytes: 10, image });
const { state: _state, ...rest } = image;
const incremental = (id: number, base: number): StoredCheckpoint => ({ id, kind: 'incremental', bytes: 1, base, patches: [], image: rest });

test('checkpoint ids added out of order are caught; a re-sent put of the same id is not', (t) => {
  const catalog = new CheckpointCatalog();
  catalog.add('op', full(3), { all: true });
  catalog.add('op', full(5), { all: true });
  catalog.add('op', full(5), { all: true });
  t.is(catalog.chain('op', 'latest')?.at(-1)?.id, 5);
  t.throws(() => catalog.add('op', full(4), { all: true }), { instanceOf: InvariantViolation, message: 'checkpoint op: ids added in ascending order, but #4 arrives after #5' });
});

test('an incremental entry that builds on itself is caught', (t) => {
  const catalog = new CheckpointCatalog();
  catalog.add('op', full(1), { all: true });
  catalog.add('op', incremental(2, 1), { all: true });
  t.deepEqual(catalog.chain('op', 2)?.map((e) => e.id), [1, 2]);
  t.throws(() => catalog.add('op', incremental(7, 7), { all: true }), { instanceOf: InvariantViolation, message: /an incremental entry builds on an older one, but its base is 7/ });
});

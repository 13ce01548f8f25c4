/**
 * Start-ordered entries: listed by start order whatever order they were added in, equal orders in
 * the order added — what keeps a power loss's or a writeback's records in one order however the
 * actors first wrote.
 */
import test from 'ava';
import { StartOrdered } from '../../src/world/start-ordered.ts';

test('entries are listed by start order whatever order they were added in; equal orders keep the order added', (t) => {
  const entries = new StartOrdered<{ order: number }>();
  t.deepEqual([...entries.entries()], [], 'no map until the first entry');
  for (const [id, order] of [['c', 2], ['a', 0], ['d', 3], ['b', 1], ['b2', 1], ['e', 4]] as const) entries.add(id, { order });
  t.deepEqual([...entries.entries()].map(([id]) => id), ['a', 'b', 'b2', 'c', 'd', 'e']);
  t.deepEqual(entries.get('d'), { order: 3 });
  t.is(entries.get('z'), undefined);
});

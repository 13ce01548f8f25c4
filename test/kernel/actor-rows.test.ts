/**
 * The actors' rows keep each actor's id digest and place through the table's growth, and refuse a
 * place for an actor they do not hold.
 */
import test from 'ava';
import { ActorRows, NODE, ROW, SITE } from '../../src/kernel/index.ts';

test('rows keep their digests and places as the table grows past its first size', (t) => {
  const rows = new ActorRows();
  const count = 1_000;
  for (let i = 0; i < count; i++) {
    t.is(rows.add(i * 7 - 500, ~i), i);
    // Every third actor is placed at once, the rest after the table has grown.
    if (i % 3 === 0) rows.place(i, i + 1, i % 5);
  }
  for (let i = 0; i < count; i++) if (i % 3 !== 0) rows.place(i, 2 * i, 9);
  const words = rows.words;
  for (let i = 0; i < count; i++) {
    t.deepEqual([...words.subarray(ROW * i, ROW * i + ROW)], [i * 7 - 500, ~i, i % 3 === 0 ? i + 1 : 2 * i, i % 3 === 0 ? i % 5 : 9]);
  }
});

test('an actor not placed reads -1 for its place', (t) => {
  const rows = new ActorRows();
  const row = rows.add(1, 2);
  t.is(rows.words[ROW * row + NODE], -1);
  t.is(rows.words[ROW * row + SITE], -1);
});

test('a place for an actor the rows do not hold is refused', (t) => {
  const rows = new ActorRows();
  rows.add(1, 2);
  t.throws(() => rows.place(1, 0, 0), { message: 'no actor row 1 to place (1 rows)' });
  t.throws(() => rows.place(-1, 0, 0), { message: 'no actor row -1 to place (1 rows)' });
});

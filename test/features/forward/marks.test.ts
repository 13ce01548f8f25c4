/**
 * A lane's marked sequence numbers (marks.ts) answer as the `Set` they replace, whatever the
 * order of marks, unmarks and clears: the sink's marks of plans sent and the log transport's of plans
 * acknowledged out of order rest on it.
 */
import test from 'ava';
import fc from 'fast-check';
import { Marks } from '../../../src/features/forward/actors/index.ts';

const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), seq: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('delete' as const), seq: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('has' as const), seq: fc.integer({ min: 0, max: 5 }) }),
  fc.constant({ kind: 'clear' as const, seq: 0 }),
);

test('marks answer has, add, delete and clear as a Set does', (t) => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const marks = new Marks();
      const set = new Set<number>();
      for (const { kind, seq } of ops) {
        if (kind === 'add') {
          marks.add(seq);
          set.add(seq);
        } else if (kind === 'delete') {
          if (marks.delete(seq) !== set.delete(seq)) return false;
        } else if (kind === 'clear') {
          marks.clear();
          set.clear();
        }
        for (let s = 0; s <= 5; s++) if (marks.has(s) !== set.has(s)) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('a mark added twice is one mark: one delete removes it', (t) => {
  const marks = new Marks();
  marks.add(3);
  marks.add(3);
  marks.add(4);
  t.true(marks.delete(3));
  t.false(marks.has(3));
  t.false(marks.delete(3));
  t.true(marks.has(4));
});

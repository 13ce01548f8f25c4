/**
 * The pending-timer set agrees with a `Set` of (actor, id) pairs under any sequence of adds and
 * removals, through growth and the backward-shift deletions of its probe runs.
 */
import test from 'ava';
import fc from 'fast-check';
import { TimerSet } from '../../src/kernel/timer-set.ts';

test('adds and removals agree with a Set of pairs', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 20 }), fc.oneof(fc.nat({ max: 60 }), fc.maxSafeNat())), { maxLength: 3000 }),
      (ops) => {
        const table = new TimerSet(16);
        const model = new Set<string>();
        for (const [adding, actor, id] of ops) {
          const key = `${actor}/${id}`;
          if (adding && !model.has(key)) {
            table.add(actor, id);
            model.add(key);
          } else {
            t.is(table.remove(actor, id), model.delete(key), `remove ${key}`);
          }
          if (table.size !== model.size) return false;
        }
        // Everything left is still found, once.
        for (const key of model) {
          const [actor, id] = key.split('/').map(Number);
          if (!table.remove(actor, id) || table.remove(actor, id)) return false;
        }
        return table.size === 0;
      },
    ),
    { numRuns: 300 },
  );
});

/**
 * The pair table (world/pair-table.ts) against a plain Map: whatever the inserts and compactions,
 * every pair it keeps is found with its times and extra, and every pair it drops is gone —
 * compactions that keep the table's size reuse its arrays, which must hold nothing stale.
 */
import test from 'ava';
import fc from 'fast-check';
import { PairTable } from '../../src/world/pair-table.ts';

const op = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), a: fc.nat({ max: 40 }), b: fc.nat({ max: 40 }), busy: fc.nat({ max: 100 }) }),
  fc.record({ kind: fc.constant('compact' as const), below: fc.nat({ max: 100 }) }),
);

test('a pair table finds what a Map holds, across compactions at the same and at other sizes', (t) => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const table = new PairTable<string>();
      const model = new Map<string, { busy: number; extra: string | undefined }>();
      // `insert` compacts by itself when half full; this keeps the entries busy past `horizon`.
      let horizon = 50;
      const keep = (tab: PairTable<string>, slot: number) => tab.busyUntil[slot] > horizon;
      const drop = () => {
        for (const [key, value] of model) if (!(value.busy > horizon)) model.delete(key);
      };
      for (const o of ops) {
        if (o.kind === 'compact') {
          horizon = o.below;
          table.compact(keep);
          drop();
          continue;
        }
        const key = `${o.a},${o.b}`;
        if (table.find(o.a, o.b) >= 0) continue;
        const before = table.size;
        const slot = table.insert(o.a, o.b, keep);
        // An insert that compacted first dropped what `keep` refused.
        if (table.size !== before + 1) drop();
        table.busyUntil[slot] = o.busy;
        table.lastArrival[slot] = o.busy + 1;
        const extra = o.busy % 3 === 0 ? `x${o.busy}` : undefined;
        table.extra[slot] = extra;
        model.set(key, { busy: o.busy, extra });
      }
      t.is(table.size, model.size);
      for (let a = 0; a <= 40; a++) {
        for (let b = 0; b <= 40; b++) {
          const slot = table.find(a, b);
          const held = model.get(`${a},${b}`);
          if (held === undefined) {
            if (slot >= 0) return false;
            continue;
          }
          if (slot < 0 || table.busyUntil[slot] !== held.busy || table.lastArrival[slot] !== held.busy + 1 || table.extra[slot] !== held.extra) return false;
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
});

/**
 * The id set of the recovery and alert metrics (metrics/id-set.ts) says "new" exactly when a
 * `Set` of the same strings would, for any strings: counter-like ids, digit runs with leading
 * zeros, runs too long for a number, equally long runs, and ids with no digits at all.
 */
import test from 'ava';
import fc from 'fast-check';
import { IdSet } from '../../src/metrics/id-set.ts';

/** Adds every id to both sets and compares each answer. */
function agree(ids: readonly string[]): boolean {
  const compact = new IdSet();
  const plain = new Set<string>();
  for (const id of ids) {
    const before = plain.size;
    plain.add(id);
    if (compact.add(id) !== (plain.size !== before)) return false;
  }
  return true;
}

test('the pipeline’s ids, replayed after a restore, are new once each', (t) => {
  const ids: string[] = [];
  for (let k = 0; k < 5000; k++) ids.push(`distribute/detector-1:${k}#2`);
  for (let k = 3000; k < 5200; k++) ids.push(`distribute/detector-1:${k}#2`);
  for (let k = 0; k < 300; k++) ids.push(`reconstruct/${k % 7}/2@${60 * (k % 24)}`, `detector-1:${k}`);
  const compact = new IdSet();
  let fresh = 0;
  for (const id of ids) if (compact.add(id)) fresh++;
  t.is(fresh, new Set(ids).size);
  t.true(agree(ids));
});

test('digit runs that are not numbers as written, and ties between runs, keep ids apart', (t) => {
  t.true(agree(['a7', 'a07', 'a007', 'a7', 'a07', '0', '00', '0', 'x', 'x', '', '']));
  t.true(agree(['1a2', '1a3', '2a2', '12a2', '1a22', '1a2', '2a2', '12a2', '1a22']));
  // 'x5a3' is split at its last run ('3'), never at '5' as a member of the family of 'x12a3'.
  t.true(agree(['x5a3', 'x12a3', 'x5a3', 'x12a3', 'x5a3']));
  t.true(agree(['x3a5', 'x3a12', 'x3a5', 'x3a12', 'x3a5']));
  // 'ab12c7' is split at '12', never at '7' as a member of the family of 'ab12c345'.
  t.true(agree(['ab12c7', 'ab12c345', 'ab12c7', 'ab12c345', 'ab12c7']));
  t.true(agree(['n1234567890123456', 'n123456789012345', 'n1234567890123456', 'n123456789012345', 'n999999999999999']));
  t.true(agree(['p4096q', 'p4095q', 'p8192q', 'p4096q', 'p0q', 'p4095q']));
});

test('agrees with a Set on any strings', (t) => {
  const piece = fc.oneof(fc.constantFrom('a', '/', ':', '#', '@', '-'), fc.nat({ max: 30 }).map(String), fc.nat({ max: 20000 }).map(String), fc.constantFrom('0', '00', '07', '1234567890123456'));
  const id = fc.array(piece, { maxLength: 5 }).map((parts) => parts.join(''));
  t.notThrows(() => fc.assert(fc.property(fc.array(id, { maxLength: 200 }), (ids) => agree([...ids, ...ids.slice(0, ids.length >> 1)])), { numRuns: 300 }));
});

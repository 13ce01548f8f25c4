import test from 'ava';
import { copyState } from '../../../src/features/pipeline/actors/state-copy.ts';

/** The operator kinds' states (kinds.ts): a tally, a window with open windows, an account. */
const STATES: object[] = [
  { count: 3, hash: 4_294_967_295, sum: [1, 2, 3, 4] },
  { open: { '3/1': { count: 2, hash: 12, sum: [5, 6, 7, 8] }, '10/0': { count: 1, hash: 7, sum: [0, 0, -0, 1.5] } }, closed: 10, previews: 3, hash: 99 },
  { balance: -12, sent: 4, received: 0, hash: 0 },
  { nested: [[1, [2, [3]]], { a: null, b: true, c: 'x', d: undefined, 2: 'integer key first' }] },
];

/** Every object and array of `value`, in order. */
function objectsOf(value: unknown, into: unknown[] = []): unknown[] {
  if (value === null || typeof value !== 'object') return into;
  into.push(value);
  for (const item of Object.values(value)) objectsOf(item, into);
  return into;
}

test('a plain state is copied as structuredClone copies it: same keys in order, same values, nothing shared', (t) => {
  for (const state of STATES) {
    const copy = copyState(state);
    t.deepEqual(copy, structuredClone(state));
    t.deepEqual(JSON.stringify(copy), JSON.stringify(structuredClone(state)));
    const mine = objectsOf(copy);
    for (const object of objectsOf(state)) t.false(mine.includes(object));
  }
  const frozen = Object.freeze({ count: 1, sum: Object.freeze([1]) });
  t.false(Object.isFrozen(copyState(frozen)));
  t.true(Object.is((copyState({ z: -0 }) as { z: number }).z, -0));
});

test('a state that is not plain data goes to structuredClone, which keeps what a plain copy would lose', (t) => {
  const shared = { n: 1 };
  const sharing = copyState({ a: shared, b: shared });
  t.is(sharing.a, sharing.b, 'an object reached twice stays one object');
  const cycle: { self?: unknown } = {};
  cycle.self = cycle;
  const cycled = copyState(cycle);
  t.is(cycled.self, cycled);
  t.true(copyState({ m: new Map([[1, 2]]) }).m instanceof Map);
  t.true(copyState({ s: new Set([1]) }).s instanceof Set);
  const holes = copyState({ h: [1, , 3] }).h; // eslint-disable-line no-sparse-arrays
  t.false(1 in holes, 'a hole stays a hole');
  const extra = Object.assign([1, 2], { note: 'x' });
  t.is((copyState({ extra }).extra as unknown as { note: string }).note, 'x');
  const proto = copyState(JSON.parse('{"__proto__": {"x": 1}}') as object);
  t.deepEqual(Object.keys(proto), ['__proto__'], 'an own __proto__ key stays a key');
  const bare = Object.assign(Object.create(null) as object, { a: 1 });
  t.is(Object.getPrototypeOf(copyState(bare)), Object.prototype);
  t.throws(() => copyState({ f: () => 1 }), { any: true, name: 'DataCloneError' });
  t.throws(() => copyState({ s: Symbol('x') }), { any: true, name: 'DataCloneError' });
});

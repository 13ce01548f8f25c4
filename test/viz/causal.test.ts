/**
 * The causal cone (viz/model/causal.ts) equals happened-before computed the slow way: a graph
 * search over per-actor order and send→receive edges, on random message histories.
 */
import test from 'ava';
import fc from 'fast-check';
import { causalCone, inFuture, inPast } from '../../viz/model/causal.ts';

type Step = { actor: number; kind: 'local' | 'send' | 'recv'; pick: number };

/** Columns of a history: each recv takes one of the sends still in flight. */
function history(steps: Step[], actors: number) {
  const a: number[] = [];
  const link: number[] = [];
  const inFlight: number[] = [];
  for (const step of steps) {
    const row = a.length;
    if (step.kind === 'recv' && inFlight.length > 0) {
      const [send] = inFlight.splice(step.pick % inFlight.length, 1);
      a.push(step.actor % actors);
      link.push(send);
      continue;
    }
    a.push(step.actor % actors);
    link.push(-1);
    if (step.kind === 'send') inFlight.push(row);
  }
  const fwd = new Int32Array(a.length).fill(-1);
  link.forEach((s, r) => s >= 0 && (fwd[s] = r));
  return { length: a.length, a: Int32Array.from(a), link: Int32Array.from(link), fwd };
}

/** Everything reachable from `row` along happened-before edges, backwards or forwards. */
function reach(h: ReturnType<typeof history>, row: number, forward: boolean): Set<number> {
  const seen = new Set([row]);
  const queue = [row];
  while (queue.length > 0) {
    const r = queue.pop()!;
    const next: number[] = [];
    for (let j = forward ? r + 1 : r - 1; j >= 0 && j < h.length; j += forward ? 1 : -1) {
      if (h.a[j] === h.a[r]) {
        next.push(j);
        break;
      }
    }
    if (forward && h.fwd[r] >= 0) next.push(h.fwd[r]);
    if (!forward && h.link[r] >= 0) next.push(h.link[r]);
    for (const n of next) {
      if (seen.has(n)) continue;
      seen.add(n);
      queue.push(n);
    }
  }
  return seen;
}

const step = fc.record({ actor: fc.nat(9), kind: fc.constantFrom('local', 'send', 'recv', 'recv'), pick: fc.nat(100) }) as fc.Arbitrary<Step>;

test('the cone is exactly the causal past and future', (t) => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 5 }), fc.nat(), (steps, actors, at) => {
      const h = history(steps, actors);
      const row = at % h.length;
      const cone = causalCone(h, row, actors);
      const past = reach(h, row, false);
      const future = reach(h, row, true);
      for (let i = 0; i < h.length; i++) {
        if (inPast(cone, h, i) !== past.has(i)) return false;
        if (inFuture(cone, h, i) !== future.has(i)) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

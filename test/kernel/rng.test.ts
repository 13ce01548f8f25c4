/**
 * The kernel's Alea is seedrandom's Alea: the same seed string gives the same stream, draw for
 * draw, so streams (and every trace hash) are what they were when they came from seedrandom.
 */
import test from 'ava';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { deriveRng, Rng } from '../../src/kernel/contract/rng.ts';

function sameStream(t: { is: (a: unknown, b: unknown, m?: string) => void }, seed: string, draws: number): void {
  const ours = new Rng(seed);
  const theirs = seedrandom.alea(seed);
  for (let i = 0; i < draws; i++) t.is(ours.next(), theirs(), `draw ${i} of ${JSON.stringify(seed)}`);
}

test('the same seed string gives seedrandom.alea’s sequence, draw for draw', (t) => {
  for (const seed of ['', ' ', '1', '1\u0000world\u0000jitter:wan:a>b', 'é€😀\u2028', 'x'.repeat(10_000)]) sameStream(t, seed, 2_000);
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (seed) => {
      sameStream(t, seed, 50);
    }),
    { numRuns: 300 },
  );
});

test('derived streams are seeded by (root seed, owner, purpose)', (t) => {
  const a = deriveRng(7, 'actor-1', 'hold');
  const b = seedrandom.alea('7\u0000actor-1\u0000hold');
  for (let i = 0; i < 100; i++) t.is(a.next(), b());
  t.not(deriveRng(7, 'actor-1', 'hold').next(), deriveRng(7, 'actor-1', 'target').next());
});

test('many streams drawn from in turn are independent and draw what seedrandom draws', (t) => {
  // Draws interleaved, so a stream writing its neighbour's state would show.
  const seeds = Array.from({ length: 300 }, (_, i) => `1\u0000actor-${i}\u0000hold`);
  const streams = seeds.map((seed) => new Rng(seed));
  const alone = seeds.map((seed) => seedrandom.alea(seed));
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < seeds.length; i += 1 + (round % 3)) t.is(streams[i].next(), alone[i](), `stream ${i}, round ${round}`);
  }
});

import test from 'ava';
import fc from 'fast-check';
import { estimate, pairedDifference, tCdf, tQuantile } from '../../src/report/stats.ts';

test('t quantiles match the published table', (t) => {
  // Two-sided 95% (p = 0.975) and 99% (p = 0.995) critical values, from any statistics table.
  const table: [number, number, number][] = [
    [1, 12.706, 63.657],
    [2, 4.303, 9.925],
    [3, 3.182, 5.841],
    [5, 2.571, 4.032],
    [9, 2.262, 3.25],
    [10, 2.228, 3.169],
    [29, 2.045, 2.756],
    [100, 1.984, 2.626],
    [1e6, 1.96, 2.576],
  ];
  for (const [df, q975, q995] of table) {
    t.is(Number(tQuantile(0.975, df).toFixed(3)), q975, `df ${df}, p 0.975`);
    t.is(Number(tQuantile(0.995, df).toFixed(3)), q995, `df ${df}, p 0.995`);
  }
  t.is(tQuantile(0.5, 7), 0);
  t.throws(() => tQuantile(1, 3), { instanceOf: RangeError });
});

test('the quantile inverts the CDF, and the CDF is symmetric', (t) => {
  fc.assert(
    fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 500 }), (p, df) => {
      const q = tQuantile(p, df);
      return Math.abs(tCdf(q, df) - p) < 1e-9 && Math.abs(tCdf(-q, df) - (1 - p)) < 1e-9;
    }),
  );
  t.pass();
});

test('a mean with its 95% interval', (t) => {
  const e = estimate([2, 4, 4, 4, 5, 5, 7, 9]);
  t.is(e.n, 8);
  t.is(e.mean, 5);
  t.is(Number(e.sd!.toFixed(4)), 2.1381);
  // 5 ± 2.365 × 2.1381 / √8
  t.is(Number(e.low!.toFixed(3)), 3.213);
  t.is(Number(e.high!.toFixed(3)), 6.787);
  t.deepEqual(estimate([3]), { n: 1, mean: 3, sd: null, low: null, high: null }, 'one seed: no interval');
  t.deepEqual(estimate([3, 3, 3]), { n: 3, mean: 3, sd: 0, low: 3, high: 3 }, 'no spread: a zero-width interval');
});

test('paired differences: significance follows the interval', (t) => {
  // A consistent small improvement on every seed is significant even when the seeds vary a lot.
  const base = [10, 50, 90, 130, 170];
  const better = base.map((x, i) => x - 2 - (i % 2) * 0.5);
  const d = pairedDifference(base, better);
  t.true(d.significant);
  t.true(d.high! < 0);
  t.true(d.p! < 0.001);
  // Noise around zero is not.
  const noise = pairedDifference([1, 2, 3, 4, 5, 6], [1.5, 1.6, 3.2, 3.9, 5.4, 5.7]);
  t.false(noise.significant);
  t.true(noise.low! < 0 && noise.high! > 0);
  t.true(noise.p! > 0.05);
  // A deterministic difference (same on every seed) is significant; no difference is not.
  t.like(pairedDifference([1, 2, 3], [2, 3, 4]), { mean: 1, sd: 0, p: 0, significant: true });
  t.like(pairedDifference([1, 2, 3], [1, 2, 3]), { mean: 0, p: 1, significant: false });
  t.like(pairedDifference([1], [5]), { n: 1, mean: 4, p: null, significant: false });
  t.throws(() => pairedDifference([1, 2], [1]), { instanceOf: RangeError });
});

test('the p-value agrees with the interval for any sample', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })), { minLength: 2, maxLength: 40 }), (pairs) => {
      const d = pairedDifference(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
      if (d.sd === 0) return d.significant === (d.mean !== 0);
      const excludesZero = d.low! > 0 || d.high! < 0;
      // Away from the boundary the two tests must agree exactly.
      return Math.abs(d.p! - 0.05) < 1e-9 || excludesZero === d.significant;
    }),
  );
  t.pass();
});

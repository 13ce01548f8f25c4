/**
 * Statistics for comparisons over seeds: the mean of a metric with a 95% confidence interval, and
 * the paired difference between two strategies run on the same seeds (common random numbers), with
 * a two-sided paired t-test.
 *
 * Why hand-written: the only distribution needed is Student's t, and its CDF is ~40 lines on top of
 * the regularised incomplete beta function (continued fraction, as in Numerical Recipes §6.4);
 * the quantile is found by bisection on the CDF. Accuracy is ~1e-10, far below what a report
 * prints; the tests pin it against published t-table values.
 *
 * Guarantee: pure functions of their inputs. With fewer than two values there is no interval
 * (`low`/`high` are null) and nothing is flagged significant. A zero-variance sample has a zero-
 * width interval, and a zero-variance difference that is not zero is significant (p = 0): the two
 * strategies differ on every seed by the same amount, which the data cannot make more certain.
 * Transcendental `Math` is fine here: reports are outside the simulation and never hashed.
 */

/** A mean with its confidence interval; `low`/`high` are null when n < 2. */
export interface Estimate {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 denominator); null when n < 2. */
  sd: number | null;
  low: number | null;
  high: number | null;
}

/** A paired difference `b − a` over matched seeds, with its test against zero. */
export interface Difference extends Estimate {
  /** Two-sided p-value of the paired t-test; null when n < 2. */
  p: number | null;
  /** True when the interval excludes zero (p < 1 − level). */
  significant: boolean;
}

export const CONFIDENCE = 0.95;

export function estimate(values: readonly number[], level = CONFIDENCE): Estimate {
  const n = values.length;
  if (n === 0) return { n, mean: Number.NaN, sd: null, low: null, high: null };
  const mean = values.reduce((sum, x) => sum + x, 0) / n;
  if (n < 2) return { n, mean, sd: null, low: null, high: null };
  const sd = Math.sqrt(values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1));
  const half = tQuantile((1 + level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, low: mean - half, high: mean + half };
}

/** `b[i] − a[i]` for matched pairs (the caller pairs by seed). */
export function pairedDifference(a: readonly number[], b: readonly number[], level = CONFIDENCE): Difference {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} and ${b.length}`);
  const d = estimate(b.map((x, i) => x - a[i]!), level);
  if (d.sd === null) return { ...d, p: null, significant: false };
  if (d.sd === 0) return { ...d, p: d.mean === 0 ? 1 : 0, significant: d.mean !== 0 };
  const t = d.mean / (d.sd / Math.sqrt(d.n));
  const p = 2 * (1 - tCdf(Math.abs(t), d.n - 1));
  return { ...d, p, significant: p < 1 - level };
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The `p`-quantile of Student's t with `df` degrees of freedom (0 < p < 1). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`tQuantile needs 0 < p < 1 and df > 0, got p ${p}, df ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let high = 1;
  while (tCdf(high, df) < p) high *= 2;
  let low = 0;
  // 100 halvings take any bracket below double precision.
  for (let i = 0; i < 100 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (tCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** The regularised incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast only on this side of the mean; use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** Lentz's evaluation of the continued fraction for I_x(a, b). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const numerator of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(z) for z > 0 (Lanczos, g = 7). */
function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * Random durations for the nemesis: times to failure and times to repair, each given by its mean so
 * that switching the distribution keeps the average fault rate (only the shape of the spread
 * changes: Weibull shape < 1 clusters failures early, lognormal has a long tail of slow repairs).
 *
 * Guarantee: every draw is a whole number of µs ≥ 1 and consumes a fixed number of values from
 * the given stream for `fixed` (none), `exponential` and `weibull` (one); lognormal uses the
 * polar method, which consumes a variable but deterministic number. Determinism is promised per
 * Node major version, as for every distribution of `kernel/rng.ts` (transcendental `Math`).
 */
import type { Micros, Rng } from '../kernel/index.ts';
import type { DistributionSpec } from './spec.ts';

export function drawDuration(spec: DistributionSpec, rng: Rng): Micros {
  // A zero mean is the instant restart (`repair: 0s`), drawing nothing; any other mean gives at least 1 µs.
  if (spec.meanUs === 0) return 0;
  return Math.max(1, Math.round(sample(spec, rng)));
}

function sample(spec: DistributionSpec, rng: Rng): number {
  const mean = spec.meanUs;
  switch (spec.distribution) {
    case 'fixed':
      return mean;
    case 'exponential':
      return rng.exponential(mean);
    case 'weibull': {
      const k = spec.shape ?? 1;
      return rng.weibull(mean / gamma(1 + 1 / k), k);
    }
    case 'lognormal': {
      // E[X] = exp(mu + sigma²/2), so mu follows from the mean.
      const sigma = spec.sigma ?? 1;
      return rng.lognormal(Math.log(mean) - (sigma * sigma) / 2, sigma);
    }
  }
}

/** Γ(x) for x > 0 by the Lanczos approximation (g = 7, n = 9), good to ~15 digits. */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a;
}

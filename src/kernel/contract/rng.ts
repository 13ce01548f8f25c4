/**
 * Seeded random streams.
 *
 * Every stream is derived from `(rootSeed, owner, purpose)`, so each actor has one stream per
 * purpose and no two purposes share draws: a fault stream never shifts because the workload drew one
 * more number (common random numbers across compared strategies). Streams use seedrandom's Alea,
 * which is fast and gives the same sequence on every platform.
 *
 * Distributions use only `Math.log`, `Math.pow` and `Math.sqrt`; V8 computes them identically on the
 * platforms we run on, and we promise bit-identical traces per Node major version.
 */
import seedrandom from 'seedrandom';

export class Rng {
  private readonly prng: seedrandom.PRNG;

  constructor(seed: string) {
    this.prng = seedrandom.alea(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.prng() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.prng() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick from an empty list');
    return items[Math.floor(this.prng() * items.length)];
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.prng());
  }

  /** Weibull with the given scale and shape (shape < 1: infant mortality, > 1: wear-out). */
  weibull(scale: number, shape: number): number {
    return scale * Math.pow(-Math.log(1 - this.prng()), 1 / shape);
  }

  /** Standard normal by Box–Muller without trigonometry (Marsaglia's polar method). */
  normal(mean = 0, sd = 1): number {
    for (;;) {
      const u = 2 * this.prng() - 1;
      const v = 2 * this.prng() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) return mean + sd * u * Math.sqrt((-2 * Math.log(s)) / s);
    }
  }

  /** Lognormal whose underlying normal has parameters mu and sigma. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }
}

/** Makes the stream for `(rootSeed, owner, purpose)`. */
export function deriveRng(rootSeed: number | string, owner: string, purpose: string): Rng {
  return new Rng(`${rootSeed}\u0000${owner}\u0000${purpose}`);
}

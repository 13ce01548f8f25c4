/**
 * Seeded random streams.
 *
 * Every stream is derived from `(rootSeed, owner, purpose)`, so each actor has one stream per
 * purpose and no two purposes share draws: a fault stream never shifts because the workload drew one
 * more number (common random numbers across compared strategies). Streams are Baagøe's Alea, as
 * seedrandom 3 implements it (`seedrandom.alea`), written out here so that a stream is one small
 * object of four numbers — no closure per stream, no call through one per draw — with exactly
 * seedrandom's sequence for the same seed string (test/kernel/rng.test.ts compares them).
 *
 * A stream's state is four integers in the stream object's own fields: Alea's three fractions are
 * always multiples of 2^-32 (Mash hands out such fractions, and a step keeps them so), so each is
 * kept as its 32 bits (a signed int32, which V8 stores in the field itself as a small integer), and
 * the carry is below 2^21. A draw computes in doubles exactly what seedrandom computes — every
 * intermediate is an integer below 2^53 or such an integer scaled by 2^-32 — so the sequence is
 * bit for bit seedrandom's (test/kernel/rng.test.ts). Why fields of small integers: a double-valued
 * field is boxed by V8 (a draw rewrote three boxes: 35–40 ns), and state kept in a typed array
 * apart from the object (session 6: a shared pool) is one more dependent cache miss per draw when
 * there are many actors — the object and its state on different pages. Here a draw touches one
 * object, allocated when the stream is first asked for (usually in the actor's event, beside the
 * actor's other objects).
 *
 * Distributions use only `Math.log`, `Math.pow` and `Math.sqrt`; V8 computes them identically on the
 * platforms we run on, and we promise bit-identical traces per Node major version.
 */

/** 2^-32. */
const INV_2_32 = 2.3283064365386963e-10;

/** Baagøe's Mash, which Alea seeds itself with: the state `n` carries over from one call to the next. */
class Mash {
  private n = 0xefc8249d;

  hash(data: string): number {
    let n = this.n;
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000;
    }
    this.n = n;
    return (n >>> 0) * INV_2_32;
  }
}

/** 2^32: a fraction of Alea's state is its integer numerator over this. */
const TWO_32 = 4294967296;

export class Rng {
  // Alea's state s0, s1, s2 as numerators over 2^32 (stored as signed int32: `>>> 0` reads them
  // back), and its carry c.
  private s0: number;
  private s1: number;
  private s2: number;
  private c = 1;

  constructor(seed: string) {
    const mash = new Mash();
    let s0 = mash.hash(' ');
    let s1 = mash.hash(' ');
    let s2 = mash.hash(' ');
    s0 -= mash.hash(seed);
    if (s0 < 0) s0 += 1;
    s1 -= mash.hash(seed);
    if (s1 < 0) s1 += 1;
    s2 -= mash.hash(seed);
    if (s2 < 0) s2 += 1;
    this.s0 = (s0 * TWO_32) | 0;
    this.s1 = (s1 * TWO_32) | 0;
    this.s2 = (s2 * TWO_32) | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /**
   * One step of Alea: t = 2091639·s0 + c·2^-32, c' = ⌊t⌋, s2' = t − c', here scaled by 2^32 so that
   * every value is an integer below 2^53 (exact in a double), the result the same fraction.
   */
  private prng(): number {
    const t = 2091639 * (this.s0 >>> 0) + this.c;
    const c = (t * INV_2_32) | 0;
    const s2 = t - c * TWO_32;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.s2 = s2 | 0;
    this.c = c;
    return s2 * INV_2_32;
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

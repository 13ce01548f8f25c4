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
 * A stream's state (three fractions and a carry) lives in a Float64Array, not in object fields:
 * V8 keeps a double-valued field boxed, and a draw rewrote three boxes (measured: 35–40 ns per
 * draw, against 6 ns from a typed array). Streams made through an `RngPool` (the simulator has one)
 * share chunks of one typed array, side by side, so that with 10^5 actors a draw touches one
 * cache line of dense state instead of a scattered object and its boxes.
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

/** Words of state per stream: s0, s1, s2 and the carry c. */
const STATE = 4;
const FIRST_CHUNK_STREAMS = 64;
const LARGEST_CHUNK_STREAMS = 8192;

/**
 * Hands out the state of many streams from a few typed arrays (chunks that never move, each twice
 * as large as the last up to a bound), so that streams made together sit together in memory. The
 * pool lives as long as its streams: one per simulator.
 */
export class RngPool {
  /** The chunk the last `claim` took its place in. */
  chunk = new Float64Array(0);
  private used = 0;

  /** A place for one more stream's state in `chunk` (read it right after): its first index. */
  claim(): number {
    if (this.used + STATE > this.chunk.length) {
      const streams = Math.min(LARGEST_CHUNK_STREAMS, Math.max(FIRST_CHUNK_STREAMS, (2 * this.chunk.length) / STATE));
      this.chunk = new Float64Array(streams * STATE);
      this.used = 0;
    }
    const base = this.used;
    this.used += STATE;
    return base;
  }
}

export class Rng {
  /** The state, at `b`…`b + 3` of `s`: s0, s1, s2, c. */
  private readonly s: Float64Array;
  private readonly b: number;

  /** A stream seeded with `seed`; its state in `pool` when given, else in an array of its own. */
  constructor(seed: string, pool?: RngPool) {
    if (pool === undefined) {
      this.s = new Float64Array(STATE);
      this.b = 0;
    } else {
      this.b = pool.claim();
      this.s = pool.chunk;
    }
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
    const { s, b } = this;
    s[b] = s0;
    s[b + 1] = s1;
    s[b + 2] = s2;
    s[b + 3] = 1;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** One step of Alea. */
  private prng(): number {
    const s = this.s;
    const b = this.b;
    const t = 2091639 * s[b] + s[b + 3] * INV_2_32;
    s[b] = s[b + 1];
    s[b + 1] = s[b + 2];
    const c = t | 0;
    s[b + 3] = c;
    return (s[b + 2] = t - c);
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

/** Makes the stream for `(rootSeed, owner, purpose)`, its state in `pool` when given. */
export function deriveRng(rootSeed: number | string, owner: string, purpose: string, pool?: RngPool): Rng {
  return new Rng(`${rootSeed}\u0000${owner}\u0000${purpose}`, pool);
}

/**
 * Kafka's ExponentialBackoff (KIP-580, Kafka 3.7): the pause before the n-th retry (n from 0) is
 * `initial × 2^n` — that term growing no further once it reaches `max` — spread by ±20 % at random,
 * and never more than `max`; with `max` at or below `initial` it is `max` always, unspread. The producer's batch retries use it with
 * `retry.backoff.ms` and `retry.backoff.max.ms` (100 ms and 1 s by default).
 *
 * Guarantee: every pause lies in [0.8 × min(max, initial × 2^n), max] (or is `max` when constant)
 * and the draws come from the caller's seeded stream, so a run repeats exactly. How it breaks: a
 * caller that counts attempts the broker never saw (a request put back unattempted) backs off
 * longer than Kafka would; callers must count only attempts that reached the broker.
 *
 * The term is computed by whole-number doubling, not Kafka's `initial × 2^min(n, log2(max/initial))`:
 * the two agree exactly (the term is `initial × 2^n` until it passes `max`, then `max`), but
 * `Math.log` and a non-integer power may round differently across V8 versions, and at the cap
 * Kafka's form lands within an ulp of `max`, where `Math.floor` could move a timer by 1 µs
 * (STYLE habit 3). Only the jitter multiplies by a float, as Kafka does.
 */
import type { Micros, Rng } from '../../../kernel/contract/index.ts';

/** Kafka's retry.backoff.max.ms default. */
export const RETRY_BACKOFF_MAX_DEFAULT_US: Micros = 1_000_000;
/** Kafka's CommonClientConfigs.RETRY_BACKOFF_JITTER (the multiplier, 2, is the doubling below). */
const JITTER = 0.2;

export class ExponentialBackoff {
  private readonly initialUs: Micros;
  /** Kafka's `expMax == 0`: a maximum at or below the base makes every pause the maximum, unspread. */
  private readonly constant: boolean;

  constructor(
    initialUs: Micros,
    private readonly maxUs: Micros,
  ) {
    this.initialUs = Math.min(initialUs, maxUs);
    this.constant = maxUs <= initialUs;
  }

  /** The pause before retry number `retries` (0 for the first retry), drawn from `rng`. */
  backoff(retries: number, rng: Rng): Micros {
    if (this.constant) return this.initialUs;
    let term = this.initialUs;
    for (let n = 0; n < retries && term > 0 && term < this.maxUs; n++) term *= 2;
    term = Math.min(term, this.maxUs);
    const spread = 1 - JITTER + 2 * JITTER * rng.next();
    return Math.min(this.maxUs, Math.floor(spread * term));
  }
}

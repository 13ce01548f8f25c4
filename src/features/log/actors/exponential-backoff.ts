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
 */
import type { Micros, Rng } from '../../../kernel/contract/index.ts';

/** Kafka's retry.backoff.max.ms default. */
export const RETRY_BACKOFF_MAX_DEFAULT_US: Micros = 1_000_000;
/** Kafka's CommonClientConfigs.RETRY_BACKOFF_JITTER and EXPONENTIAL_BACKOFF multiplier. */
const JITTER = 0.2;
const MULTIPLIER = 2;

export class ExponentialBackoff {
  private readonly initialUs: Micros;
  /** The exponent at which the pause reaches `max` (0: constant). */
  private readonly expMax: number;

  constructor(
    initialUs: Micros,
    private readonly maxUs: Micros,
  ) {
    this.initialUs = Math.min(initialUs, maxUs);
    this.expMax = maxUs > initialUs ? Math.log(maxUs / Math.max(initialUs, 1)) / Math.log(MULTIPLIER) : 0;
  }

  /** The pause before retry number `retries` (0 for the first retry), drawn from `rng`. */
  backoff(retries: number, rng: Rng): Micros {
    if (this.expMax === 0) return this.initialUs;
    const term = this.initialUs * MULTIPLIER ** Math.min(retries, this.expMax);
    const spread = 1 - JITTER + 2 * JITTER * rng.next();
    return Math.min(this.maxUs, Math.floor(spread * term));
  }
}

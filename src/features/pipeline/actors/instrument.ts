/**
 * A source's instrument: the stream of events it produces on its own clock, whether or not the
 * source takes them, before `stopAtUs` and at most `limit` of them. Each event keeps its due time
 * as its birth, so an event that waited shows the wait in latency.
 *
 * Two clocks (`arrivals`):
 * - `periodic` (the default): event k is due at `phaseUs + k/rate` — a detector's frame clock.
 * - `poisson`: inter-arrival gaps are exponential with mean 1/rate, each rounded to whole µs, so
 *   the events form a Poisson process of that rate starting at 0 (the first is due one gap in;
 *   `phaseUs` is not used) — the usual model of independent clients, alerts and the messages of
 *   checkpointing analyses. The gaps are the draws, in order, of the instance's own `arrivals`
 *   stream of the run's seed (`deriveRng(seed, instance, 'arrivals')`), kept in a cumulative table
 *   (`PoissonClock`) that grows as far as it is asked. A rollback or a restart that sends the
 *   source back to event k reads the same table, so it regenerates the same due times (and the
 *   same events, which `generate` derives from k alone).
 *
 * While the source does not take them (its outputs are blocked by backpressure, it is down, or a
 * rollback sent it back) due events wait in the instrument's buffer. By default that buffer keeps
 * everything (a detector writing to its own retained stream, Kafka in front of a Flink job): the
 * source catches up later and nothing is lost. With `bufferEvents` it holds only that many, as a
 * detector's ring buffer does: a newer event overwrites the oldest waiting one, which is lost —
 * the source skips it, and the operator records how many it skipped (`client` record
 * `op: instrument-lost`), counted by the output metrics.
 *
 * Guarantee: the due times and what is lost are pure functions of the spec (for `poisson`: of the
 * seed, the instance and the rate) and of the time asked, equal in every process that builds the
 * same run (`--workers`, the fault-free reference). How it breaks: `poisson` draws through
 * `Math.log` (Rng.exponential), so its due times are promised bit-identical per Node major version
 * only, as exponential service times are (kernel/contract/rng.ts); its table holds one number per
 * event due before the instant asked, which a long run at a high rate pays for in memory
 * (8 bytes an event: 1 MB for an x-ray hour's 30,000 projections × 4).
 */
import { deriveRng, SECOND, type Micros, type Rng } from '../../../kernel/contract/index.ts';

export interface GeneratorSpec {
  readonly ratePerSec: number;
  /** Periodic arrivals: when event 0 is due. */
  readonly phaseUs: Micros;
  readonly stopAtUs: Micros;
  /** At most this many events (a scan's projections); unlimited when absent. */
  readonly limit?: number;
  /** Events the instrument's buffer holds while the source does not take them; unbounded when absent. */
  readonly bufferEvents?: number;
  /** Poisson arrivals: the instance's clock; periodic when absent. */
  readonly poisson?: PoissonClock;
}

/**
 * The due times of one instance's Poisson arrivals: `dueUs(k)` is the sum of the first k + 1
 * exponential gaps of its `arrivals` stream, computed once and kept.
 */
export class PoissonClock {
  private readonly due: number[] = [];
  private readonly gaps: Rng;
  private readonly meanGapUs: number;

  constructor(options: { readonly seed: number; readonly instance: string; readonly ratePerSec: number }) {
    if (!(options.ratePerSec > 0)) throw new Error(`instrument: a Poisson clock needs a positive rate, got ${options.ratePerSec}`);
    this.gaps = deriveRng(options.seed, options.instance, 'arrivals');
    this.meanGapUs = SECOND / options.ratePerSec;
  }

  dueUs(k: number): Micros {
    while (this.due.length <= k) this.extend();
    return this.due[k]!;
  }

  /**
   * How many events are due at or before `untilUs`, or `limit` when that many are: the table then
   * grows to `limit` + 1 entries at most (enough to tell), not to every event the rate would have
   * due by then — a source with `limit` is asked about the whole run by its buffer (`overwritten`).
   */
  countBy(untilUs: Micros, limit = Number.POSITIVE_INFINITY): number {
    while ((this.due.length === 0 || this.due[this.due.length - 1]! <= untilUs) && this.due.length <= limit) this.extend();
    // The first index due after `untilUs` (the table is non-decreasing).
    let lo = 0;
    let hi = this.due.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.due[mid]! <= untilUs) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, limit);
  }

  /** How many due times the table holds (its memory: 8 bytes each). */
  get tabled(): number {
    return this.due.length;
  }

  private extend(): void {
    const last = this.due.length === 0 ? 0 : this.due[this.due.length - 1]!;
    this.due.push(last + Math.round(this.gaps.exponential(this.meanGapUs)));
  }
}

export function dueUs(generator: GeneratorSpec, k: number): Micros {
  if (generator.poisson !== undefined) return generator.poisson.dueUs(k);
  return generator.phaseUs + Math.floor((k * SECOND) / generator.ratePerSec);
}

/** When event `k` is due, or undefined when the instrument has no event `k`. */
export function nextDueUs(generator: GeneratorSpec, k: number): Micros | undefined {
  if (generator.limit !== undefined && k >= generator.limit) return undefined;
  const due = dueUs(generator, k);
  return due < generator.stopAtUs ? due : undefined;
}

/** How many of the events from `k` on a bounded buffer has overwritten by `nowUs` (0 when unbounded). */
export function overwritten(generator: GeneratorSpec, k: number, nowUs: Micros): number {
  if (generator.bufferEvents === undefined) return 0;
  const waiting = dueBy(generator, nowUs) - k;
  return Math.max(0, waiting - generator.bufferEvents);
}

/** How many events are due at or before `nowUs` (none at or after `stopAtUs`). */
export function dueBy(generator: GeneratorSpec, nowUs: Micros): number {
  const until = Math.min(nowUs, generator.stopAtUs - 1);
  const count = generator.poisson !== undefined ? generator.poisson.countBy(until, generator.limit) : periodicDueBy(generator, until);
  return generator.limit === undefined ? count : Math.min(count, generator.limit);
}

function periodicDueBy(generator: GeneratorSpec, until: Micros): number {
  if (until < generator.phaseUs) return 0;
  // A first guess from the rate, corrected against `dueUs` itself so that rounding cannot disagree with it.
  let count = Math.floor(((until - generator.phaseUs) * generator.ratePerSec) / SECOND) + 1;
  while (count > 0 && dueUs(generator, count - 1) > until) count--;
  while (dueUs(generator, count) <= until) count++;
  return count;
}

/**
 * A source's instrument: the stream of events it produces on its own clock, whether or not the
 * source takes them. Event k is due at `phaseUs + k/rate`, before `stopAtUs`, at most `limit` of
 * them, and keeps its due time as its birth, so an event that waited shows the wait in latency.
 *
 * While the source does not take them (its outputs are blocked by backpressure, it is down, or a
 * rollback sent it back) due events wait in the instrument's buffer. By default that buffer keeps
 * everything (a detector writing to its own retained stream, Kafka in front of a Flink job): the
 * source catches up later and nothing is lost. With `bufferEvents` it holds only that many, as a
 * detector's ring buffer does: a newer event overwrites the oldest waiting one, which is lost —
 * the source skips it, and the operator records how many it skipped (`client` record
 * `op: instrument-lost`), counted by the output metrics.
 *
 * Guarantee: the due times and what is lost are pure functions of the spec and the time asked
 * (integer arithmetic only).
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import { SECOND } from '../../../kernel/contract/index.ts';

export interface GeneratorSpec {
  readonly ratePerSec: number;
  readonly phaseUs: Micros;
  readonly stopAtUs: Micros;
  /** At most this many events (a scan's projections); unlimited when absent. */
  readonly limit?: number;
  /** Events the instrument's buffer holds while the source does not take them; unbounded when absent. */
  readonly bufferEvents?: number;
}

export function dueUs(generator: GeneratorSpec, k: number): Micros {
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
function dueBy(generator: GeneratorSpec, nowUs: Micros): number {
  const until = Math.min(nowUs, generator.stopAtUs - 1);
  if (until < generator.phaseUs) return 0;
  // A first guess from the rate, corrected against `dueUs` itself so that rounding cannot disagree with it.
  let count = Math.floor(((until - generator.phaseUs) * generator.ratePerSec) / SECOND) + 1;
  while (count > 0 && dueUs(generator, count - 1) > until) count--;
  while (dueUs(generator, count) <= until) count++;
  return generator.limit === undefined ? count : Math.min(count, generator.limit);
}

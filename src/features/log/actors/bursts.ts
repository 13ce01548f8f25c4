/**
 * A producer's burst shape: instead of a steady rate, whole bursts of events at a fixed cadence —
 * a survey telescope's alerts after each visit (Rubin/LSST: ~10,000 alerts every ~40 s, up to
 * ~40,000 in crowded fields).
 *
 * Guarantee: burst `b` is due at `(b + 1) × everyUs + delayUs` (its nominal time, the end of the
 * visit, plus the time it takes to produce it), and its size is drawn from a stream of its own
 * (`burst-<b>`), so a burst has the same events in every run of a seed, whatever other bursts a
 * restart of the producer skipped. Event ids are `<producer>-v<b>-<j>` (the j-th event of burst
 * b): unique without durable state, and a consumer reads the burst, hence its nominal time, back
 * from the id (`burstOfEvent`).
 *
 * How it fails: a producer that is down when a burst is due never produces it (as a crashed
 * instrument pipeline loses the visit); the trace then has no `produce` record for its events.
 * Shown by test/features/alerts/bursts.test.ts.
 */
import type { Micros, Rng } from '../../../kernel/contract/index.ts';

export interface BurstShape {
  /** Time between two bursts (the visit cadence), µs. */
  readonly everyUs: Micros;
  /** From a burst's nominal time to its events being produced (e.g. prompt processing), µs. */
  readonly delayUs: Micros;
  /** Events in an ordinary burst. */
  readonly events: number;
  /** Events in a peak burst. */
  readonly peakEvents: number;
  /** Probability that a burst is a peak, drawn per burst. */
  readonly peakProbability: number;
}

/** The nominal time of burst `b` (the end of visit b): the first one ends one cadence in. */
export function burstNominalUs(shape: BurstShape, b: number): Micros {
  return (b + 1) * shape.everyUs;
}

/** When burst `b`'s events are produced. */
export function burstDueUs(shape: BurstShape, b: number): Micros {
  return burstNominalUs(shape, b) + shape.delayUs;
}

/** The number of events of a burst, from its own stream `burst-<b>`. */
export function burstSize(shape: BurstShape, rng: Rng): number {
  return rng.chance(shape.peakProbability) ? shape.peakEvents : shape.events;
}

export function burstEventId(producer: string, b: number, j: number): string {
  return `${producer}-v${b}-${j}`;
}

const BURST_EVENT = /-v(\d+)-(\d+)$/;

/** The burst and the index within it of an event id made by `burstEventId`, or undefined. */
export function burstOfEvent(id: string): { burst: number; index: number } | undefined {
  const match = BURST_EVENT.exec(id);
  return match === null ? undefined : { burst: Number(match[1]), index: Number(match[2]) };
}

/**
 * Simulated time.
 *
 * Time is an integer number of microseconds since the start of a run. Integers keep ordering exact
 * (no float rounding can reorder two events) and stay exact up to 2^53 µs, about 285 years.
 */

/** A point in simulated time, or a duration, in whole microseconds. */
export type Micros = number;

export const US: Micros = 1;
export const MS: Micros = 1_000;
export const SECOND: Micros = 1_000_000;
export const MINUTE: Micros = 60 * SECOND;
export const HOUR: Micros = 60 * MINUTE;

/** Renders a duration for people: `1.5s`, `250us`, `2m30s`. Never used in anything that is hashed. */
export function formatMicros(us: Micros): string {
  if (us < MS) return `${us}us`;
  if (us < SECOND) return `${trim(us / MS)}ms`;
  if (us < MINUTE) return `${trim(us / SECOND)}s`;
  const minutes = Math.floor(us / MINUTE);
  const rest = us - minutes * MINUTE;
  if (minutes < 60) return rest === 0 ? `${minutes}m` : `${minutes}m${trim(rest / SECOND)}s`;
  const hours = Math.floor(minutes / 60);
  const mins = minutes % 60;
  return mins === 0 && rest === 0 ? `${hours}h` : `${hours}h${mins}m`;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/\.?0+$/, '');
}

/**
 * Where a client incarnation starting at `nowUs` numbers its requests from: above any number an
 * earlier incarnation of it can have used (fewer than 1024 requests per µs), so request numbers are
 * monotone per client across crashes and a reply to a dead incarnation's request matches nothing.
 */
export function requestNumbersFrom(nowUs: Micros): number {
  return nowUs * 1024;
}

/**
 * The points of a rollback cascade (cascade.ts): a checkpoint or present state, and the history it
 * holds — its actor's trace rows, as spans, one per restore its state descends from — with the
 * bisections that place a row against them.
 *
 * Guarantee: `holds` is exact for spans that are disjoint and ascending, as a lineage builds them
 * (each restore starts a new span after the last). How it fails: spans out of order would answer
 * wrongly, silently; they are built in one place (cascade.ts) in row order.
 */

/** A checkpoint a step moves from or to: time 0 and id 0 for the initial state. */
export interface Point {
  id: number;
  t: number;
  /** Its record's row (-1 for the initial state). */
  row: number;
}

/** A stretch of one actor's rows, (from, to], that a state holds. */
export interface Span {
  from: number;
  to: number;
}

/** A point and the history it holds: its actor's rows in `spans`, oldest first — one per restore it went through. */
export interface Held extends Point {
  spans: readonly Span[];
  /** The row where the coordinator received its report (-1: the initial state, known from the start; a present state is reported to the round). */
  reported: number;
}

export const INITIAL: Held = { id: 0, t: 0, row: -1, spans: [], reported: -1 };

/** Whether `point` holds row `row` of its actor: the spans are disjoint and ascending, so the last span starting before it decides. */
export function holds(point: Held, row: number): boolean {
  const spans = point.spans;
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].from < row) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && row <= spans[lo - 1].to;
}

/** The index of the first row > `row` in the ascending `rows` (their length: none). */
export function firstAfter(rows: ArrayLike<number>, row: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] <= row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last row ≤ `row` in the ascending `rows` (-1: none). */
export function lastAtOrBefore(rows: readonly number[], row: number): number {
  const next = firstAfter(rows, row);
  return next > 0 ? rows[next - 1] : -1;
}

/** The public face of a candidate: what the steps show. */
export const point = (held: Held): Point => ({ id: held.id, t: held.t, row: held.row });

/**
 * When the lab's live timeline brings its whole-run views (replication, recovery, durability,
 * snapshots, idle chatter) up to date while a run goes: each refresh costs a pass over every row
 * so far, so it is spaced out in proportion to what the last one cost — at most a tenth of the
 * page's time goes to it, and never more often than twice a second — and always done when the run
 * stops.
 *
 * Guarantee: a pure policy over the times it is given (the caller passes `performance.now()`), so
 * a test drives it with made-up times. How it misleads: on a slow page the views lag the diagram
 * by up to ten times a refresh's cost (≈ 1 s per 10 ms of refresh).
 */

/** The share of the page's time refreshes may take. */
const SHARE = 0.1;
/** The shortest gap between two refreshes, ms. */
const MIN_GAP_MS = 500;

export class SettleThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private lastCostMs = 0;

  /** Whether a refresh is due at `nowMs` (always when the run stopped). */
  due(nowMs: number, stopped: boolean): boolean {
    return stopped || nowMs - this.lastAt >= Math.max(MIN_GAP_MS, this.lastCostMs / SHARE);
  }

  /** Records a refresh that started at `startMs` and ended at `endMs`. */
  done(startMs: number, endMs: number): void {
    this.lastAt = endMs;
    this.lastCostMs = endMs - startMs;
  }

  /** A new run: the next update refreshes at once. */
  reset(): void {
    this.lastAt = Number.NEGATIVE_INFINITY;
    this.lastCostMs = 0;
  }
}

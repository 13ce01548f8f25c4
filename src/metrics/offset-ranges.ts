/**
 * Disjoint, sorted half-open ranges of positions (log offsets, a source's event numbers); `add`
 * returns the parts of a range not yet in it, so a caller counts each position once however often
 * it comes again. Memory: one pair per run of consecutive positions, not one entry per position —
 * the sets these hold arrive as runs (a partition's delivered offsets, an instrument's overwritten
 * events).
 */
export class OffsetRanges {
  private ranges: [number, number][] = [];

  add(from: number, to: number): [number, number][] {
    const fresh: [number, number][] = [];
    let cursor = from;
    for (const [a, b] of this.ranges) {
      if (b <= cursor) continue;
      if (a >= to) break;
      if (a > cursor) fresh.push([cursor, a]);
      cursor = Math.max(cursor, b);
      if (cursor >= to) break;
    }
    if (cursor < to) fresh.push([cursor, to]);
    // Merge [from, to) in, keeping the list sorted and disjoint.
    const merged: [number, number][] = [];
    let lo = from;
    let hi = to;
    for (const [a, b] of this.ranges) {
      if (b < lo || a > hi) merged.push([a, b]);
      else {
        lo = Math.min(lo, a);
        hi = Math.max(hi, b);
      }
    }
    merged.push([lo, hi]);
    merged.sort((x, y) => x[0] - y[0]);
    this.ranges = merged;
    return fresh;
  }
}

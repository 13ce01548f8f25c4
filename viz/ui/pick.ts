/**
 * What is under the pointer: the nearest glyph within a few pixels, else the nearest arrow, else
 * the density cell, else a fault band. Linear scans over what the last frame drew (bounded by the
 * detail limit), which is far cheaper than the drawing itself.
 */
import type { Hits } from '../draw/frame.ts';
import type { FaultSpan } from '../model/spans.ts';

export type Pick =
  | { type: 'row'; row: number }
  | { type: 'cell'; actor: number; count: number; t0: number; t1: number }
  | { type: 'fault'; span: FaultSpan }
  | null;

const POINT_PX = 7;
const SEGMENT_PX = 4;

export function pick(hits: Hits, faults: FaultSpan[], timeAt: (x: number) => number, mx: number, my: number): Pick {
  let best = -1;
  let bestD = POINT_PX * POINT_PX;
  const p = hits.points;
  for (let i = 0; i < p.length; i += 3) {
    const d = (p[i] - mx) ** 2 + (p[i + 1] - my) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = p[i + 2];
    }
  }
  if (best >= 0) return { type: 'row', row: best };
  bestD = SEGMENT_PX;
  const s = hits.segments;
  for (let i = 0; i < s.length; i += 5) {
    const d = segmentDistance(mx, my, s[i], s[i + 1], s[i + 2], s[i + 3]);
    if (d <= bestD) {
      bestD = d;
      best = s[i + 4];
    }
  }
  if (best >= 0) return { type: 'row', row: best };
  const c = hits.cells;
  for (let i = 0; i < c.length; i += 8) {
    if (mx >= c[i] && mx < c[i] + c[i + 2] && my >= c[i + 1] && my <= c[i + 1] + c[i + 3]) {
      return { type: 'cell', actor: c[i + 4], count: c[i + 5], t0: c[i + 6], t1: c[i + 7] };
    }
  }
  const t = timeAt(mx);
  const span = faults.find((f) => t >= f.start && t <= f.end);
  return span === undefined ? null : { type: 'fault', span };
}

function segmentDistance(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = dx * dx + dy * dy;
  const u = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len));
  return Math.hypot(px - (x1 + u * dx), py - (y1 + u * dy));
}

/**
 * One frame of one run's diagram: the visible time window, the pixel mapping, where each lane is,
 * and what the filter and the selection say — the input of the detail and density scene builders,
 * and (as `MarkFrame`) of the SVG marks drawn over diagrams and panels — plus the hit list a scene
 * leaves behind for hovering and clicking.
 */
import type { Cone } from '../model/causal.ts';
import type { RunModel } from '../model/model.ts';

export interface Frame {
  model: RunModel;
  t0: number;
  t1: number;
  /** Simulated µs → x pixel in the plot. */
  x: (t: number) => number;
  width: number;
  /** Per actor index: the lane's centre y, or NaN when the actor has no visible lane. */
  laneY: Float64Array;
  laneHeight: number;
  /** Per row, whether the record filter admits it; null admits all. */
  mask: Uint8Array | null;
  cone: Cone | null;
  /** Colour per message type. */
  colorOf: Map<string, string>;
  /** Draw idle chatter (`model/chatter.ts`) one message at a time even when zoomed out. */
  showIdle: boolean;
}

/**
 * The same frame for the SVG marks drawn over a diagram or a panel (fault bands, crashes, recovery
 * marks): a panel has no lanes (`laneY` is empty) and its own vertical extent.
 */
export interface MarkFrame {
  x: (t: number) => number;
  t0: number;
  t1: number;
  width: number;
  /** Per actor: lane centre y, or NaN when hidden. */
  laneY: Float64Array;
  laneHeight: number;
  /** Vertical extent the bands cover. */
  top: number;
  bottom: number;
}

/**
 * What can be pointed at: glyphs (x, y, row), segments (x1, y1, x2, y2, row) and density cells
 * (x, y, w, h, actor, count, t0, t1).
 */
export class Hits {
  readonly points: number[] = [];
  readonly segments: number[] = [];
  readonly cells: number[] = [];
}

/** First row with t ≥ time (rows are sorted by time). */
export function lowerBound(t: Float64Array, length: number, time: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First row with t > time. */
export function upperBound(t: Float64Array, length: number, time: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The rows inside the frame's time window. */
export function visibleRows(frame: Frame): [number, number] {
  const { t, length } = frame.model.data;
  return [lowerBound(t, length, frame.t0), upperBound(t, length, frame.t1)];
}

/** Records the frame would draw (filter and lanes applied), counting no further than `limit`. */
export function countDrawn(frame: Frame, limit: number): number {
  const [i0, i1] = visibleRows(frame);
  const { a } = frame.model.data;
  const { mask, laneY } = frame;
  let count = 0;
  for (let i = i0; i < i1 && count <= limit; i++) if ((mask === null || mask[i] === 1) && !Number.isNaN(laneY[a[i]])) count++;
  return count;
}

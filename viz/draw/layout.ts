/**
 * Vertical layout of one run's diagram: which lanes the filter leaves, their heights, a header row
 * per site, and each actor's lane centre. Pure; the chart draws what this computes.
 *
 * Lanes are tall when there are few (arrows stay readable) and shrink to a minimum as their number
 * grows, so a hundred lanes still fit on a laptop screen with scrolling.
 */
import { laneVisible, type Filter } from '../model/filter.ts';
import type { Lane } from '../model/lanes.ts';
import type { RunModel } from '../model/model.ts';

export const GUTTER = 230;
export const RIGHT = 24;
/** Room above the lanes for fault labels and the time axis. */
export const TOP = 48;
export const GROUP_ROW = 18;
const LANE_MIN = 14;
const LANE_MAX = 40;
const LANES_BUDGET_PX = 420;

export type Row = { kind: 'group'; y: number; site: string; role: string; lanes: number } | { kind: 'lane'; y: number; lane: Lane; index: number };

export interface Layout {
  rows: Row[];
  /** Per actor index: lane centre y (relative to the top of the lanes), or NaN when hidden. */
  laneY: Float64Array;
  laneHeight: number;
  /** Height of the lanes area. */
  height: number;
  visible: Lane[];
  hidden: number;
}

export function layoutChart(model: RunModel, filter: Filter): Layout {
  const laneY = new Float64Array(model.data.header.actors.length).fill(NaN);
  const groups = model.groups
    .map((g) => ({ ...g, lanes: g.lanes.filter((lane) => laneVisible(filter, lane)) }))
    .filter((g) => g.lanes.length > 0);
  const visible = groups.flatMap((g) => g.lanes);
  const laneHeight = Math.max(LANE_MIN, Math.min(LANE_MAX, Math.floor(LANES_BUDGET_PX / Math.max(1, visible.length))));
  const rows: Row[] = [];
  let y = 0;
  let index = 0;
  for (const group of groups) {
    rows.push({ kind: 'group', y, site: group.id, role: group.role, lanes: group.lanes.length });
    y += GROUP_ROW;
    for (const lane of group.lanes) {
      rows.push({ kind: 'lane', y, lane, index: index++ });
      laneY[lane.actor] = y + laneHeight / 2;
      y += laneHeight;
    }
  }
  return { rows, laneY, laneHeight, height: Math.max(y, 24), visible, hidden: model.lanes.length - visible.length };
}

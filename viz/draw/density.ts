/**
 * The zoomed-out scene: when a window holds more records than can be drawn one by one, each lane
 * becomes a density band (records per 2-pixel column, darker = more) and messages become flows —
 * one faint line per (sender, receiver, type) per column, darker for more messages.
 *
 * Guarantee: every record in the window that the filter admits is counted in exactly one cell;
 * nothing is sampled away; idle chatter's flows are grey unless asked for. The page tells the reader that it is showing density and how to get
 * back to single records (zoom in or filter).
 */
import type { Cone } from '../model/causal.ts';
import { binCounts, densityIndex } from './density-index.ts';
import { Hits, visibleRows, type Frame } from './frame.ts';
import { K } from '../model/kinds.ts';
import type { RunModel } from '../model/model.ts';
import { DENSITY_COLOR, IDLE_COLOR } from './palette.ts';
import { Scene } from './painter.ts';
import { DIM } from './detail.ts';

const BIN_PX = 2;
/** Flows are coarser than the bands: finer lines would only blur into a haze. */
const FLOW_BIN_PX = 8;
/** Opacity steps; quantising keeps the number of canvas batches small. */
const LEVELS = 8;
/** Upper bound on flow cells, so a trace with thousands of flows cannot exhaust memory. */
const MAX_FLOW_CELLS = 2_000_000;

/** Opacity level 1..LEVELS of a count, on a square-root scale (a log scale makes every busy cell look alike). */
const level = (count: number, max: number) => (max <= 1 ? LEVELS : 1 + Math.floor((LEVELS - 1) * Math.sqrt(count / max)));
const alphaOf = (lvl: number, floor: number, ceiling: number) => floor + ((ceiling - floor) * (lvl - 1)) / (LEVELS - 1);

interface Aggregate {
  bins: number;
  usPerBin: number;
  /** Records per (actor, bin). */
  cells: Float64Array;
  flowBins: number;
  /** Messages per (flow, flow bin), and the sum of their send times (for the mean start x). */
  flowCount: Float64Array;
  flowSendT: Float64Array;
}

/** The last aggregate per run's columns (a live model that grew has new ones): playback and selection redraw the same window many times. */
const memo = new WeakMap<object, { key: string; mask: Uint8Array | null; laneY: Float64Array; aggregate: Aggregate }>();

/**
 * Counts the window's records into cells and flows: by the time index (cost per bin) when no
 * record filter applies, else one pass over the window's rows, no allocation per row.
 */
export function aggregate(frame: Frame): Aggregate {
  const { model, laneY, mask, t0, t1, width } = frame;
  const key = `${t0}|${t1}|${width}`;
  const last = memo.get(model.data);
  if (last !== undefined && last.key === key && last.mask === mask && last.laneY === laneY) return last.aggregate;
  const { data, kind, flowOf, flows } = model;
  const { t, a, link } = data;
  const actors = data.header.actors.length;
  const bins = Math.max(1, Math.ceil(width / BIN_PX));
  const usPerBin = (t1 - t0) / bins || 1;
  const flowBins = Math.max(1, Math.min(Math.ceil(width / FLOW_BIN_PX), Math.floor(MAX_FLOW_CELLS / Math.max(1, flows.length))));
  const cells = new Float64Array(actors * bins);
  const flowCount = new Float64Array(flows.length * flowBins);
  const flowSendT = new Float64Array(flows.length * flowBins);
  // Per actor, the first cell of its lane, or -1 when hidden; per flow, whether both ends show.
  const base = new Int32Array(actors);
  for (let actor = 0; actor < actors; actor++) base[actor] = Number.isNaN(laneY[actor]) ? -1 : actor * bins;
  const flowShown = new Uint8Array(flows.length);
  for (let f = 0; f < flows.length; f++) flowShown[f] = Number.isNaN(laneY[flows[f].from]) ? 0 : 1;
  const skip = new Uint8Array(256);
  skip[K.fault] = skip[K.crash] = skip[K.restart] = 1;
  const perBin = 1 / usPerBin;
  const perFlowBin = flowBins / ((t1 - t0) || 1);
  if (mask === null) {
    const index = densityIndex(model);
    for (let actor = 0; actor < actors; actor++) if (base[actor] >= 0) binCounts(index.actorTimes[actor], t0, t1, bins, perBin, cells, base[actor]);
    for (let f = 0; f < flows.length; f++) {
      if (flowShown[f] === 0 || base[flows[f].to] < 0) continue;
      binCounts(index.flowTimes[f], t0, t1, flowBins, perFlowBin, flowCount, f * flowBins, index.flowSendSum[f], flowSendT);
    }
    return remember(model, key, mask, laneY, { bins, usPerBin, cells, flowBins, flowCount, flowSendT });
  }
  const [i0, i1] = visibleRows(frame);
  for (let i = i0; i < i1; i++) {
    if ((mask !== null && mask[i] === 0) || skip[kind[i]] === 1) continue;
    const cellBase = base[a[i]];
    if (cellBase < 0) continue;
    const offset = t[i] - t0;
    let b = (offset * perBin) | 0;
    if (b >= bins) b = bins - 1;
    cells[cellBase + b]++;
    const flow = flowOf[i];
    if (flow >= 0 && flowShown[flow] === 1) {
      let fb = (offset * perFlowBin) | 0;
      if (fb >= flowBins) fb = flowBins - 1;
      const cell = flow * flowBins + fb;
      flowCount[cell]++;
      flowSendT[cell] += t[link[i]];
    }
  }
  return remember(model, key, mask, laneY, { bins, usPerBin, cells, flowBins, flowCount, flowSendT });
}

function remember(model: RunModel, key: string, mask: Uint8Array | null, laneY: Float64Array, aggregate: Aggregate): Aggregate {
  memo.set(model.data, { key, mask, laneY, aggregate });
  return aggregate;
}

export function densityScene(frame: Frame): { scene: Scene; hits: Hits } {
  const scene = new Scene();
  const hits = new Hits();
  const { model, laneY, width, x, cone } = frame;
  const { flows } = model;
  const { bins, usPerBin, cells, flowBins, flowCount, flowSendT } = aggregate(frame);
  // Flows first, so that the lanes' density bands stay readable on top of them.
  let maxFlow = 0;
  for (let c = 0; c < flowCount.length; c++) if (flowCount[c] > maxFlow) maxFlow = flowCount[c];
  for (let f = 0; f < flows.length; f++) {
    const { from, to, msg, idle } = flows[f];
    // Idle chatter recedes in grey unless asked for (see model/chatter.ts).
    const color = idle && !frame.showIdle && frame.mask === null ? IDLE_COLOR : frame.colorOf.get(msg) ?? '#555';
    for (let b = 0; b < flowBins; b++) {
      const count = flowCount[f * flowBins + b];
      if (count === 0) continue;
      const x2 = Math.min(width, ((b + 0.5) * width) / flowBins);
      const x1 = Math.max(0, x(flowSendT[f * flowBins + b] / count));
      scene.batch('line', color, alphaOf(level(count, maxFlow), 0.03, 0.22), 1).push(x1, laneY[from], x2, laneY[to]);
    }
  }
  drawCells(scene, hits, frame, cells, bins, usPerBin, coneAlpha(cone, frame));
  return { scene, hits };
}

/** With a selection, cells outside the causal cone's time range on their lane are dimmed. */
function coneAlpha(cone: Cone | null, frame: Frame): (actor: number, tMid: number) => number {
  if (cone === null) return () => 1;
  const { t } = frame.model.data;
  return (actor, tMid) => {
    const past = cone.past[actor];
    const future = cone.future[actor];
    const inPast = past >= 0 && tMid <= t[past];
    const inFuture = Number.isFinite(future) && tMid >= t[future];
    return inPast || inFuture ? 1 : DIM * 2;
  };
}

function drawCells(scene: Scene, hits: Hits, frame: Frame, cells: Float64Array, bins: number, usPerBin: number, dim: (actor: number, tMid: number) => number): void {
  const { laneY, laneHeight, t0 } = frame;
  let max = 0;
  for (let c = 0; c < cells.length; c++) if (cells[c] > max) max = cells[c];
  const band = Math.max(3, Math.round(laneHeight * 0.6));
  for (let actor = 0; actor < laneY.length; actor++) {
    const y = laneY[actor];
    if (Number.isNaN(y)) continue;
    for (let b = 0; b < bins; b++) {
      const count = cells[actor * bins + b];
      if (count === 0) continue;
      const from = t0 + b * usPerBin;
      const alpha = alphaOf(level(count, max), 0.15, 0.95) * dim(actor, from + usPerBin / 2);
      scene.batch('rect', DENSITY_COLOR, Math.round(alpha * 100) / 100).push(b * BIN_PX, y - band / 2, BIN_PX, band);
      hits.cells.push(b * BIN_PX, y - band / 2, BIN_PX, band, actor, count, from, from + usPerBin);
    }
  }
}

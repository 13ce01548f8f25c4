/**
 * The detailed scene: every visible record drawn individually — message arrows from send to
 * receive, drops as dashed arrows ending in ×, local records as glyphs on their lane.
 *
 * Guarantee: each message is drawn exactly once, by its receiving end when that is on screen and
 * admitted by the filter, otherwise by its sending end; messages whose both ends are outside the
 * window are not drawn (they would cross the whole view as one line and hide the rest).
 * Crashes, restarts and faults are not here: they are SVG marks, always exact (see marks.ts).
 * Idle chatter (heartbeats, empty fetches: `model/chatter.ts`) is folded — one faint grey line per
 * (sender, receiver) and 8-pixel column, heartbeat timers not drawn — while more than `UNFOLD_AT`
 * idle messages are in the window, unless the reader asks for it (the "idle chatter" box, or any
 * record filter).
 */
import { inFuture, inPast } from '../model/causal.ts';
import { Hits, visibleRows, type Frame } from './frame.ts';
import { GLYPH_KEYS, K } from '../model/kinds.ts';
import { DROP_COLOR, GLYPHS, IDLE_COLOR } from './palette.ts';
import { Scene } from './painter.ts';

/** Opacity of records outside the selected record's causal past and future. */
export const DIM = 0.12;
const STUB = 0.35;
/** With at most this many idle messages in the window, each is drawn: few enough to read. */
export const UNFOLD_AT = 40;
const FOLD_BIN_PX = 8;

export function detailScene(frame: Frame): { scene: Scene; hits: Hits; folded: number } {
  const scene = new Scene();
  const hits = new Hits();
  const { model, x, laneY, mask, cone, colorOf } = frame;
  const { data, kind, glyph, fwd, flowOf } = model;
  const { t, a, link, msg, peer, peerFrom } = data;
  const strings = data.header.strings;
  const { markerType } = model.snapshots;
  const [i0, i1] = visibleRows(frame);
  const { idle } = model.chatter;
  let idleSends = 0;
  if (!frame.showIdle && mask === null && model.chatter.messages > 0) for (let i = i0; i < i1; i++) if (idle[i] === 1 && kind[i] === K.send) idleSends++;
  const fold = idleSends > UNFOLD_AT;
  /** Folded idle arrivals per (flow, column): count and sum of send times. */
  const folded = new Map<number, [number, number]>();
  const columns = Math.max(1, Math.ceil(frame.width / FOLD_BIN_PX));
  // Made first, so that the folded lines lie under everything else: 1, 2–3, 4+ messages per line.
  const foldLines = fold ? [0.2, 0.3, 0.45].map((alpha) => scene.batch('line', IDLE_COLOR, alpha, 1)) : [];
  const admitted = (i: number) => mask === null || mask[i] === 1;
  const lit = (i: number) => cone === null || inPast(cone, data, i) || inFuture(cone, data, i);
  const colorOfRow = (i: number) => (msg[i] >= 0 ? colorOf.get(strings[msg[i]]) ?? '#555' : '#555');

  const arrow = (from: number, to: number, dashed: boolean, row: number) => {
    const x1 = x(t[from]);
    const y1 = laneY[a[from]];
    const x2 = x(t[to]);
    const y2 = laneY[a[to]];
    if (Number.isNaN(y1) || Number.isNaN(y2)) return;
    const alpha = cone === null || inPast(cone, data, to) || inFuture(cone, data, from) ? 1 : DIM;
    const color = colorOfRow(from);
    // Snapshot markers are control messages of the algorithm, not application data: drawn bolder.
    const width = msg[from] >= 0 && markerType[msg[from]] === 1 ? 2.75 : 1.25;
    scene.batch(dashed ? 'dashed' : 'line', color, alpha, width).push(x1, y1, x2, y2);
    scene.batch('arrowhead', color, alpha).push(x1, y1, x2, y2);
    hits.segments.push(x1, y1, x2, y2, row);
    if (dashed) scene.batch('cross', DROP_COLOR, alpha, 4).push(x2, y2);
  };

  for (let i = i0; i < i1; i++) {
    const k = kind[i];
    const y = laneY[a[i]];
    if (Number.isNaN(y)) continue;
    if (fold && idle[i] === 1) {
      if (flowOf[i] >= 0 && !Number.isNaN(laneY[a[link[i]]])) {
        const column = Math.min(columns - 1, Math.max(0, Math.floor(x(t[i]) / FOLD_BIN_PX)));
        const key = flowOf[i] * columns + column;
        const cell = folded.get(key);
        if (cell === undefined) folded.set(key, [1, t[link[i]]]);
        else {
          cell[0]++;
          cell[1] += t[link[i]];
        }
      }
      continue;
    }
    if (k === K.send) {
      const f = fwd[i];
      // The receiving end draws the arrow, unless it is off screen or filtered out.
      if (f >= 0 && f < i1 && admitted(f) && !Number.isNaN(laneY[a[f]])) continue;
      if (!admitted(i)) continue;
      if (f >= 0 && kind[f] === K.drop && peerFrom[f] === 0) stub(i, DROP_COLOR, true);
      else if (f >= 0) arrow(i, f, kind[f] === K.drop, i);
      else stub(i, '#555', false);
      continue;
    }
    if (!admitted(i)) continue;
    if (k === K.recv || (k === K.drop && peerFrom[i] === 1)) {
      if (link[i] >= 0) arrow(link[i], i, k === K.drop, i);
      else glyphAt(i, 'other');
      continue;
    }
    if (k === K.drop) {
      stub(i, DROP_COLOR, true);
      continue;
    }
    if (k === K.crash || k === K.restart || k === K.fault) continue;
    glyphAt(i, GLYPH_KEYS[glyph[i]] || 'other');
  }
  for (const [key, [count, sendSum]] of folded) {
    const { from, to } = model.flows[Math.floor(key / columns)];
    const x2 = ((key % columns) + 0.5) * FOLD_BIN_PX;
    foldLines[count === 1 ? 0 : count < 4 ? 1 : 2].push(Math.max(0, x(sendSum / count)), laneY[from], x2, laneY[to]);
  }
  return { scene, hits, folded: fold ? idleSends : 0 };

  function glyphAt(i: number, key: string) {
    const style = GLYPHS[key] ?? GLYPHS.other;
    const px = x(t[i]);
    const py = laneY[a[i]];
    scene.batch(style.shape, style.color, lit(i) ? 1 : DIM, 3).push(px, py);
    hits.points.push(px, py, i);
  }

  /** A message that did not travel: dropped at send time, or still in flight when the trace ends. */
  function stub(i: number, color: string, dropped: boolean) {
    const px = x(t[i]);
    const py = laneY[a[i]];
    const target = peer[i] >= 0 ? laneY[peer[i]] : NaN;
    const dy = Number.isNaN(target) || target === py ? -frame.laneHeight * 0.6 : (target - py) * STUB;
    const alpha = lit(i) ? 1 : DIM;
    scene.batch('dashed', dropped ? color : colorOfRow(i), alpha, 1.25).push(px, py, px + 10, py + dy);
    if (dropped) scene.batch('cross', DROP_COLOR, alpha, 4).push(px + 10, py + dy);
    else scene.batch('arrowhead', colorOfRow(i), alpha).push(px, py, px + 10, py + dy);
    hits.segments.push(px, py, px + 10, py + dy, i);
  }
}

/**
 * Off-screen markers: when something worth seeing on a lane lies outside the window — the
 * selected record, where its causal past ends or its future begins, a fault on that lane — a
 * small arrow at the lane's left or right edge says how many such things lie that way; clicking
 * it pans the window (same width) to centre the nearest of them.
 *
 * Guarantee: `offscreenItems` is a pure function of the model, the cone and the window; a marker
 * is drawn only on visible lanes, and its count is the number of items on that side of that lane.
 */
import type * as D3 from 'd3';
import type { Cone } from '../model/causal.ts';
import { formatTime } from './format.ts';
import type { MarkFrame } from './frame.ts';
import type { RunModel } from '../model/model.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

export interface OffscreenMarker {
  actor: number;
  /** The actor's id, as the trace names it. */
  id: string;
  side: 'left' | 'right';
  /** What lies that way, nearest first. */
  items: Array<{ t: number; what: string }>;
}

const MAX_LISTED = 6;

/** The markers for a window [t0, t1]: one per visible lane and side that has anything beyond it. */
export function offscreenItems(model: RunModel, cone: Cone | null, f: Pick<MarkFrame, 't0' | 't1' | 'laneY'>): OffscreenMarker[] {
  const markers = new Map<string, OffscreenMarker>();
  const add = (actor: number, t: number, what: string) => {
    if (Number.isNaN(f.laneY[actor]) || (t >= f.t0 && t <= f.t1)) return;
    const side = t < f.t0 ? 'left' : 'right';
    const key = `${side}:${actor}`;
    let marker = markers.get(key);
    if (marker === undefined) markers.set(key, (marker = { actor, id: model.data.header.actors[actor].id, side, items: [] }));
    marker.items.push({ t, what });
  };
  const { t, a } = model.data;
  if (cone !== null) {
    add(a[cone.row], t[cone.row], 'the selected record');
    for (let actor = 0; actor < cone.past.length; actor++) {
      if (actor === a[cone.row]) continue;
      if (cone.past[actor] >= 0) add(actor, t[cone.past[actor]], 'end of its causal past');
      if (Number.isFinite(cone.future[actor])) add(actor, t[cone.future[actor]], 'start of its causal future');
    }
  }
  for (const span of model.faults) {
    // Whichever end of the fault is nearer the window is where the marker leads.
    const nearest = span.end < f.t0 ? span.end : span.start;
    for (const actor of span.actors) add(actor, nearest, `fault ${span.id} (${span.kind})`);
  }
  const result = [...markers.values()];
  for (const m of result) m.items.sort((x, y) => (m.side === 'left' ? y.t - x.t : x.t - y.t) || x.what.localeCompare(y.what));
  return result.sort((x, y) => x.actor - y.actor || x.side.localeCompare(y.side));
}

/** Draws the markers; `jump(t)` is called with the nearest item's time when one is clicked. */
export function drawOffscreen(g: G, markers: OffscreenMarker[], f: MarkFrame, jump: (t: number) => void): void {
  const h = Math.min(12, f.laneHeight - 2);
  g.selectAll<SVGGElement, OffscreenMarker>('g.offscreen')
    .data(markers, (m) => `${m.side}:${m.actor}`)
    .join((enter) => {
      const m = enter.append('g').attr('class', 'offscreen');
      m.append('rect');
      m.append('path');
      m.append('text');
      m.append('title');
      return m;
    })
    .attr('data-side', (m) => m.side).attr('data-actor', (m) => m.id).attr('data-count', (m) => m.items.length).attr('data-t', (m) => m.items[0].t)
    .attr('transform', (m) => `translate(${m.side === 'left' ? 1 : f.width - 1},${f.laneY[m.actor]})`)
    .on('click', (event: MouseEvent, m) => {
      event.stopPropagation();
      jump(m.items[0].t);
    })
    .call((m) => {
      const dir = (d: OffscreenMarker) => (d.side === 'left' ? 1 : -1);
      m.select('rect').attr('x', (d) => (d.side === 'left' ? 0 : -26)).attr('y', -h / 2).attr('width', 26).attr('height', h).attr('rx', 3);
      m.select('path').attr('d', (d) => `M${dir(d) * 2},0L${dir(d) * 8},${-h / 2 + 2}L${dir(d) * 8},${h / 2 - 2}Z`);
      m.select('text').attr('x', (d) => dir(d) * 10).attr('y', 3.5).attr('text-anchor', (d) => (d.side === 'left' ? 'start' : 'end'))
        .text((d) => String(d.items.length));
      m.select('title').text((d) => {
        const listed = d.items.slice(0, MAX_LISTED).map((i) => `${i.what} at ${formatTime(i.t)}`);
        if (d.items.length > MAX_LISTED) listed.push(`and ${d.items.length - MAX_LISTED} more`);
        return `${d.items.length} off screen to the ${d.side}: ${listed.join('; ')}. Click to pan there.`;
      });
    });
}

/**
 * Message labels on arrows, as Maelstrom's diagrams have them: when the window is zoomed in far
 * enough that few arrows are drawn, each long enough arrow gets its message type written at its
 * middle, so a student reads "produce", "fetch-reply", "stream:marker" without hovering.
 *
 * Guarantee: labels only when at most `MAX_LABELS` arrows are on screen and only on arrows at least
 * `MIN_PX` long, and never over another label, so they do not pile up into noise.
 */
import type * as D3 from 'd3';
import type { Hits } from './frame.ts';
import type { RunModel } from '../model/model.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

const MAX_LABELS = 80;
const MIN_PX = 70;

export function drawArrowLabels(g: G, hits: Hits, model: RunModel, detail: boolean): void {
  const { msg, link } = model.data;
  const strings = model.data.header.strings;
  const s = hits.segments;
  const labels: Array<{ x: number; y: number; text: string }> = [];
  if (detail && s.length / 5 <= MAX_LABELS) {
    for (let i = 0; i < s.length; i += 5) {
      const [x1, y1, x2, y2, row] = [s[i], s[i + 1], s[i + 2], s[i + 3], s[i + 4]];
      if (Math.hypot(x2 - x1, y2 - y1) < MIN_PX) continue;
      const m = msg[row] >= 0 ? msg[row] : link[row] >= 0 ? msg[link[row]] : -1;
      if (m < 0) continue;
      const label = { x: (x1 + x2) / 2, y: (y1 + y2) / 2, text: strings[m] };
      // A label that would overlap one already placed is left out (hover still names the message).
      const half = (l: typeof label) => (l.text.length * 5.6) / 2 + 3;
      if (labels.some((o) => Math.abs(o.x - label.x) < half(o) + half(label) && Math.abs(o.y - label.y) < 12)) continue;
      labels.push(label);
    }
  }
  g.selectAll('text.arrow-label').data(labels).join('text').attr('class', 'arrow-label')
    .attr('x', (d) => d.x).attr('y', (d) => d.y - 3).attr('text-anchor', 'middle').text((d) => d.text);
}

/**
 * The recorded channel state of snapshots on the diagram: on each receiver's lane, a bracket from
 * its snapshot instant to the arrival of the channel's marker, labelled with what it recorded, and
 * the recorded messages' arrows traced over in the cut colour — what makes Chandy–Lamport work,
 * visible beside the zig-zag cut.
 *
 * Guarantee: drawn from `model/snapshots.ts` whatever the zoom, on visible lanes only; labels only
 * where the bracket is wide enough to hold them. Marks carry `data-cut`, `data-from`, `data-to` and
 * `data-messages`.
 */
import type * as D3 from 'd3';
import type { RunModel } from '../model/model.ts';
import type { RecordedChannel } from '../model/snapshots.ts';
import type { MarkFrame } from './frame.ts';
import { CUT_COLOR } from './palette.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;
type Channels = D3.Selection<SVGGElement, RecordedChannel, SVGGElement, unknown>;

export function drawChannelState(g: G, model: RunModel, f: MarkFrame): void {
  const { t, a, link } = model.data;
  const ids = model.data.header.actors.map((x) => x.id);
  const shown = model.snapshots.channels.filter((c) => c.markerAt >= f.t0 && c.snapshotAt <= f.t1 && !Number.isNaN(f.laneY[c.to]) && !Number.isNaN(f.laneY[c.from]));
  // Several channels recorded by one receiver for one cut get brackets one above the other.
  const seen = new Map<string, number>();
  const level = new Map<RecordedChannel, number>();
  for (const c of shown) {
    const key = `${c.cut}/${c.to}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    level.set(c, n);
  }
  (g.selectAll('g.channel-state') as unknown as Channels).data(shown).join((e) => {
    const m = e.append('g');
    m.append('path').attr('class', 'recorded-arrows');
    m.append('path').attr('class', 'recording');
    m.append('text').attr('class', 'recording-label');
    return m;
  }).attr('class', 'channel-state')
    .attr('data-cut', (c) => c.cut).attr('data-from', (c) => ids[c.from]).attr('data-to', (c) => ids[c.to]).attr('data-messages', (c) => c.rows.length)
    .each(function (c: RecordedChannel) {
      const m = d3.select(this);
      const y = f.laneY[c.to] + f.laneHeight / 2 - 3 - 17 * (level.get(c) ?? 0);
      const x1 = f.x(c.snapshotAt);
      const x2 = Math.max(x1 + 3, f.x(c.markerAt));
      m.select('path.recording').attr('d', `M${x1},${y - 5}V${y}H${x2}V${y - 5}`).attr('fill', 'none').attr('stroke', CUT_COLOR).attr('stroke-width', 2);
      m.select('path.recorded-arrows')
        .attr('d', c.rows.map((r) => `M${f.x(t[link[r]])},${f.laneY[a[link[r]]]}L${f.x(t[r])},${f.laneY[a[r]]}`).join(''))
        .attr('fill', 'none').attr('stroke', CUT_COLOR).attr('stroke-width', 5).attr('stroke-opacity', 0.45).attr('stroke-linecap', 'round');
      const label = `recorded ${c.rows.length} in flight from ${ids[c.from]}`;
      m.select('text.recording-label').attr('x', x1 + 2).attr('y', y - 7).text(x2 - x1 > label.length * 5.5 ? label : x2 - x1 > 24 ? `${c.rows.length} rec.` : '');
    });
}

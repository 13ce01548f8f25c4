/**
 * Durability on the diagram: under each disk's lane a strip coloured by the fate of the writes made
 * at that time (green: made durable by an fsync; magenta: destroyed by a power loss; grey: never
 * synced), each fsync as a bracket from its issue to its completion, and at each power loss the
 * lost suffix outlined with the reason written beside it — "the last fsync was issued at 15 s".
 *
 * Drawn on the disks that lost data at a power loss; elsewhere the fsync glyph tells fsyncs from writes.
 *
 * Guarantee: drawn from `model/durability.ts` whatever the zoom (spans and losses are few; fsync
 * brackets are drawn while at most `FSYNC_LIMIT` are in view, the strip says the rest), hidden with
 * their lane. Every mark carries `data-*` attributes naming what it shows.
 */
import type * as D3 from 'd3';
import type { DiskLoss, FsyncMark, WriteSpan } from '../model/durability.ts';
import type { RunModel } from '../model/model.ts';
import { formatTime } from './format.ts';
import type { MarkFrame } from './frame.ts';
import { FAIL_COLOR } from './palette.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

export const FATE_COLORS = { durable: '#009E73', lost: FAIL_COLOR, unsynced: '#9a9a9a' } as const;
export const FSYNC_COLOR = '#117733';
const FSYNC_LIMIT = 200;
const STRIP = 4;

const inView = (f: MarkFrame, from: number, to: number) => to >= f.t0 && from <= f.t1;
const clampX = (f: MarkFrame, t: number) => Math.max(-2, Math.min(f.width + 2, f.x(t)));

export function fateLabel(fate: WriteSpan['fate']): string {
  return fate === 'durable' ? 'made durable by an fsync' : fate === 'lost' ? 'lost at a power loss (not yet fsynced)' : 'never fsynced before the end';
}

export function lossSentence(loss: DiskLoss, actor: string): string {
  const last = loss.lastFsync;
  const cause = last === null
    ? 'no fsync had completed on this disk'
    : `the last completed fsync was issued at ${formatTime(last.issued)} (done ${formatTime(last.done)}), so only writes before ${formatTime(last.issued)} were durable`;
  return `Power loss at ${actor}, ${formatTime(loss.t)}: ${loss.writes} write${loss.writes === 1 ? '' : 's'} from ${formatTime(loss.from)} to ${formatTime(loss.to)} lost — ${cause}`;
}

export function drawDurability(g: G, model: RunModel, f: MarkFrame): void {
  const { spans, fsyncs, losses } = model.durability;
  const ids = model.data.header.actors.map((a) => a.id);
  // Only disks that lost data get the strip and brackets: on the others (fsync per write, no power
  // loss) they would repeat the fsync glyphs and explain nothing.
  const lossy = new Set(losses.map((l) => l.actor));
  const shown = (actor: number) => lossy.has(actor) && !Number.isNaN(f.laneY[actor]);
  const bottom = (actor: number) => f.laneY[actor] + f.laneHeight / 2 - STRIP - 1;
  const top = (actor: number) => f.laneY[actor] - f.laneHeight / 2;

  const strips = spans.filter((s) => shown(s.actor) && inView(f, s.from, s.to));
  g.selectAll('rect.write-span').data(strips).join((e) => e.append('rect').call((r) => r.append('title')))
    .attr('class', (s) => `write-span fate-${s.fate}`)
    .attr('data-actor', (s) => ids[s.actor]).attr('data-fate', (s) => s.fate).attr('data-writes', (s) => s.writes)
    .attr('x', (s) => clampX(f, s.from)).attr('width', (s) => Math.max(2, clampX(f, s.to) - clampX(f, s.from)))
    .attr('y', (s) => bottom(s.actor)).attr('height', STRIP).attr('fill', (s) => FATE_COLORS[s.fate])
    .select('title').text((s) => `${s.writes} write${s.writes === 1 ? '' : 's'} at ${ids[s.actor]}, ${formatTime(s.from)} – ${formatTime(s.to)}: ${fateLabel(s.fate)}`);

  const brackets = fsyncs.filter((s) => shown(s.actor) && inView(f, s.issued, Number.isNaN(s.done) ? s.issued : s.done));
  const drawn = brackets.length <= FSYNC_LIMIT ? brackets : [];
  g.selectAll('path.fsync').data(drawn).join((e) => e.append('path').call((p) => p.append('title')))
    .attr('class', 'fsync').attr('data-actor', (s) => ids[s.actor]).attr('data-issued', (s) => s.issued).attr('data-done', (s) => s.done)
    .attr('d', (s) => {
      const x1 = f.x(s.issued);
      const x2 = Number.isNaN(s.done) ? x1 + 6 : Math.max(x1 + 3, f.x(s.done));
      const y = top(s.actor) + 3;
      return `M${x1},${y + 7}V${y}H${x2}V${y + 7}`;
    })
    .attr('fill', 'none').attr('stroke', FSYNC_COLOR).attr('stroke-width', 2)
    .select('title').text((s) => fsyncTitle(s, ids));

  const shownLosses = losses.filter((l) => shown(l.actor) && inView(f, Math.min(l.from, l.lastFsync?.issued ?? l.from), l.t));
  g.selectAll('g.disk-loss').data(shownLosses).join((e) => {
    const m = e.append('g');
    m.append('rect').attr('class', 'lost-suffix');
    m.append('rect').attr('class', 'label-bg');
    m.append('line').attr('class', 'frontier');
    m.append('text').attr('class', 'frontier-label');
    m.append('text').attr('class', 'loss-label');
    m.append('title');
    return m;
  }).attr('class', 'disk-loss').attr('data-actor', (l) => ids[l.actor]).attr('data-t', (l) => l.t)
    .attr('data-last-fsync', (l) => l.lastFsync?.issued ?? '').attr('data-writes', (l) => l.writes)
    .each(function (l) {
      const m = d3.select(this);
      const y0 = top(l.actor);
      const x1 = f.x(l.lastFsync?.issued ?? l.from);
      const x2 = f.x(l.t);
      m.select('rect.lost-suffix').attr('x', x1).attr('width', Math.max(2, x2 - x1)).attr('y', y0 + 1).attr('height', f.laneHeight - 2)
        .attr('fill', FAIL_COLOR).attr('fill-opacity', 0.12).attr('stroke', FAIL_COLOR).attr('stroke-width', 1.5).attr('stroke-dasharray', '4 2');
      m.select('line.frontier').attr('x1', x1).attr('x2', x1).attr('y1', y0 - 2).attr('y2', y0 + f.laneHeight)
        .attr('stroke', FSYNC_COLOR).attr('stroke-width', 2.5);
      const room = Math.max(0, x2 - x1);
      const label = l.lastFsync === null ? 'nothing durable yet' : `durable up to ${formatTime(l.lastFsync.issued)} (last fsync)`;
      m.select('text.frontier-label').attr('x', x1 - 4).attr('y', y0 + 11).attr('text-anchor', 'end').text(label);
      const lossText = room > 95 ? `${l.writes} writes lost` : `${l.writes} lost`;
      m.select('text.loss-label').attr('x', x1 + 4).attr('y', y0 + 11).attr('text-anchor', 'start').text(lossText);
      // A plain backing under both labels: they sit on busy lanes, over arrows.
      const left = x1 - 6 - label.length * 6.2;
      m.select('rect.label-bg').attr('x', left).attr('y', y0 + 1).attr('width', x1 + 8 + lossText.length * 6.6 - left).attr('height', 13)
        .attr('fill', '#fff').attr('opacity', 0.85).attr('rx', 2);
      m.select('title').text(lossSentence(l, ids[l.actor]));
    });
}

function fsyncTitle(s: FsyncMark, ids: string[]): string {
  return Number.isNaN(s.done)
    ? `fsync at ${ids[s.actor]} issued ${formatTime(s.issued)}, never completed`
    : `fsync at ${ids[s.actor]}: issued ${formatTime(s.issued)}, completed ${formatTime(s.done)} — every write before ${formatTime(s.issued)} durable from then on`;
}

/**
 * The replication view of a partition, under its run's diagram on the shared time axis: a band
 * naming the leader and its epoch over time; each replica's log end as a step line in its own
 * colour and the high watermark as a black dashed line, on an offset axis; a row per replica
 * showing when it was in the in-sync replica set; elections as labelled vertical lines; and the
 * offsets a leader change threw away shaded between the old leader's log end and the new one's,
 * with the sentence that says so — an acks=1 loss readable without zooming.
 *
 * Guarantee: lines are exact step lines (several changes in one pixel column are drawn through
 * their lowest and highest value) on an offset axis fitted to what the window shows; only partitions whose view says something (a leader change, a
 * truncation, an ISR change; more than one replica) get a panel, at most `MAX_PANELS`, and the
 * title says how many were left out. Marks carry `data-*` attributes for tests.
 */
import type * as D3 from 'd3';
import { formatCount, formatTime } from '../draw/format.ts';
import type { MarkFrame } from '../draw/frame.ts';
import { GUTTER, RIGHT } from '../draw/layout.ts';
import { drawFaultBands } from '../draw/marks.ts';
import { FAIL_COLOR } from '../draw/palette.ts';
import type { RunModel } from '../model/model.ts';
import { eventful, type PartitionView, type StepSeries } from '../model/replication.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

const MAX_PANELS = 4;
const TITLE_H = 18;
const BAND_H = 16;
const PLOT_H = 120;
const ROW_H = 9;
const REPLICA_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#999933', '#000000'];
const HW_COLOR = '#000000';

const heightOf = (p: PartitionView) => TITLE_H + BAND_H + PLOT_H + 6 + p.replicas.length * ROW_H + 14;

export class ReplicationPanels {
  readonly svg: D3.Selection<SVGSVGElement, unknown, null, undefined>;
  readonly shown: PartitionView[];
  private width = 0;

  constructor(parent: HTMLElement, readonly model: RunModel) {
    const interesting = model.replication.filter(eventful);
    this.shown = interesting.slice(0, MAX_PANELS);
    this.svg = d3.select(parent).append('svg').attr('class', 'replication-panels');
    let y = 0;
    this.shown.forEach((p, i) => {
      const g = this.svg.append('g').attr('class', 'replication').attr('data-partition', p.key).attr('transform', `translate(0,${y})`);
      const more = i === 0 && interesting.length > MAX_PANELS ? ` (${interesting.length - MAX_PANELS} more partitions with leader changes not shown)` : '';
      g.append('text').attr('class', 'panel-title').attr('x', GUTTER).attr('y', 13)
        .text(`Replication of ${p.key}: leader and epoch (band), log end per replica (lines), high watermark (black dashed), in-sync replicas (rows)${more}`);
      y += heightOf(p);
    });
  }

  get height(): number {
    return this.shown.reduce((h, p) => h + heightOf(p), 0);
  }

  relayout(width: number): void {
    this.width = width;
    this.svg.attr('width', width).attr('height', this.height);
  }

  render(t0: number, t1: number, playhead: number | null): void {
    const pw = Math.max(100, this.width - GUTTER - RIGHT);
    const x = d3.scaleLinear().domain([t0, t1]).range([0, pw]);
    this.svg.selectAll<SVGGElement, unknown>('g.replication').each((_, i, nodes) => {
      const p = this.shown[i];
      const g = d3.select(nodes[i]);
      g.selectAll('g.body').remove();
      drawPartition(g.append('g').attr('class', 'body'), p, this.model, x, pw, playhead);
    });
  }
}

function drawPartition(g: G, p: PartitionView, model: RunModel, x: D3.ScaleLinear<number, number>, pw: number, playhead: number | null): void {
  const [t0, t1] = x.domain();
  const colorOf = new Map(p.replicas.map((r, i) => [r.id, REPLICA_COLORS[i % REPLICA_COLORS.length]]));
  const plotTop = TITLE_H + BAND_H;
  const rowsTop = plotTop + PLOT_H + 6;
  const bottom = rowsTop + p.replicas.length * ROW_H;
  const inner = g.append('g').attr('transform', `translate(${GUTTER},0)`);
  const marks: MarkFrame = { x, t0, t1, width: pw, laneY: new Float64Array(0), laneHeight: 0, top: TITLE_H, bottom };
  inner.append('rect').attr('class', 'panel-frame').attr('y', plotTop).attr('width', pw).attr('height', PLOT_H);
  drawFaultBands(inner.append('g').attr('class', 'bands'), model.faults, marks, null);
  const clamp = (t: number) => Math.max(0, Math.min(pw, x(t)));
  const end = model.endUs;

  // Leader band: one segment per election, in the leader's colour, named when wide enough.
  const terms = p.elections.map((e, i) => ({ ...e, until: p.elections[i + 1]?.t ?? end }))
    .filter((e) => e.until >= t0 && e.t <= t1);
  const band = inner.append('g').attr('class', 'leader-band');
  for (const e of terms) {
    const x1 = clamp(e.t);
    const w = Math.max(1, clamp(e.until) - x1);
    const seg = band.append('g').attr('class', 'leader-term').attr('data-leader', e.leader ?? '').attr('data-epoch', e.epoch);
    seg.append('rect').attr('x', x1).attr('y', TITLE_H).attr('width', w).attr('height', BAND_H - 2)
      .attr('fill', e.leader === null ? '#eeeeee' : colorOf.get(e.leader) ?? '#777').attr('opacity', 0.3);
    const label = e.leader === null ? `offline (epoch ${e.epoch})` : `leader ${e.leader} · epoch ${e.epoch}`;
    if (w > label.length * 6) seg.append('text').attr('class', 'leader-label').attr('x', x1 + 4).attr('y', TITLE_H + 11).text(label);
  }

  // Offsets on the y axis over what the window shows, so zooming in on an election spreads the
  // replicas' few differing offsets over the whole plot instead of one pixel of the run's range.
  const [lo, hi] = offsetRange(p, t0, t1);
  const y = d3.scaleLinear().domain([lo, Math.max(lo + 1, hi)]).nice(4).range([plotTop + PLOT_H, plotTop]);
  inner.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).ticks(4).tickFormat((d) => formatCount(Number(d))));

  // The lines' group comes before the lost ranges, so that each range's sentence reads on top.
  const lines = inner.append('g').attr('class', 'replica-lines');
  // Lost ranges, translucent over the lines: what the old leader alone had when the new one was elected.
  for (const l of p.lost) {
    const until = l.truncatedAt ?? end;
    if (until < t0 || l.election > t1) continue;
    const x1 = clamp(l.election);
    const x2 = Math.max(x1 + 2, clamp(until));
    const lost = inner.append('g').attr('class', 'lost-range').attr('data-from', l.from).attr('data-to', l.to)
      .attr('data-old-leader', l.oldLeader).attr('data-new-leader', l.newLeader).attr('data-truncated', l.truncatedAt ?? '');
    lost.append('rect').attr('x', x1).attr('width', x2 - x1).attr('y', y(l.to)).attr('height', Math.max(2, y(l.from) - y(l.to)))
      .attr('fill', FAIL_COLOR).attr('opacity', 0.25);
    // "Not on the new leader" rather than "only on the old one": another replica may have held them
    // too, fenced or out of the ISR when the election passed it over.
    const sentence = `offsets ${formatCount(l.from)}–${formatCount(l.to - 1)} were on ${l.oldLeader} (old leader), not on ${l.newLeader}` +
      (l.truncatedAt === null ? '' : ` — truncated at ${formatTime(l.truncatedAt)}: lost`);
    // The sentence goes low in the plot, with a leader up to the range: after an election the logs
    // only grow from the new leader's end, so below the range and right of it is clear of lines.
    const right = x1 > pw * 0.6;
    const labelY = plotTop + PLOT_H - 20;
    lost.append('line').attr('x1', x1 + 1).attr('x2', x1 + 1).attr('y1', labelY - 10).attr('y2', y(l.from)).attr('stroke', FAIL_COLOR).attr('stroke-dasharray', '2 2');
    lost.append('text').attr('class', 'lost-label').attr('x', right ? x1 - 4 : x1 + 5).attr('y', labelY)
      .attr('text-anchor', right ? 'end' : 'start').text(sentence);
  }

  // Replicas in step lie on top of each other: earlier ones are drawn wider, so that lines that
  // coincide show as nested stripes instead of hiding one another.
  p.replicas.forEach((r, i) => {
    lines.append('path').attr('class', 'log-end').attr('data-replica', r.id).attr('d', stepPath(r.end, x, y, t0, t1, pw))
      .attr('fill', 'none').attr('stroke', colorOf.get(r.id)!).attr('stroke-width', 2 + 2.5 * (p.replicas.length - 1 - i));
  });
  lines.append('path').attr('class', 'high-watermark').attr('d', stepPath(p.hw, x, y, t0, t1, pw))
    .attr('fill', 'none').attr('stroke', HW_COLOR).attr('stroke-width', 1.5).attr('stroke-dasharray', '5 3');

  // In-sync replica rows, one per replica, filled while the controller lists it in the ISR.
  const isr = inner.append('g').attr('class', 'isr-rows');
  const spans = p.isr.map((c, i) => ({ ...c, until: p.isr[i + 1]?.t ?? end })).filter((c) => c.until >= t0 && c.t <= t1);
  p.replicas.forEach((r, i) => {
    const ry = rowsTop + i * ROW_H;
    const color = colorOf.get(r.id)!;
    g.append('text').attr('class', 'isr-name').attr('x', GUTTER - 8).attr('y', ry + 8).attr('text-anchor', 'end').attr('fill', color)
      .text(`${r.id} in ISR`);
    isr.append('rect').attr('class', 'isr-track').attr('y', ry + 1).attr('width', pw).attr('height', ROW_H - 2);
    for (const s of spans) {
      if (!s.isr.includes(r.id)) continue;
      isr.append('rect').attr('class', 'isr-member').attr('data-replica', r.id).attr('data-from', s.t)
        .attr('x', clamp(s.t)).attr('width', Math.max(1, clamp(s.until) - clamp(s.t))).attr('y', ry + 1).attr('height', ROW_H - 2).attr('fill', color);
    }
  });
  // Replica colours named once, in the gutter beside the lines.
  p.replicas.forEach((r, i) => {
    g.append('text').attr('class', 'replica-name').attr('x', GUTTER - 52).attr('y', plotTop + 14 + i * 13).attr('text-anchor', 'end')
      .attr('fill', colorOf.get(r.id)!).text(`━ ${r.id} log end`);
  });
  g.append('text').attr('class', 'replica-name').attr('x', GUTTER - 52).attr('y', plotTop + 14 + p.replicas.length * 13).attr('text-anchor', 'end')
    .text('┅ high watermark');

  // Elections over band, plot and rows; the initial one at 0 needs no line.
  const elections = inner.append('g').attr('class', 'elections');
  for (const e of p.elections) {
    if (e.t < t0 || e.t > t1 || e.t === 0) continue;
    const ex = x(e.t);
    const m = elections.append('g').attr('class', 'election').attr('data-t', e.t).attr('data-epoch', e.epoch).attr('data-leader', e.leader ?? '');
    m.append('line').attr('x1', ex).attr('x2', ex).attr('y1', TITLE_H).attr('y2', bottom).attr('stroke', '#332288').attr('stroke-width', 2.5);
    m.append('text').attr('class', 'election-label').attr('x', ex + 4).attr('y', plotTop + PLOT_H - 4)
      .attr('text-anchor', ex > pw * 0.75 ? 'end' : 'start').attr('dx', ex > pw * 0.75 ? -8 : 0)
      .text(`election: ${e.leader ?? 'no leader'} leads epoch ${e.epoch}${e.clean ? '' : ' (unclean)'}`);
    m.append('title').text(`${formatTime(e.t)}: ${e.reason}`);
  }
  if (playhead !== null && playhead >= t0 && playhead <= t1) {
    inner.append('line').attr('class', 'playhead').attr('x1', x(playhead)).attr('x2', x(playhead)).attr('y1', TITLE_H).attr('y2', bottom);
  }
}

/** Lowest and highest offset the window shows: each series' value entering it and its changes inside, and visible lost ranges. */
function offsetRange(p: PartitionView, t0: number, t1: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const take = (v: number) => {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  };
  for (const s of [p.hw, ...p.replicas.map((r) => r.end)]) {
    const from = Math.max(0, d3.bisectRight(s.t, t0) - 1);
    for (let i = from; i < s.t.length && s.t[i] <= t1; i++) take(s.v[i]);
  }
  for (const l of p.lost) {
    if ((l.truncatedAt ?? Infinity) < t0 || l.election > t1) continue;
    take(l.from);
    take(l.to);
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, Math.max(1, p.maxOffset)];
}

/**
 * A step line through the window, through each pixel column's lowest and highest value: the
 * changes falling in one column become one vertical stroke (to the lowest, the highest, then the
 * last level), so the path has a few commands per column however many changes the window holds,
 * and each change costs a little arithmetic (x is linear; y is applied once per column) — a
 * replica's log end changes with every batch, 10^5 times in a long run.
 */
function stepPath(s: StepSeries, x: D3.ScaleLinear<number, number>, y: D3.ScaleLinear<number, number>, t0: number, t1: number, width: number): string {
  const r = (v: number) => Math.round(v * 10) / 10;
  const [d0, d1] = x.domain();
  const [r0, r1] = x.range();
  const kx = (r1 - r0) / (d1 - d0 || 1);
  let i = d3.bisectRight(s.t, t0) - 1;
  let d = '';
  let column = -Infinity;
  let first = 0;
  let lo = 0;
  let hi = 0;
  let last = 0;
  const finishColumn = () => {
    if (column === -Infinity || (lo === first && hi === first && last === first)) return;
    const [a, b] = [r(y(lo)), r(y(hi))];
    d += `V${Math.max(a, b)}V${Math.min(a, b)}V${r(y(last))}`;
  };
  if (i >= 0) d = `M0,${r(y(s.v[i]))}`;
  for (i = Math.max(0, i + 1); i < s.t.length && s.t[i] <= t1; i++) {
    const px = r((s.t[i] - d0) * kx + r0);
    const v = s.v[i];
    if (px - column < 0.5) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      last = v;
      continue;
    }
    finishColumn();
    const py = r(y(v));
    d += d === '' ? `M${px},${py}` : `H${px}V${py}`;
    column = px;
    first = lo = hi = last = v;
  }
  finishColumn();
  return d === '' ? '' : `${d}H${width}`;
}

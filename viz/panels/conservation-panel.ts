/**
 * The conserved-quantity panel, for runs whose application declares one (the bank drill's money):
 * at each snapshot cut, a stacked bar of what every participant held — its state, and on top, in
 * the cut colour, what it recorded in flight — against a dotted line at the total, and a title that
 * says whether the total was the same at every cut. The sum is the invariant Chandy–Lamport keeps.
 *
 * Zoomed onto a few cuts, each bar also says its sum ("3,979 held + 21 recorded in flight = 4,000").
 *
 * Guarantee: bars are the snapshot records' numbers, exactly; the panel exists only when some
 * snapshot carries a conserved amount. Each bar carries `data-cut` and `data-total`.
 */
import type * as D3 from 'd3';
import { formatCount } from '../draw/format.ts';
import { GUTTER, RIGHT } from '../draw/layout.ts';
import { drawFaultBands } from '../draw/marks.ts';
import { CUT_COLOR } from '../draw/palette.ts';
import type { RunModel } from '../model/model.ts';

const TITLE_H = 18;
const PLOT_H = 80;
const BAR_W = 9;
/** With at most this many cuts in the window, each bar is labelled with its sum. */
const SPELLED_CUTS = 3;
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#56B4E9', '#D55E00', '#999933', '#332288', '#117733'];

export class ConservationPanel {
  readonly svg: D3.Selection<SVGSVGElement, unknown, null, undefined>;
  private width = 0;
  private readonly title: string;

  constructor(parent: HTMLElement, readonly model: RunModel) {
    this.svg = d3.select(parent).append('svg').attr('class', 'conservation-panel');
    const { totals } = model.snapshots;
    const distinct = [...new Set(totals.map((c) => c.total))];
    this.title = totals.length === 0 ? ''
      : distinct.length === 1
        ? `Conserved quantity at each snapshot cut: state (colour per participant) + recorded in flight (purple) = ${formatCount(distinct[0])} at all ${totals.length} cuts`
        : `Conserved quantity at each snapshot cut: totals differ between cuts (${distinct.slice(0, 4).map(formatCount).join(', ')}${distinct.length > 4 ? ' …' : ''})`;
  }

  get height(): number {
    return this.model.snapshots.totals.length === 0 ? 0 : TITLE_H + PLOT_H + 12;
  }

  relayout(width: number): void {
    this.width = width;
    this.svg.attr('width', width).attr('height', this.height);
  }

  render(t0: number, t1: number): void {
    const { totals } = this.model.snapshots;
    this.svg.selectAll('*').remove();
    if (totals.length === 0) return;
    const pw = Math.max(100, this.width - GUTTER - RIGHT);
    const x = d3.scaleLinear().domain([t0, t1]).range([0, pw]);
    this.svg.append('text').attr('class', 'panel-title').attr('x', GUTTER).attr('y', 13).text(this.title);
    const inner = this.svg.append('g').attr('transform', `translate(${GUTTER},${TITLE_H})`);
    inner.append('rect').attr('class', 'panel-frame').attr('width', pw).attr('height', PLOT_H);
    drawFaultBands(inner.append('g'), this.model.faults, { x, t0, t1, width: pw, laneY: new Float64Array(0), laneHeight: 0, top: 0, bottom: PLOT_H }, null);
    const top = Math.max(...totals.map((c) => c.total), 1);
    const y = d3.scaleLinear().domain([0, top]).nice(3).range([PLOT_H, 0]);
    inner.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).ticks(3).tickFormat((d) => formatCount(Number(d))));
    inner.append('line').attr('x1', 0).attr('x2', pw).attr('y1', y(totals[0].total)).attr('y2', y(totals[0].total))
      .attr('stroke', '#555').attr('stroke-dasharray', '2 3');
    const actors = [...new Set(totals.flatMap((c) => c.parts.map((p) => p.actor)))].sort((p, q) => p - q);
    const colorOf = new Map(actors.map((actor, i) => [actor, COLORS[i % COLORS.length]]));
    const inView = totals.filter((cut) => cut.t >= t0 && cut.t <= t1);
    // Zoomed onto a few cuts, each bar says its sum in words: a few units in flight are a hair on a bar.
    const spell = inView.length <= SPELLED_CUTS;
    for (const cut of inView) {
      const bar = inner.append('g').attr('class', 'cut-total').attr('data-cut', cut.cut).attr('data-total', cut.total);
      let base = 0;
      const cx = x(cut.t) - BAR_W / 2;
      for (const part of [...cut.parts].sort((p, q) => p.actor - q.actor)) {
        const held = part.conserved - (part.inFlight ?? 0);
        bar.append('rect').attr('x', cx).attr('width', BAR_W).attr('y', y(base + held)).attr('height', Math.max(0, y(base) - y(base + held))).attr('fill', colorOf.get(part.actor)!);
        base += held;
      }
      const inFlight = cut.parts.reduce((n, p) => n + (p.inFlight ?? 0), 0);
      if (inFlight > 0) bar.append('rect').attr('class', 'in-flight').attr('x', cx).attr('width', BAR_W).attr('y', y(base + inFlight)).attr('height', Math.max(1, y(base) - y(base + inFlight))).attr('fill', CUT_COLOR);
      if (spell) {
        const right = x(cut.t) > pw * 0.7;
        bar.append('text').attr('class', 'cut-sum').attr('x', right ? cx - 4 : cx + BAR_W + 4).attr('y', y(cut.total) + 14)
          .attr('text-anchor', right ? 'end' : 'start')
          .attr('font-size', 11).attr('font-weight', 600).attr('fill', '#1f2328').attr('stroke', '#fff').attr('stroke-width', 3).attr('paint-order', 'stroke')
          .text(`cut ${cut.cut}: ${formatCount(cut.total - inFlight)} held + ${formatCount(inFlight)} recorded in flight = ${formatCount(cut.total)}`);
      }
      bar.append('title').text(`cut ${cut.cut}: ${cut.parts.map((p) => `${this.model.data.header.actors[p.actor].id} ${formatCount(p.conserved - (p.inFlight ?? 0))}${p.inFlight ? ` + ${formatCount(p.inFlight)} in flight` : ''}`).join(', ')} = ${formatCount(cut.total)}`);
    }
    // Participants named once, in the gutter, in their colours.
    actors.forEach((actor, i) => {
      this.svg.append('text').attr('class', 'replica-name').attr('x', GUTTER - 40).attr('y', TITLE_H + 12 + i * 12).attr('text-anchor', 'end')
        .attr('fill', colorOf.get(actor)!).text(`■ ${this.model.data.header.actors[actor].id}`);
    });
    this.svg.append('text').attr('class', 'replica-name').attr('x', GUTTER - 40).attr('y', TITLE_H + 12 + actors.length * 12).attr('text-anchor', 'end')
      .attr('fill', CUT_COLOR).text('■ in flight');
  }
}

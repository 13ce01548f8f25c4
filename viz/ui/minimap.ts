/**
 * The overview strip: records per pixel column over the whole run(s), fault bands, the playhead,
 * and a brush showing the visible window — drag it, resize it, or brush a new range to zoom there.
 */
import type * as D3 from 'd3';
import { GUTTER, RIGHT } from '../draw/layout.ts';
import type { MarkFrame } from '../draw/frame.ts';
import { drawFaultBands } from '../draw/marks.ts';
import type { RunModel } from '../model/model.ts';
import { DENSITY_COLOR } from '../draw/palette.ts';
import { timeTicks } from '../draw/format.ts';

const HEIGHT = 46;
const PLOT_H = 30;

export class Minimap {
  private readonly svg: D3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly plot: D3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly brushG: D3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly brush = d3.brushX();
  private x = d3.scaleLinear();

  constructor(
    parent: HTMLElement,
    private readonly models: RunModel[],
    private readonly domain: [number, number],
    onBrush: (t0: number, t1: number) => void,
  ) {
    this.svg = d3.select(parent).append('svg').attr('class', 'minimap').attr('height', HEIGHT);
    this.svg.append('text').attr('class', 'minimap-label').attr('x', 6).attr('y', 14).text('Overview');
    this.svg.append('text').attr('class', 'minimap-hint').attr('x', 6).attr('y', 28).text('drag to choose the window');
    this.plot = this.svg.append('g').attr('transform', `translate(${GUTTER},2)`);
    this.brushG = this.svg.append('g').attr('class', 'brush').attr('transform', `translate(${GUTTER},2)`);
    this.brush.on('brush end', (event: D3.D3BrushEvent<unknown>) => {
      // Programmatic moves (following zoom) have no source event and must not loop back.
      if (event.sourceEvent === null || event.sourceEvent === undefined || event.selection === null) return;
      const [a, b] = event.selection as [number, number];
      if (b - a >= 2) onBrush(this.x.invert(a), this.x.invert(b));
    });
  }

  relayout(width: number): void {
    const pw = Math.max(100, width - GUTTER - RIGHT);
    this.svg.attr('width', width);
    this.x = d3.scaleLinear().domain(this.domain).range([0, pw]);
    const bins = Math.max(1, Math.floor(pw / 2));
    const counts = new Float64Array(bins);
    const span = this.domain[1] - this.domain[0] || 1;
    for (const m of this.models) {
      const t = m.data.t;
      for (let i = 0; i < m.data.length; i++) counts[Math.min(bins - 1, Math.floor(((t[i] - this.domain[0]) / span) * bins))]++;
    }
    const max = d3.max(counts) || 1;
    const h = (c: number) => (c === 0 ? 0 : 2 + (PLOT_H - 2) * (Math.log1p(c) / Math.log1p(max)));
    const marks: MarkFrame = { x: (t) => this.x(t), t0: this.domain[0], t1: this.domain[1], width: pw, laneY: new Float64Array(0), laneHeight: 0, top: 0, bottom: PLOT_H };
    this.plot.selectAll('*').remove();
    this.plot.append('rect').attr('class', 'panel-frame').attr('width', pw).attr('height', PLOT_H);
    drawFaultBands(this.plot.append('g'), this.models.flatMap((m) => m.faults), marks, null);
    const d = Array.from(counts, (c, b) => (c === 0 ? '' : `M${b * 2},${PLOT_H}v${-h(c)}h2v${h(c)}z`)).join('');
    this.plot.append('path').attr('d', d).attr('fill', DENSITY_COLOR).attr('opacity', 0.7);
    const { values: ticks, format } = timeTicks(this.domain[0], this.domain[1], Math.max(2, Math.floor(pw / 120)));
    this.plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${PLOT_H})`)
      .call(d3.axisBottom(this.x).tickValues(ticks).tickFormat((v) => format(Number(v))).tickSize(3));
    this.plot.append('line').attr('class', 'playhead').attr('y1', 0).attr('y2', PLOT_H).style('display', 'none');
    this.brush.extent([[0, 0], [pw, PLOT_H]]);
    this.brushG.call(this.brush);
  }

  render(t0: number, t1: number, playhead: number | null): void {
    this.brushG.call(this.brush.move, [this.x(t0), Math.max(this.x(t0) + 2, this.x(t1))]);
    this.plot.select('line.playhead').style('display', playhead === null ? 'none' : '')
      .attr('x1', playhead === null ? 0 : this.x(playhead)).attr('x2', playhead === null ? 0 : this.x(playhead));
  }
}

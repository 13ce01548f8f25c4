/**
 * One run's "why" marks as a layer of its diagram: durability per disk (fsyncs, the durable
 * frontier, lost suffixes), and the explanations drawn over snapshots and rollbacks. An SVG group
 * above the records and the recovery marks, below the selection's cut and the playback veil and
 * the pointer surface, redrawn with every frame and included in exported figures.
 *
 * Guarantee: a run with nothing to explain gets no group, so its diagram is exactly what it was
 * without this layer.
 */
import type * as D3 from 'd3';
import type { Chart } from './chart.ts';
import { drawDurability } from './durability-marks.ts';
import { GUTTER, TOP } from './layout.ts';

export class ExplainLayer {
  private readonly g: D3.Selection<SVGGElement, unknown, null, undefined> | null;

  constructor(private readonly chart: Chart) {
    const { durability } = chart.model;
    if (durability.losses.length === 0) {
      this.g = null;
      return;
    }
    const front = chart.root.querySelector<SVGSVGElement>('svg.front')!;
    const layer = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    front.insertBefore(layer, front.querySelector('g.overlay'));
    this.g = d3.select(layer).attr('class', 'explain').attr('transform', `translate(${GUTTER},${TOP})`)
      .attr('clip-path', `url(#clip-${chart.index})`).attr('pointer-events', 'none');
    this.g.append('g').attr('class', 'durability');
  }

  /** Draws at the chart's current frame; call after the chart has rendered. */
  render(): void {
    const { frame, layout } = this.chart;
    if (frame === null || this.g === null) return;
    const marks = { x: frame.x, t0: frame.t0, t1: frame.t1, width: frame.width, laneY: layout.laneY, laneHeight: layout.laneHeight, top: 0, bottom: layout.height };
    drawDurability(this.g.select<SVGGElement>('g.durability'), this.chart.model, marks);
  }
}

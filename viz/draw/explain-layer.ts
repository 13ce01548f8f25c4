/**
 * One run's "why" marks as a layer of its diagram: durability per disk (fsyncs, the durable
 * frontier, lost suffixes), the channel state snapshots recorded, and rollback cascades. An SVG group
 * above the records and the recovery marks, below the selection's cut and the playback veil and
 * the pointer surface, redrawn with every frame and included in exported figures.
 *
 * Guarantee: a run with nothing to explain gets no group, so its diagram is exactly what it was
 * without this layer.
 */
import type * as D3 from 'd3';
import type { Chart } from './chart.ts';
import { drawDurability } from './durability-marks.ts';
import { drawChannelState } from './snapshot-marks.ts';
import { drawCascade } from './cascade-marks.ts';
import { GUTTER, TOP } from './layout.ts';

export class ExplainLayer {
  private readonly g: D3.Selection<SVGGElement, unknown, null, undefined> | null;
  /** Rollback steps in the run, and how many of them are drawn (all, until stepped through). */
  readonly cascadeSteps: number;
  shownSteps: number;

  constructor(private readonly chart: Chart) {
    const { durability, snapshots, cascades } = chart.model;
    this.cascadeSteps = cascades.reduce((n, c) => n + c.steps.length, 0);
    this.shownSteps = this.cascadeSteps;
    if (durability.losses.length === 0 && snapshots.channels.length === 0 && this.cascadeSteps === 0) {
      this.g = null;
      return;
    }
    const front = chart.root.querySelector<SVGSVGElement>('svg.front')!;
    const layer = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    front.insertBefore(layer, front.querySelector('g.overlay'));
    this.g = d3.select(layer).attr('class', 'explain').attr('transform', `translate(${GUTTER},${TOP})`)
      .attr('clip-path', `url(#clip-${chart.index})`).attr('pointer-events', 'none');
    this.g.append('g').attr('class', 'durability');
    this.g.append('g').attr('class', 'snapshots');
    this.g.append('g').attr('class', 'cascade');
  }

  /** Draws at the chart's current frame; call after the chart has rendered. */
  render(): void {
    const { frame, layout } = this.chart;
    if (frame === null || this.g === null) return;
    const marks = { x: frame.x, t0: frame.t0, t1: frame.t1, width: frame.width, laneY: layout.laneY, laneHeight: layout.laneHeight, top: 0, bottom: layout.height };
    drawDurability(this.g.select<SVGGElement>('g.durability'), this.chart.model, marks);
    drawChannelState(this.g.select<SVGGElement>('g.snapshots'), this.chart.model, marks);
    drawCascade(this.g.select<SVGGElement>('g.cascade'), this.chart.model, marks, this.shownSteps);
  }
}

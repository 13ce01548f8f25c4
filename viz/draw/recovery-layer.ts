/**
 * One run's recovery marks as a layer of its diagram: an SVG group above the records, below the
 * selection's causal cut and the playback veil, and below the pointer surface (so zooming and
 * hovering still work through it), redrawn with every frame and
 * included in exported figures like the other marks. A run with nothing to draw gets no group, so
 * its diagram (and its exported figure) is exactly what it was without this layer.
 */
import type * as D3 from 'd3';
import type { Chart } from './chart.ts';
import { GUTTER, TOP } from './layout.ts';
import { flaggedArrows, type FlaggedArrow } from '../model/verdict-arrows.ts';
import { drawRecovery, recoveryHitAt, type RecoveryHit } from './recovery-marks.ts';

export class RecoveryLayer {
  private readonly g: D3.Selection<SVGGElement, unknown, null, undefined> | null;
  private readonly flagged: FlaggedArrow[];
  private hits: RecoveryHit[] = [];

  constructor(private readonly chart: Chart, private readonly area: (bytes: number) => number) {
    this.flagged = flaggedArrows(chart.model);
    const { checkpoints, cuts, lost, replays } = chart.model.recovery;
    if (checkpoints.length + cuts.length + lost.length + replays.length + this.flagged.length === 0) {
      this.g = null;
      return;
    }
    const front = chart.root.querySelector<SVGSVGElement>('svg.front')!;
    const layer = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    front.insertBefore(layer, front.querySelector('g.overlay'));
    this.g = d3.select(layer).attr('class', 'recovery').attr('transform', `translate(${GUTTER},${TOP})`)
      .attr('clip-path', `url(#clip-${chart.index})`).attr('pointer-events', 'none');
  }

  /** Draws at the chart's current frame (its lanes and record filter); call after the chart has rendered. */
  render(): void {
    const { frame, layout } = this.chart;
    if (frame === null || this.g === null) return;
    this.hits = drawRecovery(this.g, this.chart.model, this.area, this.flagged, {
      x: frame.x, t0: frame.t0, t1: frame.t1, width: frame.width, laneY: layout.laneY, laneHeight: layout.laneHeight, top: 0, bottom: layout.height,
    }, frame.mask);
  }

  /** The tooltip of a recovery mark at plot coordinates, or null; shaded spans only with `regions`. */
  tooltipAt(mx: number, my: number, regions: boolean): string | null {
    return recoveryHitAt(this.hits, mx, my, regions);
  }
}

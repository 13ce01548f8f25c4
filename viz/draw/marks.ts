/**
 * Exact SVG marks that are few but must never be lost in aggregation: fault bands (on the diagram
 * and on every panel), down periods of crashed actors, and crash/restart marks.
 *
 * Guarantee: drawn from the spans regardless of zoom or density mode; each crash and restart mark
 * carries its time (`data-t`) and actor (`data-actor`), and is centred on `x(t)`.
 */
import type * as D3 from 'd3';
import type { FaultSpan, DownSpan } from '../model/spans.ts';
import { CRASH_COLOR, RESTART_COLOR, faultColor } from './palette.ts';
import { formatTime } from './format.ts';
import { drawFaultLabels } from './fault-labels.ts';
import type { MarkFrame } from './frame.ts';
import { DOWN_HATCH } from '../wire/patterns.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

const clampX = (f: MarkFrame, t: number) => Math.max(-1, Math.min(f.width + 1, f.x(t)));
const visible = (f: MarkFrame, start: number, end: number) => end >= f.t0 && start <= f.t1;

export function faultLabel(span: FaultSpan): string {
  const where = span.from.length > 0 && span.to.length > 0 ? `${span.from.join(',')} ⇹ ${span.to.join(',')}` : span.targets.join(', ');
  return `${span.kind} ${span.id}${where ? `: ${where}` : ''}`;
}

/** Fault bands: a light band over the whole height, stronger over the lanes the fault targets. */
export function drawFaultBands(g: G, spans: FaultSpan[], f: MarkFrame, labels: G | null): void {
  const shown = spans.filter((s) => visible(f, s.start, s.end));
  g.selectAll('g.fault')
    .data(shown, (d) => `${(d as FaultSpan).id}@${(d as FaultSpan).start}`)
    .join((enter) => enter.append('g').attr('class', 'fault'))
    .each(function (span) {
      const x1 = clampX(f, span.start);
      const w = Math.max(2, clampX(f, span.end) - x1);
      const color = faultColor(span.kind);
      const lanes = [...span.actors].map((a) => f.laneY[a]).filter((y) => !Number.isNaN(y));
      const partial = lanes.length > 0 && lanes.length < f.laneY.filter((y) => !Number.isNaN(y)).length;
      const band = d3.select(this);
      band.attr('data-fault', span.id).attr('data-kind', span.kind);
      band.selectAll('rect.band').data([0]).join('rect').attr('class', 'band')
        .attr('x', x1).attr('width', w).attr('y', f.top).attr('height', f.bottom - f.top)
        .attr('fill', color).attr('opacity', partial ? 0.07 : 0.14);
      band.selectAll('rect.target').data(partial ? lanes : []).join('rect').attr('class', 'target')
        .attr('x', x1).attr('width', w).attr('y', (y) => y - f.laneHeight / 2).attr('height', f.laneHeight)
        .attr('fill', color).attr('opacity', 0.22);
    });
  if (labels !== null) drawFaultLabels(labels, shown, f, faultLabel);
}

/** Down periods: a hatched bar over the lane from crash to restart. */
export function drawDowns(g: G, downs: DownSpan[], f: MarkFrame): void {
  const shown = downs.filter((d) => visible(f, d.start, d.end) && !Number.isNaN(f.laneY[d.actor]));
  g.selectAll('rect.down')
    .data(shown)
    .join('rect').attr('class', 'down')
    .attr('x', (d) => clampX(f, d.start)).attr('width', (d) => Math.max(1, clampX(f, d.end) - clampX(f, d.start)))
    .attr('y', (d) => f.laneY[d.actor] - f.laneHeight / 2 + 1).attr('height', f.laneHeight - 2)
    .attr('fill', DOWN_HATCH).attr('opacity', 0.8);
}

interface LifeMark {
  t: number;
  actor: number;
  id: string;
  crash: boolean;
  row: number;
}

/** Crash (▼, red) and restart (▲, green) marks, each with a vertical tick across its lane. */
export function drawLifeMarks(g: G, downs: DownSpan[], actorIds: string[], f: MarkFrame): void {
  const marks: LifeMark[] = [];
  for (const d of downs) {
    if (Number.isNaN(f.laneY[d.actor])) continue;
    const id = actorIds[d.actor];
    if (d.start >= f.t0 && d.start <= f.t1) marks.push({ t: d.start, actor: d.actor, id, crash: true, row: d.crashRow });
    if (!d.open && d.end >= f.t0 && d.end <= f.t1) marks.push({ t: d.end, actor: d.actor, id, crash: false, row: d.restartRow });
  }
  const h = f.laneHeight / 2;
  g.selectAll('g.life')
    .data(marks, (d) => `${(d as LifeMark).row}`)
    .join((enter) => {
      const m = enter.append('g');
      m.append('line');
      m.append('path');
      m.append('title');
      return m;
    })
    .attr('class', (d) => `life ${d.crash ? 'crash-mark' : 'restart-mark'}`)
    .attr('data-t', (d) => d.t).attr('data-actor', (d) => d.id).attr('data-row', (d) => d.row)
    .attr('transform', (d) => `translate(${f.x(d.t)},${f.laneY[d.actor]})`)
    .call((m) => {
      m.select('line').attr('y1', -h).attr('y2', h).attr('stroke', (d) => (d.crash ? CRASH_COLOR : RESTART_COLOR)).attr('stroke-width', 2);
      m.select('path').attr('d', (d) => (d.crash ? 'M-5,-5L5,-5L0,3Z' : 'M-5,5L5,5L0,-3Z')).attr('fill', (d) => (d.crash ? CRASH_COLOR : RESTART_COLOR));
      m.select('title').text((d) => `${d.crash ? 'crash' : 'restart'} of ${d.id} at ${formatTime(d.t)}`);
    });
}

/**
 * Fault labels above the diagram, laid out so that they never overlap: greedy interval packing
 * into a few rows, each label at the x where its fault begins. When every row is taken at that
 * x, the label before it in the emptiest row is cut short with an ellipsis (or hidden, when even
 * a few letters do not fit), as is a label that would run off the right edge; every label keeps
 * its full text in a tooltip.
 *
 * Guarantee: the drawn labels' boxes are disjoint (to the measured text width), and each starts
 * at its fault's x (clamped to the window). How it fails: nothing throws; with many faults in a
 * few pixels most labels are hidden and the bands and their tooltips remain the record.
 */
import type * as D3 from 'd3';
import { formatTime } from './format.ts';
import { RIGHT } from './layout.ts';
import type { MarkFrame } from './frame.ts';
import { faultColor } from './palette.ts';
import type { FaultSpan } from '../model/spans.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

/** Baselines of the label rows, between the top of the page section and the time axis labels. */
const ROW_BASELINES = [10, 22];
const GAP_PX = 6;
/** Below this width a cut label would be one letter and an ellipsis: hide it instead. */
const MIN_WIDTH_PX = 24;

export interface LabelBox {
  x: number;
  width: number;
}

export interface Placement {
  row: number;
  /** The width the label may take: its own, less when cut short, 0 when hidden. */
  width: number;
}

/** Packs labels (in ascending x) into `rows` rows, none past `right`; see the module comment. Pure. */
export function packLabels(boxes: LabelBox[], rows: number, right = Infinity, gap = GAP_PX, minWidth = MIN_WIDTH_PX): Placement[] {
  const placed: Placement[] = [];
  const lastInRow: number[] = Array.from({ length: rows }, () => -1);
  const rowEnd = (r: number) => (lastInRow[r] < 0 ? -Infinity : boxes[lastInRow[r]].x + placed[lastInRow[r]].width);
  boxes.forEach((box, i) => {
    let row = lastInRow.findIndex((_, r) => rowEnd(r) + gap <= box.x);
    if (row < 0) {
      row = 0;
      for (let r = 1; r < rows; r++) if (rowEnd(r) < rowEnd(row)) row = r;
      const previous = lastInRow[row];
      const room = box.x - gap - boxes[previous].x;
      placed[previous].width = room >= minWidth ? room : 0;
    }
    placed.push({ row, width: box.width });
    lastInRow[row] = i;
  });
  placed.forEach((p, i) => {
    const room = right - boxes[i].x;
    if (p.width > room) p.width = room >= minWidth ? room : 0;
  });
  return placed;
}

/** Draws the labels of the faults in view, packed; `text` names a fault. */
export function drawFaultLabels(g: G, shown: FaultSpan[], f: MarkFrame, text: (span: FaultSpan) => string): void {
  const x = (s: FaultSpan) => Math.max(2, Math.min(f.width + 1, f.x(s.start)) + 3);
  const spans = [...shown].sort((a, b) => x(a) - x(b) || a.startRow - b.startRow);
  const full = (s: FaultSpan) => `${text(s)}${s.open ? ' (until the end)' : ''}`;
  const labels = g.selectAll<SVGTextElement, FaultSpan>('text.fault-label')
    .data(spans, (d) => `${d.id}@${d.start}`)
    .join((enter) => {
      const label = enter.append('text').attr('class', 'fault-label');
      label.append('tspan');
      label.append('title');
      return label;
    })
    .attr('x', x).attr('y', ROW_BASELINES[0]).attr('fill', (s) => faultColor(s.kind)).attr('display', null)
    .order();
  labels.select('tspan').text(full);
  labels.select('title').text((s) => `${full(s)}, from ${formatTime(s.start)}${s.open ? '' : ` to ${formatTime(s.end)}`}`);
  const nodes = labels.nodes();
  const placements = packLabels(nodes.map((node, i) => ({ x: x(spans[i]), width: node.getComputedTextLength() })), ROW_BASELINES.length, f.width + RIGHT);
  nodes.forEach((node, i) => {
    const { row, width } = placements[i];
    const label = d3.select(node).attr('y', ROW_BASELINES[row]);
    if (width === 0) label.attr('display', 'none');
    else if (width < node.getComputedTextLength()) shorten(node.firstChild as SVGTSpanElement, width);
  });
}

/** Cuts a label's text to fit `width` pixels, ending in an ellipsis. */
function shorten(tspan: SVGTSpanElement, width: number): void {
  const text = tspan.textContent ?? '';
  for (let keep = text.length - 1; keep > 0; keep--) {
    tspan.textContent = `${text.slice(0, keep).trimEnd()}…`;
    if (tspan.getComputedTextLength() <= width) return;
  }
}

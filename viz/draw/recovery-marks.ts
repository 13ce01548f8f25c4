/**
 * Draws what the checkpoint protocols did on one run's lanes: checkpoints as marks at their `saved`
 * time (area proportional to bytes, shape and colour by tier, hollow if the write failed) with a
 * tick back to where the write began; snapshot cuts and recovery lines as polylines through each
 * participant's instant; lost work and replay as shading on the operator's lane; and the arrows of
 * events a checker names (lost, duplicated) outlined in the fail colour.
 *
 * Guarantee: drawn from the run's recovery model whatever the zoom or density mode (they are few),
 * and hidden with what the filter hides: a mark on a hidden lane is not drawn, a cut joins only
 * the visible lanes, and a mark whose record the filter hides (`-kind:ckpt` hides checkpoints,
 * cuts, recovery lines and lost work; replay has no record of its own and follows its lane) is
 * not drawn either. Every mark carries `data-*` attributes naming what it shows, and `hitAt` answers what is under
 * the pointer. How it fails: marks so small they would vanish are drawn at a minimum area (and a
 * failed write's ring at a readable one), so areas are proportional to bytes only above that floor.
 */
import type * as D3 from 'd3';
import { escapeHtml, formatTime } from './format.ts';
import type { MarkFrame } from './frame.ts';
import type { RunModel } from '../model/model.ts';
import { CUT_COLOR, FAIL_COLOR, LOST_COLOR, REPLAY_COLOR, tierStyle } from './palette.ts';
import type { CheckpointMark, CutLine, LostSpan, ReplayRegion } from '../model/recovery.ts';
import type { FlaggedArrow } from '../model/verdict-arrows.ts';

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

/** The area, in px², of the run's largest checkpoint; smaller ones scale down from it. */
const LARGEST_AREA = Math.PI * 7 * 7;
const SMALLEST_AREA = 6;
/** A failed write is a ring, which must stay readable as one however small the write. */
const FAILED_AREA = Math.PI * 4 * 4;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toPrecision(3))} ${units[unit]}`;
}

/** Area (px²) of a checkpoint of `bytes`, on a scale shared by every run on the page. */
export function checkpointArea(models: RunModel[]): { area: (bytes: number) => number; largest: number } {
  const largest = Math.max(1, ...models.flatMap((m) => m.recovery.checkpoints.map((c) => c.bytes)));
  return { area: (bytes) => Math.max(SMALLEST_AREA, (LARGEST_AREA * bytes) / largest), largest };
}

/** An SVG path of the tier's shape, centred on 0,0, enclosing `area` px². */
export function tierShape(tier: string, area: number): string {
  const { shape } = tierStyle(tier);
  const f = (v: number) => Number(v.toFixed(2));
  if (shape === 'square' || shape === 'diamond') {
    const h = Math.sqrt(area) / 2;
    if (shape === 'square') return `M${f(-h)},${f(-h)}H${f(h)}V${f(h)}H${f(-h)}Z`;
    const d = h * Math.SQRT2;
    return `M0,${f(-d)}L${f(d)},0L0,${f(d)}L${f(-d)},0Z`;
  }
  if (shape === 'triangle') {
    const side = Math.sqrt((4 * area) / Math.sqrt(3));
    const height = (side * Math.sqrt(3)) / 2;
    return `M0,${f((-2 * height) / 3)}L${f(side / 2)},${f(height / 3)}L${f(-side / 2)},${f(height / 3)}Z`;
  }
  const r = Math.sqrt(area / Math.PI);
  return `M${f(-r)},0A${f(r)},${f(r)} 0 1,0 ${f(r)},0A${f(r)},${f(r)} 0 1,0 ${f(-r)},0Z`;
}

/** What the pointer can be over, in plot coordinates, with the tooltip it shows. */
export type RecoveryHit =
  | { type: 'point'; x: number; y: number; r: number; html: string }
  | { type: 'line'; points: Array<[number, number]>; html: string }
  | { type: 'box'; x0: number; x1: number; y0: number; y1: number; html: string };

const inView = (f: MarkFrame, start: number, end: number) => end >= f.t0 && start <= f.t1;
const row = (label: string, value: string) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;

function checkpointTip(c: CheckpointMark, actor: string): string {
  const status = c.failed ? 'failed' : c.flush ? 'flushed (copied to a slower tier)' : 'saved';
  return `<div class="tip-head">checkpoint ${c.id} of ${escapeHtml(actor)} · ${status}</div><table>` +
    row('tier', c.tier) + row('bytes', `${formatBytes(c.bytes)} (${c.bytes} B)`) + row('kind', c.kind || '?') +
    row('write', `${formatTime(c.start)} → ${formatTime(c.end)} (${formatTime(c.end - c.start)})`) + '</table>';
}

/** What every part of the drawing needs: where to draw, the run, the frame, and the hits so far. */
interface Drawing {
  g: G;
  model: RunModel;
  f: MarkFrame;
  ids: string[];
  hits: RecoveryHit[];
  /** Whether the actor's lane is visible. */
  shown: (actor: number) => boolean;
  /** Whether the filter admits the record at this row. */
  admitted: (row: number) => boolean;
}

/**
 * Draws the recovery marks of `model` into `g`; returns what can be hovered. `mask` is the record
 * filter's (`model/filter.ts`, null when it has no record terms).
 */
/** Above one flagged arrow per this many pixels, they are drawn as outlined bands. */
const HULL_PX = 4;

export function drawRecovery(g: G, model: RunModel, area: (bytes: number) => number, flagged: FlaggedArrow[], f: MarkFrame, mask: Uint8Array | null): RecoveryHit[] {
  const d: Drawing = {
    g, model, f, ids: model.data.header.actors.map((a) => a.id), hits: [],
    shown: (actor) => !Number.isNaN(f.laneY[actor]),
    admitted: (row) => mask === null || mask[row] === 1,
  };
  drawRegions(d);
  drawFlagged(d, flagged);
  drawCheckpoints(d, area);
  drawCuts(d);
  return d.hits;
}

/** Lost work and replay: a light shade over the lane and a solid edge along its bottom. */
function drawRegions({ g, model, f, ids, hits, shown, admitted }: Drawing): void {
  const h = f.laneHeight / 2;
  const x = (t: number) => Math.max(-2, Math.min(f.width + 2, f.x(t)));
  const regions = [
    ...model.recovery.lost.filter((s) => shown(s.actor) && admitted(s.row) && inView(f, s.from, s.to)).map((s) => ({ cls: 'lost-region', color: LOST_COLOR, span: s as LostSpan | ReplayRegion })),
    ...model.recovery.replays.filter((s) => shown(s.actor) && inView(f, s.from, s.to)).map((s) => ({ cls: 'replay-region', color: REPLAY_COLOR, span: s as LostSpan | ReplayRegion })),
  ];
  g.selectAll('g.region').data(regions).join((enter) => {
    const r = enter.append('g');
    r.append('rect').attr('class', 'shade');
    r.append('rect').attr('class', 'edge');
    return r;
  }).attr('class', (d) => `region ${d.cls}`)
    .attr('data-actor', (d) => ids[d.span.actor]).attr('data-from', (d) => d.span.from).attr('data-to', (d) => d.span.to)
    .call((r) => {
      const x0 = (d: (typeof regions)[number]) => x(d.span.from);
      const w = (d: (typeof regions)[number]) => Math.max(3, x(d.span.to) - x(d.span.from));
      r.select('rect.shade').attr('x', x0).attr('width', w).attr('y', (d) => f.laneY[d.span.actor] - h + 1).attr('height', f.laneHeight - 2)
        .attr('fill', (d) => d.color).attr('fill-opacity', 0.3);
      r.select('rect.edge').attr('x', x0).attr('width', w).attr('y', (d) => f.laneY[d.span.actor] + h - 4).attr('height', 3).attr('fill', (d) => d.color);
    });
  for (const { cls, span } of regions) {
    const y = f.laneY[span.actor];
    const html = cls === 'lost-region'
      ? `<div class="tip-head">work lost by ${escapeHtml(ids[span.actor])}</div><div>${escapeHtml(formatTime(span.from))} – ${escapeHtml(formatTime(span.to))} (${escapeHtml(formatTime(span.to - span.from))}): ` +
        `${(span as LostSpan).toStart ? 'it restarted from its initial state' : `it restored checkpoint ${(span as LostSpan).checkpoint}, taken at the start of this span`}</div>`
      : `<div class="tip-head">replay at ${escapeHtml(ids[span.actor])}</div><div>${escapeHtml(formatTime(span.from))} – ${escapeHtml(formatTime(span.to))}: ` +
        `${(span as ReplayRegion).events} events processed a second time before it caught up</div>`;
    hits.push({ type: 'box', x0: x(span.from), x1: x(span.to), y0: y - h, y1: y + h, html });
  }
}

/**
 * The arrows a verdict names, under a translucent stroke in the fail colour, as wide as their
 * spacing allows (so that zoomed out they stay separate strokes, not a block); when there are more
 * than one per `HULL_PX` pixels, each (sender, receiver) pair's arrows become one outlined band from
 * their sends to their answers (its count in `data-count`).
 */
function drawFlagged({ g, model, f, shown, admitted }: Drawing, flagged: FlaggedArrow[]): void {
  const { t, a } = model.data;
  const arrows = flagged.filter((arrow) => shown(a[arrow.send]) && shown(a[arrow.answer]) && admitted(arrow.send) && admitted(arrow.answer) && inView(f, t[arrow.send], t[arrow.answer]));
  const hull = arrows.length > f.width / HULL_PX;
  const lines = hull ? [] : arrows;
  let spread = 0;
  for (const arrow of lines) spread = Math.max(spread, f.x(t[arrow.send]) - f.x(t[lines[0].send]));
  const width = lines.length <= 1 ? 6 : Math.max(1.5, Math.min(6, spread / lines.length));
  g.selectAll('line.flagged-arrow').data(lines).join('line').attr('class', 'flagged-arrow')
    .attr('data-row', (d) => d.send)
    .attr('x1', (d) => f.x(t[d.send])).attr('y1', (d) => f.laneY[a[d.send]])
    .attr('x2', (d) => f.x(t[d.answer])).attr('y2', (d) => f.laneY[a[d.answer]])
    .attr('stroke', FAIL_COLOR).attr('stroke-width', width).attr('stroke-opacity', 0.45).attr('stroke-linecap', 'round');
  const bands = new Map<string, { from: number; to: number; s0: number; s1: number; r0: number; r1: number; count: number }>();
  if (hull) {
    for (const arrow of arrows) {
      const key = `${a[arrow.send]}>${a[arrow.answer]}`;
      const b = bands.get(key) ?? { from: a[arrow.send], to: a[arrow.answer], s0: Infinity, s1: -Infinity, r0: Infinity, r1: -Infinity, count: 0 };
      b.s0 = Math.min(b.s0, t[arrow.send]);
      b.s1 = Math.max(b.s1, t[arrow.send]);
      b.r0 = Math.min(b.r0, t[arrow.answer]);
      b.r1 = Math.max(b.r1, t[arrow.answer]);
      b.count++;
      bands.set(key, b);
    }
  }
  g.selectAll('path.flagged-band').data([...bands.values()]).join('path').attr('class', 'flagged-band')
    .attr('data-count', (d) => d.count)
    .attr('d', (d) => `M${f.x(d.s0)},${f.laneY[d.from]}H${Math.max(f.x(d.s1), f.x(d.s0) + 2)}L${Math.max(f.x(d.r1), f.x(d.r0) + 2)},${f.laneY[d.to]}H${f.x(d.r0)}Z`)
    .attr('fill', FAIL_COLOR).attr('fill-opacity', 0.12).attr('stroke', FAIL_COLOR).attr('stroke-width', 1.5).attr('stroke-dasharray', '4 2');
}

/** Each checkpoint: its tier's shape at the saved time, and a tick back to where the write began. */
function drawCheckpoints({ g, model, f, ids, hits, shown, admitted }: Drawing, area: (bytes: number) => number): void {
  const marks = model.recovery.checkpoints.filter((c) => shown(c.actor) && admitted(c.row) && inView(f, c.start, c.end));
  g.selectAll('g.checkpoint').data(marks, (d) => `${(d as CheckpointMark).row}`).join((enter) => {
    const m = enter.append('g');
    m.append('line');
    m.append('path');
    return m;
  }).attr('class', (d) => `checkpoint${d.failed ? ' failed' : ''}`)
    .attr('data-actor', (d) => ids[d.actor]).attr('data-id', (d) => d.id).attr('data-tier', (d) => d.tier)
    .attr('data-bytes', (d) => d.bytes).attr('data-t', (d) => d.end)
    .attr('transform', (d) => `translate(${f.x(d.end)},${f.laneY[d.actor]})`)
    .call((m) => {
      m.select('line').attr('x1', (d) => f.x(d.start) - f.x(d.end)).attr('x2', 0).attr('y1', 0).attr('y2', 0)
        .attr('stroke', (d) => tierStyle(d.tier).color).attr('stroke-width', 2);
      m.select('path').attr('d', (d) => tierShape(d.tier, d.failed ? Math.max(FAILED_AREA, area(d.bytes)) : area(d.bytes)))
        .attr('fill', (d) => (d.failed ? '#ffffff' : tierStyle(d.tier).color)).attr('fill-opacity', (d) => (d.failed ? 1 : 0.85))
        .attr('stroke', (d) => (d.failed ? tierStyle(d.tier).color : '#1f2328')).attr('stroke-width', (d) => (d.failed ? 2 : 0.75))
        .attr('stroke-dasharray', (d) => (d.flush ? '2 1.5' : null));
    });
  for (const c of marks) hits.push({ type: 'point', x: f.x(c.end), y: f.laneY[c.actor], r: Math.max(5, Math.sqrt(area(c.bytes) / Math.PI) + 2), html: checkpointTip(c, ids[c.actor]) });
}

/** Snapshot cuts (solid) and recovery lines (dashed, fail colour) across the lanes. */
function drawCuts({ g, model, f, ids, hits, admitted }: Drawing): void {
  const lines = model.recovery.cuts.filter((cut) => admitted(cut.row)).map((cut) => ({ cut, points: cutPoints(cut, f) })).filter((l) => l.points.length > 0);
  g.selectAll('path.snapshot-cut').data(lines).join('path')
    .attr('class', (d) => `snapshot-cut ${d.cut.kind === 'cut' ? 'consistent-cut' : 'recovery-line'}`)
    .attr('data-label', (d) => d.cut.label)
    .attr('data-actors', (d) => d.cut.points.map((p) => ids[p.actor]).join(','))
    .attr('d', (d) => d3.line()(d.points))
    .attr('fill', 'none').attr('stroke', (d) => (d.cut.kind === 'cut' ? CUT_COLOR : FAIL_COLOR))
    .attr('stroke-width', 2).attr('stroke-opacity', 0.85).attr('stroke-dasharray', (d) => (d.cut.kind === 'cut' ? null : '6 3'));
  for (const l of lines) {
    const when = l.cut.points.map((p) => `${ids[p.actor]} at ${formatTime(p.t)}`).join(', ');
    hits.push({ type: 'line', points: l.points, html: `<div class="tip-head">${escapeHtml(l.cut.label)}</div><div>through ${escapeHtml(when)}</div>` });
  }
}

/** The polyline of a cut: down each participant's lane at its instant, top lane first. */
function cutPoints(cut: CutLine, f: MarkFrame): Array<[number, number]> {
  const h = f.laneHeight / 2;
  return cut.points
    .filter((p) => !Number.isNaN(f.laneY[p.actor]))
    .sort((p, q) => f.laneY[p.actor] - f.laneY[q.actor] || p.t - q.t)
    .flatMap((p) => [[f.x(p.t), f.laneY[p.actor] - h + 2], [f.x(p.t), f.laneY[p.actor] + h - 2]] as Array<[number, number]>);
}

const POINTER_PX = 4;

/**
 * The tooltip of what is under the pointer: a checkpoint mark, then a line, then (only with
 * `regions`, when no record is nearer) a shaded span — shading must not hide the records inside it.
 */
export function recoveryHitAt(hits: RecoveryHit[], mx: number, my: number, regions: boolean): string | null {
  for (const hit of hits) if (hit.type === 'point' && (hit.x - mx) ** 2 + (hit.y - my) ** 2 <= hit.r ** 2) return hit.html;
  for (const hit of hits) {
    if (hit.type !== 'line') continue;
    for (let i = 1; i < hit.points.length; i++) if (nearSegment(mx, my, hit.points[i - 1], hit.points[i])) return hit.html;
  }
  if (!regions) return null;
  for (const hit of hits) if (hit.type === 'box' && mx >= hit.x0 && mx <= hit.x1 && my >= hit.y0 && my <= hit.y1) return hit.html;
  return null;
}

function nearSegment(px: number, py: number, [x1, y1]: [number, number], [x2, y2]: [number, number]): boolean {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = dx * dx + dy * dy;
  const u = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len));
  return Math.hypot(px - (x1 + u * dx), py - (y1 + u * dy)) <= POINTER_PX;
}

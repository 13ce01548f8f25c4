/**
 * One run's time-space diagram: lane labels grouped by site and node, the time axis, fault bands,
 * down periods, the canvas of records (detail or density), crash/restart marks, and the overlays
 * for the selection's causal cut and the playhead.
 *
 * Layers, back to front: an SVG (lane backgrounds, labels, bands), a canvas (records), an SVG
 * (axis, marks, overlays) whose transparent rectangle over the plot receives zoom and pointer
 * events. Guarantee: `render` is a pure function of the model, layout and the inputs it is given.
 */
import type * as D3 from 'd3';
import type { Cone } from '../model/causal.ts';
import { countDrawn, type Frame, type Hits, type MarkFrame } from './frame.ts';
import { densityScene } from './density.ts';
import { detailScene } from './detail.ts';
import { escapeHtml, timeTicks } from './format.ts';
import { GROUP_ROW, GUTTER, RIGHT, TOP, type Layout } from './layout.ts';
import { drawDowns, drawFaultBands, drawLifeMarks } from './marks.ts';
import type { RunModel } from '../model/model.ts';
import { drawOffscreen, offscreenItems } from './offscreen.ts';
import { drawArrowLabels } from './arrow-labels.ts';
import { paintCanvas, sceneToSvg, type Scene } from './painter.ts';

/** Above this many records in the window, the diagram switches to density. */
export const DETAIL_LIMIT = 10_000;
const TALL_PX = 480;
const BOTTOM_AXIS = 28;

export interface RenderInput {
  t0: number;
  t1: number;
  mask: Uint8Array | null;
  cone: Cone | null;
  colorOf: Map<string, string>;
  playhead: number | null;
  showIdle: boolean;
}

export interface RenderResult {
  mode: 'detail' | 'density';
  /** Records the filter admits in the window (counted up to DETAIL_LIMIT + 1 in density mode). */
  drawn: number;
  /** Idle messages folded into grey lines (detail mode; see model/chatter.ts). */
  folded: number;
}

type Svg = D3.Selection<SVGSVGElement, unknown, null, undefined>;
type G = D3.Selection<SVGGElement, unknown, null, undefined>;

export class Chart {
  readonly root: HTMLElement;
  readonly zoomTarget: SVGRectElement;
  layout!: Layout;
  width = 0;
  hits: Hits | null = null;
  frame: Frame | null = null;
  private scene: Scene | null = null;
  private readonly box: HTMLDivElement;
  private readonly back: Svg;
  private readonly front: Svg;
  private readonly canvas: HTMLCanvasElement;
  private readonly layers: Record<'bg' | 'gutter' | 'bands' | 'downs' | 'faultLabels' | 'axis' | 'axisBottom' | 'marks' | 'labels' | 'overlay', G>;
  /** Above the zoom target, so that its markers take clicks (`offscreen.ts`). */
  private readonly offscreen: G;
  /** Called with a time when an off-screen marker is clicked; the page pans there. */
  onJump: (t: number) => void = () => {};

  constructor(parent: HTMLElement, readonly model: RunModel, readonly index: number) {
    this.root = document.createElement('section');
    this.root.className = 'run';
    this.root.dataset.run = String(index);
    this.root.innerHTML = `<h2 class="run-title"><span class="run-name">Run ${escapeHtml(model.name)}</span> ${escapeHtml(model.label)}</h2>`;
    this.box = this.root.appendChild(document.createElement('div'));
    this.box.className = 'chart';
    parent.appendChild(this.root);
    this.back = d3.select(this.box).append('svg').attr('class', 'back');
    this.canvas = this.box.appendChild(document.createElement('canvas'));
    this.canvas.className = 'plot';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `Time-space diagram of run ${model.name}: ${model.data.length} records on ${model.lanes.length} lanes; hover for details`);
    this.front = d3.select(this.box).append('svg').attr('class', 'front');
    this.front.append('defs').append('clipPath').attr('id', `clip-${index}`).append('rect');
    const plot = (svg: Svg, cls: string, clip: boolean) => {
      const g = svg.append('g').attr('class', cls).attr('transform', `translate(${GUTTER},${TOP})`);
      if (clip) g.attr('clip-path', `url(#clip-${index})`);
      return g;
    };
    this.layers = {
      bg: plot(this.back, 'lane-bg', false),
      bands: plot(this.back, 'bands', false),
      downs: plot(this.back, 'downs', false),
      gutter: this.back.append('g').attr('class', 'gutter').attr('transform', `translate(0,${TOP})`),
      faultLabels: this.front.append('g').attr('class', 'fault-labels').attr('transform', `translate(${GUTTER},0)`),
      axis: this.front.append('g').attr('class', 'axis axis-top').attr('transform', `translate(${GUTTER},${TOP - 4})`),
      axisBottom: this.front.append('g').attr('class', 'axis axis-bottom'),
      marks: plot(this.front, 'marks', true),
      labels: plot(this.front, 'arrow-labels', true),
      overlay: plot(this.front, 'overlay', true),
    };
    // Inside a group at the plot's origin, so pointer and zoom coordinates are plot coordinates.
    this.zoomTarget = plot(this.front, 'zoom-layer', false).append('rect').attr('class', 'zoom-target').node()!;
    this.offscreen = plot(this.front, 'offscreen-markers', false);
  }

  get plotWidth(): number {
    return Math.max(100, this.width - GUTTER - RIGHT);
  }

  /** Applies a new layout (after a filter change) and width (after a resize). */
  relayout(layout: Layout, width: number): void {
    this.layout = layout;
    this.width = width;
    const height = this.height;
    this.layers.axisBottom.attr('transform', `translate(${GUTTER},${TOP + layout.height + 2})`);
    const pw = this.plotWidth;
    this.box.style.height = `${height}px`;
    this.back.attr('width', width).attr('height', height);
    this.front.attr('width', width).attr('height', height);
    this.front.select(`#clip-${this.index} rect`).attr('x', -1).attr('y', -TOP).attr('width', pw + 2).attr('height', layout.height + TOP);
    d3.select(this.zoomTarget).attr('width', pw).attr('height', layout.height);
    const ratio = window.devicePixelRatio || 1;
    this.canvas.style.left = `${GUTTER}px`;
    this.canvas.style.top = `${TOP}px`;
    this.canvas.style.width = `${pw}px`;
    this.canvas.style.height = `${layout.height}px`;
    this.canvas.width = Math.round(pw * ratio);
    this.canvas.height = Math.round(layout.height * ratio);
    this.drawLanes();
  }

  render(input: RenderInput): RenderResult {
    const { model, layout } = this;
    const pw = this.plotWidth;
    const scale = d3.scaleLinear().domain([input.t0, input.t1]).range([0, pw]);
    const x = (t: number) => scale(t);
    const frame: Frame = {
      model, t0: input.t0, t1: input.t1, x, width: pw, laneY: layout.laneY, laneHeight: layout.laneHeight,
      mask: input.mask, cone: input.cone, colorOf: input.colorOf, showIdle: input.showIdle,
    };
    const drawn = countDrawn(frame, DETAIL_LIMIT);
    const mode = drawn > DETAIL_LIMIT ? 'density' : 'detail';
    const { scene, hits, folded } = mode === 'density' ? { ...densityScene(frame), folded: 0 } : detailScene(frame);
    const ctx = this.canvas.getContext('2d')!;
    const ratio = this.canvas.width / pw;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, pw, layout.height);
    paintCanvas(ctx, scene);
    const marks: MarkFrame = { x, t0: input.t0, t1: input.t1, width: pw, laneY: layout.laneY, laneHeight: layout.laneHeight, top: 0, bottom: layout.height };
    drawFaultBands(this.layers.bands, model.faults, marks, this.layers.faultLabels);
    drawDowns(this.layers.downs, model.downs, marks);
    drawLifeMarks(this.layers.marks, model.downs, model.data.header.actors.map((a) => a.id), marks);
    for (const d of model.downs) {
      for (const row of [d.crashRow, d.restartRow]) {
        if (row >= 0 && model.data.t[row] >= input.t0 && model.data.t[row] <= input.t1) hits.points.push(x(model.data.t[row]), layout.laneY[d.actor], row);
      }
    }
    this.drawAxis(scale);
    drawArrowLabels(this.layers.labels, hits, model, mode === 'detail');
    this.drawOverlay(frame, input);
    drawOffscreen(this.offscreen, offscreenItems(model, input.cone, marks), marks, (t) => this.onJump(t));
    this.frame = frame;
    this.scene = scene;
    this.hits = hits;
    return { mode, drawn, folded };
  }

  /** The x (in page pixels, relative to the chart's left edge) of a simulated time. */
  xOf(t: number): number {
    return this.frame === null ? NaN : GUTTER + this.frame.x(t);
  }

  /** The chart as a standalone SVG fragment, as drawn now, shifted down by `dy`; without the interactive layers. */
  toSvg(dy: number): string {
    const serializer = new XMLSerializer();
    const children = (svg: Svg) => Array.from(svg.node()!.children).filter((c) => !c.classList.contains('zoom-layer') && !c.classList.contains('offscreen-markers')).map((c) => serializer.serializeToString(c)).join('\n');
    const records = this.scene === null ? '' : sceneToSvg(this.scene);
    const title = `<text x="4" y="-8" font-weight="bold" font-size="13">Run ${escapeHtml(this.model.name)}: ${escapeHtml(this.model.label)}</text>`;
    return `<g transform="translate(0,${dy + 20})">${title}
${children(this.back)}
<g transform="translate(${GUTTER},${TOP})" clip-path="url(#clip-${this.index})">${records}</g>
${children(this.front)}</g>`;
  }

  get height(): number {
    return TOP + this.layout.height + (this.tall ? BOTTOM_AXIS : 8);
  }

  /** Tall diagrams repeat the axis below the lanes, so it is in sight wherever one scrolls. */
  private get tall(): boolean {
    return this.layout.height > TALL_PX;
  }

  private drawAxis(scale: D3.ScaleLinear<number, number>): void {
    const [t0, t1] = scale.domain();
    const { values: ticks, format } = timeTicks(t0, t1, Math.max(2, Math.floor(this.plotWidth / 110)));
    this.layers.axis.call(d3.axisTop(scale).tickValues(ticks).tickFormat((d) => format(Number(d))).tickSizeOuter(0));
    if (this.tall) this.layers.axisBottom.call(d3.axisBottom(scale).tickValues(ticks).tickFormat((d) => format(Number(d))).tickSizeOuter(0));
    else this.layers.axisBottom.selectAll('*').remove();
    this.layers.bg.selectAll('line.grid').data(ticks).join('line').attr('class', 'grid')
      .attr('x1', (d) => scale(d)).attr('x2', (d) => scale(d)).attr('y1', 0).attr('y2', this.layout.height);
  }

  private drawLanes(): void {
    const { rows, laneHeight, height } = this.layout;
    const pw = this.plotWidth;
    const lanes = rows.filter((r) => r.kind === 'lane');
    const groups = rows.filter((r) => r.kind === 'group');
    this.layers.bg.selectAll('rect.lane').data(lanes).join('rect').attr('class', (r) => `lane ${r.kind === 'lane' && r.index % 2 ? 'odd' : 'even'}`)
      .attr('x', 0).attr('width', pw).attr('y', (r) => r.y).attr('height', laneHeight);
    this.layers.bg.selectAll('rect.group').data(groups).join('rect').attr('class', 'group')
      .attr('x', 0).attr('width', pw).attr('y', (r) => r.y).attr('height', GROUP_ROW);
    this.layers.bg.selectAll('line.frame').data([0]).join('line').attr('class', 'frame').attr('x1', 0).attr('x2', 0).attr('y1', 0).attr('y2', height);
    const gutter = this.layers.gutter;
    gutter.selectAll('g.group-label').data(groups).join((enter) => {
      const g = enter.append('g').attr('class', 'group-label');
      g.append('rect');
      g.append('text');
      return g;
    }).call((g) => {
      g.attr('transform', (r) => `translate(0,${r.y})`).attr('data-site', (r) => (r.kind === 'group' ? r.site : ''));
      g.select('rect').attr('width', GUTTER).attr('height', GROUP_ROW);
      g.select('text').attr('x', 6).attr('y', 13).text((r) => (r.kind === 'group' ? `site ${r.site}${r.role && r.role !== r.site ? ` (${r.role})` : ''} · ${r.lanes} actor${r.lanes === 1 ? '' : 's'}` : ''));
    });
    gutter.selectAll('g.lane-label').data(lanes, (r) => ((r as Row).kind === 'lane' ? (r as LaneRow).lane.id : '')).join((enter) => {
      const g = enter.append('g').attr('class', 'lane-label');
      g.append('text').attr('class', 'actor');
      g.append('text').attr('class', 'node');
      g.append('title');
      return g;
    }).call((g) => {
      const y = laneHeight / 2 + 4;
      g.attr('transform', (r) => `translate(0,${r.y})`).attr('data-actor', (r) => (r as LaneRow).lane.id);
      // Names in full: the node moves into the tooltip when both do not fit on one line, and a
      // name longer than the whole gutter wraps onto a second line in a tall enough lane.
      const fits = (r: Row) => labelFits((r as LaneRow).lane.id, (r as LaneRow).lane.node);
      g.select('text.actor').attr('x', 14).attr('y', y).each(function (r) {
        const id = (r as LaneRow).lane.id;
        const lines = wrapLabel(id, laneHeight >= 26 ? 2 : 1);
        const text = d3.select(this).text(lines.length === 1 ? lines[0] : null);
        if (lines.length > 1) lines.forEach((part, i) => text.append('tspan').attr('x', 14).attr('dy', i === 0 ? (lines.length - 1) * -6 : 12).text(part));
      });
      g.select('text.node').attr('x', GUTTER - 8).attr('y', y).text((r) => (fits(r) ? (r as LaneRow).lane.node : ''));
      g.select('title').text((r) => `actor ${(r as LaneRow).lane.id} on node ${(r as LaneRow).lane.node || '?'} at site ${(r as LaneRow).lane.site}`);
    });
  }

  /** The selection's causal cut, the selected record, and the playhead with the unplayed future veiled. */
  private drawOverlay(frame: Frame, input: RenderInput): void {
    const o = this.layers.overlay;
    const { t } = this.model.data;
    const cone = input.cone;
    const lanes = this.layout.visible;
    const half = this.layout.laneHeight / 2;
    const cut = (pick: (actor: number) => number | null) =>
      lanes.flatMap((lane) => {
        const at = pick(lane.actor);
        const y = frame.laneY[lane.actor];
        return at === null ? [] : [[frame.x(at), y - half], [frame.x(at), y + half]] as Array<[number, number]>;
      });
    const lines = cone === null ? [] : [
      { cls: 'cut past', points: cut((a) => (cone.past[a] >= 0 ? t[cone.past[a]] : null)) },
      { cls: 'cut future', points: cut((a) => (Number.isFinite(cone.future[a]) ? t[cone.future[a]] : null)) },
    ];
    o.selectAll('path.cut').data(lines).join('path').attr('class', (d) => d.cls).attr('d', (d) => (d.points.length ? d3.line()(d.points) : ''));
    const selected = cone === null ? [] : [cone.row];
    o.selectAll('circle.selected').data(selected).join('circle').attr('class', 'selected')
      .attr('cx', (row) => frame.x(t[row])).attr('cy', (row) => frame.laneY[this.model.data.a[row]]).attr('r', 7);
    const p = input.playhead;
    const inView = p !== null && p <= input.t1;
    const px = inView ? Math.max(0, frame.x(p)) : 0;
    o.selectAll('rect.unplayed').data(inView ? [px] : []).join('rect').attr('class', 'unplayed')
      .attr('x', (d) => d).attr('width', (d) => Math.max(0, frame.width - d)).attr('y', 0).attr('height', this.layout.height);
    o.selectAll('line.playhead').data(inView && p >= input.t0 ? [px] : []).join('line').attr('class', 'playhead')
      .attr('x1', (d) => d).attr('x2', (d) => d).attr('y1', 0).attr('y2', this.layout.height);
  }
}

type Row = Layout['rows'][number];
type LaneRow = Extract<Row, { kind: 'lane' }>;

/** Characters of a lane label that fit in the gutter (12 px system font, about 6.6 px each). */
const LABEL_CHARS = Math.floor((GUTTER - 22) / 6.6);

function labelFits(id: string, node: string): boolean {
  return id.length + (node.length > 0 ? node.length + 3 : 0) <= LABEL_CHARS;
}

/** A lane name in at most `lines` lines, broken after `@`, `-`, `/` or `.` where possible. */
export function wrapLabel(id: string, lines: number): string[] {
  if (id.length <= LABEL_CHARS || lines < 2) return [id.length <= LABEL_CHARS * lines ? id : `${id.slice(0, LABEL_CHARS - 1)}…`];
  let cut = -1;
  for (let i = Math.min(id.length - 1, LABEL_CHARS); i > LABEL_CHARS / 3; i--) {
    if ('@-/.:'.includes(id[i - 1])) {
      cut = i;
      break;
    }
  }
  if (cut < 0) cut = LABEL_CHARS;
  const rest = id.slice(cut);
  return [id.slice(0, cut), rest.length <= LABEL_CHARS ? rest : `${rest.slice(0, LABEL_CHARS - 1)}…`];
}

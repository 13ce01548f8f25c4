/**
 * Panels under a run's diagram, on the same time axis: client throughput (events acknowledged and
 * failed per second) and produce→ack latency (p50, p99 and max per time bucket) — or, for a
 * pipeline whose clients acknowledge nothing, outputs per second and birth→output latency — then,
 * only when the run has them, the gauges: consumer and forwarder lag, in-sync replicas and edge
 * buffer fill (`gauge-panel.ts`). The run's fault bands and the playhead are repeated on each.
 *
 * Guarantee: bucket values are exact (prefix sums for counts, a sort per bucket for percentiles);
 * a client panel with no data in the window says so instead of drawing an empty frame, and a run
 * with neither client acks nor outputs (a drill of bare actors) gets no client panels, as a run
 * without gauges gets no gauge panel.
 */
import type * as D3 from 'd3';
import { lowerBound, type MarkFrame } from '../draw/frame.ts';
import { formatCount, formatTime } from '../draw/format.ts';
import { decodeGauge, type Gauge, type GaugePanel } from '../wire/gauges.ts';
import { GAUGE_TITLES, drawGauges, gaugeLegend, gaugeReadout } from './gauge-panel.ts';
import { GUTTER, RIGHT } from '../draw/layout.ts';
import { drawFaultBands } from '../draw/marks.ts';
import type { RunModel } from '../model/model.ts';

const BUCKET_PX = 4;
const PLOT_H = 60;
const TITLE_H = 18;
const PANEL_H = PLOT_H + TITLE_H + 10;
const FOLDED_H = TITLE_H + 4;
const SERIES_COLORS = { ack: '#009E73', error: '#D55E00', p50: '#0072B2', p99: '#E69F00', max: '#777777' };

/**
 * The client panels' titles per series source: a pipeline's clients acknowledge nothing, so its
 * panels count what it output and how long after birth (`src/report/timeline/client-series.ts`).
 */
const TITLES = {
  clients: {
    throughput: 'Client events per second — acknowledged (green) and failed (vermillion)',
    latency: 'Produce → ack latency per event — p50 (blue), p99 (orange), max (grey)',
  },
  outputs: {
    throughput: 'Pipeline outputs per second — first outputs (green) and duplicates (vermillion)',
    latency: 'End-to-end latency, event birth → first output — p50 (blue), p99 (orange), max (grey)',
  },
};

type G = D3.Selection<SVGGElement, unknown, null, undefined>;

interface Panel {
  name: 'throughput' | 'latency' | GaugePanel;
  title: string;
  g: G;
  height: number;
  /** A constant gauge panel, shown as its title line only. */
  folded: boolean;
  bands: G;
  plot: G;
  yAxis: G;
  overlay: G;
  /** The panel's gauges, for a gauge panel. */
  gauges: Gauge[];
}

export class Panels {
  readonly svg: D3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly panels: Panel[];
  private width = 0;
  /** The window and width the series were last drawn for. */
  private drawn = '';
  /** The time scale last drawn, for the gauge readout under the pointer. */
  private x: D3.ScaleLinear<number, number> | null = null;
  /** Cumulative acknowledged (and failed) events, for O(log n) bucket sums. */
  private readonly ackSum: Float64Array;
  private readonly errSum: Float64Array;

  constructor(parent: HTMLElement, readonly model: RunModel) {
    this.svg = d3.select(parent).append('svg').attr('class', 'panels');
    const source = model.data.header.seriesSource ?? 'clients';
    const titles = TITLES[source === 'outputs' ? 'outputs' : 'clients'];
    const gauges = (model.data.header.gauges ?? []).map(decodeGauge);
    const present = (['lag', 'isr', 'buffer'] as const).filter((panel) => gauges.some((g) => g.panel === panel));
    const series = source === 'none' ? [] : (['throughput', 'latency'] as const);
    let top = 0;
    this.panels = ([...series, ...present] as const).map((name) => {
      const g = this.svg.append('g').attr('class', `panel ${name}`).attr('transform', `translate(0,${top})`);
      const gauge = name === 'throughput' || name === 'latency' ? null : GAUGE_TITLES[name];
      const own = gauges.filter((s) => s.panel === name);
      // A gauge that never moves says all it has in one line: the panel folds to its title.
      const level = gauge === null ? null : constantLevel(own);
      const text = (gauge?.title ?? titles[name as keyof typeof titles]) + (level === null ? '' : ` — ${formatCount(level)} throughout the run (constant; panel folded)`);
      const title = g.append('text').attr('class', 'panel-title').attr('x', GUTTER).attr('y', 13).text(text);
      if (level !== null) g.classed('folded', true);
      const height = level === null ? PANEL_H : FOLDED_H;
      top += height;
      const inner = g.append('g').attr('transform', `translate(${GUTTER},${TITLE_H})`);
      if (gauge !== null) {
        title.append('title').text(gauge.tooltip);
        gaugeLegend(title, own);
        this.hover(inner, own);
      }
      return {
        name, title: text, g, height, folded: level !== null,
        bands: inner.append('g').attr('class', 'bands'),
        plot: inner.append('g').attr('class', 'series'),
        yAxis: inner.append('g').attr('class', 'y-axis'),
        overlay: inner.append('g').attr('class', 'overlay'),
        gauges: own,
      };
    });
    this.ackSum = prefix(model.data.acks.v);
    this.errSum = prefix(model.data.errors.v);
  }

  get height(): number {
    return this.panels.reduce((h, p) => h + p.height, 0);
  }

  relayout(width: number): void {
    this.width = width;
    this.drawn = '';
    this.svg.attr('width', width).attr('height', this.height);
  }

  render(t0: number, t1: number, playhead: number | null): void {
    const pw = Math.max(100, this.width - GUTTER - RIGHT);
    const x = d3.scaleLinear().domain([t0, t1]).range([0, pw]);
    this.x = x;
    // The series only depend on the window; playback redraws just the playhead.
    const key = `${t0}|${t1}|${pw}`;
    if (key !== this.drawn) {
      this.drawn = key;
      const buckets = Math.max(1, Math.floor(pw / BUCKET_PX));
      const edges = d3.range(buckets + 1).map((b) => t0 + ((t1 - t0) * b) / buckets);
      const marks: MarkFrame = { x, t0, t1, width: pw, laneY: new Float64Array(0), laneHeight: 0, top: 0, bottom: PLOT_H };
      for (const panel of this.panels) {
        if (panel.folded) continue;
        // The frame goes under the fault bands, or its fill would hide them.
        panel.bands.selectAll('rect.panel-frame').data([0]).join((enter) => enter.insert('rect', ':first-child').attr('class', 'panel-frame'))
          .attr('width', pw).attr('height', PLOT_H);
        drawFaultBands(panel.bands, this.model.faults, marks, null);
        panel.plot.selectAll('*').remove();
        if (panel.name === 'throughput') this.throughput(panel, edges, pw);
        else if (panel.name === 'latency') this.latency(panel, edges, pw);
        else drawGauges(panel.plot, panel.yAxis, panel.gauges, x, PLOT_H);
      }
    }
    const p = playhead !== null && playhead <= t1 ? Math.max(0, x(playhead)) : null;
    for (const panel of this.panels) {
      if (panel.folded) continue;
      panel.overlay.selectAll('rect.unplayed').data(p === null ? [] : [p]).join('rect').attr('class', 'unplayed')
        .attr('x', (d) => d).attr('width', (d) => pw - d).attr('height', PLOT_H);
      panel.overlay.selectAll('line.playhead').data(p === null || playhead! < t0 ? [] : [p]).join('line').attr('class', 'playhead')
        .attr('x1', (d) => d).attr('x2', (d) => d).attr('y1', 0).attr('y2', PLOT_H);
    }
  }

  /** Shows each gauge's level under the pointer in the page's tooltip. */
  private hover(inner: G, gauges: Gauge[]): void {
    const tooltip = document.getElementById('tooltip')!;
    inner.on('mousemove', (event: MouseEvent) => {
      const [mx, my] = d3.pointer(event, inner.node());
      if (this.x === null || my < 0 || my > PLOT_H) return;
      tooltip.innerHTML = gaugeReadout(gauges, this.x.invert(mx));
      tooltip.hidden = false;
      tooltip.style.left = `${Math.min(event.clientX + 14, window.innerWidth - tooltip.getBoundingClientRect().width - 8)}px`;
      tooltip.style.top = `${event.clientY + 14}px`;
    });
    inner.on('mouseleave', () => (tooltip.hidden = true));
  }

  private throughput(panel: Panel, edges: number[], pw: number): void {
    const { acks, errors } = this.model.data;
    if (acks.t.length === 0 && errors.t.length === 0) return this.empty(panel, pw, 'no client ack or error records in this run');
    const perSecond = (edges[1] - edges[0]) / 1e6;
    const sum = (series: typeof acks, cumulative: Float64Array, from: number, to: number) =>
      cumulative[lowerBound(series.t, series.t.length, to)] - cumulative[lowerBound(series.t, series.t.length, from)];
    const ack: number[] = [];
    const err: number[] = [];
    for (let b = 0; b + 1 < edges.length; b++) {
      ack.push(sum(acks, this.ackSum, edges[b], edges[b + 1]) / perSecond);
      err.push(sum(errors, this.errSum, edges[b], edges[b + 1]) / perSecond);
    }
    const y = d3.scaleLinear().domain([0, d3.max(ack.map((a, i) => a + err[i])) || 1]).nice(3).range([PLOT_H, 0]);
    const bars = (values: number[], base: number[] | null) =>
      values.map((v, b) => (v === 0 ? '' : `M${b * BUCKET_PX},${y((base?.[b] ?? 0) + v)}h${BUCKET_PX - 0.5}V${y(base?.[b] ?? 0)}h${-(BUCKET_PX - 0.5)}Z`)).join('');
    panel.plot.append('path').attr('d', bars(ack, null)).attr('fill', SERIES_COLORS.ack);
    panel.plot.append('path').attr('d', bars(err, ack)).attr('fill', SERIES_COLORS.error);
    panel.yAxis.call(d3.axisLeft(y).ticks(3).tickFormat((d) => `${formatCount(Number(d))}/s`));
  }

  private latency(panel: Panel, edges: number[], pw: number): void {
    const { latency } = this.model.data;
    if (latency.t.length === 0) return this.empty(panel, pw, 'no produce → ack pairs (client records with event ids) in this run');
    const lines: Record<'p50' | 'p99' | 'max', Array<[number, number]>> = { p50: [], p99: [], max: [] };
    let top = 0;
    for (let b = 0; b + 1 < edges.length; b++) {
      const from = lowerBound(latency.t, latency.t.length, edges[b]);
      const to = lowerBound(latency.t, latency.t.length, edges[b + 1]);
      if (to === from) continue;
      const sorted = latency.v.slice(from, to).sort();
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
      const cx = (b + 0.5) * BUCKET_PX;
      lines.p50.push([cx, at(0.5)]);
      lines.p99.push([cx, at(0.99)]);
      lines.max.push([cx, sorted[sorted.length - 1]]);
      top = Math.max(top, sorted[sorted.length - 1]);
    }
    const y = d3.scaleLinear().domain([0, top || 1]).nice(3).range([PLOT_H, 0]);
    const dot = (cx: number, v: number) => `M${cx - 2},${y(v)}a2,2 0 1,0 4,0a2,2 0 1,0 -4,0`;
    for (const q of ['max', 'p99', 'p50'] as const) {
      // Lines join adjacent buckets only; a gap in the data stays a gap.
      const line = lines[q].map(([cx, v], i) => `${i > 0 && cx - lines[q][i - 1][0] <= BUCKET_PX ? 'L' : 'M'}${cx},${y(v)}`).join('');
      if (q !== 'max') panel.plot.append('path').attr('class', `latency ${q}`).attr('d', line).attr('fill', 'none').attr('stroke', SERIES_COLORS[q]).attr('stroke-width', 1.5);
      panel.plot.append('path').attr('class', `latency-dots ${q}`).attr('d', lines[q].map(([cx, v]) => dot(cx, v)).join('')).attr('fill', SERIES_COLORS[q]);
    }
    panel.yAxis.call(d3.axisLeft(y).ticks(3).tickFormat((d) => formatTime(Number(d), 3)));
  }

  private empty(panel: Panel, pw: number, message: string): void {
    panel.yAxis.selectAll('*').remove();
    panel.plot.append('text').attr('class', 'panel-empty').attr('x', pw / 2).attr('y', PLOT_H / 2 + 4).text(message);
  }
}

/** The one level every gauge of a panel holds for the whole run, or null if any of them moves. */
function constantLevel(gauges: Gauge[]): number | null {
  if (gauges.length === 0 || gauges[0].last.length === 0) return null;
  const level = gauges[0].last[0];
  for (const g of gauges) {
    for (let i = 0; i < g.last.length; i++) if (g.min[i] !== level || g.max[i] !== level || g.last[i] !== level) return null;
  }
  return level;
}

function prefix(values: Float64Array): Float64Array {
  const sums = new Float64Array(values.length + 1);
  for (let i = 0; i < values.length; i++) sums[i + 1] = sums[i] + values[i];
  return sums;
}

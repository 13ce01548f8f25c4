/**
 * The lab's timeline: the timeline page's own diagram (viz/draw/chart.ts over viz/model), grown
 * from the chunks of records the worker sends as the run goes (viz/wire/live-chunk.ts): each is
 * appended to the run's columns and model (viz/model/live-model.ts) and the same Chart redraws —
 * an update costs the records it adds and one frame, not the whole run. The explanations derived
 * from the whole run — and the timeline page's layers that draw them (checkpoints, recovery lines,
 * lost work, durability, channel state, cascades) and the replication panels under the diagram (each
 * log partition's leader and epoch, replicas' log ends, high watermark and in-sync replicas over
 * time: viz/panels/replication-panel.ts) — are brought up to date while it goes, spaced
 * out so that they take a bounded share of the page (settle-throttle.ts), and when it stops. Hovering shows a record's fields (viz/ui/tooltip.ts); the wheel zooms around the pointer,
 * and "fit" follows the run again; a violation's evidence can be selected (`select`).
 *
 * Guarantee: once stopped, what is drawn is what the timeline page draws for the same records
 * (the live model then equals `buildModel`'s). A new run starts from a chunk at row 0.
 */
import { Chart } from '../draw/chart.ts';
import { ExplainLayer } from '../draw/explain-layer.ts';
import { RecoveryLayer } from '../draw/recovery-layer.ts';
import { checkpointArea } from '../draw/recovery-marks.ts';
import { layoutChart } from '../draw/layout.ts';
import { buildPalette } from '../draw/palette.ts';
import { formatTime } from '../draw/format.ts';
import { causalCone, type Cone } from '../model/causal.ts';
import { parseFilter } from '../model/filter.ts';
import { ReplicationPanels } from '../panels/replication-panel.ts';
import { citedRow, evidenceWindow } from '../panels/verdicts.ts';
import type { LabCite } from './protocol.ts';
import { LiveModel } from '../model/live-model.ts';
import type { RunModel } from '../model/model.ts';
import { pick } from '../ui/pick.ts';
import { faultTooltip, recordTooltip } from '../ui/tooltip.ts';
import { LiveRun, type LiveChunk } from '../wire/live-chunk.ts';
import { SettleThrottle } from './settle-throttle.ts';

export class LiveTimeline {
  private chart: Chart | null = null;
  model: RunModel | null = null;
  private run: LiveRun | null = null;
  private live: LiveModel | null = null;
  /** The window the user zoomed to, or null to follow the run (the whole run so far). */
  private window: [number, number] | null = null;
  private nowUs = 0;
  /** The evidence selected (a violation's cites), with their rows in the current model (-1: not there yet). */
  private evidence: { cites: LabCite[]; rows: number[]; cone: Cone | null } | null = null;
  private readonly settling = new SettleThrottle();
  /** The timeline page's "why" layers (checkpoints, recovery lines, durability, channel state), made again at each settle. */
  private layers: { recovery: RecoveryLayer; explain: ExplainLayer } | null = null;
  /** The timeline page's replication panels, made again at each settle (they read the settled model). */
  private replication: ReplicationPanels | null = null;

  constructor(readonly host: HTMLElement, private readonly tooltip: HTMLElement) {
    host.innerHTML = '<p class="empty">Pick a scenario on the left; its run is drawn here as it happens.</p>';
  }

  clear(message: string): void {
    this.chart = null;
    this.model = null;
    this.run = null;
    this.live = null;
    this.layers = null;
    this.replication = null;
    this.window = null;
    this.evidence = null;
    this.host.innerHTML = `<p class="empty">${message}</p>`;
  }

  /**
   * Selects a violation's evidence, as the timeline's verdict panel does: zooms to the cited
   * records, rings each one, and draws the causal past and future of the first.
   */
  select(cites: LabCite[]): void {
    this.evidence = cites.length === 0 ? null : { cites, rows: [], cone: null };
    if (this.evidence === null) return this.render();
    this.window = evidenceWindow(cites, Math.max(1000, this.nowUs / 50));
    this.locate();
    this.render();
  }

  /** Rows of the cited records, as many as there are now. */
  selectedRows(): number[] {
    return this.evidence?.rows.filter((row) => row >= 0) ?? [];
  }

  private locate(): void {
    const { evidence, model } = this;
    if (evidence === null || model === null) return;
    evidence.rows = evidence.cites.map((cite) => citedRow(model, cite));
    const first = evidence.rows.find((row) => row >= 0);
    evidence.cone = first === undefined ? null : causalCone({ ...model.data, fwd: model.fwd }, first, model.data.header.actors.length);
  }

  /**
   * Appends a chunk of records with the run at `nowUs` and redraws; the whole-run explanations are
   * brought up to date when a refresh is due, and always when `stopped` (the run paused or ended).
   */
  update(chunk: LiveChunk, nowUs: number, stopped: boolean): void {
    this.nowUs = nowUs;
    if (chunk.from === 0 || this.run === null) {
      this.run = new LiveRun(chunk.source);
      this.live = null;
      this.settling.reset();
      this.layers = null;
      this.replication = null;
      this.chart = null;
      this.host.innerHTML = '';
    }
    const from = this.run.append(chunk);
    let relayout = this.live === null;
    if (this.live === null) this.live = new LiveModel(this.run.data, 'A');
    else relayout = this.live.extend(this.run.data, from);
    const settled = this.settling.due(performance.now(), stopped);
    if (settled) {
      const started = performance.now();
      this.live.settle();
      this.settling.done(started, performance.now());
    }
    const model = (this.model = this.live.model);
    if (this.chart === null) {
      this.chart = new Chart(this.host, model, 0);
      this.wire(this.chart, model);
    }
    const width = Math.max(480, this.host.clientWidth);
    if (relayout || settled) {
      const filter = parseFilter('', { lanes: model.lanes, kinds: new Set(model.kindCounts.keys()), msgs: model.msgTypes });
      this.chart.relayout(layoutChart(model, filter), width);
    }
    if (settled) {
      this.layers = this.makeLayers(this.chart);
      this.replication?.svg.remove();
      this.replication = new ReplicationPanels(this.chart.root, model);
      this.replication.relayout(width);
      this.locate();
    }
    this.render();
  }

  /** The layers for what the model now explains, in place of the previous ones. */
  private makeLayers(chart: Chart): { recovery: RecoveryLayer; explain: ExplainLayer } {
    chart.root.querySelectorAll('svg.front > g.recovery, svg.front > g.explain').forEach((old) => old.remove());
    return { recovery: new RecoveryLayer(chart, checkpointArea([chart.model]).area), explain: new ExplainLayer(chart) };
  }

  /** The window shown: the user's, or the run so far with a little room after now. */
  span(): [number, number] {
    if (this.window !== null) return this.window;
    return [0, Math.max(1000, Math.ceil(this.nowUs * 1.02) + 1)];
  }

  fit(): void {
    this.window = null;
    this.render();
  }

  private render(): void {
    if (this.chart === null || this.model === null) return;
    const [t0, t1] = this.span();
    const palette = buildPalette(this.model.msgTypes);
    const chart = this.chart;
    chart.render({ t0, t1, mask: null, cone: this.evidence?.cone ?? null, colorOf: palette.color, playhead: this.nowUs, showIdle: false });
    this.layers?.recovery.render();
    this.layers?.explain.render();
    this.replication?.render(t0, t1, this.nowUs);
    const { data } = this.model;
    const rings = this.selectedRows().filter((row) => data.t[row] >= t0 && data.t[row] <= t1);
    d3.select(chart.root).select('svg.front g.overlay').selectAll('circle.evidence').data(rings).join('circle').attr('class', 'evidence')
      .attr('cx', (row) => chart.frame!.x(data.t[row])).attr('cy', (row) => chart.layout.laneY[data.a[row]]).attr('r', 9);
  }

  private wire(chart: Chart, model: RunModel): void {
    const target = d3.select(chart.zoomTarget);
    const timeAt = (x: number) => {
      const [t0, t1] = this.span();
      return t0 + ((t1 - t0) * x) / chart.plotWidth;
    };
    target.on('mousemove', (event: MouseEvent) => {
      const [mx, my] = d3.pointer(event, chart.zoomTarget);
      const hit = chart.hits === null ? null : pick(chart.hits, model.faults, timeAt, mx, my);
      if (hit === null || (hit.type !== 'row' && hit.type !== 'fault')) {
        this.tooltip.hidden = true;
        return;
      }
      this.tooltip.innerHTML = hit.type === 'row' ? recordTooltip(model, hit.row) : faultTooltip(model, hit.span);
      this.tooltip.hidden = false;
      const box = this.tooltip.getBoundingClientRect();
      this.tooltip.style.left = `${Math.min(event.clientX + 14, window.innerWidth - box.width - 8)}px`;
      this.tooltip.style.top = `${event.clientY + 14 + box.height > window.innerHeight ? Math.max(4, event.clientY - box.height - 10) : event.clientY + 14}px`;
    });
    target.on('mouseleave', () => (this.tooltip.hidden = true));
    target.on('wheel', (event: WheelEvent) => {
      event.preventDefault();
      const [mx] = d3.pointer(event, chart.zoomTarget);
      const [t0, t1] = this.span();
      const at = timeAt(mx);
      const factor = event.deltaY < 0 ? 0.8 : 1.25;
      const next: [number, number] = [Math.max(0, at - (at - t0) * factor), at + (t1 - at) * factor];
      this.window = next[1] - next[0] < 10 ? [at - 5, at + 5] : next;
      this.render();
    });
  }

  /** A one-line description of the window, for the status line. */
  describe(): string {
    const [t0, t1] = this.span();
    return `${this.window === null ? 'showing the run so far' : 'zoomed'}: ${formatTime(t0)} – ${formatTime(t1)}${this.window === null ? '' : ' (double-click the diagram or press 0 to follow the run)'}`;
  }
}

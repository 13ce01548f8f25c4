/**
 * The timeline page: loads the embedded runs, builds one diagram (with its panels) per run on a
 * shared time axis, and connects zoom, brush, filter, selection, playback, tooltips, export and
 * the URL hash to the one view state. Runs are compared by stacking them: the same window, the
 * same x for the same simulated time.
 *
 * How it fails: a page whose data cannot be read shows the error in place of the diagram (and in
 * the console), never a blank page.
 */
import type * as D3 from 'd3';
import { causalCone, type Cone } from '../model/causal.ts';
import { Chart, DETAIL_LIMIT, type RenderResult } from '../draw/chart.ts';
import { wireControls } from './controls.ts';
import { download, svgToPng, viewToSvg } from './export.ts';
import { parseFilter, recordMask, type Filter, type Vocabulary } from '../model/filter.ts';
import { formatCount, formatTime } from '../draw/format.ts';
import { layoutChart } from '../draw/layout.ts';
import { legendHtml, legendSvg } from './legend.ts';
import { loadRuns } from './load.ts';
import { Minimap } from './minimap.ts';
import { buildModel, type RunModel } from '../model/model.ts';
import { buildPalette, type Palette } from '../draw/palette.ts';
import { Panels } from '../panels/panels.ts';
import { ReplicationPanels } from '../panels/replication-panel.ts';
import { ConservationPanel } from '../panels/conservation-panel.ts';
import { pick } from './pick.ts';
import { Playback } from './playback.ts';
import { recordFields } from '../wire/codec.ts';
import { RecoveryLayer } from '../draw/recovery-layer.ts';
import { ExplainLayer } from '../draw/explain-layer.ts';
import { stepSentence } from '../draw/cascade-marks.ts';
import { checkpointArea } from '../draw/recovery-marks.ts';
import { showVerdicts } from '../panels/verdicts.ts';
import { cellTooltip, faultTooltip, recordTooltip } from './tooltip.ts';
import { View } from './view.ts';

const byId = (id: string) => document.getElementById(id)!;

class App {
  readonly view: View;
  readonly charts: Chart[];
  readonly panels: Panels[];
  readonly replication: ReplicationPanels[];
  readonly conservation: ConservationPanel[];
  readonly recovery: RecoveryLayer[];
  readonly explain: ExplainLayer[];
  private readonly palette: Palette;
  private readonly vocabulary: Vocabulary;
  private readonly minimap: Minimap;
  private readonly playback: Playback;
  private readonly zoom = d3.zoom<SVGRectElement, unknown>();
  private filter: Filter;
  private masks: Array<Uint8Array | null>;
  private cone: Cone | null = null;
  private coneKey = '';
  results: RenderResult[] = [];
  private frameRequest = 0;
  private hashTimer = 0;

  constructor(readonly models: RunModel[]) {
    const domainEnd = Math.max(...models.map((m) => m.endUs));
    this.view = new View([0, domainEnd]);
    this.palette = buildPalette(models.flatMap((m) => [...m.msgTypes]));
    this.vocabulary = {
      lanes: models.flatMap((m) => m.lanes),
      kinds: new Set(models.flatMap((m) => [...m.kindCounts.keys()])),
      msgs: new Set(models.flatMap((m) => [...m.msgTypes])),
    };
    this.filter = parseFilter('', this.vocabulary);
    this.masks = models.map(() => null);
    const runs = byId('runs');
    this.charts = models.map((m, i) => new Chart(runs, m, i));
    this.replication = this.charts.map((c) => new ReplicationPanels(c.root, c.model));
    this.conservation = this.charts.map((c) => new ConservationPanel(c.root, c.model));
    this.panels = this.charts.map((c) => new Panels(c.root, c.model));
    const { area } = checkpointArea(models);
    this.recovery = this.charts.map((c) => new RecoveryLayer(c, area));
    this.explain = this.charts.map((c) => new ExplainLayer(c));
    this.minimap = new Minimap(byId('minimap'), models, this.view.domain, (t0, t1) => this.view.update({ t0, t1 }));
    this.playback = new Playback(this.view, models, (run, row) => {
      const mask = this.masks[run];
      return (mask === null || mask[row] === 1) && !Number.isNaN(this.charts[run].layout.laneY[models[run].data.a[row]]);
    });
    const legend = legendHtml(models, this.palette);
    byId('legend-body').innerHTML = legend.body;
    byId('legend-inline').innerHTML = legend.inline;
    byId('idle-toggle').hidden = models.every((m) => m.chatter.messages === 0);
    showVerdicts(models, domainEnd, (change) => this.view.update(change));
    byId('summary').textContent = summary(models);
    this.zoom.on('zoom', (event: D3.D3ZoomEvent<SVGRectElement, unknown>) => {
      if (event.sourceEvent === null || event.sourceEvent === undefined) return;
      const [t0, t1] = event.transform.rescaleX(this.baseScale()).domain();
      this.view.update({ t0, t1 });
    });
    for (const chart of this.charts) this.wirePointer(chart);
    for (const chart of this.charts) chart.onJump = (t) => this.centreOn(t);
    wireControls(this.view, {
      filter: (text) => this.view.update({ filter: text }),
      togglePlay: () => this.playback.toggle(),
      stepEvent: (d) => this.announce(this.playback.stepEvent(d)),
      stepFault: (d) => this.announce(this.playback.stepFault(d)),
      zoom: (factor) => this.zoomBy(factor),
      pan: (fraction) => this.panBy(fraction),
      fit: () => this.view.update({ t0: this.view.domain[0], t1: this.view.domain[1] }),
      clearSelection: () => this.view.update({ selection: null }),
      exportSvg: () => this.exportSvg(),
      exportPng: () => void this.exportPng(),
    });
    this.wireCascade();
    this.view.onChange((s) => {
      if (s.filter !== this.filter.text) this.applyFilter(s.filter);
      this.requestRender();
      clearTimeout(this.hashTimer);
      this.hashTimer = window.setTimeout(() => history.replaceState(null, '', this.view.toHash()), 200);
    });
    window.addEventListener('resize', () => this.relayout());
    window.addEventListener('hashchange', () => this.applyHash());
  }

  /**
   * The rollback buttons, when a run has a cascade: they draw its steps one at a time (the first
   * press starts over at step 1) and say in the step line what each one did.
   */
  private wireCascade(): void {
    const run = this.explain.findIndex((e) => e.cascadeSteps > 0);
    if (run < 0) return;
    const layer = this.explain[run];
    const model = this.models[run];
    const steps = model.cascades.flatMap((cascade) => cascade.steps.map((_, index) => ({ cascade, index })));
    byId('cascade-controls').hidden = false;
    const show = (n: number) => {
      layer.shownSteps = n;
      byId('cascade-pos').textContent = ` ${n}/${steps.length} `;
      const step = steps[n - 1];
      byId('step').textContent = `Run ${model.name}: ${stepSentence(model, step.cascade, step.index)}`;
      this.requestRender();
    };
    byId('cascade-prev').addEventListener('click', () => show(Math.max(1, layer.shownSteps - 1)));
    byId('cascade-next').addEventListener('click', () => show(layer.shownSteps >= steps.length ? 1 : layer.shownSteps + 1));
    byId('cascade-pos').textContent = ` ${steps.length}/${steps.length} `;
    this.cascadeStep = show;
  }

  /** Shows the first n steps of the first rollback cascade (tests and the step buttons). */
  cascadeStep: (n: number) => void = () => {};

  start(): void {
    this.relayout();
    this.applyHash();
    this.renderNow();
  }

  /**
   * The view the hash names. Besides the view's own fields, `a=<actor>&n=<n>` (and `run=<i>`)
   * names a record as the trace does — the form a checker's verdict can link to: it is selected
   * and shown in the middle of a window a fiftieth of the run wide, unless `t` says otherwise.
   */
  private applyHash(): void {
    const change = this.view.fromHash(location.hash, this.rows());
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const actor = params.get('a');
    const n = Number(params.get('n'));
    const run = Number(params.get('run') ?? 0);
    const model = this.models[run];
    if (actor !== null && Number.isInteger(n) && model !== undefined) {
      const index = model.data.header.actors.findIndex((info) => info.id === actor);
      const { a, n: counters, t, length } = model.data;
      let row = -1;
      for (let i = 0; i < length && row < 0; i++) if (a[i] === index && counters[i] === n) row = i;
      if (row >= 0) {
        change.selection = { run, row };
        if (change.t0 === undefined) {
          const half = (this.view.domain[1] - this.view.domain[0]) / 100;
          [change.t0, change.t1] = [t[row] - half, t[row] + half];
        }
      }
    }
    this.view.update(change);
  }

  rows(): number[] {
    return this.models.map((m) => m.data.length);
  }

  /** The simulated-time scale of the whole domain, which zoom transforms are relative to. */
  baseScale(): D3.ScaleLinear<number, number> {
    return d3.scaleLinear().domain(this.view.domain).range([0, this.charts[0].plotWidth]);
  }

  applyFilter(text: string): void {
    this.filter = parseFilter(text, this.vocabulary);
    this.masks = this.models.map((m) => recordMask(this.filter, m.data, m.data.header.strings));
    this.relayout();
  }

  relayout(): void {
    const width = Math.max(480, byId('runs').clientWidth);
    this.charts.forEach((chart, i) => {
      chart.relayout(layoutChart(chart.model, this.filter), width);
      this.panels[i].relayout(width);
      this.replication[i].relayout(width);
      this.conservation[i].relayout(width);
    });
    this.minimap.relayout(width);
    const pw = this.charts[0].plotWidth;
    const span = this.view.domain[1] - this.view.domain[0];
    this.zoom.extent([[0, 0], [pw, 1]]).translateExtent([[0, 0], [pw, 1]]).scaleExtent([1, Math.max(1, span / 10)]);
    for (const chart of this.charts) d3.select(chart.zoomTarget).call(this.zoom).on('dblclick.zoom', null);
    this.requestRender();
  }

  requestRender(): void {
    if (this.frameRequest !== 0) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.renderNow();
    });
  }

  /** Draws everything for the current state, synchronously; returns the time it took (ms). */
  renderNow(): number {
    const started = performance.now();
    const s = this.view.state;
    this.updateCone();
    // Keep every zoom target's own transform in step with the shared window.
    const k = (this.view.domain[1] - this.view.domain[0]) / (s.t1 - s.t0);
    const transform = d3.zoomIdentity.translate(-k * this.baseScale()(s.t0), 0).scale(k);
    for (const chart of this.charts) d3.select(chart.zoomTarget).property('__zoom', transform);
    this.results = this.charts.map((chart, i) => chart.render({
      t0: s.t0, t1: s.t1, mask: this.masks[i], cone: this.cone !== null && s.selection?.run === i ? this.cone : null,
      colorOf: this.palette.color, playhead: s.playhead, showIdle: s.idle,
    }));
    this.recovery.forEach((r) => r.render());
    this.explain.forEach((e) => e.render());
    this.panels.forEach((p) => p.render(s.t0, s.t1, s.playhead));
    this.replication.forEach((p) => p.render(s.t0, s.t1, s.playhead));
    this.conservation.forEach((p) => p.render(s.t0, s.t1));
    this.minimap.render(s.t0, s.t1, s.playhead);
    this.updateStatus();
    return performance.now() - started;
  }

  private updateCone(): void {
    const sel = this.view.state.selection;
    const key = sel === null ? '' : `${sel.run}.${sel.row}`;
    if (key === this.coneKey) return;
    this.coneKey = key;
    const model = sel === null ? undefined : this.models[sel.run];
    this.cone = model === undefined || sel === null ? null : causalCone({ ...model.data, fwd: model.fwd }, sel.row, model.data.header.actors.length);
  }

  private updateStatus(): void {
    const s = this.view.state;
    const parts = [`Window ${formatTime(s.t0)} – ${formatTime(s.t1)} (${formatTime(s.t1 - s.t0)} wide)`];
    this.results.forEach((r, i) => {
      const m = this.models[i];
      const count = r.mode === 'density' ? `more than ${formatCount(DETAIL_LIMIT)}` : formatCount(r.drawn);
      const folded = r.folded > 0 ? ` (${formatCount(r.folded)} idle messages — heartbeats, empty fetches — as grey lines; zoom in or tick “idle chatter”)` : '';
      parts.push(`run ${m.name}: ${count} of ${formatCount(m.data.length)} records in view${folded}`);
    });
    if (s.playhead !== null) parts.push(`playhead ${formatTime(s.playhead)}`);
    if (s.selection !== null) {
      const f = recordFields(this.models[s.selection.run].data, s.selection.row);
      parts.push(`selected ${String(f.k)} at ${String(f.a)}, ${formatTime(Number(f.t))} (Esc clears)`);
    }
    byId('status').textContent = parts.join(' · ');
    const notices: string[] = [];
    this.results.forEach((r, i) => {
      if (r.mode === 'density') notices.push(`Run ${this.models[i].name} is zoomed out: more than ${formatCount(DETAIL_LIMIT)} records in view are drawn as density bands and message flows, none left out. Zoom in or filter to see single records.`);
    });
    const hidden = this.charts.reduce((n, c) => n + c.layout.hidden, 0);
    if (hidden > 0) notices.push(`The filter hides ${hidden} lane${hidden === 1 ? '' : 's'}.`);
    if (this.filter.record.length > 0) notices.push(`The filter shows only records matching ${this.filter.record.map((t) => `“${t.text}”`).join(', ')}.`);
    if (this.filter.unmatched.length > 0) notices.push(`No lane, kind or message type matches ${this.filter.unmatched.map((w) => `“${w}”`).join(', ')}.`);
    const notice = byId('notice');
    notice.textContent = notices.join(' ');
    notice.hidden = notices.length === 0;
  }

  private wirePointer(chart: Chart): void {
    const tooltip = byId('tooltip');
    const target = d3.select(chart.zoomTarget);
    const under = (event: MouseEvent) => {
      const [mx, my] = d3.pointer(event, chart.zoomTarget);
      if (chart.hits === null || chart.frame === null) return null;
      const frame = chart.frame;
      return pick(chart.hits, chart.model.faults, (x) => frame.t0 + ((frame.t1 - frame.t0) * x) / frame.width, mx, my);
    };
    target.on('mousemove', (event: MouseEvent) => {
      const hit = under(event);
      const [mx, my] = d3.pointer(event, chart.zoomTarget);
      const mark = this.recovery[chart.index].tooltipAt(mx, my, hit === null || hit.type === 'fault');
      if (hit === null && mark === null) {
        tooltip.hidden = true;
        return;
      }
      tooltip.innerHTML = mark !== null ? mark : hit === null ? '' : hit.type === 'row' ? recordTooltip(chart.model, hit.row)
        : hit.type === 'cell' ? cellTooltip(chart.model, hit.actor, hit.count, hit.t0, hit.t1)
        : faultTooltip(chart.model, hit.span);
      tooltip.hidden = false;
      const { innerWidth, innerHeight } = window;
      const box = tooltip.getBoundingClientRect();
      tooltip.style.left = `${Math.min(event.clientX + 14, innerWidth - box.width - 8)}px`;
      tooltip.style.top = `${event.clientY + 14 + box.height > innerHeight ? Math.max(4, event.clientY - box.height - 10) : event.clientY + 14}px`;
    });
    target.on('mouseleave', () => (tooltip.hidden = true));
    target.on('click', (event: MouseEvent) => {
      const hit = under(event);
      this.view.update({ selection: hit?.type === 'row' ? { run: chart.index, row: hit.row } : null });
    });
  }

  private zoomBy(factor: number): void {
    const { t0, t1, playhead } = this.view.state;
    const centre = playhead !== null && playhead >= t0 && playhead <= t1 ? playhead : (t0 + t1) / 2;
    this.view.update({ t0: centre - (centre - t0) / factor, t1: centre + (t1 - centre) / factor });
  }

  /** Pans, keeping the window's width, so that time t is in its middle. */
  private centreOn(t: number): void {
    const half = (this.view.state.t1 - this.view.state.t0) / 2;
    this.view.update({ t0: t - half, t1: t + half });
  }

  private panBy(fraction: number): void {
    const { t0, t1 } = this.view.state;
    const shift = (t1 - t0) * fraction;
    this.view.update({ t0: t0 + shift, t1: t1 + shift });
  }

  private announce(stop: { run: number; row: number } | null): void {
    if (stop === null) return;
    const f = recordFields(this.models[stop.run].data, stop.row);
    byId('step').textContent = `Run ${this.models[stop.run].name} at ${formatTime(Number(f.t))}: ${String(f.k)} at ${String(f.a)}${f.msg !== undefined ? ` (${String(f.msg)})` : ''}`;
  }

  private figure(): ReturnType<typeof viewToSvg> {
    const parts = this.charts.map((chart, i) => ({ chart, panels: [this.replication[i], this.conservation[i], this.panels[i]].filter((p, k) => k === 2 || p.height > 0) }));
    return viewToSvg(parts, this.heading(), (width) => legendSvg(this.models, this.palette, width));
  }

  exportSvg(): string {
    const { svg } = this.figure();
    download(new Blob([svg], { type: 'image/svg+xml' }), `${this.fileStem()}.svg`);
    return svg;
  }

  async exportPng(): Promise<Blob> {
    const { svg, width, height } = this.figure();
    const png = await svgToPng(svg, width, height);
    download(png, `${this.fileStem()}.png`);
    return png;
  }

  private heading(): string {
    const s = this.view.state;
    return `${document.title} — ${formatTime(s.t0)} to ${formatTime(s.t1)}${s.filter ? ` — filter: ${s.filter}` : ''}`;
  }

  private fileStem(): string {
    const s = this.view.state;
    return `timeline-${Math.round(s.t0)}-${Math.round(s.t1)}us`;
  }
}

function summary(models: RunModel[]): string {
  const records = models.reduce((n, m) => n + m.data.length, 0);
  const lanes = models.map((m) => m.lanes.length).join(' / ');
  return `${models.length === 1 ? '1 run' : `${models.length} runs compared`} · ${formatCount(records)} records · ${lanes} lanes · ${formatTime(Math.max(...models.map((m) => m.endUs)))} simulated`;
}

/** What tests and benchmarks may ask of the page. */
function expose(app: App): void {
  (window as unknown as { diasporaViz: unknown }).diasporaViz = {
    ready: true,
    state: () => app.view.state,
    setWindow: (t0: number, t1: number) => app.view.update({ t0, t1 }),
    update: (change: Parameters<View['update']>[0]) => app.view.update(change),
    lanes: (run: number) => app.charts[run].layout.visible.map((l) => l.id),
    /** Client x (viewport pixels) of simulated time t on a run's diagram. */
    clientX: (run: number, t: number) => app.charts[run].zoomTarget.getBoundingClientRect().left + (app.charts[run].xOf(t) - app.charts[run].xOf(app.view.state.t0)),
    modes: () => app.results.map((r) => r.mode),
    cascadeStep: (n: number) => app.cascadeStep(n),
    renderNow: () => app.renderNow(),
    exportSvg: () => app.exportSvg(),
    exportPng: () => app.exportPng(),
  };
}

async function main(): Promise<void> {
  byId('status').textContent = 'Loading the trace…';
  try {
    // Marks let the benchmark split load time into decoding, deriving and drawing.
    performance.mark('viz:script');
    const runs = await loadRuns();
    performance.mark('viz:decoded');
    const app = new App(runs.map((data, i) => buildModel(data, String.fromCharCode(65 + i))));
    performance.mark('viz:modelled');
    app.start();
    performance.mark('viz:drawn');
    expose(app);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    byId('status').textContent = '';
    byId('runs').innerHTML = `<p class="load-error">This timeline could not be drawn: ${message.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`;
    console.error(error);
  }
}

void main();

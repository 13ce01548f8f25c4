/**
 * The lab page: a catalog of scenarios with their lessons, the controls, the live timeline, faults
 * by hand, the inspector and the checks — around a Web Worker that runs the simulation itself
 * (src/lab/worker.ts, started from the source inlined in the page). The page holds no simulation
 * state: it sends the scenario text, the seed, the faults injected by hand and where to stop, and
 * draws what comes back. Going back is a re-run from the seed (the worker is deterministic).
 *
 * The URL says what to open: `#scenario=<name>&seed=N` opens it, `&run` also runs it to the end.
 * `window.diasporaLab` lets tests and scripts drive the page; `summary()` is the finished run's
 * summary (the fields of summary.json), null until the run ends.
 *
 * How it fails: an error from the worker (a scenario refused, an injected fault refused) is shown
 * in the status line; the page stays usable and the last fault injected is taken back.
 */
import { escapeHtml, formatTime } from '../draw/format.ts';
import { HandFaults } from './hand-faults.ts';
import { inspectorHtml } from './inspector.ts';
import { LiveTimeline } from './live-timeline.ts';
import { WhatIf } from './what-if.ts';
import type { LiveChunk } from '../wire/live-chunk.ts';
import type { FromWorker, HandFault, LabActor, LabStatus, LabStop, ToWorker } from './protocol.ts';

interface CatalogEntry {
  name: string;
  group: 'given' | 'drill' | 'scenario';
  file: string;
  lesson: string;
  description: string;
  text: string;
}

interface Verdict {
  ok: boolean;
  vacuous?: boolean;
  vacuousReason?: string;
  violations: Array<{ anomaly: string; message: string; cites: Array<{ a: string; n: number; t: number; k: string }> }>;
  violationCount: number;
}

const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const data = JSON.parse(byId('lab-data').textContent ?? '{}') as { version: string; catalog: CatalogEntry[] };

const workerSource = byId('lab-worker').textContent ?? '';
const worker = new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })));
const timeline = new LiveTimeline(byId('runs'), byId('tooltip'));
const whatIf = new WhatIf(byId('what-if'), workerSource, byId('runs-b'), byId('tooltip'));
const hand = new HandFaults(byId('hand'), (faults, atUs) => restart({ until: 'time', us: atUs }, faults));

let entry: CatalogEntry | undefined;
let seed = 1;
/** The scenario text the worker runs (with the hand faults written in). */
let text = '';
let status: LabStatus | null = null;
let summary: Record<string, unknown> | null = null;
let inspected = '';
/** Simulated µs per wall second while running at a chosen speed; 0: as fast as possible. */
let playing: { speed: number; since: number; fromUs: number } | null = null;
let started = false;
const waiters: Array<() => void> = [];

/** Ids of the starts and advances sent: a stop answering the last one means the worker is idle. */
let sent = 0;


function send(message: ToWorker | Omit<Extract<ToWorker, { id: number }>, 'id'>): void {
  worker.postMessage('id' in message || (message.type !== 'start' && message.type !== 'advance') ? message : { ...message, id: ++sent });
}

/** A fresh run of the chosen scenario (the same seed), with `faults`, to `stop`. */
function restart(stop: LabStop, faults: HandFault[] = hand.faults): void {
  if (entry === undefined) return;
  started = false;
  summary = null;
  timeline.select([]);
  showChecksHint();
  send({ type: 'start', text: entry.text, faults, file: entry.file, seed, version: data.version, stop });
}

function advance(stop: LabStop): void {
  if (entry === undefined) return;
  if (status?.done === true) return say('The run has ended. Go back with ◀ back, “to” a time, or ⟲ start.');
  send({ type: 'advance', stop, pauseOn: { violation: byId<HTMLInputElement>('pause-on-violation').checked } });
}

function choose(next: CatalogEntry, options: { seed?: number; run?: boolean } = {}): void {
  entry = next;
  seed = options.seed ?? seedOf(next.text);
  byId<HTMLInputElement>('seed').value = String(seed);
  byId('scenario-title').textContent = `${next.name} — ${next.description}`;
  byId('lesson-body').innerHTML = next.lesson.split(/\n\n+/).map((p) => `<p>${escapeHtml(p)}</p>`).join('');
  Array.from(document.querySelectorAll<HTMLButtonElement>('#catalog button')).forEach((button) => button.setAttribute('aria-current', String(button.dataset.name === next.name)));
  hand.faults = [];
  whatIf.reset(next.lesson);
  byId('reproduce').textContent = '';
  showChecksHint();
  timeline.clear('Building the world…');
  playing = null;
  history.replaceState(null, '', `#scenario=${encodeURIComponent(next.name)}&seed=${seed}`);
  restart(options.run === true ? { until: 'end' } : { until: 'events', count: 0 }, []);
}

function seedOf(scenario: string): number {
  const found = /^seed:\s*(\d+)/m.exec(scenario);
  return found === null ? 1 : Number(found[1]);
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'started':
      text = message.text;
      started = true;
      hand.reset(message.sites, hand.faults);
      whatIf.show(message.form);
      fillActors(message.actors);
      say(`${message.scenario}, seed ${message.seed}: ${message.actors.length} actors on ${message.sites.reduce((n, s) => n + s.nodes.length, 0)} nodes; ${formatTime(message.durationUs)} of faults and workload, then the final phase to ${formatTime(message.endUs)}.`);
      return;
    case 'status':
      onStatus(message.status, message.actors, message.chunk, message.summary);
      return;
    case 'inspected':
      if (message.actor === inspected && status !== null) byId('inspect-body').innerHTML = inspectorHtml(message.actor, message.view, status.nowUs);
      return;
    case 'violation': {
      playing = null;
      const first = message.failed[0]!;
      const v = first.violations[0];
      say(`Paused: ${message.failed.map((f) => f.check).join(', ')} failed on the records so far${v === undefined ? '' : ` — ${v.anomaly}: ${v.message}`}. Its evidence is selected in the timeline (see Checks).`, true);
      showViolations(Object.fromEntries(message.failed.map((f) => [f.check, { ok: false, violations: f.violations, violationCount: f.violations.length }])), 'Failing so far (a live check: this violation stands whatever follows):');
      if (v !== undefined) timeline.select(v.cites);
      return;
    }
    case 'error': {
      playing = null;
      say(message.message, true);
      // A fault the scenario refuses (a time past the safety phase): take it back and replay without it.
      if (started === false && hand.faults.length > 0) {
        hand.faults.pop();
        restart({ until: 'time', us: status?.nowUs ?? 0 });
      }
    }
  }
};

function onStatus(next: LabStatus, nextActors: LabActor[], chunk: LiveChunk | undefined, done: unknown): void {
  status = next;

  if (chunk !== undefined) timeline.update(chunk, next.nowUs, !next.running);
  if (done !== undefined) {
    summary = done as Record<string, unknown>;
    showViolations(summary.checks as Record<string, Verdict>, '');
    byId('reproduce').textContent = reproduceText();
  }
  hand.show(nextActors, next.nowUs);
  const last = next.last === null ? '' : ` · last: ${String(next.last.k)} at ${String(next.last.a)}${next.last.msg !== undefined ? ` (${String(next.last.msg)})` : ''}`;
  byId('clock').innerHTML = `${formatTime(next.nowUs)} of ${formatTime(next.endUs)} · ${next.events.toLocaleString('en-US')} events · ${next.records.toLocaleString('en-US')} records${next.traceHash === null ? '' : ` · trace hash <span class="hash">${next.traceHash}</span>`}`;
  byId('status').textContent = `${runState(next, playing)}${last} · ${timeline.describe()}`;
  if (!next.running) {
    if (inspected !== '') send({ type: 'inspect', actor: inspected });
    if (playing !== null && !next.done && playing.speed > 0) window.setTimeout(tick, 50);
    else if (!next.running) playing = null;
    if (isIdle()) while (waiters.length > 0) waiters.shift()!();
  }
}

/**
 * What the status line calls the run. At a set speed the worker stops after each stretch of
 * simulated time and the page asks for the next one 50 ms later (`tick`): between the two it is
 * still running at that speed, not paused.
 */
function runState(next: LabStatus, play: typeof playing): string {
  if (next.done) return 'ended';
  if (play !== null && play.speed > 0) return `running at ${formatTime(play.speed)} / s`;
  return next.running ? 'running' : 'paused';
}

function isIdle(): boolean {
  return status !== null && !status.running && status.answers === sent && started;
}

/** At a finite speed: the next stretch of simulated time, as much as the wall clock allows. */
function tick(): void {
  if (playing === null || status === null || status.running) return;
  const wallUs = (performance.now() - playing.since) * 1000;
  advance({ until: 'time', us: Math.min(status.endUs, Math.max(status.nowUs + 1, Math.round(playing.fromUs + (playing.speed * wallUs) / 1e6))) });
}

function fillActors(list: LabActor[]): void {
  const select = byId<HTMLSelectElement>('actor');
  select.innerHTML = `<option value="">— an actor —</option>${list.map((a) => `<option value="${escapeHtml(a.id)}">${escapeHtml(a.id)} (${escapeHtml(a.node)})</option>`).join('')}`;
  if (list.some((a) => a.id === inspected)) select.value = inspected;
  else inspected = '';
}

function showChecksHint(): void {
  shownVerdicts = {};
  byId('checks-body').innerHTML = '<p class="hint">Live checks (two leaders in a term, a skipped offset, replicas that disagree…) pause the run as they fail; the rest judge the end state: run to the end to see every verdict.</p>';
}

/** The verdicts shown in the Checks pane, for its evidence buttons. */
let shownVerdicts: Record<string, Verdict> = {};

/** Verdicts in the Checks pane: each failing check's first violations with a button that selects its evidence. */
function showViolations(checks: Record<string, Verdict>, heading: string): void {
  shownVerdicts = checks;
  const rows = Object.entries(checks).map(([name, v]) => {
    const vacuous = v.ok && v.vacuous === true ? `<span class="why">passed, having checked nothing: ${escapeHtml(v.vacuousReason ?? '')}</span>` : '';
    const listed = v.ok ? '' : v.violations.slice(0, 3).map((x, i) => `<span class="why">${escapeHtml(`${x.anomaly}: ${x.message}`)}${x.cites.length === 0 ? '' : ` <button class="evidence" data-check="${escapeHtml(name)}" data-violation="${i}" title="Zoom to the records that prove it and ring them">evidence (${x.cites.length})</button>`}</span>`).join('');
    const more = !v.ok && v.violationCount > 3 ? `<span class="why">(and ${v.violationCount - 3} more)</span>` : '';
    return `<div class="verdict ${v.ok ? 'ok' : 'fail'}"><b>${escapeHtml(name)}</b>${vacuous}${listed}${more}</div>`;
  });
  byId('checks-body').innerHTML = (heading === '' ? '' : `<p class="hint">${escapeHtml(heading)}</p>`) + (rows.join('') || '<p class="hint">This scenario names no check.</p>');
}

function reproduceText(): string {
  if (entry === undefined || summary === null) return '';
  const file = hand.faults.length > 0 ? `${entry.name}-lab.yaml` : entry.file;
  return `diaspora run ${file} --seed ${seed}\n# trace hash ${String(summary.traceHash)}`;
}

function download(): void {
  if (entry === undefined) return;
  const blob = new Blob([text], { type: 'application/yaml' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${entry.name}-lab.yaml`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function say(message: string, error = false): void {
  const notice = byId('notice');
  notice.hidden = false;
  notice.innerHTML = error ? `<span class="error">${escapeHtml(message)}</span>` : escapeHtml(message);
}

/**
 * A time as scenario files write durations — "9.5s", "800ms", "1h30m", "9s1us" (the times the
 * injected faults show) — or a bare number of seconds, in µs; NaN if unreadable.
 */
function parseTime(input: string): number {
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1e6);
  const scale: Record<string, number> = { us: 1, µs: 1, μs: 1, ms: 1e3, s: 1e6, m: 6e7, min: 6e7, h: 3.6e9 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|µs|μs|ms|min|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return NaN;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * scale[p[2]!]!, 0));
}

function goTo(us: number): void {
  if (status === null || !Number.isFinite(us)) return say('Write a time as a scenario does — 9.5s, 800ms, 1h30m, 9s1us — or a number of seconds.', true);
  if (us < status.nowUs || status.done) restart({ until: 'time', us });
  else advance({ until: 'time', us });
}

function back(): void {
  if (status === null) return;
  restart({ until: 'events', count: Math.max(0, status.events - 1) });
}

function run(): void {
  const speed = Number(byId<HTMLSelectElement>('speed').value);
  if (status === null) return;
  playing = { speed, since: performance.now(), fromUs: status.nowUs };
  if (speed === 0) advance({ until: 'end' });
  else tick();
}

function pause(): void {
  playing = null;
  send({ type: 'pause' });
}

function wireControls(): void {
  const on = (id: string, handler: () => void) => byId(id).addEventListener('click', handler);
  on('run', run);
  on('pause', pause);
  on('step-one', () => advance({ until: 'events', count: 1 }));
  on('back', back);
  on('next-message', () => advance({ until: 'record', kinds: ['recv', 'drop'] }));
  on('next-fault', () => advance({ until: 'record', kinds: ['fault', 'crash', 'restart'] }));
  on('next-checkpoint', () => advance({ until: 'record', kinds: ['ckpt'] }));
  on('go', () => goTo(parseTime(byId<HTMLInputElement>('to-time').value)));
  on('rewind', () => restart({ until: 'events', count: 0 }));
  on('download', download);
  on('what-if-run', () => entry !== undefined && whatIf.run({ text: entry.text, file: entry.file, seed, faults: hand.faults, version: data.version }));
  byId('to-time').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') goTo(parseTime(byId<HTMLInputElement>('to-time').value));
  });
  byId('seed').addEventListener('change', () => {
    seed = Math.max(0, Math.floor(Number(byId<HTMLInputElement>('seed').value) || 0));
    if (entry !== undefined) history.replaceState(null, '', `#scenario=${encodeURIComponent(entry.name)}&seed=${seed}`);
    restart({ until: 'events', count: 0 });
  });
  byId('actor').addEventListener('change', () => {
    inspected = byId<HTMLSelectElement>('actor').value;
    if (inspected !== '') send({ type: 'inspect', actor: inspected });
  });
  byId('runs').addEventListener('dblclick', () => timeline.fit());
  byId('checks-body').addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.evidence');
    const violation = button === null ? undefined : shownVerdicts[button.dataset.check ?? '']?.violations[Number(button.dataset.violation)];
    if (violation !== undefined) timeline.select(violation.cites);
  });
  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    const keys: Record<string, () => void> = {
      ' ': () => (status?.running === true ? pause() : run()),
      ArrowRight: () => advance({ until: 'events', count: 1 }),
      ArrowLeft: back,
      m: () => advance({ until: 'record', kinds: ['recv', 'drop'] }),
      f: () => advance({ until: 'record', kinds: ['fault', 'crash', 'restart'] }),
      c: () => advance({ until: 'record', kinds: ['ckpt'] }),
      '0': () => timeline.fit(),
    };
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  });
}

function showCatalog(): void {
  const groups: Array<[CatalogEntry['group'], string]> = [['given', 'Your scenario'], ['drill', 'Drills'], ['scenario', 'Scenarios']];
  byId('catalog').innerHTML = groups
    .map(([group, title]) => {
      const items = data.catalog.filter((e) => e.group === group);
      if (items.length === 0) return '';
      return `<h2>${title}</h2>${items.map((e) => `<button data-name="${escapeHtml(e.name)}" title="${escapeHtml(e.file)}"><span class="name">${escapeHtml(e.name)}</span><span class="desc">${escapeHtml(e.description)}</span></button>`).join('')}`;
    })
    .join('');
  byId('catalog').addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest('button');
    const chosen = data.catalog.find((e) => e.name === button?.dataset.name);
    if (chosen !== undefined) choose(chosen);
  });
}

/** `#scenario=<name>&seed=N[&run]`. */
function openFromHash(): void {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const name = params.get('scenario');
  const chosen = data.catalog.find((e) => e.name === name) ?? (name === null ? undefined : undefined);
  if (name !== null && chosen === undefined) say(`No scenario named “${name}” here; pick one on the left.`, true);
  if (chosen === undefined) return;
  const seedParam = params.get('seed');
  choose(chosen, { ...(seedParam === null ? {} : { seed: Number(seedParam) }), run: params.has('run') });
}

/** What tests and scripts may ask of the page. */
function expose(): void {
  const idle = () => new Promise<void>((resolve) => (isIdle() ? resolve() : waiters.push(resolve)));
  (window as unknown as { diasporaLab: unknown }).diasporaLab = {
    ready: true,
    summary: () => summary,
    /** Run B's summary (what if), null until it ends. */
    summaryB: () => whatIf.summary,
    status: () => status,
    scenarioText: () => text,
    faults: () => hand.faults,
    /** Resolves when the worker has stopped (after a step, a stop, the end, or a replay). */
    idle,
  };
}

showCatalog();
wireControls();
expose();
openFromHash();
window.addEventListener('hashchange', openFromHash);

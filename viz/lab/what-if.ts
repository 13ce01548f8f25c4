/**
 * "What if": the same scenario, the same seed and the same faults injected by hand, with some
 * parameters changed, run to the end in a second worker and drawn below the first run — two runs
 * stacked. The parameters are a form generated from the scenario's JSON Schema (the worker sends it:
 * src/lab/scenario-form.ts): each section the scenario writes, its current values in typed fields
 * (choices for enums and booleans, numbers, text with its unit), and the fields it leaves at their
 * defaults folded below. A changed field becomes `--set path=value`; a box takes any other `--set`.
 * The drills' lessons suggest their own change (`--set 'workload.detector.acks=all'`), offered as a
 * button that fills the form.
 *
 * Guarantee: run B is a deterministic run like run A; its trace hash is what `diaspora run FILE
 * --seed N --set …` prints, the command the pane shows. Changes survive a replay of run A (a fault
 * injected by hand re-sends the form); a new scenario drops them. How it fails: a change the schema
 * refuses is shown with the CLI's message.
 */
import { escapeHtml } from '../draw/format.ts';
import { LiveTimeline } from './live-timeline.ts';
import type { FormField, FormGroup, FromWorker, HandFault, ToWorker } from './protocol.ts';

export interface WhatIfRun {
  text: string;
  file: string;
  seed: number;
  faults: readonly HandFault[];
  version: string;
}

export class WhatIf {
  private worker: Worker | null = null;
  private readonly timeline: LiveTimeline;
  private form: FormGroup[] = [];
  /** Changed fields: path → the value written in the form. */
  private readonly edits = new Map<string, string>();
  /** The lesson's suggested changes, `path=value`. */
  private suggestions: string[] = [];
  /** Run B's summary once it has ended. */
  summary: Record<string, unknown> | null = null;

  constructor(private readonly root: HTMLElement, private readonly workerSource: string, runs: HTMLElement, tooltip: HTMLElement) {
    this.timeline = new LiveTimeline(runs, tooltip);
    this.timeline.clear('Run B appears here: change a parameter under “What if” and run it on the same seed.');
    runs.hidden = true;
    const formHost = this.$('#what-if-form');
    formHost.addEventListener('change', (event) => this.edited(event.target as HTMLInputElement | HTMLSelectElement));
    this.$('#what-if-find').addEventListener('input', () => this.find());
    this.$('#what-if-suggested').addEventListener('click', (event) => {
      const change = (event.target as HTMLElement).closest('button')?.dataset.set;
      if (change !== undefined) this.apply(change);
    });
    this.$('#what-if-clear').addEventListener('click', () => {
      this.edits.clear();
      this.$<HTMLInputElement>('#what-if-set').value = '';
      this.render();
    });
  }

  /** A new scenario: its lesson's suggested changes; edits and run B are dropped. */
  reset(lesson: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.summary = null;
    this.edits.clear();
    this.form = [];
    this.suggestions = [...lesson.matchAll(/--set\s+'?([^'\s]+=[^'\s]+)'?/g)].map((m) => m[1]!);
    this.$('#what-if-suggested').innerHTML = this.suggestions.length === 0 ? '' : `The lesson suggests ${this.suggestions.map((s) => `<button data-set="${escapeHtml(s)}" title="Put this change in the form">${escapeHtml(s)}</button>`).join(' ')}`;
    this.$<HTMLInputElement>('#what-if-set').value = '';
    this.$<HTMLInputElement>('#what-if-find').value = '';
    this.$('#what-if-result').textContent = '';
    this.$('#what-if-form').innerHTML = '<p class="hint">The form appears when the scenario is built.</p>';
  }

  /** The scenario's form, as the worker made it for the text run A runs (sent again at each replay). */
  show(form: FormGroup[]): void {
    this.form = form;
    this.render();
  }

  /** The changes as `--set` arguments: the form's, then the box's. */
  sets(): string[] {
    const typed = this.$<HTMLInputElement>('#what-if-set').value.split(/\s+/).filter((s) => s.includes('='));
    return [...[...this.edits].map(([path, value]) => `${path}=${value}`), ...typed];
  }

  /** Runs B: the run as described, with the changes. */
  run(base: WhatIfRun): void {
    const sets = this.sets();
    const result = this.$('#what-if-result');
    if (sets.length === 0) {
      result.textContent = 'Change a field above (or write path=value in the box) first.';
      return;
    }
    this.worker?.terminate();
    this.summary = null;
    this.timeline.host.hidden = false;
    this.timeline.clear('Running B…');
    result.textContent = `Running B with ${sets.join(' ')} on seed ${base.seed}…`;
    const worker = new Worker(URL.createObjectURL(new Blob([this.workerSource], { type: 'text/javascript' })));
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'error') result.innerHTML = `<span class="error">${escapeHtml(message.message)}</span>`;
      if (message.type !== 'status') return;
      if (message.chunk !== undefined) this.timeline.update(message.chunk, message.status.nowUs, !message.status.running);
      if (message.summary === undefined) return;
      this.summary = message.summary as Record<string, unknown>;
      const checks = Object.entries(this.summary.checks as Record<string, { ok: boolean }>).map(([name, v]) => `${v.ok ? '✓' : '✗'} ${name}`).join(', ');
      const file = base.faults.length > 0 ? 'the downloaded file' : base.file;
      result.innerHTML = `Run B: ${escapeHtml(checks || 'no check')} · trace hash <span class="hash">${escapeHtml(String(this.summary.traceHash))}</span><br><code>diaspora run ${escapeHtml(file)} --seed ${base.seed} ${sets.map((s) => `--set '${escapeHtml(s)}'`).join(' ')}</code>`;
    };
    const start: ToWorker = { type: 'start', id: 1, text: base.text, faults: base.faults, sets, file: base.file, seed: base.seed, version: base.version, stop: { until: 'end' } };
    worker.postMessage(start);
  }

  private $<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.root.querySelector<T>(selector)!;
  }

  /** A suggested `path=value`: into its field when the form has it, else into the box. */
  private apply(change: string): void {
    const eq = change.indexOf('=');
    const path = change.slice(0, eq);
    if (this.fieldAt(path) !== undefined) {
      this.edits.set(path, change.slice(eq + 1));
      this.render();
      return;
    }
    const box = this.$<HTMLInputElement>('#what-if-set');
    if (!box.value.split(/\s+/).includes(change)) box.value = `${box.value} ${change}`.trim();
  }

  private fieldAt(path: string): FormField | undefined {
    for (const group of this.form) for (const field of group.fields) if (field.path === path) return field;
    return undefined;
  }

  private edited(input: HTMLInputElement | HTMLSelectElement): void {
    const path = input.dataset.path;
    const field = path === undefined ? undefined : this.fieldAt(path);
    if (field === undefined || path === undefined) return;
    const value = input.value.trim();
    // Back to what the file says (or empty for a field the file leaves out): no change.
    if (value === (field.value ?? '')) this.edits.delete(path);
    else if (value !== '') this.edits.set(path, value);
    else this.edits.delete(path);
    input.closest('.field')?.classList.toggle('changed', this.edits.has(path));
    this.showChanges();
  }

  private render(): void {
    this.$('#what-if-form').innerHTML = this.form.map((group) => groupHtml(group, this.edits)).join('');
    this.find();
    this.showChanges();
  }

  private showChanges(): void {
    const changes = [...this.edits].map(([path, value]) => `${path}=${value}`);
    this.$('#what-if-changes').textContent = changes.length === 0 ? '' : `Changes: ${changes.join(' ')}`;
  }

  /** Shows only the fields whose path holds the text typed, their groups opened. */
  private find(): void {
    const text = this.$<HTMLInputElement>('#what-if-find').value.trim().toLowerCase();
    for (const group of Array.from(this.$('#what-if-form').querySelectorAll<HTMLDetailsElement>('details.group'))) {
      let shown = 0;
      for (const field of Array.from(group.querySelectorAll<HTMLElement>('.field'))) {
        const match = text === '' || (field.dataset.path ?? '').toLowerCase().includes(text);
        field.hidden = !match;
        if (match) shown++;
      }
      group.hidden = shown === 0;
      if (text !== '') {
        group.open = true;
        group.querySelector<HTMLDetailsElement>('details.unset')?.setAttribute('open', '');
      }
    }
  }
}

/** A section: the fields it writes, then those left at their defaults, folded. Open when it holds a change. */
function groupHtml(group: FormGroup, edits: ReadonlyMap<string, string>): string {
  const written = group.fields.filter((f) => f.value !== null);
  const unset = group.fields.filter((f) => f.value === null);
  const changed = group.fields.some((f) => edits.has(f.path));
  const unsetChanged = unset.some((f) => edits.has(f.path));
  const title = group.title === '' ? 'the scenario' : group.title;
  const rest = unset.length === 0 ? '' : `<details class="unset"${unsetChanged ? ' open' : ''}><summary>${unset.length} more, left at their defaults</summary>${unset.map((f) => fieldHtml(f, edits)).join('')}</details>`;
  return `<details class="group" data-group="${escapeHtml(group.path)}"${changed ? ' open' : ''}><summary>${escapeHtml(title)}</summary>${written.map((f) => fieldHtml(f, edits)).join('')}${rest}</details>`;
}

function fieldHtml(field: FormField, edits: ReadonlyMap<string, string>): string {
  const value = edits.get(field.path) ?? field.value ?? '';
  const attrs = `data-path="${escapeHtml(field.path)}" aria-label="${escapeHtml(field.path)}"`;
  const fallback = field.defaultText === null ? 'default' : `default ${field.defaultText}`;
  let input: string;
  if (field.input === 'select') {
    const options = [...(field.options ?? [])];
    if (value !== '' && !options.includes(value)) options.unshift(value);
    const unsetOption = field.value === null ? `<option value="">— ${escapeHtml(fallback)} —</option>` : '';
    input = `<select ${attrs}>${unsetOption}${options.map((o) => `<option${o === value ? ' selected' : ''}>${escapeHtml(o)}</option>`).join('')}</select>`;
  } else if (field.input === 'integer' || field.input === 'number') {
    const bounds = `${field.min === undefined ? '' : ` min="${field.min}"`}${field.max === undefined ? '' : ` max="${field.max}"`}`;
    input = `<input type="number"${field.input === 'integer' ? ' step="1"' : ' step="any"'}${bounds} value="${escapeHtml(value)}" placeholder="${escapeHtml(fallback)}" ${attrs}>`;
  } else {
    input = `<input type="text" spellcheck="false" value="${escapeHtml(value)}" placeholder="${escapeHtml(field.value === null ? fallback : field.unit ?? '')}" ${attrs}>`;
  }
  const unit = field.unit === undefined ? '' : `<span class="unit">${escapeHtml(field.unit)}</span>`;
  return `<div class="field${edits.has(field.path) ? ' changed' : ''}" data-path="${escapeHtml(field.path)}" title="${escapeHtml(field.description)}"><label><span class="key">${escapeHtml(field.key)}</span>${input}</label>${unit}</div>`;
}

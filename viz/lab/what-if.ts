/**
 * "What if": the same scenario, the same seed and the same faults injected by hand, with one or
 * more `path=value` changes (as `diaspora run --set` takes them), run to the end in a second
 * worker and drawn below the first run — two runs stacked. The drills' lessons suggest their own
 * (`--set 'workload.detector.acks=all'`), offered as choices.
 *
 * Guarantee: run B is a deterministic run like run A; its trace hash is what `diaspora run FILE
 * --seed N --set …` prints. How it fails: a change the schema refuses is shown with the CLI's message.
 */
import { escapeHtml } from '../draw/format.ts';
import { LiveTimeline } from './live-timeline.ts';
import type { FromWorker, HandFault, ToWorker } from './protocol.ts';

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
  /** Run B's summary once it has ended. */
  summary: Record<string, unknown> | null = null;

  constructor(private readonly root: HTMLElement, private readonly workerSource: string, runs: HTMLElement, tooltip: HTMLElement) {
    this.timeline = new LiveTimeline(runs, tooltip);
    this.timeline.clear('Run B appears here: change a parameter under “What if” and run it on the same seed.');
    runs.hidden = true;
  }

  /** A new scenario: its lesson's suggested changes; run B is dropped. */
  reset(lesson: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.summary = null;
    const suggestions = [...lesson.matchAll(/--set\s+'?([^'\s]+=[^'\s]+)'?/g)].map((m) => m[1]!);
    this.root.querySelector('#what-if-options')!.innerHTML = suggestions.map((s) => `<option value="${escapeHtml(s)}">`).join('');
    this.root.querySelector<HTMLInputElement>('#what-if-set')!.value = suggestions[0] ?? '';
    this.root.querySelector('#what-if-result')!.textContent = '';
  }

  /** Runs B: the run as described, with the changes in the input box. */
  run(base: WhatIfRun): void {
    const sets = this.root.querySelector<HTMLInputElement>('#what-if-set')!.value.split(/\s+/).filter((s) => s.includes('='));
    const result = this.root.querySelector('#what-if-result')!;
    if (sets.length === 0) {
      result.textContent = 'Write a change as path=value, e.g. workload.detector.acks=all.';
      return;
    }
    this.worker?.terminate();
    this.summary = null;
    this.timeline.host.hidden = false;
    this.timeline.clear('Running B…');
    result.textContent = `Running with ${sets.join(' ')} on seed ${base.seed}…`;
    const worker = new Worker(URL.createObjectURL(new Blob([this.workerSource], { type: 'text/javascript' })));
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'error') result.innerHTML = `<span class="error">${escapeHtml(message.message)}</span>`;
      if (message.type !== 'status') return;
      if (message.payload !== undefined) this.timeline.update(message.payload, message.status.nowUs);
      if (message.summary === undefined) return;
      this.summary = message.summary as Record<string, unknown>;
      const checks = Object.entries(this.summary.checks as Record<string, { ok: boolean }>).map(([name, v]) => `${v.ok ? '✓' : '✗'} ${name}`).join(', ');
      result.innerHTML = `Run B (${escapeHtml(sets.join(' '))}): ${escapeHtml(checks || 'no check')} · trace hash <span class="hash">${escapeHtml(String(this.summary.traceHash))}</span><br><code>diaspora run FILE --seed ${base.seed} ${sets.map((s) => `--set '${escapeHtml(s)}'`).join(' ')}</code>`;
    };
    const start: ToWorker = { type: 'start', id: 1, text: base.text, faults: base.faults, sets, file: base.file, seed: base.seed, version: base.version, stop: { until: 'end' } };
    worker.postMessage(start);
  }
}

/**
 * The checkers' verdicts on the page: a side panel listing each violation with its evidence, where
 * a click brings the evidence into view and selects it. (The arrows a verdict names are outlined
 * on the diagram: `model/verdict-arrows.ts`.)
 *
 * Guarantee: only what the run's `summary.json` says is shown (see `wire/annotations.ts`); a bare
 * trace has no panel. How it fails: a cite whose record is not in the trace zooms to its instant
 * and selects nothing.
 */
import { escapeHtml, formatTime } from '../draw/format.ts';
import type { RunModel } from '../model/model.ts';
import type { EvidenceCite } from '../wire/annotations.ts';
import { numbersLine, pairedTable } from './run-numbers.ts';

/** Waste from this fraction up is named in the run's verdict line. */
const WASTE_WORTH_SAYING = 0.1;

/** The panel's HTML: per run with verdicts, each violation and buttons for its evidence. */
export function verdictPanelHtml(models: RunModel[]): string {
  const table = pairedTable(models);
  const paired = table !== '';
  const runs = models.flatMap((m, run) => {
    const verdicts = m.data.header.annotations?.verdicts;
    if (verdicts === null || verdicts === undefined) return [];
    const items = verdicts.map((v, index) => {
      const events = v.events.length === 0 ? '' : ` <span class="verdict-events">${v.events.length} event${v.events.length === 1 ? '' : 's'}: ${escapeHtml(abbreviate(v.events))}</span>`;
      const cites = v.cites.map((c, ci) => `<button class="evidence" data-run="${run}" data-verdict="${index}" data-cite="${ci}">${escapeHtml(c.k)} at ${escapeHtml(c.a)} · ${escapeHtml(formatTime(c.t))}</button>`);
      return `<li class="verdict"><button class="verdict-zoom" data-run="${run}" data-verdict="${index}" title="Zoom to all of its evidence"><b>${escapeHtml(v.check)}</b> ${escapeHtml(v.anomaly)}</button> ${escapeHtml(v.message)}${events}<div class="evidence-list">${cites.join('')}</div></li>`;
    });
    const waste = m.data.header.annotations?.numbers?.find((x) => x.key === 'recovery.wasteFraction')?.value ?? 0;
    // Passing its checks is not the whole story: a run that threw away work says so in its verdict line.
    const cost = waste >= WASTE_WORTH_SAYING ? ` <span class="waste" data-waste="${waste}">— yet ${(waste * 100).toFixed(0)}% of its work was wasted (lost and redone)</span>` : '';
    const head = `Run ${escapeHtml(m.name)}: ${verdicts.length === 0 ? 'every check passed' : `${verdicts.length} violation${verdicts.length === 1 ? '' : 's'}`}${cost}`;
    // With a paired table below, the numbers are there; one run gets them on its own line.
    const numbers = paired ? '' : numbersLine(m);
    return [`<div class="verdict-run" data-run="${run}"><div class="verdict-head">${head}</div>${numbers}${items.length ? `<ol>${items.join('')}</ol>` : ''}</div>`];
  });
  return runs.join('') + table;
}

function abbreviate(ids: string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids[0]}, ${ids[1]} … ${ids[ids.length - 1]}`;
}

/** A window that shows every cited instant, with a margin, and is never narrower than `minimum`. */
export function evidenceWindow(cites: EvidenceCite[], minimum: number): [number, number] {
  const times = cites.map((c) => c.t);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const margin = Math.max((last - first) * 0.05, minimum / 2);
  return [first - margin, last + margin];
}

/** The row of the record a cite names, or -1. */
export function citedRow(model: RunModel, cite: EvidenceCite): number {
  const actor = model.data.header.actors.findIndex((info) => info.id === cite.a);
  const { a, n, length } = model.data;
  for (let i = 0; i < length; i++) if (a[i] === actor && n[i] === cite.n) return i;
  return -1;
}


/**
 * The panel's styles, added to the page with the panel: pages without verdicts, and the figures
 * they export (which carry the page's stylesheet), stay exactly as they were.
 */
const PANEL_STYLE = `
#verdicts { margin: 0 12px 8px; font-size: 12px; }
#verdicts summary { cursor: pointer; font-weight: 600; }
#verdicts ol { margin: 4px 0; padding-left: 22px; }
#verdicts li.verdict { margin: 3px 0; }
#verdicts .verdict-head { font-weight: 600; margin-top: 2px; }
#verdicts button { font: inherit; cursor: pointer; border: 1px solid #d0d7de; background: #f6f8fa; border-radius: 4px; padding: 0 6px; margin: 1px 4px 1px 0; }
#verdicts button.verdict-zoom { border-color: #DC267F; color: #8a1040; }
#verdicts .verdict-events { color: #6e7781; }
#verdicts .waste { color: #8a1040; }
#verdicts .run-numbers { color: #3d444d; display: inline; }
#verdicts .run-number b { color: #1f2328; }
#verdicts table.paired { border-collapse: collapse; margin: 4px 0 2px 12px; }
#verdicts table.paired th, #verdicts table.paired td { padding: 1px 10px; text-align: right; border-bottom: 1px solid #eaeef2; }
#verdicts table.paired th:first-child { text-align: left; font-weight: normal; color: #3d444d; }
#verdicts table.paired thead th { font-weight: 600; vertical-align: bottom; text-align: right; }
#verdicts .evidence-list { display: inline; margin-left: 4px; }
#verdicts .verdict-head { display: inline-block; margin-right: 12px; }
#verdicts .run-sub { font-weight: normal; color: #6e7781; }`;

/**
 * Puts the verdict panel under the legend (when any run has verdicts) and makes its buttons move
 * the view: a violation zooms to all of its evidence, one piece of evidence to itself, selected.
 */
export function showVerdicts(models: RunModel[], domainUs: number, update: (change: { t0: number; t1: number; selection?: { run: number; row: number } }) => void): void {
  const html = verdictPanelHtml(models);
  if (html === '') return;
  const panel = document.createElement('details');
  panel.id = 'verdicts';
  panel.open = true;
  panel.innerHTML = `<summary>Verdicts</summary><style>${PANEL_STYLE}</style><div id="verdicts-body">${html}</div>`;
  document.getElementById('legend')!.after(panel);
  panel.addEventListener('click', (event) => {
    const button = (event.target as Element).closest('button');
    if (button === null) return;
    const run = Number(button.dataset.run);
    const model = models[run];
    const verdict = model?.data.header.annotations?.verdicts?.[Number(button.dataset.verdict)];
    if (verdict === undefined) return;
    if (button.classList.contains('verdict-zoom')) {
      if (verdict.cites.length === 0) return;
      const [t0, t1] = evidenceWindow(verdict.cites, domainUs / 50);
      update({ t0, t1 });
      return;
    }
    const cite = verdict.cites[Number(button.dataset.cite)];
    if (cite === undefined) return;
    const [t0, t1] = evidenceWindow([cite], domainUs / 50);
    const row = citedRow(model, cite);
    update(row >= 0 ? { t0, t1, selection: { run, row } } : { t0, t1 });
  });
}

/**
 * A run's numbers on the page, beside its verdicts: lost work, waste, recovery time, duplicates,
 * latency — the metrics the summary holds (`wire/annotations.ts`, picked by the report) — as a
 * line under the run's verdict, and, when several stacked runs have them, one small table with a
 * row per run, so a comparison has a numeric answer on the page.
 *
 * Guarantee: shows exactly the summary's values, formatted with their unit; a run without a
 * summary shows none, and a metric only some runs have is a dash in the others' columns.
 */
import { escapeHtml, formatCount, formatTime } from '../draw/format.ts';
import { formatBytes } from '../draw/recovery-marks.ts';
import type { RunModel } from '../model/model.ts';
import type { RunNumber } from '../wire/annotations.ts';

/** How many numbers the line under a verdict shows; the table (or the tooltip) has the rest. */
const LINE_LIMIT = 5;

export function formatNumber(n: RunNumber): string {
  switch (n.unit) {
    case 'fraction': return `${(n.value * 100).toFixed(1)}%`;
    case 'us': return formatTime(n.value, 3);
    case 'bytes': return formatBytes(n.value);
    case 'events': return `${formatCount(n.value)} event${n.value === 1 ? '' : 's'}`;
    default: return formatCount(n.value);
  }
}

const numbersOf = (m: RunModel): RunNumber[] => m.data.header.annotations?.numbers ?? [];

/** The run's first numbers as one line of HTML (empty without numbers). */
export function numbersLine(model: RunModel): string {
  const numbers = numbersOf(model);
  if (numbers.length === 0) return '';
  const all = numbers.map((n) => `${n.label}: ${formatNumber(n)}`).join('\n');
  const items = numbers.slice(0, LINE_LIMIT).map((n) => `<span class="run-number" data-key="${escapeHtml(n.key)}" data-value="${n.value}">${escapeHtml(n.label)} <b>${escapeHtml(formatNumber(n))}</b></span>`);
  return `<div class="run-numbers" title="${escapeHtml(all)}">${items.join(' · ')}</div>`;
}

/**
 * A table with a row per run and a column per metric, when two or more runs have numbers: as many
 * lines as runs, so the comparison sits above the diagrams without pushing them off the first screen.
 */
export function pairedTable(models: RunModel[]): string {
  const runs = models.filter((m) => numbersOf(m).length > 0);
  if (runs.length < 2) return '';
  const keys: RunNumber[] = [];
  for (const m of runs) for (const n of numbersOf(m)) if (!keys.some((k) => k.key === n.key)) keys.push(n);
  const head = keys.map((k) => `<th>${escapeHtml(k.label)}</th>`).join('');
  const rows = runs.map((m) => {
    const cells = keys.map((k) => {
      const n = numbersOf(m).find((x) => x.key === k.key);
      return `<td data-run="${escapeHtml(m.name)}" data-key="${escapeHtml(k.key)}">${n === undefined ? '—' : escapeHtml(formatNumber(n))}</td>`;
    });
    return `<tr><th title="${escapeHtml(m.label)}">Run ${escapeHtml(m.name)} <span class="run-sub">${escapeHtml(shortLabel(m))}</span></th>${cells.join('')}</tr>`;
  });
  return `<table class="paired"><thead><tr><th></th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The scenario (or strategy) part of a run's label, short enough for a column head. */
function shortLabel(m: RunModel): string {
  const meta = m.data.header.meta ?? {};
  return typeof meta.scenario === 'string' ? meta.scenario : m.label.split(' — ')[0];
}

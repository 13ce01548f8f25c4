/**
 * The machine-readable results of a study: `results.json` (the spec, every cell and the
 * statistics) and `results.csv` (one row per cell, one column per metric — ready for pandas or R).
 *
 * Guarantee: deterministic — wall-clock times are left out (they stay in `results.jsonl`), so a
 * merged sharded sweep and the unsharded sweep give identical files. Rows are in cell order.
 */
import type { CellView, StudyView } from './study-data.ts';
import type { StudySummary } from './study-summary.ts';

export const STUDY_FORMAT = 'diaspora-study/1';

export function studyJson(view: StudyView, summary: StudySummary): string {
  const cells = view.cells.map(({ wallTimeMs: _, ...cell }) => cell);
  // Per-seed samples repeat the cells; the summary keeps the statistics.
  const groups = summary.groups.map(({ samples: _, ...group }) => group);
  const document = { format: STUDY_FORMAT, id: view.id, file: view.file, spec: view.spec, summary: { ...summary, groups }, cells };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function studyCsv(view: StudyView, summary: StudySummary): string {
  const params = view.spec.params.map((p) => p.path);
  const header = ['index', 'cell', 'variant', ...params, 'seed', 'status', 'traceHash', 'events', ...summary.metrics, 'error'];
  const rows = view.cells.map((cell) => rowOf(cell, params, summary.metrics));
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

function rowOf(cell: CellView, params: readonly string[], metrics: readonly string[]): (string | number)[] {
  return [
    cell.index,
    cell.cell,
    cell.variant,
    ...params.map((path) => cell.params[path] ?? ''),
    cell.seed,
    cell.status,
    cell.traceHash ?? '',
    cell.events ?? '',
    ...metrics.map((metric) => cell.values?.[metric] ?? ''),
    cell.error ? `${cell.error.kind}: ${cell.error.message.split('\n')[0]}` : '',
  ];
}

/** RFC 4180: quote fields with commas, quotes or line breaks; double the quotes inside. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * `report.html` of a study: one self-contained page — styles, d3, the study's numbers and the
 * chart script inlined — that opens from disk, offline, with nothing fetched.
 *
 * Guarantee: a pure function of the study (plus the d3 and chart sources it inlines), so the page
 * of a merged sharded sweep is byte-for-byte that of the unsharded one. Only the metrics that vary
 * are charted; the others are listed with their single value.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../package-layout.ts';
import { cellCommand, formatSeeds, formatValue, metricLabel, metricUnit, plural, unitNoun } from './study-format.ts';
import type { StudyView } from './study-data.ts';
import type { StudySummary } from './study-summary.ts';

const d3Path = () => join(dirname(fileURLToPath(import.meta.resolve('d3'))), 'd3.min.js');
// A browser script, read as text: it stays in src/ (not compiled), found there from dist/ too.
const CHARTS = packageFile('src/report/study-charts.client.js');

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #555; margin: 0 0 12px; }
#legend, #dashes { list-style: none; padding: 0; display: flex; gap: 16px; flex-wrap: wrap; }
#dashes svg { margin-right: 6px; }
#legend .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
#charts { display: flex; flex-wrap: wrap; gap: 16px; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; }
.card svg { display: block; }
.card h3 { font-size: 14px; margin: 0 0 4px; }
.card h3 code { font-size: 11px; color: #777; font-weight: normal; margin-left: 6px; }
.axis-title { font-size: 11px; fill: #333; }
.bar { opacity: 0.75; }
.seed { fill: #222; opacity: 0.55; }
.whisker line, .zero { stroke: #222; stroke-width: 1.5; }
.zero { stroke-dasharray: 3,3; stroke-width: 1; }
.interval { stroke-width: 3; }
.band { opacity: 0.18; stroke: none; }
.line { fill: none; stroke-width: 2; opacity: 0.9; }
.caption, .label { font-size: 11px; fill: #555; }
.constant { color: #555; font-size: 13px; }
h2 { font-size: 16px; margin: 24px 0 4px; }
table.cells { border-collapse: collapse; font-size: 13px; }
table.cells th, table.cells td { border-bottom: 1px solid #eee; padding: 3px 8px; text-align: left; vertical-align: top; }
table.cells td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.cells code { font-size: 11px; color: #444; }
.status-fail { color: #8c1d16; } .status-error { color: #8c1d16; font-weight: bold; }
`;

/** Inline scripts must not contain `</script`, which would end the element early. */
const scriptSafe = (code: string) => code.replace(/<\/script/gi, '<\\/script');
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function studyHtml(view: StudyView, summary: StudySummary, title: string): string {
  const { spec } = view;
  const c = summary.cells;
  const meta = `${spec.scenario.name} (${view.file}) · diaspora-sim ${spec.version} · ${spec.kind} ${view.id} · ${plural(spec.seeds.length, 'seed')} (--seeds ${formatSeeds(spec.seeds)}) · ` +
    `${c.total} cells: ${c.pass} passed, ${c.fail} failed a check, ${c.error} errored`;
  const constant = Object.entries(summary.constant).map(([m, v]) => `${m} ${formatValue(v, metricUnit(m))}`).join(', ');
  const data = JSON.stringify(chartData(view, summary)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(meta)}</p>
<p class="meta">Means with 95% confidence intervals over seeds (Student t); every variant runs on the same seeds, so differences are paired by seed.</p>
<ul id="legend"></ul>
<div id="controls"></div>
<ul id="dashes"></ul>
<div id="charts"></div>
${constant ? `<p class="constant">The same in every cell: ${escapeHtml(constant)}.</p>` : ''}
${cellTable(view, summary)}
<script type="application/json" id="study-data">${data}</script>
<script>${scriptSafe(readFileSync(d3Path(), 'utf8'))}</script>
<script>${scriptSafe(readFileSync(CHARTS, 'utf8'))}</script>
</body>
</html>
`;
}

/** Columns of the cell table: the first varying metrics in reading order. */
const CELL_METRICS = 4;

/**
 * Every cell with its verdict, its first metrics, and its timeline: the link to
 * `cells/<index>/timeline.html` beside this page, and the command that writes it there, run where
 * the study ran (its scenario path and the report's directory are as the study named them) —
 * studies keep no traces, so a cell's timeline is written on demand, the run being deterministic.
 */
function cellTable(view: StudyView, summary: StudySummary): string {
  const metrics = summary.varying.slice(0, CELL_METRICS);
  const params = view.spec.params.map((p) => p.path);
  const head = ['variant', ...params, 'seed', 'checks', ...metrics.map(metricLabel), 'timeline'].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = view.cells.map((cell) => {
    const dir = `cells/${cell.index}`;
    const command = cellCommand(view.file, view.spec, cell, ['--viz', '-o', view.dir === undefined ? dir : `${view.dir.replace(/\/+$/, '')}/${dir}`]);
    const status = cell.status === 'pass' ? 'passed' : cell.status === 'fail' ? 'failed' : 'errored';
    const values = metrics.map((m) => `<td class="num">${cell.values?.[m] === undefined ? '–' : escapeHtml(formatValue(cell.values[m], metricUnit(m)))}</td>`).join('');
    return `<tr><td>${escapeHtml(cell.variant)}</td>${params.map((p) => `<td>${escapeHtml(cell.params[p] ?? '')}</td>`).join('')}<td class="num">${cell.seed}</td>` +
      `<td class="status-${cell.status}">${status}</td>${values}<td><a href="${dir}/timeline.html">timeline</a> <code>${escapeHtml(command)}</code></td></tr>`;
  }).join('\n');
  return `<h2>Cells</h2>
<p class="meta">Each cell is one run. Its timeline link works once its command has been run ${view.dir === undefined ? "in this report's directory" : "where the study was run"} — studies keep no traces; the run is deterministic, so it is the same run.</p>
<table class="cells"><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table>`;
}

/** What the chart script reads: the varying metrics only, with their units. */
function chartData(view: StudyView, summary: StudySummary) {
  const pick = <T>(record: Record<string, T>) => Object.fromEntries(summary.varying.map((m) => [m, record[m]]));
  return {
    kind: view.spec.kind,
    variants: view.spec.variants.map((v) => v.name),
    baseline: view.spec.baseline,
    params: view.spec.params,
    metrics: summary.varying.map((name) => ({ name, unit: metricUnit(name), label: metricLabel(name), noun: unitNoun(name) })),
    groups: summary.groups.map((g) => ({
      point: g.point,
      variant: g.variant,
      stats: pick(g.stats),
      samples: Object.fromEntries(summary.varying.map((m) => [m, (g.samples[m] ?? []).map((s) => [s.seed, s.value])])),
    })),
    comparisons: summary.comparisons.map((cmp) => ({ point: cmp.point, variant: cmp.variant, diffs: pick(cmp.diffs) })),
  };
}

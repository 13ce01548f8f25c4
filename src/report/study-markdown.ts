/**
 * The parts every study report shares: the header (what ran, on which seeds, with which
 * overrides), the metrics that never changed, the cells that errored with the command that
 * reproduces each, the command that re-runs the study, and tables as Markdown or aligned text.
 */
import { cellCommand, formatSeeds, formatValue, metricUnit, studyCommand } from './study-format.ts';
import type { StudyView } from './study-data.ts';
import type { StudySummary } from './study-summary.ts';

/** Errored cells listed in a report; the rest are counted. */
const SHOWN_ERRORS = 10;

export interface Table {
  header: string[];
  rows: string[][];
  /** Columns to right-align (numbers). */
  numeric: boolean[];
}

export function markdownTable(table: Table): string[] {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${table.header.map(escape).join(' | ')} |`,
    `|${table.numeric.map((right) => (right ? '---:' : '---')).join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ];
}

/** Columns padded to their widest cell, two spaces apart: for terminals. */
export function alignedTable(table: Table): string[] {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, i) => Math.max(...all.map((row) => [...(row[i] ?? '')].length)));
  const pad = (cell: string, i: number) => (table.numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!));
  return all.map((row) => row.map(pad).join('  ').trimEnd());
}

export function studyHeader(view: StudyView, summary: StudySummary, title: string): string[] {
  const { spec } = view;
  const c = summary.cells;
  const variants = spec.variants.map((v) => `${v.name}${v.sets.length > 0 ? `: \`${v.sets.join(', ')}\`` : ''}`).join('; ');
  return [
    `# ${title}`,
    '',
    '| | |',
    '|---|---|',
    `| scenario | ${spec.scenario.name} (\`${view.file}\`, sha256 ${spec.scenario.sha256.slice(0, 12)}) |`,
    `| diaspora-sim | ${spec.version} |`,
    `| study | ${spec.kind} ${view.id} |`,
    ...(spec.sets.length > 0 ? [`| overrides | \`${spec.sets.join('`, `')}\` |`] : []),
    `| variants | ${variants} |`,
    ...(spec.variants.length > 1 ? [`| baseline | ${spec.baseline} |`] : []),
    ...spec.params.map((p) => `| ${p.path} | ${p.values.map((v) => v.text).join(', ')}${p.scale === 'log' ? ' (log scale)' : ''} |`),
    `| seeds | ${formatSeeds(spec.seeds)} — the same for every variant (common random numbers) |`,
    `| cells | ${c.total}: ${c.pass} passed every check, ${c.fail} failed a check, ${c.error} errored |`,
    '',
  ];
}

export function constantSection(summary: StudySummary): string[] {
  const entries = Object.entries(summary.constant);
  if (entries.length === 0) return [];
  return ['## The same in every cell', '', entries.map(([m, v]) => `${m} ${formatValue(v, metricUnit(m))}`).join(', ') + '.', ''];
}

export function errorSection(view: StudyView): string[] {
  const errored = view.cells.filter((c) => c.status === 'error');
  if (errored.length === 0) return [];
  const lines = ['## Cells that did not run', ''];
  for (const cell of errored.slice(0, SHOWN_ERRORS)) {
    lines.push(`- \`${cell.cell}\` (${cell.error?.kind ?? 'internal'}): ${cell.error?.message.split('\n')[0] ?? ''}`);
    lines.push(`  reproduce: \`${cellCommand(view.file, view.spec, cell)}\``);
  }
  if (errored.length > SHOWN_ERRORS) lines.push(`- … and ${errored.length - SHOWN_ERRORS} more in results.csv`);
  return [...lines, ''];
}

export function reproduceSection(view: StudyView): string[] {
  const first = view.cells[0];
  return [
    '## Reproduce',
    '',
    '```sh',
    studyCommand(view.file, view.spec),
    ...(first ? [`# one cell, with its trace:`, cellCommand(view.file, view.spec, first)] : []),
    '```',
    '',
  ];
}

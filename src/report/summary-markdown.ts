/**
 * `summary.md`: a run's summary for people — what ran, whether every check held, the evidence for
 * each violation (the first few, in stream terms, with the trace records `(actor, n)` to find them
 * in the timeline), the metrics, and the command that reproduces the run.
 */
import { verdictWord, type RunResult } from '../check/index.ts';
import { formatMicros } from '../kernel/contract/index.ts';

const SHOWN_VIOLATIONS = 5;

export function summaryMarkdown(summary: RunResult, reproduce: string): string {
  const lines = [
    `# ${summary.scenario} — seed ${summary.seed}: ${summary.ok ? 'PASS' : 'FAIL'}`,
    '',
    `| | |`,
    `|---|---|`,
    `| diaspora-sim | ${summary.version} |`,
    `| trace hash | \`${summary.traceHash}\` |`,
    `| simulated time | ${formatMicros(summary.simulatedTimeUs)} |`,
    `| events / trace records | ${summary.events} / ${summary.records} |`,
    `| wall time | ${summary.wallTimeMs} ms |`,
    '',
    '## Checks',
    '',
  ];
  for (const [name, verdict] of Object.entries(summary.checks)) {
    const word = verdictWord(verdict);
    lines.push(`### ${name}: ${word === 'FAIL' ? `FAIL (${verdict.violationCount} violations)` : word === 'VACUOUS' ? `VACUOUS (checked nothing: ${verdict.vacuousReason})` : word}`, '');
    lines.push(`Stats: ${Object.entries(verdict.stats).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
    for (const violation of verdict.violations.slice(0, SHOWN_VIOLATIONS)) {
      const cites = violation.cites.map((c) => `\`${c.k} ${c.a}#${c.n} @${formatMicros(c.t)}\``).join(', ');
      lines.push(`- **${violation.anomaly}**: ${violation.message}${cites ? ` — evidence: ${cites}` : ''}`);
    }
    if (verdict.violationCount > SHOWN_VIOLATIONS) lines.push(`- … and ${verdict.violationCount - SHOWN_VIOLATIONS} more in summary.json`);
    if (verdict.violations.length > 0) lines.push('');
  }
  lines.push('## Metrics', '');
  for (const [name, values] of Object.entries(summary.metrics)) {
    lines.push(`### ${name}`, '', '| metric | value |', '|---|---|');
    for (const [key, value] of Object.entries(values)) lines.push(`| ${key} | ${formatValue(value)} |`);
    lines.push('');
  }
  lines.push('## Reproduce', '', '```sh', reproduce, '```', '');
  return lines.join('\n');
}

/** Series longer than this are summarised in the table (summary.json has every point). */
const SHOWN_POINTS = 8;

/** A metric for a table cell: nested objects inline, in parentheses; long series as their length. */
function formatValue(value: unknown): string {
  if (Array.isArray(value)) {
    const flat = value.every((v) => v === null || typeof v !== 'object');
    return flat && value.length <= SHOWN_POINTS ? value.join(', ') : `${value.length} points in summary.json`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '–';
    return entries.map(([k, v]) => `${k} ${v !== null && typeof v === 'object' ? `(${formatValue(v)})` : String(v)}`).join(', ');
  }
  return String(value);
}

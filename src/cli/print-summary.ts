/**
 * The terminal view of a run: one line per check (PASS/FAIL/VACUOUS in words, not glyphs alone), the first
 * pieces of evidence for a failure, the headline metrics, where the results are, and how to
 * reproduce a failure.
 */
import type { RunSummary } from '../exec/run.ts';
import { verdictDetail, verdictWord } from '../check/index.ts';
import { formatMicros } from '../kernel/contract/index.ts';

const SHOWN = 3;

export interface PrintOptions {
  quiet: boolean;
  /** The run directory, as the user should type it. */
  dir: string;
  reproduce: string;
  /** Whether timeline.html was written (then failures link to their first evidence in it). */
  timeline: boolean;
}

export function printSummary(summary: RunSummary, options: PrintOptions): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const failed = Object.entries(summary.checks).filter(([, v]) => !v.ok);
  if (options.quiet) {
    out(`${summary.ok ? 'PASS' : 'FAIL'} ${summary.scenario} seed ${summary.seed} ${summary.traceHash.slice(0, 16)}${failed.length ? ` (${failed.map(([n]) => n).join(', ')})` : ''}`);
    return;
  }
  for (const [name, verdict] of Object.entries(summary.checks)) {
    out(`${verdictWord(verdict)} ${name} — ${verdictDetail(verdict)}`);
    for (const violation of verdict.violations.slice(0, SHOWN)) out(`     ${violation.anomaly}: ${violation.message}`);
    if (verdict.violationCount > SHOWN) out(`     … ${verdict.violationCount - SHOWN} more in ${options.dir}/summary.json`);
  }
  for (const [name, values] of Object.entries(summary.metrics)) {
    // A metric that measured nothing (every number zero: no producer, no coverage path) does not apply to this run.
    if (measuredNothing(values)) continue;
    const line = headline(values);
    if (line !== '') out(`${name}: ${line}`);
  }
  out(`trace ${summary.traceHash.slice(0, 16)} · ${summary.events} events · ${formatMicros(summary.simulatedTimeUs)} simulated in ${summary.wallTimeMs} ms`);
  out(`results: ${options.dir}/`);
  const evidence = failed.flatMap(([, v]) => v.violations).find((v) => v.cites.length > 0)?.cites[0];
  if (options.timeline) out(`timeline: ${options.dir}/timeline.html${evidence ? `#a=${encodeURIComponent(evidence.a)}&n=${evidence.n}` : ''}`);
  if (!summary.ok) out(`reproduce: ${options.reproduce}`);
}

function measuredNothing(values: Record<string, unknown>): boolean {
  return Object.values(values).every((value) => {
    if (typeof value === 'number') return value === 0;
    if (value !== null && typeof value === 'object' && 'p50' in value && 'p99' in value) return (value as { p50: number }).p50 === 0 && (value as { p99: number }).p99 === 0;
    return true;
  });
}

function headline(values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'number') parts.push(`${key} ${value}`);
    else if (value !== null && typeof value === 'object' && 'p50' in value && 'p99' in value) {
      const p = value as { p50: number; p99: number };
      parts.push(`${key.replace(/Us$/, '')} p50 ${formatMicros(p.p50)} p99 ${formatMicros(p.p99)}`);
    }
  }
  return parts.join(', ');
}

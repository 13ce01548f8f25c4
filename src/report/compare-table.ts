/**
 * The comparison table: one row per metric that varies; per variant its mean ± 95% half-width
 * over seeds; per other variant the paired difference to the baseline with its interval, `*` when
 * the interval excludes zero, and the paired t-test's p-value (`report.md`) — or, for a terminal,
 * the difference as mean ± half-width with its `*` and no p, so that three variants fit.
 */
import { formatDifference, formatDifferenceShort, formatEstimate, formatP, metricUnit } from './study-format.ts';
import type { Table } from './study-markdown.ts';
import type { StudyView } from './study-data.ts';
import { comparisonAt, groupAt, type StudySummary } from './study-summary.ts';

/** The table for one grid point (a comparison has exactly one: no params). */
export function compareTable(view: StudyView, summary: StudySummary, options: { compact?: boolean; point?: Record<string, string>; only?: readonly string[] } = {}): Table {
  const point = options.point ?? {};
  const { variants, baseline } = view.spec;
  const others = variants.filter((v) => v.name !== baseline);
  const header = [
    'metric',
    ...variants.map((v) => (v.name === baseline && others.length > 0 ? `${v.name} (baseline)` : v.name)),
    ...others.flatMap((v) => (options.compact ? [`Δ ${v.name}`] : [`Δ ${v.name}`, 'p'])),
  ];
  const { only } = options;
  const shown = only === undefined ? summary.varying : summary.varying.filter((metric) => only.some((prefix) => metric.startsWith(prefix)));
  const rows = shown.map((metric) => {
    const unit = metricUnit(metric);
    const means = variants.map((v) => {
      const stats = groupAt(summary, point, v.name)?.stats[metric];
      return stats ? formatEstimate(stats, unit) : '–';
    });
    const diffs = others.flatMap((v) => {
      const d = comparisonAt(summary, point, v.name)?.diffs[metric];
      if (options.compact) return [d ? formatDifferenceShort(d, unit) : '–'];
      return d ? [formatDifference(d, unit), formatP(d.p)] : ['–', '–'];
    });
    return [metric, ...means, ...diffs];
  });
  return { header, rows, numeric: header.map((_, i) => i > 0) };
}

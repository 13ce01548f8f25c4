/**
 * `report.md` of `diaspora sweep`: for every metric that varies, a table of its mean ± 95%
 * half-width at each grid point (rows) for each variant (columns); the charts of the same numbers
 * are in `report.html`.
 */
import { formatEstimate, metricUnit, plural } from './study-format.ts';
import type { StudyView } from './study-data.ts';
import { constantSection, errorSection, markdownTable, reproduceSection, studyHeader } from './study-markdown.ts';
import { groupAt, type StudySummary } from './study-summary.ts';

export function sweepTitle(view: StudyView): string {
  const { spec } = view;
  return `Sweep of ${spec.params.map((p) => p.path).join(' × ') || 'nothing'} — ${spec.scenario.name}, ${plural(spec.seeds.length, 'seed')}`;
}

export function sweepMarkdown(view: StudyView, summary: StudySummary): string {
  const { spec } = view;
  const lines = [
    ...studyHeader(view, summary, sweepTitle(view)),
    '## Results',
    '',
    'Mean ± half-width of the 95% confidence interval over seeds (Student t), per grid point and variant.',
    '',
  ];
  for (const metric of summary.varying) {
    const unit = metricUnit(metric);
    const header = [...spec.params.map((p) => p.path), ...spec.variants.map((v) => v.name)];
    const rows = summary.points.map((point) => [
      ...spec.params.map((p) => point[p.path] ?? ''),
      ...spec.variants.map((v) => {
        const stats = groupAt(summary, point, v.name)?.stats[metric];
        return stats ? formatEstimate(stats, unit) : '–';
      }),
    ]);
    lines.push(`### ${metric}`, '', ...markdownTable({ header, rows, numeric: header.map((_, i) => i >= spec.params.length) }), '');
  }
  lines.push(...constantSection(summary), ...errorSection(view), ...reproduceSection(view));
  return lines.join('\n');
}

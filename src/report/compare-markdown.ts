/**
 * `report.md` of `diaspora compare`: which variant does better on which metric, by how much, and
 * how sure we are — means with 95% confidence intervals over seeds, and paired differences to the
 * baseline on the same seeds, flagged where significant.
 */
import { plural } from './study-format.ts';
import { compareTable } from './compare-table.ts';
import type { StudyView } from './study-data.ts';
import { constantSection, errorSection, markdownTable, reproduceSection, studyHeader } from './study-markdown.ts';
import type { StudySummary } from './study-summary.ts';

export function compareTitle(view: StudyView): string {
  const { spec } = view;
  return `Compare ${spec.variants.map((v) => v.name).join(', ')} — ${spec.scenario.name}, ${plural(spec.seeds.length, 'seed')}`;
}

export function compareMarkdown(view: StudyView, summary: StudySummary): string {
  const { spec } = view;
  const lines = [
    ...studyHeader(view, summary, compareTitle(view)),
    '## Results',
    '',
    `Mean ± half-width of the 95% confidence interval over seeds (Student t). Δ is the paired difference to ` +
      `${spec.baseline} on the same seeds, with its 95% interval; \`*\` marks an interval that excludes zero, and p is the ` +
      'two-sided paired t-test. `passed` is the fraction of seeds on which every check held.',
    '',
    ...markdownTable(compareTable(view, summary)),
    '',
    ...constantSection(summary),
    ...errorSection(view),
    ...reproduceSection(view),
  ];
  return lines.join('\n');
}

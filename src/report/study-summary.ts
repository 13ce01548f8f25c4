/**
 * The statistics of a study: for every grid point and variant, each metric's mean over seeds with a
 * 95% confidence interval; and for every other variant, the paired difference to the baseline on
 * the seeds both ran (common random numbers make the pairing meaningful: same faults, same
 * workload), with its significance.
 *
 * Guarantee: a pure function of the view; groups come in grid order, then variant order, and
 * metrics in the order the cells first name them — so the reports built on it are deterministic.
 * Cells that errored count as errors and contribute no values; a seed is paired only when both
 * variants produced the metric on it.
 */
import { type Difference, type Estimate, estimate, pairedDifference } from './stats.ts';
import type { CellView, StudyView } from './study-data.ts';
import { orderMetrics } from './study-format.ts';

export interface Group {
  point: Record<string, string>;
  variant: string;
  /** Cells of this group that ran, that failed a check, and that errored. */
  ran: number;
  failed: number;
  errors: number;
  stats: Record<string, Estimate>;
  /** Per metric, the value on each seed that ran (for distributions), in seed order. */
  samples: Record<string, { seed: number; value: number }[]>;
}

export interface Comparison {
  point: Record<string, string>;
  variant: string;
  baseline: string;
  diffs: Record<string, Difference>;
}

export interface StudySummary {
  /** Every metric, in first-seen order. */
  metrics: string[];
  /** The metrics that are not the same in every cell that ran (or missing in some): the ones worth a chart. */
  varying: string[];
  /** The metrics that are: name → the value every cell had. */
  constant: Record<string, number>;
  points: Record<string, string>[];
  groups: Group[];
  comparisons: Comparison[];
  cells: { total: number; pass: number; fail: number; error: number };
}

export function summarise(view: StudyView): StudySummary {
  const metrics = metricNames(view.cells);
  const { varying, constant } = splitConstant(view.cells, metrics);
  const byGroup = new Map<string, CellView[]>();
  for (const cell of view.cells) {
    const key = groupKey(cell.params, cell.variant);
    const group = byGroup.get(key);
    if (group === undefined) byGroup.set(key, [cell]);
    else group.push(cell);
  }
  const points = distinctPoints(view.cells);
  const groups: Group[] = [];
  const comparisons: Comparison[] = [];
  for (const point of points) {
    const cellsOf = (variant: string) => byGroup.get(groupKey(point, variant)) ?? [];
    for (const variant of view.spec.variants) groups.push(groupOf(point, variant.name, cellsOf(variant.name), metrics));
    const base = cellsOf(view.spec.baseline);
    for (const variant of view.spec.variants) {
      if (variant.name === view.spec.baseline) continue;
      const diffs = Object.fromEntries(metrics.map((metric) => [metric, paired(base, cellsOf(variant.name), metric)]));
      comparisons.push({ point, variant: variant.name, baseline: view.spec.baseline, diffs });
    }
  }
  const tally = (status: CellView['status']) => view.cells.filter((c) => c.status === status).length;
  return { metrics, varying, constant, points, groups, comparisons, cells: { total: view.cells.length, pass: tally('pass'), fail: tally('fail'), error: tally('error') } };
}

/** The group of `point` × `variant` in a summary. */
export function groupAt(summary: StudySummary, point: Record<string, string>, variant: string): Group | undefined {
  const key = groupKey(point, variant);
  return summary.groups.find((g) => groupKey(g.point, g.variant) === key);
}

export function comparisonAt(summary: StudySummary, point: Record<string, string>, variant: string): Comparison | undefined {
  const key = groupKey(point, variant);
  return summary.comparisons.find((c) => groupKey(c.point, c.variant) === key);
}

function groupOf(point: Record<string, string>, variant: string, cells: readonly CellView[], metrics: readonly string[]): Group {
  const ran = cells.filter((c) => c.values !== undefined);
  const samples: Group['samples'] = {};
  const stats: Group['stats'] = {};
  for (const metric of metrics) {
    samples[metric] = ran.filter((c) => metric in c.values!).map((c) => ({ seed: c.seed, value: c.values![metric]! }));
    stats[metric] = estimate(samples[metric].map((s) => s.value));
  }
  return { point, variant, ran: ran.length, failed: cells.filter((c) => c.status === 'fail').length, errors: cells.filter((c) => c.status === 'error').length, stats, samples };
}

function paired(base: readonly CellView[], other: readonly CellView[], metric: string): Difference {
  const baseBySeed = new Map(base.filter((c) => c.values?.[metric] !== undefined).map((c) => [c.seed, c.values![metric]!]));
  const a: number[] = [];
  const b: number[] = [];
  for (const cell of other) {
    const value = cell.values?.[metric];
    const baseValue = baseBySeed.get(cell.seed);
    if (value === undefined || baseValue === undefined) continue;
    a.push(baseValue);
    b.push(value);
  }
  return pairedDifference(a, b);
}

function metricNames(cells: readonly CellView[]): string[] {
  const names = new Set<string>();
  for (const cell of cells) for (const name of Object.keys(cell.values ?? {})) names.add(name);
  return orderMetrics(names);
}

/**
 * A metric is the same in every cell only if every cell that ran has it, with one value: one that
 * some variant does not measure at all (message logging's cost beside a run without a log) varies
 * — present against absent — even when it is constant where it applies.
 */
function splitConstant(cells: readonly CellView[], metrics: readonly string[]): { varying: string[]; constant: Record<string, number> } {
  const varying: string[] = [];
  const constant: Record<string, number> = {};
  const ran = cells.filter((c) => c.values !== undefined);
  for (const metric of metrics) {
    const values = new Set(ran.flatMap((c) => (c.values![metric] === undefined ? [] : [c.values![metric]])));
    const everywhere = ran.every((c) => c.values![metric] !== undefined);
    if (values.size === 1 && everywhere) constant[metric] = [...values][0]!;
    else varying.push(metric);
  }
  return { varying, constant };
}

function distinctPoints(cells: readonly CellView[]): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  for (const cell of cells) {
    const key = JSON.stringify(cell.params);
    if (!seen.has(key)) seen.set(key, cell.params);
  }
  return [...seen.values()];
}

function groupKey(point: Record<string, string>, variant: string): string {
  return JSON.stringify([point, variant]);
}

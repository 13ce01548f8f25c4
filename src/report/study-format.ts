/**
 * Numbers in study reports, for people: three significant digits, durations in the unit that
 * reads best (`7.82ms`, `3.01s`), sizes in bytes with SI prefixes, and the command line that
 * reproduces a study. The unit of a metric is read from its name, as the metrics name themselves:
 * a part ending in `Us` is microseconds, one starting with `bytes` or ending in `Bytes` is bytes (a
 * last part `count` is a count whatever its parent).
 */
import type { Difference, Estimate } from './stats.ts';
import type { StudySpecView } from './study-data.ts';

export type MetricUnit = 'duration' | 'bytes' | 'number';

export function metricUnit(metric: string): MetricUnit {
  const parts = metric.split('.');
  // `ackLatencyUs.p99` is a duration; `ackLatencyUs.count` is how many there were.
  if (parts[parts.length - 1] === 'count') return 'number';
  if (parts.some((part) => /Us$/.test(part))) return 'duration';
  if (parts.some((part) => /^bytes|Bytes$/.test(part))) return 'bytes';
  return 'number';
}

/**
 * What a reader of a study looks for first, in this order: whether the checks passed, work lost,
 * waste, time to recover, duplicates, latency (matched in the metric's name, any case); every
 * other metric follows in alphabetical order, so reports list the same metrics in the same order.
 */
const FIRST = [/^passed$/, /lost/i, /waste/i, /recover/i, /duplicate/i, /latency/i];

const rank = (metric: string) => {
  const at = FIRST.findIndex((pattern) => pattern.test(metric));
  return at < 0 ? FIRST.length : at;
};

/** Metrics in reading order (see `FIRST`). */
export function orderMetrics(metrics: Iterable<string>): string[] {
  return [...metrics].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** What a metric's numbers count, for an axis title: `time`, `bytes`, `fraction`, `per second` or `count`. */
export function unitNoun(metric: string): string {
  const unit = metricUnit(metric);
  if (unit !== 'number') return unit === 'duration' ? 'time' : 'bytes';
  const last = metric.split('.').pop() ?? metric;
  if (metric === 'passed') return 'fraction of seeds, 0–1';
  if (/fraction$/i.test(last)) return 'fraction, 0–1';
  if (/persec$/i.test(last)) return 'per second';
  return 'count';
}

/**
 * A metric's plain name: its parts in words, camel case split, units left to `unitNoun` —
 * `recovery.lostWorkUs` → `recovery: lost work`, `produce.ackLatencyUs.p99` → `produce: ack latency p99`.
 */
export function metricLabel(metric: string): string {
  const words = (part: string) => part.replace(/Us$/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const [head, ...rest] = metric.split('.');
  return rest.length === 0 ? words(head!) : `${words(head!)}: ${rest.map(words).join(' ')}`;
}

/** `1 seed`, `3 seeds`: a count with its noun, singular for one. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `1234.5` → `1235`, `7.5712` → `7.57`, `0.000123` → `0.000123`. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 1000) return String(Math.round(x));
  return String(Number(x.toPrecision(3)));
}

const DURATION_UNITS: readonly [string, number][] = [['h', 3_600_000_000], ['m', 60_000_000], ['s', 1_000_000], ['ms', 1_000], ['us', 1]];
const BYTE_UNITS: readonly [string, number][] = [['GB', 1e9], ['MB', 1e6], ['kB', 1e3], ['B', 1]];

export function formatValue(x: number, unit: MetricUnit): string {
  if (!Number.isFinite(x)) return '–';
  if (unit === 'number' || x === 0) return formatNumber(x);
  const units = unit === 'duration' ? DURATION_UNITS : BYTE_UNITS;
  const [name, factor] = units.find(([, f]) => Math.abs(x) >= f) ?? units[units.length - 1]!;
  return `${formatNumber(x / factor)}${name}`;
}

/** `45.2 ± 1.3`, or the mean alone when there is no interval (one seed). */
export function formatEstimate(e: Estimate, unit: MetricUnit): string {
  if (e.n === 0) return '–';
  if (e.low === null || e.high === null) return formatValue(e.mean, unit);
  return `${formatValue(e.mean, unit)} ± ${formatValue(halfWidth(e), unit)}`;
}

/** Half the interval, with floating-point dust (`0.4 ± 1.7e-16`) shown as the zero it is. */
function halfWidth(e: Estimate): number {
  const half = (e.high! - e.low!) / 2;
  return half <= 1e-9 * Math.max(1, Math.abs(e.mean)) ? 0 : half;
}

/** `-52558 ± 44 *`: the paired difference in the style of the means, for narrow tables. */
export function formatDifferenceShort(d: Difference, unit: MetricUnit): string {
  if (d.n === 0) return '–';
  const sign = d.mean > 0 ? '+' : '';
  return `${sign}${formatEstimate(d, unit)}${d.significant ? ' *' : ''}`;
}

/** `+1.2s [0.9s, 1.5s] *`: the paired difference, its interval, and `*` when it excludes zero. */
export function formatDifference(d: Difference, unit: MetricUnit): string {
  if (d.n === 0) return '–';
  const signed = (x: number) => `${x > 0 ? '+' : ''}${formatValue(x, unit)}`;
  if (d.low === null || d.high === null) return `${signed(d.mean)} (one seed)`;
  return `${signed(d.mean)} [${formatValue(d.low, unit)}, ${formatValue(d.high, unit)}]${d.significant ? ' *' : ''}`;
}

export function formatP(p: number | null): string {
  if (p === null) return '–';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** Seeds as the shortest `--seeds` argument: `10` for 1..10, else ranges and singles `1..5,9`. */
export function formatSeeds(seeds: readonly number[]): string {
  if (seeds.length > 1 && seeds.every((s, i) => s === i + 1)) return String(seeds.length);
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${seeds[i]}..${seeds[j]}` : seeds.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** The `diaspora compare|sweep` command that runs the study again (and resumes it, for a sweep). */
export function studyCommand(file: string, spec: StudySpecView): string {
  const words = ['npx', 'diaspora', spec.kind, quote(file)];
  for (const set of spec.sets) words.push('--set', quote(set));
  const implicit = spec.variants.length === 1 && spec.variants[0]!.sets.length === 0;
  if (!implicit) for (const v of spec.variants) words.push('--variant', quote(`${v.name}:${v.sets.join(',')}`));
  if (!implicit && spec.baseline !== spec.variants[0]!.name) words.push('--baseline', spec.baseline);
  for (const p of spec.params) words.push('--param', quote(`${p.path}=${p.values.map((v) => v.text).join(',')}`));
  words.push('--seeds', formatSeeds(spec.seeds));
  return words.join(' ');
}

type CellKey = { variant: string; params: Record<string, string>; seed: number };

/** The arguments of the `diaspora run` that reproduces one cell, ending with `tail`. */
export function cellArgs(file: string, spec: StudySpecView, cell: CellKey, tail: readonly string[]): string[] {
  const variant = spec.variants.find((v) => v.name === cell.variant);
  const layered = [...spec.sets, ...(variant?.sets ?? []), ...Object.entries(cell.params).map(([path, text]) => `${path}=${text}`)];
  // A later layer's set of the same path wins; `diaspora run` refuses a path set twice. The paths
  // are spelt one way (StudySpecView), so one field's sets match by text.
  const path = (set: string) => set.slice(0, set.indexOf('='));
  const sets = layered.filter((set, i) => !layered.slice(i + 1).some((later) => path(later) === path(set)));
  return ['run', file, '--seed', String(cell.seed), ...sets.flatMap((set) => ['--set', set]), ...tail];
}

/** The `diaspora run` command that reproduces one cell, with its trace (or what `tail` asks for). */
export function cellCommand(file: string, spec: StudySpecView, cell: CellKey, tail: readonly string[] = ['--trace']): string {
  return ['npx', 'diaspora', ...cellArgs(file, spec, cell, tail).map(quote)].join(' ');
}

function quote(word: string): string {
  return /^[\w./=:,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A study — a sweep or a comparison — planned before anything runs: what varies, its identity,
 * its cells in a fixed order, and which cells a shard runs.
 *
 * The cells are the grid points (params, first param slowest) × variants × seeds, in that nesting.
 * Each cell gets its scenario's `--set` overrides in a fixed order: the study's own `--set`s, then
 * the variant's, then the grid point's. Every variant sees the same seeds, so faults and workload
 * match between variants (common random numbers) and results pair by seed.
 *
 * Guarantee: the plan, the cells and the study id are pure functions of the scenario text, the
 * arguments and the version — so every shard of a Slurm array computes the same plan on its own,
 * a re-run of the same command finds the same id (and resumes), and slices of different studies
 * cannot be merged by mistake. Before any cell runs, every variant and every value of every param
 * is loaded (parsed and validated, not built) once, so a bad path or value fails at once with one
 * line naming the `--param`/`--variant` that caused it (an `InputError`), rather than in every cell.
 * That is one load per value, not per grid point: a grid of 10 × 10 × 10 values costs 30 loads,
 * not 1000. What only a particular combination reveals, or only building a world (which can cost a
 * whole fault-free reference run) — a quiesce too short for some value — is left to the cell,
 * which records it as an input error.
 */
import { createHash } from 'node:crypto';
import { groupedDigits, InputError } from '../kernel/index.ts';
import { checkSetsOnce, checkWorkBudget, loadScenario, locateInFile, normaliseSet, setOfField, shownSet, type Scenario } from '../scenario/index.ts';
import { formatPath, parsePath } from '../scenario/paths.ts';
import type { Param, Variant } from './sweep-values.ts';
import { VERSION } from './version.ts';

export interface StudySpec {
  kind: 'sweep' | 'compare';
  scenario: { name: string; sha256: string };
  version: string;
  /** `--set` overrides for every cell, each path spelt one way (normaliseSet), as the variants' are. */
  sets: string[];
  variants: Variant[];
  /** The variant every other one is compared with, by seed. */
  baseline: string;
  params: Param[];
  seeds: number[];
}

/** A planned study: its spec and identity, and the scenario every cell loads. */
export interface Study {
  id: string;
  /**
   * The id the same command gave the study before its sets were stored spelt one way (0a25179),
   * when they are spelt otherwise: the name of the default directory of a sweep such a version began.
   */
  formerId?: string;
  spec: StudySpec;
  /** The scenario file as given on the command line; shown in reports and commands. */
  file: string;
  scenarioText: string;
}

/** One run of a study. */
export interface Cell {
  index: number;
  /** Names the cell in results files: `everywrite services.store.flush=5s seed=3`. */
  key: string;
  variant: string;
  /** Grid point: param path → value text. */
  params: Record<string, string>;
  seed: number;
  /** The scenario overrides that make this cell, in application order. */
  sets: string[];
}

export interface Shard {
  /** 0-based: slice `index` of `count`. */
  index: number;
  count: number;
}

export interface StudyRequest {
  kind: StudySpec['kind'];
  file: string;
  scenarioText: string;
  sets: readonly string[];
  /** Empty: one implicit variant, `base`, with no overrides. */
  variants: readonly Variant[];
  baseline?: string;
  params: readonly Param[];
  seeds: readonly number[];
  /** Refuse the study when a variant or grid point would pass this many kernel events (work-estimate.ts). */
  maxEvents?: number;
}

export const BASE_VARIANT = 'base';

/** Checks the request, loads every grid point × variant once, and fixes the study's identity. */
export function planStudy(request: StudyRequest): Study {
  const variants = request.variants.length > 0 ? [...request.variants] : [{ name: BASE_VARIANT, sets: [] }];
  checkDistinct(variants.map((v) => v.name), (name) => `${variantFlag(variants.find((v) => v.name === name)!)}: the name is given twice`);
  checkDistinct(request.params.map((p) => p.path), (path) => `--param ${path}: the parameter is given twice`);
  checkNoOverlap(variants, request.params);
  checkCellCount(request, variants);
  checkSeedNotSet(request, variants);
  checkSetsOnce(request.sets);
  const baseline = request.baseline ?? variants[0]!.name;
  if (!variants.some((v) => v.name === baseline)) {
    throw new InputError(`--baseline ${baseline === '' ? '""' : baseline}: no such variant; the variants are ${variants.map((v) => v.name).join(', ')}`);
  }
  const name = validate(request, variants);
  // Each path spelt one way (as params' are), so that a cell's command can drop the earlier of two
  // sets of one field by text (report/study-format.ts). Messages above quote the sets as given.
  const spec = setsSpeltOneWay({
    kind: request.kind,
    scenario: { name, sha256: sha256(request.scenarioText) },
    version: VERSION,
    sets: [...request.sets],
    variants,
    baseline,
    params: [...request.params],
    seeds: [...request.seeds],
  });
  const id = studyId(spec);
  const formerId = studyId({ ...spec, sets: [...request.sets], variants });
  return { id, ...(formerId === id ? {} : { formerId }), spec, file: request.file, scenarioText: request.scenarioText };
}

/**
 * The spec with each set's path spelt one way (normaliseSet), the study's and the variants'. A
 * sweep directory begun before studies stored their sets so holds them as typed: its spec passed
 * through this is the spec the same command plans now (sweep-log.ts resumes it).
 */
export function setsSpeltOneWay(spec: StudySpec): StudySpec {
  return { ...spec, sets: spec.sets.map(normaliseSet), variants: spec.variants.map((v) => ({ name: v.name, sets: v.sets.map(normaliseSet) })) };
}

/** 12 hex digits of SHA-256 over the spec: enough to tell studies apart, short enough to read. */
export function studyId(spec: StudySpec): string {
  return sha256(JSON.stringify(spec)).slice(0, 12);
}

/** Every cell of the study, in index order. */
export function cellsOf(spec: StudySpec): Cell[] {
  const cells: Cell[] = [];
  for (const point of gridPoints(spec.params)) {
    for (const variant of spec.variants) {
      for (const seed of spec.seeds) {
        const params = Object.fromEntries(point.map((p) => [p.path, p.text]));
        cells.push({
          index: cells.length,
          key: cellKey(variant.name, params, seed),
          variant: variant.name,
          params,
          seed,
          sets: [...spec.sets, ...variant.sets, ...point.map((p) => `${p.path}=${p.text}`)],
        });
      }
    }
  }
  return cells;
}

/** How many cells `cellsOf` makes of a spec: one per grid point, variant and seed. */
export function cellCount(spec: { readonly variants: readonly unknown[]; readonly seeds: readonly unknown[]; readonly params: readonly { readonly values: readonly unknown[] }[] }): number {
  return spec.params.reduce((n, param) => n * param.values.length, spec.variants.length * spec.seeds.length);
}

/** The grid points, first param slowest; one empty point when nothing is swept. */
export function gridPoints(params: readonly Param[]): { path: string; text: string }[][] {
  let points: { path: string; text: string }[][] = [[]];
  for (const param of params) points = points.flatMap((point) => param.values.map((v) => [...point, { path: param.path, text: v.text }]));
  return points;
}

/** Round robin, so every slice gets a mix of grid points, variants and seeds (and of run times). */
export function shardOf<T extends { index: number }>(cells: readonly T[], shard: Shard): T[] {
  return cells.filter((cell) => cell.index % shard.count === shard.index);
}

/** Reads `--shard i/n` (0 ≤ i < n, as Slurm's and PBS's array indices count from 0). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) throw new InputError(`--shard ${text}: expected i/n, e.g. 0/4 for the first of four slices`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (!Number.isSafeInteger(count)) throw new InputError(`--shard ${text}: ${m[2]} slices is beyond any job array; give a whole number of slices below 2^53`);
  if (count < 1) throw new InputError(`--shard ${text}: there must be at least one slice`);
  if (index >= count) throw new InputError(`--shard ${text}: slice ${index} is out of range; slices of ${count} are numbered 0 to ${count - 1}`);
  return { index, count };
}

function cellKey(variant: string, params: Record<string, string>, seed: number): string {
  const quote = (text: string) => (/^[^\s"]+$/.test(text) ? text : JSON.stringify(text));
  return [variant, ...Object.entries(params).map(([path, text]) => `${path}=${quote(text)}`), `seed=${seed}`].join(' ');
}

/** Loads every variant and every param value once (see the header); returns the scenario's name. */
function validate(request: StudyRequest, variants: readonly Variant[]): string {
  const budget = (scenario: Scenario) => {
    if (request.maxEvents === undefined) return;
    try {
      checkWorkBudget(scenario, request.maxEvents);
    } catch (error) {
      throw error instanceof InputError ? new InputError(locateInFile(request.file, error.message, request.scenarioText)) : error;
    }
  };
  // The scenario with the study's own --sets first: its problems are nobody's variant's fault.
  const base = loadScenario(request.scenarioText, request.file, request.sets);
  budget(base);
  for (const { variant, point } of probes(request.params, variants)) {
    const pointSets = point.map((p) => `${p.path}=${p.text}`);
    try {
      budget(loadScenario(request.scenarioText, request.file, [...request.sets, ...variant.sets, ...pointSets]));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const labels = new Map([...variant.sets.map((set) => [set, isStrategy(variant) ? `--strategies ${variant.name}:` : `--variant ${variant.name}:${set}`] as const), ...pointSets.map((set) => [set, `--param ${set}`] as const)]);
      throw relabel(error, labels, variant.name, point);
    }
  }
  return base.name;
}

/**
 * The cells that exercise each variant (at the first grid point) and each value of each param
 * (with the first variant and the other params' first values) at least once.
 */
function probes(params: readonly Param[], variants: readonly Variant[]): { variant: Variant; point: { path: string; text: string }[] }[] {
  const first = params.map((p) => ({ path: p.path, text: p.values[0]!.text }));
  const found = new Map<string, { variant: Variant; point: { path: string; text: string }[] }>();
  const add = (variant: Variant, point: { path: string; text: string }[]) => found.set(JSON.stringify([variant.name, point]), { variant, point });
  for (const variant of variants) add(variant, first);
  for (const [i, param] of params.entries()) {
    for (const value of param.values) add(variants[0]!, first.map((p, j) => (j === i ? { path: p.path, text: value.text } : p)));
  }
  return [...found.values()];
}

/**
 * The loader names overrides `--set path=value`; in a study they came from a `--param` or a
 * `--variant`, and the message should say which. Any other problem arose from the combination
 * (the base scenario loaded), so it is prefixed with the cell it arose in.
 */
function relabel(error: InputError, labels: ReadonlyMap<string, string>, variant: string, point: readonly { path: string; text: string }[]): InputError {
  const where = `in cell "${[variant, ...point.map((p) => `${p.path}=${p.text}`)].join(' ')}"`;
  const lines = error.message.split('\n').map((line) => {
    for (const [set, label] of labels) {
      const shown = `--set ${shownSet(set)}`;
      if (line.startsWith(`${shown} `) || line === shown) return label + line.slice(shown.length);
    }
    return line.startsWith('--set ') ? line : `${where}: ${line}`;
  });
  return new InputError(lines.join('\n'));
}

/** A variant `--strategies a,b` made (sweep-values.ts): its one override sets the strategy it is named after. */
function isStrategy(variant: Variant): boolean {
  return variant.sets.length === 1 && variant.sets[0] === `checkpoint.strategy=${variant.name}`;
}

/**
 * A study of more cells than this is refused before any work: each grid point × variant is built
 * once to check it (validate), which for a million points took minutes before the first word, and
 * the cells themselves would run for days. Several sweeps (or fewer values: a range's `:COUNT`) do it.
 */
export const MAX_CELLS = 100_000;

function checkCellCount(request: StudyRequest, variants: readonly Variant[]): void {
  const cells = cellCount({ variants, seeds: request.seeds, params: request.params });
  if (cells <= MAX_CELLS) return;
  const n = (count: number, one: string, many = `${one}s`) => `${groupedDigits(count)} ${count === 1 ? one : many}`;
  const factors = [...request.params.map((p) => `${n(p.values.length, 'value')} of ${p.path}`), n(variants.length, 'variant'), n(request.seeds.length, 'seed')];
  throw new InputError(`the study has ${groupedDigits(cells)} cells (${factors.join(' × ')}); at most ${groupedDigits(MAX_CELLS)} — split it into several sweeps, or ask a range for fewer values (from..to:COUNT)`);
}

/** How the user gave a variant, for a message: `--strategies a` or `--variant a`. */
function variantFlag(variant: Variant): string {
  return `${isStrategy(variant) ? '--strategies' : '--variant'} ${variant.name}`;
}

function checkDistinct(items: readonly string[], message: (item: string) => string): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) throw new InputError(message(item));
    seen.add(item);
  }
}

/** A variant and a param setting the same field would make the cell's value depend on their order. */
function checkNoOverlap(variants: readonly Variant[], params: readonly Param[]): void {
  const swept = new Set(params.map((p) => p.path));
  for (const variant of variants) {
    for (const set of variant.sets) {
      const path = parsePath(set.slice(0, set.indexOf('=')));
      if (typeof path !== 'string' && swept.has(formatPath(path))) {
        throw new InputError(`--variant ${variant.name}:${set}: ${formatPath(path)} is also swept by --param; set it in one place`);
      }
    }
  }
}

/**
 * A cell's seed is its `--seeds` value, whatever the scenario's `seed:` says: a `--param seed=…`
 * (or a variant or `--set` of it) would run the same cells under other names, silently.
 */
function checkSeedNotSet(request: StudyRequest, variants: readonly Variant[]): void {
  const seeds = '--seeds 1,2 or --seeds 1..10';
  for (const param of request.params) if (param.path === 'seed') throw new InputError(`--param seed: a cell's seed comes from --seeds, not from the scenario; write ${seeds}`);
  for (const variant of variants) {
    const set = setOfField(variant.sets, 'seed');
    if (set !== undefined) throw new InputError(`--variant ${variant.name}:${set}: a cell's seed comes from --seeds, not from the scenario; variants share their seeds`);
  }
  const set = setOfField(request.sets, 'seed');
  if (set !== undefined) throw new InputError(`--set ${shownSet(set)}: a cell's seed comes from --seeds, not from the scenario; write ${seeds}`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

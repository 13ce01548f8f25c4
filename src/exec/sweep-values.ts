/**
 * What a study varies, as written on the command line: `--param path=values`, `--variant
 * NAME:path=value[,path=value]`, `--strategies a,b,c` and `--seeds`.
 *
 * Values are lists (`5s,every-write`), ranges of whole steps (`1..10`, `1s..5s`), evenly spaced
 * ranges (`0..1:5`) and log-spaced ranges (`10s..10m:log:12`), mixed freely in one list
 * (`1..3,10`). Units are those of scenario files (durations, sizes, bandwidths, rates,
 * percentages). Every generated value is written back as text in the unit of the range's start,
 * rounded to three significant digits (more when three would repeat a value), and that text is
 * what the scenario loader reads — so a cell's value is exactly what its label says.
 *
 * Guarantee: pure; values come out in the order written, without repeats. Failure: an `InputError`
 * of one line naming the argument — a malformed path, an empty list or range, a range whose ends
 * are not the same kind of quantity, a log range through zero, a repeated value.
 */
import { cutText, InputError } from '../kernel/contract/index.ts';
import { formatPath, parsePath } from '../scenario/paths.ts';
import { tryReadBandwidth, tryReadDuration, tryReadProbability, tryReadRate, tryReadSize, type UnitResult } from '../scenario/units.ts';

/** The kind of quantity a value is, which decides how reports draw its axis. */
export type QuantityKind = 'number' | 'duration' | 'rate' | 'bandwidth' | 'size' | 'probability';

export interface ParamValue {
  /** The value as passed to the scenario (`--set path=text`). */
  text: string;
  /** Its magnitude in base units (µs, bytes, bytes/s, events/s, a fraction), or null for a word. */
  x: number | null;
}

export interface Param {
  /** The field path, normalised (`links[0].latency`). */
  path: string;
  values: ParamValue[];
  /** The kind shared by every value, or `category` when any value is not a quantity. */
  kind: QuantityKind | 'category';
  /** How to draw it: log when a log range was asked for. */
  scale: 'linear' | 'log' | 'category';
}

export interface Variant {
  name: string;
  /** `path=value` overrides, in the order given. */
  sets: string[];
}

/** A range larger than this is almost certainly a typo (`1..100000` for `1..10`). */
const MAX_RANGE_VALUES = 10_000;

const READERS: readonly [QuantityKind, (text: string) => UnitResult<number>][] = [
  ['number', (text) => (/^-?\d+(\.\d+)?$/.test(text) ? { ok: true, value: Number(text) } : { ok: false, message: '' })],
  ['duration', tryReadDuration],
  ['rate', tryReadRate],
  ['bandwidth', tryReadBandwidth],
  ['size', tryReadSize],
  ['probability', (text) => (text.endsWith('%') ? tryReadProbability(text) : { ok: false, message: '' })],
];

/** The quantity a text denotes, if it denotes one. */
export function readQuantity(text: string): { kind: QuantityKind; x: number } | undefined {
  for (const [kind, read] of READERS) {
    const result = read(text);
    if (result.ok) return { kind, x: result.value };
  }
  return undefined;
}

/** Reads `--param path=values`. */
export function parseParam(argument: string): Param {
  const fail = (why: string): never => {
    throw new InputError(`--param ${argument}: ${why}`);
  };
  const eq = argument.indexOf('=');
  if (eq <= 0) fail('expected path=values, e.g. services.store.flush=5s,every-write or checkpoint.interval=10s..10m:log:12');
  const path = parsePath(argument.slice(0, eq));
  if (typeof path === 'string') return fail(path);
  const { values, log } = parseValueList(argument.slice(eq + 1), fail);
  const kind = paramKind(values);
  return { path: formatPath(path), values, kind, scale: kind === 'category' ? 'category' : log ? 'log' : 'linear' };
}

/** The kind shared by every value, or `category` when any value is not a quantity or they differ. */
export function paramKind(values: readonly ParamValue[]): Param['kind'] {
  const kinds = new Set(values.map((v) => (v.x === null ? 'category' : readQuantity(v.text)?.kind ?? 'category')));
  return kinds.size === 1 ? ([...kinds][0] as Param['kind']) : 'category';
}

/** Reads `--seeds`: `N` (seeds 1 to N), a range `1..30`, or a list `1,5,9` (mixable). */
export function parseSeeds(text: string): number[] {
  const fail = (why: string): never => {
    throw new InputError(`--seeds ${text}: ${why}`);
  };
  if (/^\d+$/.test(text.trim())) {
    const count = Number(text);
    if (count < 1) fail('asks for no seeds; give a count of at least 1, a range like 1..30 or a list like 1,5,9');
    if (count > MAX_RANGE_VALUES) fail(`asks for ${count} seeds; at most ${MAX_RANGE_VALUES}`);
    return Array.from({ length: count }, (_, i) => i + 1);
  }
  const seeds = parseValueList(text, fail).values.map((v) => Number(v.text));
  if (!seeds.every((seed) => Number.isSafeInteger(seed) && seed >= 0)) fail('seeds are whole numbers ≥ 0');
  return seeds;
}

/** Reads `--variant NAME:path=value[,path=value]`. */
export function parseVariant(argument: string): Variant {
  const fail = (why: string): never => {
    throw new InputError(`--variant ${quoted(argument)}: ${why}`);
  };
  const colon = argument.indexOf(':');
  if (colon <= 0) fail('expected NAME:path=value[,path=value], e.g. everywrite:services.store.flush=every-write');
  const name = argument.slice(0, colon);
  checkName(name, fail);
  const sets = splitTopLevel(argument.slice(colon + 1));
  for (const set of sets) if (set.indexOf('=') <= 0) fail(`"${set}" is not path=value`);
  return { name, sets };
}

/** `--strategies a,b,c` is sugar for `--variant a:checkpoint.strategy=a` and so on. */
export function strategyVariants(list: string): Variant[] {
  // An unset shell variable, or a stray comma: as the empty --check (check-command.ts) is told.
  if (list.trim() === '' || splitTopLevel(list).some((name) => name === '')) {
    throw new InputError(`--strategies ${JSON.stringify(list)}: an empty strategy name; give names like --strategies none,coordinated`);
  }
  return splitTopLevel(list).map((name) => {
    checkName(name, (why) => {
      throw new InputError(`--strategies ${quoted(list)}: ${why}`);
    });
    return { name, sets: [`checkpoint.strategy=${name}`] };
  });
}

/** An argument as a message quotes it: cut when it is too long to read (a 10,000-character name). */
const quoted = (argument: string): string => cutText(argument, 40, 120);

/** As a scenario's name: a variant's names a column, a legend entry and every cell of it. */
const MAX_NAME_CHARS = 100;

function checkName(name: string, fail: (why: string) => never): void {
  if (name.length > MAX_NAME_CHARS) fail(`a name of ${name.length} characters ("${name.slice(0, 20)}…"); a variant's name has at most ${MAX_NAME_CHARS}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(name)) fail(`"${name}" is not a usable name (letters, digits, _ . + -)`);
}

/** Splits at commas that are not inside `[…]`, `{…}` or quotes, so YAML flow values survive. */
export function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(text.slice(start).trim());
  return items;
}

function parseValueList(text: string, fail: (why: string) => never): { values: ParamValue[]; log: boolean } {
  if (text.trim() === '') fail('no values; give a list like a,b,c or a range like 1..10');
  const values: ParamValue[] = [];
  let log = false;
  for (const item of splitTopLevel(text)) {
    if (item === '') fail('an empty item in the list (two commas in a row?)');
    const range = /^(.+?)\.\.(.+?)(?::(log):(\d+)|:(\d+))?$/.exec(item);
    // `1..10:lin:5`, `1..10:log`: a spacing other than log, or log without its count, read as part of the end (`10:lin` is no quantity).
    const spacing = range === null ? null : /:([a-z]\w*)(?::[^:]*)?$/i.exec(range[2]!);
    if (spacing !== null && !(spacing[1] === 'log' && /:log:\d+$/.test(item))) {
      fail(`"${item}": ${spacing[1] === 'log' ? 'a log range needs its count' : `unknown spacing "${spacing[1]}"`}; a range is from..to (every step of the unit), from..to:COUNT (evenly spaced) or from..to:log:COUNT (log-spaced)`);
    }
    if (range === null) {
      values.push({ text: item, x: readQuantity(item)?.x ?? null });
      continue;
    }
    const [, from, to, isLog, logCount, linearCount] = range;
    log ||= isLog !== undefined;
    values.push(...expandRange(item, from!, to!, isLog ? Number(logCount) : linearCount ? Number(linearCount) : undefined, isLog !== undefined, fail));
  }
  // Equal after units (`10s,10000ms`) is the same cell twice under two names.
  const seen = new Map<string, string>();
  for (const value of values) {
    const quantity = value.x === null ? undefined : readQuantity(value.text);
    const key = quantity === undefined ? `text ${value.text}` : `${quantity.kind} ${quantity.x}`;
    const before = seen.get(key);
    if (before !== undefined) fail(before === value.text ? `the value ${value.text} appears twice` : `the values ${before} and ${value.text} are the same`);
    seen.set(key, value.text);
  }
  return { values, log };
}

function expandRange(item: string, fromText: string, toText: string, count: number | undefined, log: boolean, fail: (why: string) => never): ParamValue[] {
  let from = readQuantity(fromText);
  let to = readQuantity(toText);
  if (from === undefined || to === undefined) fail(`"${item}" is not a range: ${from === undefined ? fromText : toText} is not a number or a quantity with a unit`);
  // A bare 0 is zero of whatever the other end is (`0..10s`), as it is in scenario files.
  if (fromText === '0') from = { kind: to!.kind, x: 0 };
  if (toText === '0') to = { kind: from!.kind, x: 0 };
  if (from!.kind !== to!.kind) fail(`"${item}": both ends of a range must be the same kind of quantity (${from!.kind} and ${to!.kind})`);
  const [lo, hi] = [from!.x, to!.x];
  if (hi < lo) fail(`the range ${item} is empty: it ends below where it starts`);
  if (count !== undefined && (count < 1 || (count < 2 && hi !== lo))) fail(`the range ${item} asks for ${count} value${count === 1 ? '' : 's'}; ask for at least 2`);
  if (log && lo <= 0) fail(`the log range ${item} must start above zero`);
  const startUnit = rangeUnit(fromText, from!.kind);
  const endUnit = rangeUnit(toText, to!.kind);
  const unit = startUnit ?? endUnit;
  if (unit === undefined) fail(`write the ends of ${item} with one unit each, e.g. 90s rather than 1m30s`);
  let points: number[];
  // Whole steps count in the start's unit; spaced values switch to the end's unit once they reach
  // it, so `100ms..10s:log:6` reads 100ms … 631ms, 1.58s … 10s rather than 10000ms.
  let units: Unit[] = [unit!];
  if (count === undefined) {
    const steps = Math.floor((hi - lo) / unit!.factor + 1e-9);
    if (steps + 1 > MAX_RANGE_VALUES) fail(`the range ${item} has ${steps + 1} values; at most ${MAX_RANGE_VALUES} (use ${fromText}..${toText}:COUNT for fewer)`);
    points = Array.from({ length: steps + 1 }, (_, i) => lo + i * unit!.factor);
  } else {
    if (count > MAX_RANGE_VALUES) fail(`the range ${item} asks for ${count} values; at most ${MAX_RANGE_VALUES}`);
    const at = (i: number) => (count === 1 ? lo : log ? lo * (hi / lo) ** (i / (count - 1)) : lo + ((hi - lo) * i) / (count - 1));
    points = Array.from({ length: count }, (_, i) => at(i));
    if (startUnit !== undefined && endUnit !== undefined && endUnit.factor > startUnit.factor) units = [endUnit, startUnit];
  }
  const texts = distinctLabels(points, units) ?? fail(`the range ${item} gives repeated values once rounded; ask for fewer`);
  const read = READERS.find(([kind]) => kind === from!.kind)![1];
  return texts.map((text) => {
    const result = read(text);
    if (!result.ok) fail(`the range ${item} gives ${text}: ${result.message}; write its start in a smaller unit`);
    return { text, x: (result as { value: number }).value };
  });
}

interface Unit {
  suffix: string;
  /** The unit's size in base units. */
  factor: number;
}

/** The unit of a range end written as one number and one unit (`10s`, `8MiB`, `10/s`, `3`). */
function rangeUnit(text: string, kind: QuantityKind): Unit | undefined {
  // No digits in the unit: `1m30s` has two units and no single one to count in.
  const m = /^(\d+(?:\.\d+)?)(\D*)$/.exec(text);
  if (m === null) return undefined;
  const unit = readQuantity(`1${m[2]}`);
  return unit !== undefined && unit.kind === kind ? { suffix: m[2]!, factor: unit.x } : undefined;
}

/**
 * Labels with the fewest significant digits (at least 3) that keep every point distinct, each in
 * the largest of `units` (largest first) that the point reaches.
 */
function distinctLabels(points: readonly number[], units: readonly Unit[]): string[] | undefined {
  const label = (p: number, digits: number) => {
    const unit = units.find((u) => p >= u.factor) ?? units[units.length - 1]!;
    return `${Number((p / unit.factor).toPrecision(digits))}${unit.suffix}`;
  };
  for (let digits = 3; digits <= 12; digits++) {
    const texts = points.map((p) => label(p, digits));
    if (new Set(texts).size === texts.length) return texts;
  }
  return undefined;
}

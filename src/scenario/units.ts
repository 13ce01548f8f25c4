/**
 * Written units in scenario files: durations, sizes, bandwidths, rates and probabilities.
 *
 * Guarantee: durations, sizes and bandwidths come back as exact integers (µs, bytes, bytes per
 * second). Decimal fractions are evaluated with BigInt, never with floating point, so `1.1s` is
 * exactly 1_100_000 µs; a value that is not a whole number of the base unit is rejected rather
 * than rounded, because a silently rounded input would make two "equal" scenarios differ.
 * Rates and probabilities are plain numbers (they may be fractional).
 *
 * Failure: every `tryRead*` returns `{ ok: false, message }` with one sentence a user can act on
 * (`expected a duration like "5ms", got "fast"`); every `parse*` throws that message as an
 * `InputError`. The `format*` functions are exact inverses, used by property tests and by anything
 * that prints a scenario back.
 */
import { cutText, InputError } from '../kernel/contract/index.ts';
import { type Micros, HOUR, MINUTE, MS, SECOND, US } from '../kernel/contract/index.ts';

export type UnitResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): UnitResult<T> => ({ ok: true, value });
const fail = <T>(message: string): UnitResult<T> => ({ ok: false, message });

/** Renders any input value the way an error message quotes it: strings quoted, lists and maps named. */
export function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  // A message quotes a value, never a whole file read as one string.
  if (typeof input === 'string') return cutText(input, 60, 60, JSON.stringify);
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a map';
  return String(input);
}

// A decimal written without sign or exponent: `12`, `1.5`. Exponents are refused on purpose:
// `1e3ms` reads like a typo more often than like intent.
const DECIMAL = String.raw`(\d+)(?:\.(\d+))?`;

/** Why a value in the right shape was not read: exponents (`1e9h`) are refused on purpose (see DECIMAL). */
function unread(expected: string, input: string): string {
  return /^\s*\d+(\.\d+)?e[+-]?\d/i.test(input) ? `${expected} (write the digits out: an exponent like 1e9 is not read)` : expected;
}

/**
 * A number and a unit that is not read: a space between them (`60 s`), or a unit of another
 * spelling (`60S`, `60sec`, `10 ss`) — named, with the units there are.
 */
function durationUnread(expected: string, input: string): string {
  const m = /^\d+(?:\.\d+)?(\s*)([^\d\s.]+)\s*$/.exec(input);
  if (m === null) return unread(expected, input);
  if (m[1] !== '' && DURATION_UNITS.has(m[2]!)) return `${expected} (no space between the number and its unit: "${input.replace(/\s+/g, '')}")`;
  return `${expected} (units: us, ms, s, m or min, h — lower-case, right after the number)`;
}

/** `int.frac × factor / divisor`, exactly, or undefined when that is not a whole number. */
function exactScale(int: string, frac: string | undefined, factor: bigint, divisor = 1n): bigint | undefined {
  const digits = frac ?? '';
  const scale = 10n ** BigInt(digits.length);
  const numerator = BigInt(int + digits) * factor;
  const denominator = scale * divisor;
  return numerator % denominator === 0n ? numerator / denominator : undefined;
}

function toSafe(value: bigint): number | undefined {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Durations → µs

const DURATION_UNITS: ReadonlyMap<string, Micros> = new Map([
  ['h', HOUR],
  ['m', MINUTE],
  ['min', MINUTE],
  ['s', SECOND],
  ['ms', MS],
  ['us', US],
  ['µs', US], // U+00B5 micro sign
  ['μs', US], // U+03BC Greek mu: both are typed in the wild
]);
// `min` and `ms` must be tried before `m`.
const DURATION_PART = new RegExp(`${DECIMAL}(h|min|ms|m|s|us|µs|μs)`, 'y');
/** For JSON Schema: lets an editor flag `fast` before the simulator sees it. */
export const DURATION_PATTERN = String.raw`^(0|(\d+(\.\d+)?(h|min|ms|m|s|us|µs|μs))+)$`;

/** Reads `250us`, `5ms`, `1.5s`, `2m` (or `2min`), `1h`, `2m30s` or `0` as whole microseconds. */
export function tryReadDuration(input: unknown): UnitResult<Micros> {
  const expected = `expected a duration like "5ms", got ${describeInput(input)}`;
  if (input === 0 || input === '0') return ok(0);
  if (typeof input === 'number') return fail(`${expected} (a number needs a unit: us, ms, s, m or h)`);
  if (typeof input !== 'string' || input === '') return fail(expected);
  if (input.startsWith('-')) return fail(`${expected} (durations cannot be negative)`);
  let total = 0n;
  let lastFactor = Number.POSITIVE_INFINITY;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < input.length) {
    const m = DURATION_PART.exec(input);
    if (m === null) return fail(durationUnread(expected, input));
    const factor = DURATION_UNITS.get(m[3]!)!;
    // Descending, non-repeating units keep `2m30s` unambiguous and refuse `30s2m` or `1s1s`.
    if (factor >= lastFactor) return fail(`${expected} (write each unit once, larger units first, e.g. "2m30s")`);
    lastFactor = factor;
    const us = exactScale(m[1]!, m[2], BigInt(factor));
    if (us === undefined) return fail(`"${input}" is not a whole number of microseconds`);
    total += us;
  }
  const value = toSafe(total);
  return value === undefined ? fail(`"${input}" is longer than simulated time can count (about 285 years)`) : ok(value);
}

/** Exact inverse of {@link tryReadDuration}: `1500000` → `1s500ms`, `0` → `0`. */
export function formatDuration(us: Micros): string {
  assertWhole(us, 'duration');
  if (us === 0) return '0';
  let rest = us;
  let out = '';
  for (const [unit, factor] of [['h', HOUR], ['m', MINUTE], ['s', SECOND], ['ms', MS], ['us', US]] as const) {
    const count = Math.floor(rest / factor);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * factor;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sizes → bytes

const SIZE_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['B', 1n],
  ['kB', 1000n],
  ['MB', 1000n ** 2n],
  ['GB', 1000n ** 3n],
  ['TB', 1000n ** 4n],
  ['KiB', 1024n],
  ['MiB', 1024n ** 2n],
  ['GiB', 1024n ** 3n],
  ['TiB', 1024n ** 4n],
]);
const SIZE = new RegExp(`^${DECIMAL}([A-Za-z]*)$`);
export const SIZE_PATTERN = String.raw`^\d+(\.\d+)?(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB)?$`;

/** Reads `8MiB`, `4KiB`, `1GB`, `100B` or a bare integer (`512`) as whole bytes. */
export function tryReadSize(input: unknown): UnitResult<number> {
  const expected = `expected a size like "8MiB", got ${describeInput(input)}`;
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0 ? ok(input) : fail(`${expected} (a bare number is a whole number of bytes)`);
  }
  if (typeof input !== 'string') return fail(expected);
  const m = SIZE.exec(input);
  if (m === null) return fail(unread(expected, input));
  const unit = m[3] === '' ? 'B' : m[3]!;
  const factor = SIZE_UNITS.get(unit);
  if (factor === undefined) return fail(`${expected}${unitHint(unit, 'size')}`);
  const bytes = exactScale(m[1]!, m[2], factor);
  if (bytes === undefined) return fail(`"${input}" is not a whole number of bytes`);
  const value = toSafe(bytes);
  return value === undefined ? fail(`"${input}" is too large`) : ok(value);
}

/** Exact inverse of {@link tryReadSize}: written in the largest unit that divides it exactly. */
export function formatSize(bytes: number): string {
  assertWhole(bytes, 'size');
  return formatScaled(bytes, SIZE_UNITS);
}

// ---------------------------------------------------------------------------------------------
// Bandwidths → bytes per second

const BIT_PREFIXES: ReadonlyMap<string, bigint> = new Map([
  ['', 1n],
  ['k', 1000n],
  ['M', 1000n ** 2n],
  ['G', 1000n ** 3n],
  ['T', 1000n ** 4n],
]);
const BANDWIDTH = new RegExp(`^${DECIMAL}([A-Za-z]*)(bps|bit/s|b/s|B/s)$`);
export const BANDWIDTH_PATTERN = String.raw`^\d+(\.\d+)?((|k|M|G|T)(bps|bit/s|b/s)|(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB)/s)$`;

/** Reads `10Gbps`, `100Mbps`, `1Gbit/s`, `500MB/s`, `1GiB/s` as whole bytes per second (> 0). */
export function tryReadBandwidth(input: unknown): UnitResult<number> {
  const expected = `expected a bandwidth like "10Gbps" or "500MB/s", got ${describeInput(input)}`;
  if (typeof input === 'number') return fail(`${expected} (a number needs a unit such as Mbps or MB/s)`);
  if (typeof input !== 'string') return fail(expected);
  const m = BANDWIDTH.exec(input);
  if (m === null) return fail(unread(expected, input));
  const [int, frac, prefix, suffix] = [m[1]!, m[2], m[3]!, m[4]!];
  const bits = suffix !== 'B/s';
  const factor = bits ? BIT_PREFIXES.get(prefix) : SIZE_UNITS.get(`${prefix}B`);
  if (factor === undefined) return fail(`${expected}${unitHint(`${prefix}${bits ? 'b' : 'B'}`, 'bandwidth')}`);
  const perSecond = exactScale(int, frac, factor, bits ? 8n : 1n);
  if (perSecond === undefined) return fail(`"${input}" is not a whole number of bytes per second`);
  if (perSecond === 0n) return fail(`${expected} (a bandwidth must be more than zero)`);
  const value = toSafe(perSecond);
  return value === undefined ? fail(`"${input}" is too large`) : ok(value);
}

/** Exact inverse of {@link tryReadBandwidth}, always written in bytes: `1250000000` → `1250MB/s`. */
export function formatBandwidth(bytesPerSec: number): string {
  assertWhole(bytesPerSec, 'bandwidth');
  return `${formatScaled(bytesPerSec, SIZE_UNITS)}/s`;
}

// ---------------------------------------------------------------------------------------------
// Rates → events per second

// A rate's time unit is a duration's (`/s`, `/m`, …): the same table.
const RATE = new RegExp(`^${DECIMAL}/(h|min|ms|m|s|us|µs|μs)$`);
export const RATE_PATTERN = String.raw`^\d+(\.\d+)?/(h|min|ms|m|s|us|µs|μs)$`;

/** Reads `10/s`, `600/m`, `2/ms`, `1/h` as events per second (> 0; may be fractional). */
export function tryReadRate(input: unknown): UnitResult<number> {
  const expected = `expected a rate like "10/s", got ${describeInput(input)}`;
  if (typeof input === 'number') return fail(`${expected} (a number needs a unit: /s, /m, /h, /ms)`);
  if (typeof input !== 'string') return fail(expected);
  const m = RATE.exec(input);
  if (m === null) return fail(unread(expected, input));
  const digits = m[2] ?? '';
  const count = BigInt(m[1]! + digits);
  if (count === 0n) return fail(`${expected} (a rate must be more than zero)`);
  if (BigInt(m[1]!) > BigInt(Number.MAX_SAFE_INTEGER)) return fail(`"${input}" is more events than a run can count (at most 2^53−1 per unit)`);
  // One division at the end, so the only rounding is the final conversion to a double.
  const numerator = count * BigInt(SECOND);
  const denominator = 10n ** BigInt(digits.length) * BigInt(DURATION_UNITS.get(m[3]!)!);
  return ok(Number(numerator) / Number(denominator));
}

// ---------------------------------------------------------------------------------------------
// Probabilities → number in [0, 1]

export const PROBABILITY_PATTERN = String.raw`^\d+(\.\d+)?%$`;
const PERCENT = new RegExp(`^${DECIMAL}%$`);

/** Reads a number in [0, 1] or a percentage string such as `1%` or `0.5%`. */
export function tryReadProbability(input: unknown): UnitResult<number> {
  const expected = `expected a probability between 0 and 1 or a percentage like "1%", got ${describeInput(input)}`;
  if (typeof input === 'number') return input >= 0 && input <= 1 ? ok(input) : fail(expected);
  if (typeof input !== 'string') return fail(expected);
  const m = PERCENT.exec(input);
  if (m === null) return fail(unread(expected, input));
  const percent = Number(m[0].slice(0, -1));
  return percent <= 100 ? ok(percent / 100) : fail(`${expected} (a percentage is at most 100%)`);
}

// ---------------------------------------------------------------------------------------------
// Throwing variants, for callers outside scenario files (CLI flags, tests).

function orThrow<T>(result: UnitResult<T>): T {
  if (!result.ok) throw new InputError(result.message);
  return result.value;
}

export const parseDuration = (input: string | number): Micros => orThrow(tryReadDuration(input));
export const parseSize = (input: string | number): number => orThrow(tryReadSize(input));
export const parseBandwidth = (input: string): number => orThrow(tryReadBandwidth(input));
export const parseRate = (input: string): number => orThrow(tryReadRate(input));
export const parseProbability = (input: string | number): number => orThrow(tryReadProbability(input));

// ---------------------------------------------------------------------------------------------

function assertWhole(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a ${what} must be a whole number ≥ 0, got ${n}`);
}

/** `n` in the largest unit (by factor, binary or decimal) that divides it exactly. */
function formatScaled(n: number, units: ReadonlyMap<string, bigint>): string {
  const value = BigInt(n);
  let best: [string, bigint] = ['B', 1n];
  for (const [unit, factor] of units) {
    if (value !== 0n && value % factor === 0n && factor > best[1]) best = [unit, factor];
  }
  return `${value / best[1]}${best[0]}`;
}

/** Explains the usual mix-ups: `KB` (1000 or 1024?), lower-case units. */
function unitHint(unit: string, kind: 'size' | 'bandwidth'): string {
  if (unit === 'KB') return ' ("KB" is ambiguous: write "kB" for 1000 bytes or "KiB" for 1024)';
  if (/^[kmgt]i?b$/i.test(unit) && kind === 'size') return ' (units are case-sensitive: B, kB, MB, GB, KiB, MiB, GiB)';
  if (kind === 'bandwidth') return ' (bits: bps, kbps, Mbps, Gbps; bytes: B/s, kB/s, MB/s, KiB/s, MiB/s, GiB/s)';
  return ' (units: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)';
}

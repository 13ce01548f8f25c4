/**
 * Numeric command-line flags, read from the text the user typed: a seed, a count of workers or
 * jobs, a speed. yargs' own `type: 'number'` turns `abc` into NaN and `--seed 1 --seed 2` into a
 * list without a word; these coercions say what was wrong instead.
 *
 * Guarantee: a coerced flag is a finite number in its documented range (seeds: whole numbers 0 …
 * 2^53−1, the integers a double holds exactly). How it fails: an `InputError` of one line
 * naming the flag, what it expects and what it got — yargs hands it to the CLI's error printer
 * (exit code 2).
 */
// Light imports only: every command's options use this module, and `--help` loads no more than them.
import { groupedDigits, InputError } from '../kernel/contract/index.ts';
import { DEFAULT_MAX_EVENTS } from '../scenario/work-budget.ts';

/** The largest seed: beyond it a double no longer holds every integer, so two seeds could be one. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** A yargs option for a number given as text, checked by `read` (yargs keeps the text as typed). */
export function numericOption<T extends number>(flag: string, describe: string, read: (text: string, flag: string) => T, alias?: string) {
  return {
    type: 'string',
    describe,
    requiresArg: true,
    ...(alias === undefined ? {} : { alias }),
    coerce: (value: unknown): T => read(single(flag, value), flag),
  } as const;
}

/** A root seed: a whole number from 0 to 2^53−1. */
export function readSeed(text: string, flag = '--seed'): number {
  return readWhole(text, flag, 0, MAX_SEED, 'a seed is a whole number');
}

/** A count of workers, jobs, probes: a whole number ≥ `min` and at most `max`. */
export function countReader(min: number, max: number, noun: string): (text: string, flag: string) => number {
  return (text, flag) => readWhole(text, flag, min, max, `expected a whole number of ${noun}`);
}

/** A TCP port, 0 meaning any free one. */
export function readPort(text: string, flag: string): number {
  return readWhole(text, flag, 0, 65535, 'expected a port number');
}

/** A positive finite number, e.g. an emulation speed. */
export function readPositive(text: string, flag: string): number {
  const value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isFinite(value) && value > 0)) throw new InputError(`${flag} ${quote(text)}: expected a positive number like 10 or 0.5`);
  return value;
}

function readWhole(text: string, flag: string, min: number, max: number, expected: string): number {
  const range = `from ${min} to ${max === MAX_SEED ? '2^53−1 (9007199254740991)' : max}`;
  if (!/^\s*-?\d+\s*$/.test(text)) throw new InputError(`${flag} ${quote(text)}: ${expected} ${range}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new InputError(`${flag} ${quote(text)}: ${expected} ${range}`);
  // `-0` is in range, and would run as 0 under a name that is not 0's (a reproduce line, a sweep's cell).
  if (Object.is(value, -0)) throw new InputError(`${flag} ${quote(text)}: ${expected} ${range}, without a sign; write 0`);
  return value;
}

/** The one value of a flag given once; `--seed 1 --seed 2` is a mistake, not a list. */
function single(flag: string, value: unknown): string {
  if (Array.isArray(value)) throw new InputError(`${flag}: given ${value.length} times (${value.join(', ')}); give it once`);
  return value === undefined || value === null ? '' : String(value);
}

function quote(text: string): string {
  return text === '' ? '(nothing)' : /^[\w.+-]+$/.test(text) ? text : JSON.stringify(text);
}

/** `--max-events` for the commands that run scenarios: the work budget of work-estimate.ts. Its help text is grouped without ICU, which every start of such a command would otherwise set up. */
export const MAX_EVENTS_OPTION = {
  'max-events': {
    ...numericOption('--max-events', `Refuse (before it starts) or stop a run of more kernel events than this (default ${groupedDigits(DEFAULT_MAX_EVENTS)})`, countReader(1, Number.MAX_SAFE_INTEGER, 'events')),
    default: String(DEFAULT_MAX_EVENTS),
  },
} as const;

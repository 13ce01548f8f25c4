/**
 * Flags given in a shape yargs accepts without a word but the user did not mean: a single-valued
 * flag given twice (`--out a --out b`, which yargs turns into a list that a command then reads as
 * a path), a repeatable flag given without its value (`--set` at the end of the line: no override
 * at all), a switch given a value (`--trace=yes`, which yargs reads as false), a switch turned both
 * on and off (`--trace --no-trace`, of which yargs lets the last win, as it would of `--out a --out
 * b`), and a value that starts with "-" and is not a number (`--seeds -1..3`, `-d -1s`, which yargs splits
 * into short flags). A switch given twice the same way loses nothing and passes. Every spelling
 * yargs takes for a flag counts as that flag: its aliases, and its camel-case form
 * (`--allErrors --no-all-errors` is turned on and off).
 *
 * Guarantee: run as yargs middleware before validation, for every command, so no command sees
 * these shapes. How it fails: an `InputError` of one line naming the flag (exit code 2).
 */
import type { Arguments } from 'yargs';
import { InputError } from '../kernel/contract/index.ts';

/** What yargs' `getOptions()` tells of the options of the command being run. */
export interface OptionLists {
  array: string[];
  boolean: string[];
  string: string[];
  number: string[];
  alias: Record<string, string[]>;
  key: Record<string, unknown>;
}

/** Throws for the first flag of `raw` (the command line as typed) whose shape is wrong. */
export function checkFlagShapes(argv: Arguments, options: OptionLists, raw: readonly string[]): void {
  // `--seeds -1..3`: yargs takes a value that starts with "-" and is not a number for short flags.
  for (const [i, arg] of raw.entries()) {
    const flag = raw[i - 1];
    // A short flag too (`-d -1s`, which yargs read as the flags -1 and -s: "-s: needs a value").
    if (/^-\d/.test(arg) && !/^-\d+(\.\d+)?$/.test(arg) && flag !== undefined && /^(--[^=]+|-[a-zA-Z])$/.test(flag)) {
      throw new InputError(`${flag} ${arg}: a value starting with "-" reads as flags; write ${flag}=${arg}`);
    }
  }
  const names = (key: string) => [key, ...(options.alias[key] ?? [])].flatMap(spellings);
  const typed = (key: string) => names(key).find((name) => raw.some((arg) => arg === name || arg.startsWith(`${name}=`)));
  for (const key of [...options.string, ...options.number]) {
    const value = argv[key];
    if (options.array.includes(key) || !Array.isArray(value)) continue;
    throw new InputError(`${typed(key) ?? `--${key}`}: given ${value.length} times (${value.join(', ')}); give it once`);
  }
  for (const key of options.array) {
    const value = argv[key];
    const flag = typed(key);
    if (flag !== undefined && Array.isArray(value) && value.length === 0) throw new InputError(`${flag}: needs a value (see diaspora ${String(argv._[0] ?? '')} --help)`);
  }
  for (const key of options.boolean) {
    for (const name of names(key)) {
      const given = raw.find((arg) => arg.startsWith(`${name}=`));
      const value = given?.slice(name.length + 1);
      if (value !== undefined && value !== 'true' && value !== 'false') throw new InputError(`${name}=${value}: ${name} is a switch; give it alone, or =true / =false`);
    }
    const turned = flagsOnly(raw).flatMap((arg) => {
      const on = switchedBy(arg, names(key));
      return on === undefined ? [] : [{ arg, on }];
    });
    const contrary = turned.find(({ on }) => on !== turned[0]!.on);
    if (contrary !== undefined) throw new InputError(`${turned[0]!.arg} ${contrary.arg}: the switch is turned both on and off; give one of them`);
  }
}

/**
 * How a flag's name may be typed: `-q`; `--all-errors`, and `--allErrors` too, which yargs reads as
 * the same flag (its camel-case expansion), negated as `--no-allErrors`.
 */
function spellings(name: string): string[] {
  if (name.length === 1) return [`-${name}`];
  const camel = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return camel === name ? [`--${name}`] : [`--${name}`, `--${camel}`];
}

/** The command line before a `--`, after which every word is a name, not a flag. */
function flagsOnly(raw: readonly string[]): readonly string[] {
  const end = raw.indexOf('--');
  return end === -1 ? raw : raw.slice(0, end);
}

/** Whether `arg` turns on (true) or off (false) the switch called `names`, or undefined if it is another word. */
function switchedBy(arg: string, names: readonly string[]): boolean | undefined {
  for (const name of names) {
    if (arg === name || arg === `${name}=true`) return true;
    if (arg === `${name}=false` || arg === `--no-${name.replace(/^--?/, '')}`) return false;
  }
  return undefined;
}

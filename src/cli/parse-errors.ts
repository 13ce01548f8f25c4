/**
 * yargs' own parse errors in our voice: one line that names what was wrong and how to go on. An
 * unknown command gets the nearest command ("did you mean"), an unknown flag the nearest flag of
 * the command being run — or, when none is near, the other commands that take it (`run --metrics`:
 * a flag of compare), or else, when the command takes `--set`, the way to set a scenario field (users type `--strategy x` for `--set checkpoint.strategy=x`) — and anything else a
 * pointer to that command's help.
 *
 * Guarantee: one line, never yargs' help text. A message this does not recognise is kept as yargs
 * wrote it, with the pointer to help (yargs' wording may change between versions; the pointer
 * stays). Our own messages, which name their flag first, are returned unchanged.
 */
import { closest, suggestion } from '../scenario/suggest.ts';

export interface ParseContext {
  /** The command line as typed, without node and the script. */
  readonly args: readonly string[];
  /** Every command's name. */
  readonly commands: readonly string[];
  /** The command being run, if one was named. */
  readonly command: string | undefined;
  /** Its usage as declared (`run <scenario>`), naming its positional arguments. */
  readonly usage: string | undefined;
  /** The long names of the flags the command being run knows (and their aliases). */
  readonly flags: readonly string[];
  /** The other commands that know a flag of this name (as declared: `metrics`, `j`), without loading them. */
  readonly elsewhere: (name: string) => readonly string[];
}

export function explainParseError(text: string, context: ParseContext): string {
  if (text.startsWith('-')) return text;
  const help = `(see diaspora${context.command === undefined ? '' : ` ${context.command}`} --help)`;
  const meant = /^Did you mean (\S+)\?$/.exec(text)?.[1];
  if (meant !== undefined) return `unknown command "${context.args[0] ?? ''}"; did you mean "${meant}"? (see diaspora --help)`;
  if (/^Not enough non-option arguments/.test(text) && context.usage !== undefined) {
    const missing = context.usage.match(/<[^>]+>/g) ?? [];
    return `${missing.join(' ')} missing: diaspora ${context.usage} ${help}`;
  }
  const valueless = /^Not enough arguments following: (\S+)$/.exec(text)?.[1];
  if (valueless !== undefined) return `${valueless.length === 1 ? '-' : '--'}${valueless}: needs a value ${help}`;
  // A flag with a fixed set of values (`choices`): yargs writes three lines, "Invalid values:", then the argument indented.
  const invalid = /^Invalid values:\s+Argument: (\S+), Given: (.+), Choices: (.+)$/.exec(text);
  if (invalid !== null) return `${invalid[1]!.length === 1 ? '-' : '--'}${invalid[1]} ${invalid[2]}: expected one of ${invalid[3]} ${help}`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(text)?.[1]?.split(', ');
  if (unknown === undefined) return `${text} ${help}`;
  const first = unknown[0]!;
  if (context.command === undefined && context.args[0] === first) {
    return `unknown command "${first}"${suggestion(first, context.commands, '', 'the commands are')} (see diaspora --help)`;
  }
  const flag = (name: string) => `${name.length === 1 ? '-' : '--'}${name}`;
  // yargs names `--checkpoint.interval` by its first part, "checkpoint".
  const typed = context.args.find((arg) => arg.replace(/^-+/, '').split(/[=.]/)[0] === first);
  if (typed === undefined || !typed.startsWith('-')) return `unexpected argument "${first}" ${help}`;
  const near = closest(first, context.flags.filter((name) => name.length > 1));
  const others = unknown.length > 1 ? ` (and ${unknown.slice(1).map(flag).join(', ')})` : '';
  const hint = near !== undefined ? `; did you mean --${near}?` : (otherCommands(first, typed, context) ?? fieldHint(typed, context));
  return `${typed.split('=')[0]}: unknown flag${hint}${others} ${help}`;
}

/** For a flag of another command (`run --metrics x`): which commands take it. */
function otherCommands(name: string, typed: string, context: ParseContext): string | undefined {
  // yargs takes `--maxEvents` for `--max-events`, and names it so.
  const declared = name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  const owners = context.elsewhere(declared);
  if (owners.length === 0 || context.command === undefined) return undefined;
  const list = owners.length === 1 ? owners[0]! : `${owners.slice(0, -1).join(', ')} and ${owners.at(-1)!}`;
  return `; ${typed.split('=')[0]} is a flag of diaspora ${list}, not of ${context.command}`;
}

/** For a command that overrides scenario fields, how to set the field an unknown flag may name. */
function fieldHint(typed: string, context: ParseContext): string {
  if (!context.flags.includes('set') || !typed.startsWith('--')) return '';
  const at = context.args.indexOf(typed);
  const name = typed.replace(/^-+/, '').split('=')[0]!;
  const next = context.args[at + 1];
  const value = typed.includes('=') ? typed.slice(typed.indexOf('=') + 1) : next !== undefined && !next.startsWith('-') ? next : 'value';
  // A dotted name is already a path (`--checkpoint.interval 3s`): the whole override to type.
  if (name.includes('.')) return `; a scenario field is set with --set ${name}=${value}`;
  return `; a scenario field is set with --set <path>=${value}, the path as in the YAML (e.g. checkpoint.interval)`;
}

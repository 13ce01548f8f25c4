/**
 * Where a command may write: the rules that keep `--out`, `-o`, `--perfetto` and the default
 * output paths from destroying anything a user did not ask to replace.
 *
 * Guarantee: a target passes only when writing there replaces nothing, or replaces diaspora's own
 * earlier output and the user said `--force`. Directories are diaspora's own when they hold the
 * marker file `.diaspora-output` (written first into every directory diaspora creates); files when
 * their first bytes carry the signature of their kind (`own`). Never a target: the current
 * directory or one above it, the file-system root, system locations (`/proc`, `/etc`, `/usr`, …),
 * a path below a file, a directory where a file is needed or a file where a directory is, a file
 * whose name does not end as its kind's do (`-o run.png` for an HTML timeline).
 *
 * How it fails: an `InputError` of one line, `<flag> <path>: what is wrong; what to do`, raised
 * before any work starts. Nothing here writes.
 */
import { accessSync, closeSync, constants, existsSync, lstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../kernel/contract/index.ts';

/** The file that marks a directory as diaspora's own output. */
export const OUTPUT_MARKER = '.diaspora-output';

/** What the marker file holds: who wrote the directory, and while it is being staged, which process. */
export interface OutputMarker {
  tool: 'diaspora-sim';
  version: string;
  /** `run`, `emulation`, `compare`, `sweep`, `merge`. */
  kind: string;
  host: string;
  pid: number;
}

export interface TargetOptions {
  /** How the user named the target, e.g. `--out results/x`; the bare path for a default. */
  label: string;
  /** Replace diaspora's own earlier output. */
  force: boolean;
}

export interface FileTargetOptions extends TargetOptions {
  /** What the file is, for messages: `timeline`, `Perfetto trace`, `minimal scenario`. */
  what: string;
  /** True when these first bytes of an existing file show that diaspora wrote it. */
  own: (head: string) => boolean;
  /** What the file's bytes are, for messages: `an HTML page`, `JSON`. */
  format: string;
  /** The endings a name of such a file may have, the usual first: `.html`. */
  extensions: readonly string[];
}

/** Pseudo file systems and the operating system's own trees; a run's results never belong there. */
const SYSTEM_PATHS = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr',
  '/var/cache', '/var/lib', '/var/lock', '/var/log', '/var/mail', '/var/run', '/var/spool',
];

/**
 * Checks that `path` may become (or be replaced by) a directory of results. `ours`: entries the
 * command itself put there first (a sweep's lock), which do not make the directory another's.
 */
export function checkOutputDirectory(path: string, options: TargetOptions, ours: (entry: string) => boolean = () => false): void {
  checkDirectoryPlace(path, options.label);
  if (!existsSync(path)) return;
  const entries = readdirSync(path).filter((entry) => !ours(entry));
  if (entries.length === 0) return;
  const marker = readOutputMarker(path);
  if (marker === undefined) {
    const shown = entries.filter((e) => e !== OUTPUT_MARKER).sort().slice(0, 3).join(', ');
    const more = entries.length > 3 ? ', …' : '';
    const hint = options.force ? '--force replaces only what diaspora wrote' : 'choose a new directory';
    throw new InputError(`${options.label}: the directory exists and holds ${plural(entries.length, 'entry', 'entries')} diaspora did not write (${shown}${more}); ${hint}`);
  }
  if (!options.force) throw new InputError(`${options.label}: holds an earlier diaspora ${marker.kind} (version ${marker.version}); add --force to replace it`);
}

/**
 * The checks on where a directory goes, without those on what it holds: for a sweep, whose own
 * directory it resumes. Returns the path as messages name it.
 */
export function checkDirectoryPlace(path: string, label: string): string {
  const where = checkPlace(path, label);
  if (existsSync(path) && !statSync(path).isDirectory()) throw new InputError(`${label}: ${where} is a file, not a directory; choose a new directory`);
  return where;
}

/** Checks that `path` may become (or be replaced by) a file of kind `options.what`. */
export function checkOutputFile(path: string, options: FileTargetOptions): void {
  const where = checkPlace(path, options.label);
  if (existsSync(path)) checkReplaceable(path, where, options);
  checkExtension(path, options);
}

/** An existing `path` may be replaced: an empty file, or diaspora's own file of this kind with --force. */
function checkReplaceable(path: string, where: string, options: FileTargetOptions): void {
  const info = statSync(path);
  if (info.isDirectory()) throw new InputError(`${options.label}: ${where} is a directory; give a file name, e.g. ${join(path, `out${options.extensions[0]}`)}`);
  if (!info.isFile()) throw new InputError(`${options.label}: ${where} is not a regular file; choose another name`);
  // An empty file holds nothing to lose: `-o "$(mktemp --suffix=.html)"` is a fair way to name a target.
  if (info.size === 0) return;
  if (!options.own(headOf(path))) {
    const hint = options.force ? '--force replaces only what diaspora wrote' : 'choose another name';
    throw new InputError(`${options.label}: the file exists and is not a ${options.what} written by diaspora; ${hint}`);
  }
  if (!options.force) throw new InputError(`${options.label}: holds an earlier ${options.what}; add --force to replace it`);
}

/**
 * The name ends as a file of this kind does: `-o run.png` would hold an HTML page that no image
 * viewer opens, and a browser would not open it by name. Checked after the file's contents, so a
 * user's file at the target is named as such whatever its name.
 */
function checkExtension(path: string, options: FileTargetOptions): void {
  const extension = extname(path).toLowerCase();
  if (options.extensions.includes(extension)) return;
  const endings = options.extensions.join(' or ');
  const name = basename(path);
  const instead = `${extension === '' ? name : name.slice(0, -extension.length)}${options.extensions[0]}`;
  throw new InputError(`${options.label}: a ${options.what} is ${options.format}; give a name ending ${endings}, e.g. ${instead}`);
}

function isLinkToNowhere(path: string): boolean {
  try {
    if (!lstatSync(path).isSymbolicLink()) return false;
  } catch {
    return false;
  }
  try {
    statSync(path);
    return false;
  } catch {
    return true;
  }
}

/** The marker of a directory diaspora wrote, or undefined. */
export function readOutputMarker(dir: string): OutputMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(dir, OUTPUT_MARKER), 'utf8')) as Partial<OutputMarker>;
    return marker.tool === 'diaspora-sim' ? (marker as OutputMarker) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The checks every target shares: not the working directory or above it, not the root, not a
 * system location, not below a file, and in a place this process may write. Returns the path as
 * messages name it.
 */
function checkPlace(path: string, label: string): string {
  if (path === '') throw new InputError(`${label}: an empty path; give a path to write`);
  // Found before the work, not at the final rename: a link whose target is missing, or a loop.
  if (isLinkToNowhere(path)) throw new InputError(`${label}: a symbolic link that leads nowhere (its target is missing, or the links loop); remove it or give another path`);
  const absolute = resolve(path);
  const cwd = process.cwd();
  if (absolute === cwd || cwd.startsWith(absolute === sep ? sep : absolute + sep)) {
    throw new InputError(`${label}: that is the current directory${absolute === cwd ? '' : ' or one above it'}; give a new path for the results`);
  }
  const { existing, rest } = deepestExisting(absolute);
  const real = join(realpathSync(existing), rest);
  if (real === sep) throw new InputError(`${label}: the file-system root; give a path of your own`);
  const system = SYSTEM_PATHS.find((p) => real === p || real.startsWith(p + sep));
  if (system !== undefined) throw new InputError(`${label}: ${system} is a system location; give a path of your own`);
  if (existing !== absolute && !statSync(existing).isDirectory()) {
    throw new InputError(`${label}: ${shown(existing)} is a file, so nothing can be written below it`);
  }
  const parent = existing === absolute ? dirname(absolute) : existing;
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw new InputError(`${label}: cannot write in ${shown(parent)} (permission denied)`);
  }
  return shown(absolute);
}

/** The longest prefix of `absolute` that exists, and the part after it. */
function deepestExisting(absolute: string): { existing: string; rest: string } {
  let existing = absolute;
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  return { existing, rest: relative(existing, absolute) };
}

/** A path as messages show it: relative below the working directory, absolute otherwise. */
function shown(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

function headOf(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const bytes = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytes).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

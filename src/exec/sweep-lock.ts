/**
 * One writer per sweep directory: `sweep.lock`, taken by the process that runs the sweep's cells
 * and removed when it ends — normally, on Ctrl-C or SIGTERM, or at exit.
 *
 * Why: two `diaspora sweep` commands on the same directory (a job array whose slices were given
 * one --out, a command started twice) would both run the missing cells and append them, and the
 * second, cutting a torn tail before appending, could cut a line the first had just written.
 *
 * How it is taken: the holder's line (host, pid, start) is written whole to a temporary file
 * (`sweep.lock.<host>.<pid>.tmp`: two hosts sharing the directory may run the same pid), which is then hard-linked to `sweep.lock`. `link` is atomic and fails
 * if the name exists, so the lock appears with its content or not at all: a writer stopped at any
 * point (SIGSTOP, a slow disk) never shows a lock without its holder. The former way — creating
 * `sweep.lock` with O_EXCL, then writing the pid — had a moment when the lock was empty, which a
 * second writer read as torn by a crash and took over: two writers ran. So a lock that cannot be
 * read as a holder is never taken over now; it is named, to be removed by hand once no sweep runs
 * (only an older diaspora, a file system without hard links, or a hand edit leaves one). On a file
 * system without hard links the lock is created exclusively and written, as before.
 *
 * Guarantee: while a live process holds the lock, another is refused before it runs or removes
 * anything. A lock left by a process that is gone (`kill -9`, a power loss) on this host is taken
 * over, one taker at a time (under `sweep.lock.takeover`, made the same whole-content way): the
 * taker removes the lock only if it is still the one judged stale, so any number of processes
 * taking over the same stale lock at once cannot remove each other's new one. One from another host (a shared file system) is named, never broken, since that process cannot
 * be seen from here. How it fails: an `InputError` naming the holder or the file (exit code 2).
 */
import { closeSync, existsSync, linkSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { namingFile } from '../kernel/file-errors.ts';
import { InputError } from '../kernel/index.ts';
import { removeOnInterrupt } from './interrupt.ts';
import { isRunning } from './staging.ts';

export const SWEEP_LOCK = 'sweep.lock';
/** The name a takeover of a stale lock is made under, one at a time (see takeOverStale). */
const TAKEOVER = `${SWEEP_LOCK}.takeover`;

interface Holder {
  host?: unknown;
  pid?: unknown;
  started?: unknown;
}

/** Whether a directory entry is the lock, its takeover guard (`sweep.lock.takeover`) or one of their temporaries (`sweep.lock.<host>.<pid>.tmp`). */
export const isLockFile = (entry: string): boolean => entry === SWEEP_LOCK || entry === TAKEOVER || (entry.startsWith(SWEEP_LOCK) && entry.endsWith('.tmp'));

/** This process's part of a temporary file's name: its host and pid (unique on a shared file system). */
const ownName = (): string => `${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}.${process.pid}`;

/** Codes of a file system that has no hard links (FAT, some network and FUSE mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Whether a failed `link` says the file system has no hard links. */
const noHardLinks = (error: unknown): boolean => NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '');

/** Something to wait on between attempts (Atomics.wait sleeps the thread: the lock is taken before any cell runs). */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** How many times the lock is tried when it is found taken and then gone (released, or stale and taken over). */
const ATTEMPTS = 4;

/** Takes the lock of `dir` (which exists); returns the function that releases it. */
export function lockSweepDir(dir: string, label: string): () => void {
  const path = join(dir, SWEEP_LOCK);
  const content = `${JSON.stringify({ host: hostname(), pid: process.pid, started: new Date().toISOString() })}\n`;
  // A takeover can lose a race to another taker (then the next attempt finds a live holder).
  for (let attempt = 1; ; attempt++) {
    try {
      create(path, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (attempt === ATTEMPTS) {
        // A takeover guard that stays (unreadable: written without hard links by a process killed before it wrote) is named.
        const guard = join(dir, TAKEOVER);
        const stays = existsSync(guard) ? `; if no diaspora sweep runs and ${guard} stays, remove it` : '';
        throw new InputError(`${label}: could not take ${path}: other processes took and released it at every one of ${ATTEMPTS} attempts; retry, with one diaspora sweep at a time on this directory${stays}`);
      }
      takeOverStale(dir, label, content);
      // Another takeover under way, or lost to another taker: give it a moment before the next attempt.
      Atomics.wait(PAUSE, 0, 0, 10 * attempt);
      continue;
    }
    const unhook = removeOnInterrupt(path);
    return () => {
      unhook();
      rmSync(path, { force: true });
    };
  }
}

/** Makes `path` hold `content`, whole from the start; throws EEXIST if it exists. */
function create(path: string, content: string): void {
  const tmp = `${path}.${ownName()}.tmp`;
  const unhook = removeOnInterrupt(tmp);
  try {
    writeFileSync(tmp, content);
    try {
      linkSync(tmp, path);
    } catch (error) {
      if (!noHardLinks(error)) throw error;
      createExclusive(path, content);
    }
  } finally {
    rmSync(tmp, { force: true });
    unhook();
  }
}

function createExclusive(path: string, content: string): void {
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the lock of `dir` if its holder is gone; refuses (via {@link assertUnlocked}) otherwise.
 *
 * Takeovers happen one at a time, each under `sweep.lock.takeover` (made the way the lock is): so
 * while a taker holds it, nobody else removes the lock, and nobody creates one while the stale one
 * is there. The lock it then finds is either still the one judged stale — removed — or one a live
 * process took after an earlier taker removed it — left alone. (Before, each taker renamed the
 * lock aside and put back what was not the stale one: a third taker could take the name in that
 * instant, and the put-back failed — the first taker's live lock was removed, two sweeps ran.)
 * A taker that finds the takeover under way returns: the next attempt meets its outcome.
 */
function takeOverStale(dir: string, label: string, content: string): void {
  const path = join(dir, SWEEP_LOCK);
  const stale = assertUnlocked(dir, label);
  if (stale === undefined) return; // gone meanwhile: the next attempt creates it
  const guard = join(dir, TAKEOVER);
  try {
    create(guard, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    assertTakeoverLive(guard, label);
    return;
  }
  try {
    if (readIfThere(path) === stale) rmSync(path);
  } finally {
    rmSync(guard, { force: true });
  }
}

/**
 * Returns when the takeover under way is another live process's (or one being written); refuses
 * when its holder is gone — killed within the microseconds a takeover lasts. Such a guard is not
 * taken over in turn: that would need the same race this guard settles.
 */
function assertTakeoverLive(guard: string, label: string): void {
  const text = readIfThere(guard);
  const holder = text === undefined ? undefined : parseHolder(text);
  const pid = holder?.pid;
  if (typeof pid !== 'number' || holder!.host !== hostname() || isRunning(pid)) return;
  throw new InputError(`${label}: ${guard} was left by process ${pid}, which ended while it took over a stale lock; if no diaspora sweep writes this directory, remove it`);
}

/** The text of `path`, or undefined when there is no such file. */
function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw namingFile(error, path); // a directory there: Node's EISDIR of a read names no file
  }
}

/**
 * Refuses when a live process (or one on another host) holds the lock of `dir`, or when the lock
 * names no holder (it cannot be told whether one runs). Returns the content of a lock whose
 * holder is gone, or undefined when there is no lock.
 */
export function assertUnlocked(dir: string, label: string): string | undefined {
  const path = join(dir, SWEEP_LOCK);
  const text = readIfThere(path);
  if (text === undefined) return undefined;
  const holder = parseHolder(text);
  const pid = typeof holder?.pid === 'number' && Number.isSafeInteger(holder.pid) && holder.pid > 0 ? holder.pid : undefined;
  if (pid === undefined) {
    const what = text === '' ? 'is empty' : 'names no holder (host and pid)';
    throw new InputError(`${label}: ${path} ${what}, so it cannot be told whether another diaspora sweep is writing this directory; if none runs, remove it`);
  }
  const here = holder!.host === hostname();
  if (here && !isRunning(pid)) return text;
  const since = typeof holder!.started === 'string' ? ` since ${holder!.started}` : '';
  const who = `process ${pid}${here ? '' : ` on ${String(holder!.host)}`}${since}`;
  const fix = here ? 'wait for it to finish or stop it' : `if it no longer runs, remove ${path}`;
  throw new InputError(`${label}: another diaspora sweep (${who}) is writing this directory; ${fix} — two writers would run the same cells twice`);
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Holder) : undefined;
  } catch {
    return undefined;
  }
}

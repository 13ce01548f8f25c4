/**
 * One writer per sweep directory: `sweep.lock`, created exclusively (O_EXCL) by the process that
 * runs the sweep's cells and removed when it ends — normally, on Ctrl-C or SIGTERM, or at exit.
 *
 * Why: two `diaspora sweep` commands on the same directory (a job array whose slices were given
 * one --out, a command started twice) would both run the missing cells and append them, and the
 * second, cutting a torn tail before appending, could cut a line the first had just written.
 *
 * Guarantee: while a live process holds the lock, another is refused before it runs or removes
 * anything. A lock left by a process that is gone (`kill -9`, a power loss) on this host is taken
 * over; one from another host (a shared file system) is named, never broken, since that process
 * cannot be seen from here. How it fails: an `InputError` naming the holder (exit code 2).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../kernel/index.ts';
import { removeOnInterrupt } from './interrupt.ts';
import { isRunning } from './staging.ts';

export const SWEEP_LOCK = 'sweep.lock';

interface Holder {
  host?: unknown;
  pid?: unknown;
  started?: unknown;
}

/** Takes the lock of `dir` (which exists); returns the function that releases it. */
export function lockSweepDir(dir: string, label: string): () => void {
  const path = join(dir, SWEEP_LOCK);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      assertUnlocked(dir, label);
      // The holder is gone: its lock is stale.
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, `${JSON.stringify({ host: hostname(), pid: process.pid, started: new Date().toISOString() })}\n`);
    closeSync(fd);
    const unhook = removeOnInterrupt(path);
    return () => {
      unhook();
      rmSync(path, { force: true });
    };
  }
}

/** Refuses when a live process (or one on another host) holds the lock of `dir`. */
export function assertUnlocked(dir: string, label: string): void {
  let holder: Holder;
  try {
    holder = JSON.parse(readFileSync(join(dir, SWEEP_LOCK), 'utf8')) as Holder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    holder = {}; // torn by a crash while it was written: nobody holds it
  }
  const pid = typeof holder.pid === 'number' ? holder.pid : undefined;
  const here = holder.host === hostname();
  if (pid === undefined || (here && !isRunning(pid))) return;
  const since = typeof holder.started === 'string' ? ` since ${holder.started}` : '';
  const who = `process ${pid}${here ? '' : ` on ${String(holder.host)}`}${since}`;
  const fix = here ? 'wait for it to finish or stop it' : `if it no longer runs, remove ${join(dir, SWEEP_LOCK)}`;
  throw new InputError(`${label}: another diaspora sweep (${who}) is writing this directory; ${fix} — two writers would run the same cells twice`);
}

/**
 * Makes a directory and whatever parents it lacks, as `mkdir -p` does.
 *
 * Why not `mkdirSync(path, { recursive: true })`: on Node 20 (libuv) it retries for ever where
 * mkdir answers ENOENT under a parent that exists — `/proc/x/y`, a mount that refuses creation —
 * in the synchronous and promise forms alike, and a thread blocked in that loop ignores SIGTERM
 * (`DIASPORA_CACHE=/proc/nope diaspora run …` never ended). Here each level is tried once from the
 * top down, so such a refusal is thrown like any other error.
 *
 * Guarantee: returns when `path` is a directory (made now, before, or by a concurrent writer);
 * otherwise throws the file system's error for the level that failed (EEXIST when a file is in the
 * way, ENOTDIR for a path through a file, ENOENT/EACCES/EROFS where creation is refused).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export function makeDirs(path: string): void {
  try {
    mkdirSync(path);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && isDirectory(path)) return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw error;
    makeDirs(parent);
  }
  // The parent exists now: a second refusal is the answer, not a reason to retry.
  try {
    mkdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isDirectory(path)) throw error;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Node's file-system error codes in words, for messages that name a file the user gave us:
 * `loop.yaml: a symbolic link that leads nowhere (…)`, never `cannot be read (ELOOP)`. In the
 * kernel because the trace reader is here and may import nothing above it; the scenario reader and
 * the CLI's last net (cli/file-problem.ts) use the same words.
 *
 * Guarantee: a code not in the table has no words (undefined), so callers fall back to naming the
 * code rather than guessing. A link that leads nowhere is told apart from a missing file by
 * looking at the path itself (lstat), since opening it follows the link and answers ENOENT or
 * ELOOP either way.
 */
import { existsSync, lstatSync } from 'node:fs';

export const FILE_ERROR_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ERR_FS_EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links (a loop?)',
  ENAMETOOLONG: 'the name is too long',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EEXIST: 'already exists',
  ENOTEMPTY: 'is a directory that is not empty',
  EBUSY: 'is busy (in use by another process)',
  ETXTBSY: 'is busy (in use by another process)',
  EMLINK: 'has too many links',
  EFBIG: 'the file is too large',
  EIO: 'an input/output error (the disk or the network file system failed)',
};

/**
 * Node's error of a write through a descriptor (`writeSync(fd, …)`, a write stream) names no file:
 * gives `error` the `path` being written, so the message can name it (`…: no space left on the
 * device`). Errors that already name a file, and anything not an error, are left as they are.
 */
export function namingFile(error: unknown, path: string): unknown {
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && (error as { path?: unknown }).path === undefined) {
    Object.assign(error, { path });
  }
  return error;
}

/** Runs the write `act` of the file `path`; its error names `path` (namingFile). */
export function writingFile<T>(path: string, act: () => T): T {
  try {
    return act();
  } catch (error) {
    throw namingFile(error, path);
  }
}

export const LEADS_NOWHERE = 'a symbolic link that leads nowhere (its target is missing, or the links form a loop)';

/** Whether `path` itself is a symbolic link (false when there is nothing there at all). */
function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Whether `path` is a symbolic link that leads nowhere: its target is missing, or the links loop. */
export function leadsNowhere(path: string): boolean {
  return isLink(path) && !existsSync(path);
}

/**
 * Why `path` could not be opened for reading, from the error Node gave: `missing` for a plain
 * missing file (each reader says it its own way), the link's case, the code's words, or — for a
 * code not in the table — `cannot be read (CODE)`.
 */
export function unreadableBecause(path: string, error: unknown, missing: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ELOOP' || (code === 'ENOENT' && isLink(path))) return LEADS_NOWHERE;
  if (code === 'ENOENT') return missing;
  const words = typeof code === 'string' ? FILE_ERROR_WORDS[code] : undefined;
  return words ?? `cannot be read (${typeof code === 'string' ? code : 'unknown error'})`;
}

/**
 * A file-system error on a path the user named, or that lives in a directory the user gave us
 * (a run directory, a sweep's results, an --out), as one line: `results/x/results.jsonl: is a
 * directory, not a file`. The CLI's last net under every command, so that no such error reaches
 * the user as a stack trace and an "internal error": the path is the user's, and so is the fix.
 *
 * Guarantee: only Node's own file-system errors that carry a path are recognised (an errno code
 * with words in kernel/file-errors.ts, or the SystemError Node raises for `rm` on a directory); anything else is
 * left for the caller to report as a bug. A rename names its destination, which is the file the
 * user knows (the source is our temporary file).
 */

import { existsSync } from 'node:fs';
import { InputError } from '../kernel/contract/index.ts';
import { FILE_ERROR_WORDS, unreadableBecause } from '../kernel/file-errors.ts';

interface FsError {
  code?: unknown;
  path?: unknown;
  dest?: unknown;
  syscall?: unknown;
}

/** The one line to show for `error`, or undefined when it is not a file-system error on a path. */
export function fileProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, dest, syscall } = error as FsError;
  const why = typeof code === 'string' ? FILE_ERROR_WORDS[code] : undefined;
  if (why === undefined || typeof path !== 'string') return undefined;
  const named = syscall === 'rename' && typeof dest === 'string' && code !== 'ENOENT' ? dest : path;
  return `${asPublished(named)}: ${why}`;
}

/**
 * The name a file being written will have once published, which the user asked for and knows:
 * `out/.run.123.tmp/trace.jsonl.tmp` (staging.ts, trace-file.ts) is `out/run/trace.jsonl`, and
 * `page.html.tmp-123` or `sweep.json.123.tmp` (a single file's temporary) is `page.html`, `sweep.json`.
 */
function asPublished(path: string): string {
  return path.replace(/(^|\/)\.([^/]+)\.\d+\.tmp(?=\/)/, '$1$2').replace(/(?:\.\d+\.tmp|\.tmp-\d+|\.tmp)$/, '');
}

/**
 * Refuses a path the user named that leads to nothing: missing, or a symbolic link whose target is
 * missing or that loops back on itself (existsSync follows links, so both read as "no such file",
 * which sends the user looking for a file that is there).
 */
export function requireExisting(path: string): void {
  if (!existsSync(path)) throw new InputError(`${path}: ${unreadableBecause(path, { code: 'ENOENT' }, FILE_ERROR_WORDS.ENOENT!)}`);
}

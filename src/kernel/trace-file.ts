/**
 * A trace file as a `TraceSink` (trace.ts): lines are written to `<path>.tmp` as they come and the
 * file is renamed to `path` on `close`, so a run that dies leaves no complete-looking trace; `abort`
 * removes the temporary file.
 *
 * The only part of the trace that touches the file system, kept apart so that the writer and the
 * hash run in a browser. How it fails: the file cannot be opened (the error is thrown when the
 * sink is made, before the run) or written (thrown by the write, which the run reports).
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { writingFile } from './file-errors.ts';
import type { TraceSink } from './trace.ts';

/** A sink writing to `path`, or `undefined` (no file) when `path` is. */
export function traceFile(path: string): TraceSink;
export function traceFile(path: string | undefined): TraceSink | undefined;
export function traceFile(path: string | undefined): TraceSink | undefined {
  if (path === undefined) return undefined;
  const tmpPath = `${path}.tmp`;
  const fd = openSync(tmpPath, 'w');
  return {
    // A full disk names the trace being written, not a bare `ENOSPC … write` (file-errors.ts).
    write: (chunk) => void writingFile(path, () => writeSync(fd, chunk)),
    close: () => {
      writingFile(path, () => closeSync(fd));
      renameSync(tmpPath, path);
    },
    abort: () => {
      closeSync(fd);
      rmSync(tmpPath, { force: true });
    },
  };
}

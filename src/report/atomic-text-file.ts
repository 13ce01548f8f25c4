/**
 * A text file written piece by piece and published whole: the pieces stream (backpressure honoured)
 * into `<out>.tmp-<pid>`, which is renamed over `out` once every piece is on disk. If producing the
 * pieces throws, the temporary file is removed and `out` is left as it was — a reader never sees a
 * half-written export. A write that fails (a full disk) fails the export the same way, with its
 * error: never an unhandled stream event.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';

export type WriteText = (text: string) => Promise<void>;

export async function writeTextAtomically<T>(out: string, produce: (write: WriteText) => Promise<T>): Promise<T> {
  const tmp = `${out}.tmp-${process.pid}`;
  const file = createWriteStream(tmp);
  // The stream's first error, thrown at the next write; later ones (writes queued when the stream
  // was destroyed) are expected then, not news.
  let failed: Error | undefined;
  // A write's error names no file: named as `out` (a full disk: `out: no space left on the device`),
  // the file the user asked for, as kernel/file-errors.ts namingFile does (a report may not import it;
  // unlike it, no check of `code`: every error this stream emits is a system error of this file).
  file.on('error', (error) => (failed ??= Object.assign(error, { path: (error as { path?: unknown }).path ?? out })));
  try {
    const result = await produce(async (text) => {
      if (failed !== undefined) throw failed;
      if (!file.write(text)) await once(file, 'drain');
    });
    file.end();
    await once(file, 'finish');
    await rename(tmp, out);
    return result;
  } catch (error) {
    if (!file.closed) await new Promise<void>((resolve) => file.destroy().once('close', () => resolve()));
    await rm(tmp, { force: true });
    throw error;
  }
}

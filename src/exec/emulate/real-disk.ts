/**
 * An actor's `Disk` in emulation: real files with real `fsync`, behind a page cache in memory.
 * The simulated counterpart is `world/disk.ts`; the actor cannot tell them apart.
 *
 * Guarantee: a write reaches its file only when an `fsync` covers it, and `fsync` returns only after
 * `fs.fsyncSync` on the file (and on the directory, for created, replaced or removed files). So
 * when a node's worker thread is terminated, every write not yet fsynced is gone with the thread's
 * memory — a power loss — and every fsynced write is in the file, where `recover` reads it back.
 *
 * Files are JSON lines under `<dir>/<encoded name>.jsonl`. Appends since the last fsync are
 * appended to the file; a put, truncate or delete rewrites it through a temporary file and a
 * rename. A thread killed in the middle of an append can leave a partial last line: it is dropped
 * on load and recorded as a `torn` disk record, as a log's checksum would.
 *
 * How it fails: an I/O error (disk full, permissions) is thrown into the actor's handler, which
 * stops the emulation with the actor named — the real system would crash there too.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Disk, Wakeup } from '../../kernel/index.ts';
import { makeDirs } from '../../make-dirs.ts';
import { lastRecord, liveFileNames } from '../../world/file-reads.ts';

interface FileState {
  live: unknown[] | undefined;
  /** Records at the end of `live` not yet in the file (when the file need not be rewritten). */
  unsynced: number;
  /** The file must be rewritten (or removed) at the next fsync. */
  rewrite: boolean;
  dirty: boolean;
}

export interface RealDiskHooks {
  /** Writes a `disk` trace record at the actor. */
  record(fields: Record<string, unknown>): void;
  /** Hands `done` to the actor after the fsync returned. */
  wake(done: Wakeup): void;
}

const SUFFIX = '.jsonl';

export class RealDisk implements Disk {
  private readonly fileMap = new Map<string, FileState>();
  private dirtyBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly hooks: RealDiskHooks,
  ) {
    makeDirs(dir);
    this.load();
  }

  put(file: string, value: unknown, bytes: number): boolean {
    const state = this.state(file);
    state.live = [value];
    state.rewrite = true;
    this.wrote(state, file, 'put', bytes);
    return true;
  }

  append(file: string, record: unknown, bytes: number): boolean {
    const state = this.state(file);
    if (state.live === undefined) {
      state.live = [];
      state.rewrite = true;
    }
    state.live.push(record);
    if (!state.rewrite) state.unsynced++;
    this.wrote(state, file, 'append', bytes);
    return true;
  }

  truncate(file: string, length: number): void {
    const state = this.fileMap.get(file);
    if (state?.live === undefined || length >= state.live.length) return;
    state.live = state.live.slice(0, length);
    state.rewrite = true;
    this.wrote(state, file, 'truncate', 0);
  }

  delete(file: string): void {
    const state = this.fileMap.get(file);
    if (state?.live === undefined) return;
    state.live = undefined;
    state.rewrite = true;
    this.wrote(state, file, 'delete', 0);
  }

  read(file: string): readonly unknown[] | undefined {
    return this.fileMap.get(file)?.live;
  }

  get(file: string): unknown {
    return lastRecord(this.read(file));
  }

  files(): string[] {
    return liveFileNames(this.fileMap);
  }

  /** Written since the last fsync (which is synchronous here: nothing is ever half-way to the file). */
  unsynced(file: string): boolean {
    const state = this.fileMap.get(file);
    return state?.live !== undefined && state.dirty;
  }

  fsync(done?: Wakeup): void {
    const bytes = this.dirtyBytes;
    this.dirtyBytes = 0;
    this.hooks.record({ op: 'fsync', bytes });
    let directoryChanged = false;
    for (const [name, state] of this.fileMap) {
      if (!state.dirty) continue;
      directoryChanged = this.sync(name, state) || directoryChanged;
    }
    if (directoryChanged) fsyncPath(this.dir);
    this.hooks.record({ op: 'fsync-done', bytes });
    if (done !== undefined) this.hooks.wake(done);
  }

  /** Writes one file's unsynced state and fsyncs it; true when the directory changed. */
  private sync(name: string, state: FileState): boolean {
    const path = join(this.dir, encodeURIComponent(name) + SUFFIX);
    state.dirty = false;
    if (state.live === undefined) {
      rmSync(path, { force: true });
      state.rewrite = false;
      return true;
    }
    if (state.rewrite) {
      const tmp = `${path}.tmp`;
      writeLines(tmp, 'w', state.live);
      renameSync(tmp, path);
      state.rewrite = false;
      state.unsynced = 0;
      return true;
    }
    writeLines(path, 'a', state.live.slice(state.live.length - state.unsynced));
    state.unsynced = 0;
    return false;
  }

  private load(): void {
    for (const entry of readdirSync(this.dir).sort()) {
      if (!entry.endsWith(SUFFIX)) continue;
      const name = decodeURIComponent(entry.slice(0, -SUFFIX.length));
      const { records, torn } = parseLines(readFileSync(join(this.dir, entry), 'utf8'));
      this.fileMap.set(name, { live: records, unsynced: 0, rewrite: torn, dirty: torn });
      if (torn) this.hooks.record({ op: 'torn', file: name, record: records.length });
    }
  }

  private state(file: string): FileState {
    let state = this.fileMap.get(file);
    if (state === undefined) {
      state = { live: undefined, unsynced: 0, rewrite: true, dirty: false };
      this.fileMap.set(file, state);
    }
    return state;
  }

  private wrote(state: FileState, file: string, op: string, bytes: number): void {
    state.dirty = true;
    this.dirtyBytes += bytes;
    this.hooks.record({ op, file, bytes });
  }
}

function writeLines(path: string, flags: 'w' | 'a', records: readonly unknown[]): void {
  const fd = openSync(path, flags);
  try {
    if (records.length > 0) writeSync(fd, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncPath(path: string): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Records of a JSON-lines file; a partial last line (a write cut short by a kill) is torn. */
function parseLines(text: string): { records: unknown[]; torn: boolean } {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const records: unknown[] = [];
  for (const line of lines) {
    try {
      records.push(JSON.parse(line));
    } catch {
      return { records, torn: true };
    }
  }
  return { records, torn: tail.length > 0 };
}

/**
 * Atomic results: a run directory is built under a temporary name next to its final place and
 * renamed into place only when every file in it is complete. A run that fails or is interrupted
 * leaves no directory that looks like a result; single files are written temp-then-rename too,
 * fsynced before the rename so that after a power loss the name holds the old file or the new one.
 *
 * Guarantee: nothing a user wrote is replaced — the final path is checked by `output-guard.ts`
 * when staging starts and again just before the rename. The staging directory
 * (`.<name>.<pid>.tmp`) holds the output marker from its first moment, is removed on Ctrl-C or
 * SIGTERM (`interrupt.ts`), and one left behind by a process that no longer runs (a `kill -9`, a
 * power cut) is removed by the next staging in the same place when the marker shows it was made on
 * this host, and reported otherwise (on a shared file system the process may run on another node).
 *
 * How it fails: `InputError` for a target the guard refuses or a place that cannot be written.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../kernel/contract/index.ts';
import { writingFile } from '../kernel/file-errors.ts';
import { makeDirs } from '../make-dirs.ts';
import { removeOnInterrupt } from './interrupt.ts';
import { checkOutputDirectory, checkOutputFile, OUTPUT_MARKER, readOutputMarker, type FileTargetOptions, type OutputMarker, type TargetOptions } from './output-guard.ts';
import { VERSION } from './version.ts';

/**
 * Makes ready to write the single file `path` (a timeline, a Perfetto trace, a minimal scenario):
 * checks it with the guard, creates its directory, removes temporary files a dead process left for
 * the same path, and with `interruptible` removes this process's own temporary file on Ctrl-C.
 * Returns the notes to show the user, and a function to call once the file is written.
 */
export function prepareOutputFile(path: string, options: FileTargetOptions & { interruptible: boolean }): { notes: string[]; release: () => void } {
  checkOutputFile(path, options);
  const dir = dirname(path);
  const notes: string[] = [];
  try {
    makeDirs(dir);
  } catch (error) {
    throw new InputError(`${options.label}: cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  // Both temporary names in use: `<file>.<pid>.tmp` (writeFileAtomic) and `<file>.tmp-<pid>` (streamed pages).
  for (const stale of removeStaleTemporaries(dir, basename(path))) notes.push(`removed ${stale}: an unfinished file of an interrupted run`);
  if (!options.interruptible) return { notes, release: () => {} };
  const releases = [`${path}.${process.pid}.tmp`, `${path}.tmp-${process.pid}`].map(removeOnInterrupt);
  return { notes, release: () => releases.forEach((release) => release()) };
}

export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let open = true;
  try {
    writingFile(path, () => writeFileSync(fd, content));
    // Durable before the rename: after a power loss the name must not point at an empty file
    // (a sweep's manifest, written once, is what lets its fsynced results be resumed).
    writingFile(path, () => fsyncSync(fd));
    // The descriptor is released even when close fails (close(2)): never closed twice. A close can
    // report a write the file system deferred (NFS, quotas): an error of this file like the others.
    open = false;
    writingFile(path, () => closeSync(fd));
  } catch (error) {
    // A full disk: the part written is no use, and takes the space the user needs to free.
    if (open) closeQuietly(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  renameSync(tmp, path);
}

/** Closes `fd` after a write of it failed: that failure is the one to report, not the close's. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The descriptor is released anyway.
  }
}

/**
 * Removes the temporary files (`<file>.<pid>.tmp`, `<file>.tmp-<pid>`) that processes no longer
 * running left in `dir` — killed while writing a file there — and returns their paths.
 * `name`: only those of that file.
 */
export function removeStaleTemporaries(dir: string, name?: string): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(dir)) {
    const temporary = /^(.+)\.(?:(\d+)\.tmp|tmp-(\d+))$/.exec(entry);
    if (temporary === null || (name !== undefined && temporary[1] !== name) || isRunning(Number(temporary[2] ?? temporary[3]))) continue;
    rmSync(join(dir, entry), { recursive: true, force: true });
    removed.push(join(dir, entry));
  }
  return removed;
}

export interface StagingOptions extends TargetOptions {
  /** What the directory holds, recorded in its marker: `run`, `emulation`, `compare`, `merge`. */
  kind: string;
}

export class StagedDirectory {
  /** Where files are written until `commit`. */
  readonly staging: string;
  /** Things found while staging started that the user should know (stale staging directories). */
  readonly notes: readonly string[];
  private done = false;
  private readonly release: () => void;
  /** The outermost folder made for the staging directory (`results/<name>`), removed again by an abort if it stays empty. */
  private readonly made: string | undefined;

  constructor(
    readonly final: string,
    private readonly options: StagingOptions,
  ) {
    checkOutputDirectory(final, options);
    const parent = dirname(final);
    this.staging = join(parent, `.${basename(final)}.${process.pid}.tmp`);
    let made: string | undefined;
    for (let folder = parent; !existsSync(folder) && dirname(folder) !== folder; folder = dirname(folder)) made = folder;
    this.made = made;
    try {
      makeDirs(parent);
      this.notes = removeStaleStaging(parent);
      rmSync(this.staging, { recursive: true, force: true });
      mkdirSync(this.staging);
    } catch (error) {
      throw new InputError(`${options.label}: cannot create ${final} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    this.release = removeOnInterrupt(this.staging);
    writeMarker(this.staging, options.kind);
  }

  path(file: string): string {
    return join(this.staging, file);
  }

  write(file: string, content: string): void {
    const path = this.path(file);
    writingFile(path, () => writeFileSync(path, content));
  }

  /** Moves the directory into place; replaces an earlier result only as the guard allows. */
  commit(): string {
    // Something may have appeared at the final path while the run was going.
    checkOutputDirectory(this.final, this.options);
    if (existsSync(this.final)) {
      const old = `${this.staging}.old`;
      renameSync(this.final, old);
      renameSync(this.staging, this.final);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(this.staging, this.final);
    }
    this.finish();
    return this.final;
  }

  abort(): void {
    if (!this.done) {
      rmSync(this.staging, { recursive: true, force: true });
      // A refused run leaves no empty `results/<name>/` behind; a folder another run has written into stays.
      for (let folder = dirname(this.staging); this.made !== undefined; folder = dirname(folder)) {
        try {
          rmdirSync(folder);
        } catch {
          break;
        }
        if (folder === this.made) break;
      }
    }
    this.finish();
  }

  private finish(): void {
    this.done = true;
    this.release();
  }
}

/** Writes the marker that makes `dir` diaspora's own output. */
export function writeMarker(dir: string, kind: string): void {
  const marker: OutputMarker = { tool: 'diaspora-sim', version: VERSION, kind, host: hostname(), pid: process.pid };
  const path = join(dir, OUTPUT_MARKER);
  writingFile(path, () => writeFileSync(path, `${JSON.stringify(marker)}\n`));
}

/** `.<name>.<pid>.tmp`, and `.old` for the earlier result a commit was replacing. */
const STAGING_NAME = /^\.(.+)\.(\d+)\.tmp(\.old)?$/;

/**
 * Removes the staging directories in `parent` whose process is gone, when their marker says they
 * were staged on this host; returns a note for each one removed or left alone.
 */
function removeStaleStaging(parent: string): string[] {
  const notes: string[] = [];
  for (const name of readdirSync(parent)) {
    const match = STAGING_NAME.exec(name);
    if (match === null) continue;
    const pid = Number(match[2]);
    if (isRunning(pid)) continue;
    const path = join(parent, name);
    const marker = readOutputMarker(path);
    if (marker?.host === hostname()) {
      rmSync(path, { recursive: true, force: true });
      notes.push(`removed ${path}: the unfinished output of an interrupted run (process ${pid} is gone)`);
    } else {
      const where = marker === undefined ? '' : ` on ${marker.host}`;
      notes.push(`${path} looks like the unfinished output of process ${pid}${where}, which does not run here; remove it once no run writes it`);
    }
  }
  return notes;
}

export function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

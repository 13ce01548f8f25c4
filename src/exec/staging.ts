/**
 * Atomic results: a run directory is built under a temporary name next to its final place and
 * renamed into place only when every file in it is complete. A run that fails or is interrupted
 * leaves no directory that looks like a result; single files are written temp-then-rename too.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

export class StagedDirectory {
  /** Where files are written until `commit`. */
  readonly staging: string;
  private done = false;

  constructor(readonly final: string) {
    mkdirSync(dirname(final), { recursive: true });
    this.staging = join(dirname(final), `.${basename(final)}.${process.pid}.tmp`);
    rmSync(this.staging, { recursive: true, force: true });
    mkdirSync(this.staging);
  }

  path(file: string): string {
    return join(this.staging, file);
  }

  write(file: string, content: string): void {
    writeFileSync(this.path(file), content);
  }

  /** Moves the directory into place, replacing an older result at the same path. */
  commit(): string {
    if (existsSync(this.final)) {
      const old = `${this.staging}.old`;
      renameSync(this.final, old);
      renameSync(this.staging, this.final);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(this.staging, this.final);
    }
    this.done = true;
    return this.final;
  }

  abort(): void {
    if (!this.done) rmSync(this.staging, { recursive: true, force: true });
    this.done = true;
  }
}

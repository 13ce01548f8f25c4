/**
 * Ctrl-C and SIGTERM: a stopped command leaves nothing half-written behind.
 *
 * Commands register what an interruption must remove (staging directories, temporary files) and,
 * when they can stop gracefully (a sweep finishing its running cells, an emulation stopping its
 * threads), a handler for the first Ctrl-C. On SIGINT the graceful handlers run if there are any;
 * a second SIGINT, or SIGTERM, or a SIGINT nobody handles, removes every registered path and
 * exits at once with 130 (SIGINT) or 143 (SIGTERM), saying what the command's notes say it keeps.
 * Registered paths still present when the
 * process exits for any other reason are removed too.
 *
 * Guarantee: the signal handlers are installed on first use only, so a command that registers
 * nothing keeps Node's default behaviour. A command that registers something must not block the
 * event loop for long (a signal is handled when the loop turns): `run` executes in slices for that.
 */
import { rmSync } from 'node:fs';

const leftovers = new Set<string>();
const graceful = new Set<() => void>();
const notes = new Set<() => string>();
let installed = false;
let stopping = false;

/** Removes `path` (recursively) if the process is interrupted or exits before `release` is called. */
export function removeOnInterrupt(path: string): () => void {
  install();
  leftovers.add(path);
  return () => leftovers.delete(path);
}

/** Calls `handler` on the first Ctrl-C instead of leaving; returns a function that unhooks it. */
export function onInterrupt(handler: () => void): () => void {
  install();
  graceful.add(handler);
  return () => graceful.delete(handler);
}

/**
 * Says `note()` when an interruption ends the process at once (SIGTERM — a batch scheduler's time
 * limit —, a second Ctrl-C): what the command keeps and how to go on, where "unfinished output
 * removed" alone would read as if everything were gone. Returns a function that unhooks it.
 */
export function noteOnInterrupt(note: () => string): () => void {
  install();
  notes.add(note);
  return () => notes.delete(note);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => signalled('SIGINT'));
  process.on('SIGTERM', () => signalled('SIGTERM'));
  process.on('exit', removeLeftovers);
}

function signalled(signal: 'SIGINT' | 'SIGTERM'): void {
  if (signal === 'SIGINT' && !stopping && graceful.size > 0) {
    stopping = true;
    for (const handler of [...graceful]) handler();
    return;
  }
  const removed = removeLeftovers();
  const said = [...notes].map((note) => `; ${note()}`);
  process.stderr.write(`\ninterrupted (${signal})${said.length > 0 ? said.join('') : removed > 0 ? '; unfinished output removed' : ''}\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function removeLeftovers(): number {
  let removed = 0;
  for (const path of leftovers) {
    rmSync(path, { recursive: true, force: true });
    removed++;
  }
  leftovers.clear();
  return removed;
}

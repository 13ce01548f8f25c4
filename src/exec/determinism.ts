/**
 * The determinism check: run the same world twice with traces on disk and compare them line by
 * line, reporting the first record where the runs diverge (as madsim's `check_determinism` does).
 *
 * Guarantee: if the two runs produce different trace hashes, the report names the first differing
 * line, its simulated time and both versions of the record. Memory stays flat: the traces are
 * compared as streams.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { removeOnInterrupt } from './interrupt.ts';

export interface Divergence {
  /** 1-based line of the first differing record. */
  line: number;
  /** Simulated time of that record in the first run (or the second if the first ended). */
  timeUs: number | undefined;
  first: string | undefined;
  second: string | undefined;
}

export interface DeterminismReport {
  deterministic: boolean;
  hashes: [string, string];
  divergence?: Divergence;
}

/**
 * @param runOnce runs the world once, writing its trace to the given path, and returns the hash.
 */
export async function checkDeterminism(runOnce: (tracePath: string) => string | Promise<string>): Promise<DeterminismReport> {
  return withScratchDirectory('diaspora-determinism-', async (dir) => {
    const a = join(dir, 'first.jsonl');
    const b = join(dir, 'second.jsonl');
    const hashes: [string, string] = [await runOnce(a), await runOnce(b)];
    if (hashes[0] === hashes[1]) return { deterministic: true, hashes };
    return { deterministic: false, hashes, divergence: await firstDifference(a, b) };
  });
}

/** Runs `use` with a fresh temporary directory, removed afterwards — and on Ctrl-C or SIGTERM. */
export async function withScratchDirectory<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const release = removeOnInterrupt(dir);
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    release();
  }
}

/** Compares two trace files line by line; `line` is past the end of both when they are equal. */
export async function firstDifference(pathA: string, pathB: string): Promise<Divergence> {
  const a = createInterface({ input: createReadStream(pathA, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const b = createInterface({ input: createReadStream(pathB, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  for (let line = 1; ; line++) {
    const [x, y] = await Promise.all([a.next(), b.next()]);
    if (x.done && y.done) return { line, timeUs: undefined, first: undefined, second: undefined };
    const first = x.done ? undefined : x.value;
    const second = y.done ? undefined : y.value;
    if (first !== second) return { line, timeUs: timeOf(first ?? second), first, second };
  }
}

function timeOf(line: string | undefined): number | undefined {
  if (line === undefined) return undefined;
  try {
    const t = (JSON.parse(line) as { t?: unknown }).t;
    return typeof t === 'number' ? t : undefined;
  } catch {
    return undefined;
  }
}

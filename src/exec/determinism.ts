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

/**
 * How two traces' lines are compared: by default as text. Traces of different formats carry the
 * same records but another header version and end record; `across formats` compares them by value.
 */
export interface LineComparison {
  /** Whether two lines say the same (default: the same text). */
  readonly same?: (a: string, b: string) => boolean;
  /** Lines that are not records to compare (default: none); `line` still counts them in the first file. */
  readonly skip?: (line: string) => boolean;
}

/** Compares two trace files line by line; `line` is past the end of both when they are equal. */
export async function firstDifference(pathA: string, pathB: string, how: LineComparison = {}): Promise<Divergence> {
  const same = how.same ?? ((x: string, y: string) => x === y);
  const skip = how.skip ?? (() => false);
  const lines = (path: string) => createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const a = lines(pathA);
  const b = lines(pathB);
  let line = 0;
  const next = async (it: AsyncIterator<string>, counted: boolean): Promise<string | undefined> => {
    for (;;) {
      const r = await it.next();
      if (r.done) return undefined;
      if (counted) line++;
      if (!skip(r.value)) return r.value;
    }
  };
  for (;;) {
    const [first, second] = await Promise.all([next(a, true), next(b, false)]);
    if (first === undefined && second === undefined) return { line: line + 1, timeUs: undefined, first, second };
    if (first === undefined) line++;
    if (first === undefined || second === undefined || !same(first, second)) return { line, timeUs: timeOf(first ?? second), first, second };
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

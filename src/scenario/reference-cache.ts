/**
 * The fault-free reference of a scenario, and a cache of what features measure on it.
 *
 * A checker such as `state-equals-reference` compares a run with the same scenario and seed run
 * without faults. That reference run is a whole simulation, as long as the run itself, and the
 * same for every run of a scenario that differs only in its faults, nemesis or checks (a shrink's
 * probes, a sweep over fault parameters, a run repeated). So what a feature measures on it is
 * kept in a cache directory, one small JSON file per entry, and recalled instead of recomputed.
 *
 * The key is a SHA-256 over everything the reference depends on: the fault-free scenario (as
 * resolved, canonical JSON), the seed, what is measured (`purpose`), and the running code
 * (code-stamp.ts: every source file, the dependencies' versions, the Node version). Scenarios
 * while a plug-in is loaded are never cached: a plug-in's code is not in the stamp.
 *
 * Where: `$DIASPORA_CACHE` if set (`off` disables the cache), else `$XDG_CACHE_HOME/diaspora-sim`,
 * else `~/.cache/diaspora-sim`; entries under `references/`.
 *
 * Guarantee: a recalled value is byte-identical to a computed one — a computed value is returned
 * through the same JSON round trip a stored one goes through, so both paths hand the feature the
 * same object. Entries are written atomically (a temporary file renamed into place), so parallel
 * runs sharing the directory see a whole entry or none. How it fails: it does not — a directory
 * that cannot be written, or an entry that is torn, edited or names another key, is treated as a
 * miss and the value is computed (and stored again if possible).
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { canonicalJson } from '../kernel/contract/index.ts';
import { makeDirs } from '../make-dirs.ts';
import { codeStamp } from './code-stamp.ts';
import { computeReference, faultFree, type ReferenceCacheMode } from './reference.ts';
import type { Scenario } from './types.ts';

/** Bump when the key material or the entry format changes. */
const ENTRY_FORMAT = 1;

export { faultFree, type ReferenceCacheMode } from './reference.ts';

export interface ReferenceRequest {
  /** The scenario as the run has it (faults included): the key takes its fault-free form. */
  readonly scenario: Scenario;
  readonly seed: number;
  /** What is measured on the reference, e.g. `pipeline/final-states`: one entry per purpose. */
  readonly purpose: string;
  /** The cache directory; `undefined` computes every time. */
  readonly dir: string | undefined;
  readonly mode: ReferenceCacheMode;
}

/** The cache directory from the environment, or `undefined` when `DIASPORA_CACHE=off`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.DIASPORA_CACHE;
  if (chosen === 'off') return undefined;
  if (chosen !== undefined && chosen !== '') return chosen;
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'diaspora-sim');
}

/** The entry's key: a digest of everything the reference depends on. */
export function referenceKey(request: Pick<ReferenceRequest, 'scenario' | 'seed' | 'purpose'>): string {
  const material = canonicalJson({ format: ENTRY_FORMAT, purpose: request.purpose, seed: request.seed, scenario: faultFree(request.scenario), code: codeStamp() });
  return createHash('sha256').update(material).digest('hex');
}

/**
 * What `measure` returns on the fault-free reference, recalled from the cache when this scenario,
 * seed, purpose and code computed it before. The value must be plain JSON data.
 */
export function recallReference<T>(request: ReferenceRequest, measure: () => T): T {
  const file = request.mode === 'off' || request.dir === undefined ? undefined : entryFile(request);
  if (file === undefined) return computeReference(measure);
  const key = file.key;
  if (request.mode === 'use') {
    const recalled = readEntry(file.path, key);
    if (recalled !== undefined) return JSON.parse(recalled) as T;
  }
  const json = JSON.stringify(measure());
  if (json === undefined) throw new Error(`reference ${request.purpose}: the measured value is not JSON data`);
  writeEntry(file.dir, file.path, key, json);
  return JSON.parse(json) as T;
}


/** Where the entry lives, or `undefined` when the cache must not be used (a plug-in is loaded, or the code cannot be stamped). */
function entryFile(request: ReferenceRequest): { dir: string; path: string; key: string } | undefined {
  let key: string;
  try {
    key = referenceKey(request);
  } catch {
    return undefined;
  }
  const dir = join(request.dir!, 'references');
  return { dir, path: join(dir, `${key}.json`), key };
}

interface Entry {
  key: string;
  /** The value's JSON text, stored as a string so that it comes back byte for byte. */
  json: string;
}

function readEntry(path: string, key: string): string | undefined {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as Partial<Entry>;
    if (entry.key !== key || typeof entry.json !== 'string') return undefined;
    JSON.parse(entry.json);
    return entry.json;
  } catch {
    return undefined;
  }
}

/** Temporary files written by this thread so far: with the process and thread ids, a name no other writer uses. */
let written = 0;

function writeEntry(dir: string, path: string, key: string, json: string): void {
  const tmp = `${path}.${process.pid}-${threadId}-${written++}.tmp`;
  try {
    makeDirs(dir);
    writeFileSync(tmp, JSON.stringify({ key, json } satisfies Entry));
    renameSync(tmp, path);
  } catch {
    // The temporary file may not exist, or not be removable either (a path through a file): a miss all the same.
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch {
      // nothing to clean up that can be reached
    }
  }
}

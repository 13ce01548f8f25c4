/**
 * Reads a run directory written by `diaspora run`: the resolved scenario and seed to run it again,
 * the summary with its trace hash and verdicts, the realised faults, the scenario as written, and
 * the trace when it was kept.
 *
 * Guarantee: returns only when the files `replay`, `shrink` and `check` need are present, parse,
 * have the fields those commands use, and belong together — one scenario, one seed, one version
 * (summary, resolved scenario, faults, scenario.yaml, the trace's header and the directory's
 * marker all agree). How it fails: an `InputError` naming the file and what is wrong with it:
 * damaged (cut short, not JSON, fields missing), from another run or version, or absent — never
 * a verdict on files that do not belong together.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RealisedFault } from '../faults/index.ts';
import { InputError } from '../kernel/index.ts';
import { LEADS_NOWHERE, leadsNowhere } from '../kernel/file-errors.ts';
import { checkTraceHeader, notATrace } from '../kernel/trace-reader.ts';
import type { Scenario } from '../scenario/index.ts';
import { OUTPUT_MARKER, readOutputMarker } from './output-guard.ts';
import type { RunSummary } from './run.ts';

export interface RunDirectory {
  readonly dir: string;
  /** The resolved scenario, with the seed the run used. */
  readonly scenario: Scenario;
  readonly seed: number;
  readonly summary: RunSummary;
  /** The realised faults (from `faults.json`, or the summary). */
  readonly faults: readonly RealisedFault[];
  /** `scenario.yaml`'s data, when the run kept it. */
  readonly written: Record<string, unknown> | undefined;
  /** `trace.jsonl`, when the run kept it (`--trace`). */
  readonly tracePath: string | undefined;
}

/** What a trace must be to belong to a recorded run: its summary's count and hash. */
export interface RecordedTrace {
  readonly records: number;
  readonly traceHash: string;
  /** How messages name the file that says so. */
  readonly source: string;
}

/**
 * Whether a file of the run is there; a symbolic link in its place that leads nowhere is refused
 * (it is there to see with `ls`, so "no such file" or silently going without it would mislead).
 */
function present(path: string): boolean {
  if (existsSync(path)) return true;
  if (leadsNowhere(path)) throw new InputError(`${path}: ${LEADS_NOWHERE}`);
  return false;
}

export function readRunDirectory(dir: string): RunDirectory {
  if (!present(dir)) throw new InputError(`${dir}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new InputError(`${dir}: not a run directory (give the directory diaspora run wrote)`);
  const scenario = readJson<Scenario & { seed: number }>(dir, 'scenario.resolved.json', RESOLVED_FIELDS);
  const summary = readJson<RunSummary>(dir, 'summary.json', SUMMARY_FIELDS);
  const identities: Identity[] = [
    { file: 'summary.json', scenario: summary.scenario, seed: summary.seed },
    { file: 'scenario.resolved.json', scenario: scenario.name, seed: scenario.seed },
  ];
  const faultsFile = join(dir, 'faults.json');
  let faults = summary.faults;
  if (present(faultsFile)) {
    const recorded = readJson<{ scenario: string; seed: number; faults: RealisedFault[] }>(dir, 'faults.json', { scenario: 'string', seed: 'count', faults: 'array' });
    identities.push({ file: 'faults.json', scenario: recorded.scenario, seed: recorded.seed });
    faults = recorded.faults;
  }
  const written = readWritten(dir);
  if (written !== undefined) identities.push({ file: 'scenario.yaml', scenario: written.name, seed: written.seed });
  const trace = join(dir, 'trace.jsonl');
  const tracePath = present(trace) ? trace : undefined;
  if (tracePath !== undefined) {
    const header = traceHeader(tracePath);
    identities.push({ file: 'trace.jsonl', scenario: header.scenario, seed: header.seed });
  }
  sameRun(dir, identities);
  sameVersion(dir, summary);
  return { dir, scenario, seed: scenario.seed, summary, faults: faults ?? [], written, tracePath };
}

/**
 * Whether `dir` is (or was) a directory `diaspora run` wrote. Such a directory always has both
 * files (it is committed whole): one that has either, or the directory's marker, and lacks the
 * other was damaged, and is not judged (readRunDirectory says what is missing).
 */
export function isRunDirectory(dir: string): boolean {
  return ['scenario.resolved.json', 'summary.json', OUTPUT_MARKER].some((file) => present(join(dir, file)));
}

/**
 * For `diaspora check <dir>`: the trace, the checks the run named, the plug-ins that bring them,
 * and what the trace must match — from whatever of the run's files are there (a directory may hold
 * only a trace), each of them checked as `readRunDirectory` checks it.
 */
export function runToCheck(dir: string): { trace: string; checks: string[] | undefined; plugins: readonly string[]; recorded: RecordedTrace | undefined } {
  const trace = join(dir, 'trace.jsonl');
  if (!present(trace)) throw new InputError(`${dir}: no trace.jsonl here; run the scenario with --trace to keep one`);
  if (isRunDirectory(dir)) {
    const run = readRunDirectory(dir);
    return { trace, checks: [...run.scenario.checks], plugins: run.scenario.plugins ?? [], recorded: recordedTraceOf(run) };
  }
  traceHeader(trace);
  return { trace, checks: undefined, plugins: [], recorded: undefined };
}

/** What the run's trace must match, from its summary. */
export function recordedTraceOf(run: RunDirectory): RecordedTrace {
  return { records: run.summary.records, traceHash: run.summary.traceHash, source: 'summary.json' };
}

/** The scenario, seed and format a trace's `meta` header names (its first line); checks the format version. */
export function traceHeader(path: string): { scenario: unknown; seed: unknown; format: number } {
  const line = firstLine(path);
  if (line === '') throw new InputError(`${path}: the trace is empty (was the run interrupted, or the file truncated?)`);
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw notATrace(path, 1, line);
  }
  if (typeof meta !== 'object' || meta === null) throw new InputError(`${path}:1: not a diaspora trace (it does not start with a meta record)`);
  checkTraceHeader(meta, path, 1);
  return { scenario: meta.scenario, seed: meta.seed, format: meta.v as number };
}

interface Identity {
  file: string;
  scenario: unknown;
  seed: unknown;
}

/** Every file names the same scenario and seed, or the directory mixes runs. */
function sameRun(dir: string, identities: readonly Identity[]): void {
  const [first, ...rest] = identities;
  const describe = (id: Identity) => `${id.file} is of ${String(id.scenario)} seed ${String(id.seed)}`;
  const other = rest.find((id) => id.scenario !== first!.scenario || id.seed !== first!.seed);
  if (other !== undefined) throw new InputError(`${dir}: files from different runs: ${describe(first!)}, ${describe(other)}`);
}

/** The summary and the directory's marker were written by the same version. */
function sameVersion(dir: string, summary: RunSummary): void {
  const marker = readOutputMarker(dir);
  if (marker !== undefined && marker.version !== summary.version) {
    throw new InputError(`${dir}: files from different versions: summary.json was written by ${summary.version}, the directory by ${marker.version}`);
  }
}

/** `count`: a whole number from 0 to 2^53−1 (a seed, a time in µs, a number of records). */
type FieldType = 'string' | 'count' | 'array' | 'object';

/** The fields `replay`, `shrink` and `check` use, with their types. */
const RESOLVED_FIELDS: Record<string, FieldType> = {
  name: 'string', seed: 'count', durationUs: 'count', quiesceUs: 'count', sites: 'array', nodes: 'array', links: 'array',
  services: 'array', workload: 'array', faults: 'array', checks: 'array',
};
const SUMMARY_FIELDS: Record<string, FieldType> = { scenario: 'string', seed: 'count', version: 'string', traceHash: 'string', records: 'count', checks: 'object' };

function readJson<T>(dir: string, file: string, fields: Record<string, FieldType>): T {
  const path = join(dir, file);
  if (!present(path)) throw new InputError(`${dir}: no ${file} here; is this a directory written by diaspora run?`);
  if (statSync(path).isDirectory()) throw new InputError(`${path}: a directory, not a file; is this a directory written by diaspora run?`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new InputError(`${path}: not valid JSON (cut short, or edited; was the run interrupted?)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${path}: not a JSON object; it is not what diaspora run writes`);
  const record = value as Record<string, unknown>;
  const wrong = Object.entries(fields).find(([key, type]) => !hasType(record[key], type));
  if (wrong !== undefined) {
    const [key, type] = wrong;
    const expected = { string: 'a string', count: 'a whole number ≥ 0', array: 'a list', object: 'an object' }[type];
    const why = record[key] === undefined ? `lacks the field ${key}` : `has ${key} ${typeof record[key] === 'number' ? String(record[key]) : 'of the wrong type'} (expected ${expected})`;
    throw new InputError(`${path}: ${why}; it was edited, or written by another version`);
  }
  const checks = record.checks;
  if (file === 'summary.json' && isObject(checks)) {
    const bad = Object.entries(checks).find(([, verdict]) => !isObject(verdict) || typeof verdict.ok !== 'boolean');
    if (bad !== undefined) throw new InputError(`${path}: checks.${bad[0]} is not a verdict (an object with ok true or false); it was edited, or written by another version`);
  }
  return value as T;
}

function hasType(value: unknown, type: FieldType): boolean {
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return isObject(value);
  // A negative or fractional time would be run, not refused, and replay would report a divergence.
  if (type === 'count') return Number.isSafeInteger(value) && (value as number) >= 0;
  return typeof value === type;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `scenario.yaml`'s data, when present; a damaged one is an error, not a missing one. */
function readWritten(dir: string): Record<string, unknown> | undefined {
  const path = join(dir, 'scenario.yaml');
  if (!present(path)) return undefined;
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new InputError(`${path}${line === undefined ? '' : `:${line}`}: not valid YAML (the file was damaged or edited)`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InputError(`${path}: not a scenario (the file was damaged or edited)`);
  return data as Record<string, unknown>;
}

/** Longer than any `meta` header: scenarios of a million nodes list a few tens of MiB. */
const MAX_HEADER_BYTES = 256 << 20;

/** The first line of a file, read in small pieces (a trace can be gigabytes long). */
function firstLine(path: string): string {
  const kind = statSync(path);
  if (kind.isDirectory()) throw new InputError(`${path}: a directory, not a trace file`);
  if (!kind.isFile()) throw new InputError(`${path}: not a regular file; a trace is a file written by diaspora run --trace`);
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const bytes = readSync(fd, buffer, 0, buffer.length, null);
      if (bytes === 0) break;
      const newline = buffer.subarray(0, bytes).indexOf(0x0a);
      chunks.push(Buffer.from(buffer.subarray(0, newline === -1 ? bytes : newline)));
      if (newline !== -1) break;
      if (chunks.length * buffer.length > MAX_HEADER_BYTES) throw new InputError(`${path}:1: not a diaspora trace (its first line runs past ${MAX_HEADER_BYTES >> 20} MiB)`);
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

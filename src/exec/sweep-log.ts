/**
 * A sweep directory on disk: `sweep.json` (the manifest: which study, which slice) and
 * `results.jsonl` (one line per finished cell, appended as cells finish).
 *
 * Each result line is self-describing — study id, cell key, index, variant, grid point, seed and
 * the outcome — and is appended with one `write` and then `fsync`ed, so after a crash or a `kill
 * -9` every line but possibly the last is complete and durable. Reading tolerates exactly that: a
 * last line without its newline is a torn write, dropped and cut off before appending resumes.
 *
 * Failure: anything else that is wrong — a manifest of another study or slice, a damaged line in
 * the middle, a line of another study — is an `InputError` naming the file and line, because
 * resuming or merging on top of it would produce a result that looks right and is not.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { cutText, InputError } from '../kernel/index.ts';
import { writingFile } from '../kernel/file-errors.ts';
import { makeDirs } from '../make-dirs.ts';
import { checkDirectoryPlace, checkOutputDirectory, readOutputMarker, type TargetOptions } from './output-guard.ts';
import { removeStaleTemporaries, writeFileAtomic, writeMarker } from './staging.ts';
import type { CellRun } from './sweep-cell.ts';
import { isLockFile } from './sweep-lock.ts';
import { cellCount, setsSpeltOneWay, studyId, type Shard, type StudySpec } from './sweep-plan.ts';
import { paramKind, readQuantity } from './sweep-values.ts';

export const MANIFEST = 'sweep.json';
export const RESULTS_LOG = 'results.jsonl';
const FORMAT = 'diaspora-sweep/1';

export interface Manifest {
  format: typeof FORMAT;
  id: string;
  file: string;
  /** The slice this directory holds; absent for a whole sweep (or a merge of all slices). */
  shard?: Shard;
  cells: number;
  spec: StudySpec;
}

/** One line of `results.jsonl`. */
export type CellRecord = {
  sweep: string;
  cell: string;
  index: number;
  variant: string;
  params: Record<string, string>;
  seed: number;
} & CellRun;

export function manifestOf(study: { id: string; file: string; spec: StudySpec }, cells: number, shard?: Shard): Manifest {
  return { format: FORMAT, id: study.id, file: study.file, ...(shard ? { shard } : {}), cells, spec: study.spec };
}

export function writeManifest(dir: string, manifest: Manifest): void {
  makeDirs(dir);
  writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of `dir`, or undefined when there is none. */
export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  const text = readFileOf(path, 'the sweep manifest', 'utf8');
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw new InputError(`${path}: not a sweep manifest (it is not JSON)`);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) throw new InputError(`${path}: not a sweep manifest (not a JSON object)`);
  if (manifest.format !== FORMAT) {
    const found = manifest.format === undefined ? 'it has no format' : `its format is ${JSON.stringify(manifest.format)}`;
    throw new InputError(`${path}: not a sweep manifest of this version of diaspora-sim (${found}; this version reads ${FORMAT})`);
  }
  if (typeof manifest.id !== 'string' || typeof manifest.spec !== 'object' || manifest.spec === null) throw new InputError(`${path}: a sweep manifest without its id or spec; the file was edited`);
  const spec = SPEC_SHAPE.safeParse(manifest.spec);
  if (!spec.success) {
    const issue = spec.error.issues[0]!;
    throw new InputError(`${path}: a sweep manifest whose spec.${issue.path.join('.')} is not what a sweep writes (${issue.message}); the file was edited`);
  }
  // The count a merge copies into the whole sweep's manifest: the spec's, or the file was edited (a merge wrote "cells": 5 of 2).
  const made = cellCount(spec.data);
  if (manifest.cells !== undefined && manifest.cells !== made) {
    throw new InputError(`${path}: a sweep manifest whose cells (${JSON.stringify(manifest.cells)}) are not the ${made} its spec makes; the file was edited`);
  }
  checkIdentity(path, manifest.id, manifest.spec as StudySpec);
  return manifest as Manifest;
}

/**
 * The id is the hash of the spec (studyId), and a parameter value's plotted `x` and a parameter's
 * `kind` follow from its text: an edit to any of them is named, so a report never plots numbers a
 * hand put there (before, an edited `x` or `kind` was merged and drawn silently, and an empty id
 * made messages read "the directory is sweep "). A manifest a sweep wrote always passes: the id
 * was computed from the very spec stored beside it, in its key order, which JSON keeps.
 */
function checkIdentity(path: string, id: string, spec: StudySpec): void {
  if (!/^[0-9a-f]{12}$/.test(id)) throw new InputError(`${path}: a sweep manifest whose id ${cutText(id, 40, 40, JSON.stringify)} is not a sweep id (12 hex digits); the file was edited`);
  for (const [i, param] of spec.params.entries()) {
    for (const [j, value] of param.values.entries()) {
      const x = readQuantity(value.text)?.x ?? null;
      if (value.x !== x) {
        throw new InputError(`${path}: spec.params[${i}].values[${j}].x is ${JSON.stringify(value.x)}, but its text ${cutText(value.text, 40, 40, JSON.stringify)} is ${JSON.stringify(x)}; the file was edited`);
      }
    }
    const kind = paramKind(param.values);
    if (param.kind !== kind) throw new InputError(`${path}: spec.params[${i}].kind is ${cutText(String(param.kind), 40, 40, JSON.stringify)}, but its values are ${kind === 'category' ? 'categories' : `of kind ${kind}`}; the file was edited`);
  }
  if (studyId(spec) !== id) throw new InputError(`${path}: its spec hashes to ${studyId(spec)}, not to its id ${id}: a field of spec was edited`);
}

/**
 * What a resume or a merge reads of a stored spec (StudySpec), so an edited manifest is refused in
 * one line rather than read as a study: a sweep always has a variant, the baseline among them, a
 * value per parameter and a seed (without them a merge reported 0 cells, or crashed on the baseline).
 */
const SPEC_SHAPE = z
  .object({
    kind: z.enum(['sweep', 'compare']),
    scenario: z.object({ name: z.string(), sha256: z.string() }),
    version: z.string(),
    sets: z.array(z.string()),
    variants: z.array(z.object({ name: z.string(), sets: z.array(z.string()) })).min(1),
    baseline: z.string(),
    params: z.array(z.object({ path: z.string(), values: z.array(z.object({ text: z.string() })).min(1) })),
    seeds: z.array(z.number().int().nonnegative()).min(1),
  })
  .refine((spec) => spec.variants.some((variant) => variant.name === spec.baseline), { path: ['baseline'], message: 'not one of its variants' });

/** What opening a sweep directory does to it, once decided. */
interface Opening {
  /** The id its results are under. */
  readonly id: string;
  /** `resume` as it is, write its lost `manifest` again, or `create` it (new, or started over with --force). */
  readonly change: 'resume' | 'manifest' | 'create';
}

/**
 * Refuses `dir` for `manifest` as {@link openSweepDir} would, changing nothing: run before the
 * directory is made and locked, so that a refused start leaves no lock in a directory not its own.
 */
export function checkSweepDir(dir: string, manifest: Manifest, target: TargetOptions = { label: dir, force: false }): void {
  decideOpening(dir, manifest, target);
}

/**
 * Opens `dir` for `manifest`: creates it, or checks that it holds the same study and slice, and
 * returns the id its results are under. Refuses a directory with other files in it, so a typo in
 * `--out` cannot write into a stranger's; with `force`, starts over in a directory of diaspora's
 * own (another sweep, an earlier run). A sweep begun before studies stored each set's path spelt
 * one way (`services["store"].flush=5s` as typed) is the same study as this one if only that
 * spelling differs: it resumes under the id it began with, its manifest and results as they are.
 *
 * The caller holds the directory's lock (sweep-lock.ts), taken before this decides anything: so
 * `--force` never removes what a running sweep writes (it would have been refused the lock), and
 * what is decided is what the directory holds now, not before another process changed it.
 */
export function openSweepDir(dir: string, manifest: Manifest, target: TargetOptions = { label: dir, force: false }): string {
  const { id, change } = decideOpening(dir, manifest, target);
  if (change === 'create') create(dir, manifest);
  else if (change === 'manifest') writeManifest(dir, manifest);
  // A report a killed sweep was writing when it died: the resumed sweep writes it again.
  if (change !== 'create') removeStaleTemporaries(dir);
  return id;
}

function decideOpening(dir: string, manifest: Manifest, target: TargetOptions): Opening {
  checkDirectoryPlace(dir, target.label);
  const existing = readManifest(dir);
  // sweep.json is gone (deleted, or lost to a crash before it was made durable) but the finished
  // cells are this study's: the manifest is written again from this command and they are kept —
  // the way out otherwise offered, --force, would throw them away.
  if (existing === undefined && holdsResultsOf(dir, manifest.id)) return { id: manifest.id, change: 'manifest' };
  if (existing === undefined) {
    checkOutputDirectory(dir, target, isLockFile);
    return { id: manifest.id, change: 'create' };
  }
  const slice = (s?: Shard) => (s ? `slice ${s.index}/${s.count}` : 'the whole sweep');
  const sameStudy = existing.id === manifest.id || studyId(setsSpeltOneWay(existing.spec)) === manifest.id;
  const mismatch =
    !sameStudy
      ? `holds sweep ${existing.id}, not this one (${manifest.id}): ${specDifference(existing.spec, manifest.spec)}`
      : slice(existing.shard) !== slice(manifest.shard)
        ? `holds ${slice(existing.shard)} of sweep ${manifest.id}, not ${slice(manifest.shard)}`
        : undefined;
  if (mismatch === undefined) return { id: existing.id, change: 'resume' };
  if (!target.force) throw new InputError(`${target.label}: ${mismatch}; choose another --out, or add --force to start over there`);
  return { id: manifest.id, change: 'create' };
}

/**
 * What makes a directory's sweep another one, first difference first, as the user would change it
 * back: `--param quiesce was 10s,20s there, 10s,30s here`. Resuming needs the same arguments. Sets
 * are compared spelt one way: one stored as typed is not a difference (`openSweepDir`).
 */
function specDifference(storedThere: StudySpec, here: StudySpec): string {
  const there = setsSpeltOneWay(storedThere);
  const values = (p: StudySpec['params'][number] | undefined) => (p === undefined ? 'not given' : p.values.map((v) => v.text).join(','));
  const list = (items: readonly (string | number)[]) => (items.length === 0 ? 'none' : cutText(items.join(','), 40));
  const variants = (spec: StudySpec) => list(spec.variants.map((v) => (v.sets.length === 0 ? v.name : `${v.name}:${v.sets.join(',')}`)));
  if (there.kind !== here.kind) return `it holds a ${there.kind}, this is a ${here.kind}`;
  if (there.version !== here.version) return `it was written by version ${there.version}, this is ${here.version}; a sweep resumes in the version that began it`;
  if (there.scenario.name !== here.scenario.name) return `it is a sweep of scenario ${there.scenario.name}, this one of ${here.scenario.name}`;
  if (there.scenario.sha256 !== here.scenario.sha256) return `the scenario file was edited since the sweep began (its text differs)`;
  if (list(there.sets) !== list(here.sets)) return `--set was ${list(there.sets)} there, ${list(here.sets)} here`;
  if (variants(there) !== variants(here)) return `the variants were ${variants(there)} there, ${variants(here)} here`;
  for (const path of new Set([...there.params, ...here.params].map((p) => p.path))) {
    const [a, b] = [there, here].map((spec) => values(spec.params.find((p) => p.path === path)));
    if (a !== b) return `--param ${path} was ${cutText(a!, 40)} there, ${cutText(b!, 40)} here`;
  }
  const seeds = (spec: StudySpec) => (spec.seeds.length > 2 && spec.seeds.every((seed, i) => seed === spec.seeds[0]! + i) ? `${spec.seeds[0]}..${spec.seeds.at(-1)}` : list(spec.seeds));
  if (seeds(there) !== seeds(here)) return `--seeds were ${seeds(there)} there, ${seeds(here)} here`;
  return 'the scenario, the arguments or the version differ';
}

/** True when `dir` is a sweep directory of diaspora's whose results are all of study `id` (and there are some). */
function holdsResultsOf(dir: string, id: string): boolean {
  if (readOutputMarker(dir)?.kind !== 'sweep' || !existsSync(join(dir, RESULTS_LOG))) return false;
  try {
    return readResultsLog(dir, id).records.length > 0;
  } catch (error) {
    // Another study's results, or damaged ones: not a sweep to resume; the usual checks decide.
    if (error instanceof InputError) return false;
    throw error;
  }
}

/**
 * A fresh sweep directory: emptied if it was one (`--force`) but for the lock this process holds
 * (the manifest first, so a start over stopped midway is never resumed as the earlier sweep), the
 * manifest, then the marker.
 */
function create(dir: string, manifest: Manifest): void {
  if (existsSync(dir)) {
    rmSync(join(dir, MANIFEST), { force: true });
    for (const entry of readdirSync(dir)) if (!isLockFile(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  writeManifest(dir, manifest);
  // After the manifest: a directory with a marker and no manifest would be neither resumable nor new.
  writeMarker(dir, 'sweep');
}

export interface LogContents {
  records: CellRecord[];
  /** Length of the complete lines; anything after is a torn write. */
  validBytes: number;
  torn: boolean;
}

/** Reads `results.jsonl` of `dir` (empty when absent); every record belongs to study `id`. */
export function readResultsLog(dir: string, id: string): LogContents {
  const path = join(dir, RESULTS_LOG);
  if (!existsSync(path)) return { records: [], validBytes: 0, torn: false };
  const buffer = readFileOf(path, 'the results of the finished cells');
  const end = buffer.lastIndexOf(0x0a) + 1;
  const lines = buffer.subarray(0, end).toString('utf8').split('\n').slice(0, -1);
  const records = lines.map((line, i) => parseRecord(line, `${path}:${i + 1}`, id));
  return { records, validBytes: end, torn: end < buffer.length };
}

/** A file of the sweep directory; a directory in its place is named as such (readFileSync's error has no path). */
function readFileOf(path: string, what: string): Buffer;
function readFileOf(path: string, what: string, encoding: 'utf8'): string;
function readFileOf(path: string, what: string, encoding?: 'utf8'): Buffer | string {
  if (statSync(path).isDirectory()) throw new InputError(`${path}: is a directory; it should be a file with ${what}`);
  return encoding === undefined ? readFileSync(path) : readFileSync(path, encoding);
}

/** What must agree between two copies of a cell (wall time may differ). */
export function cellOutcome(record: CellRecord): string {
  return record.status === 'error' ? `error: ${record.error.message.split('\n')[0]}` : `${record.status} ${record.traceHash.slice(0, 16)}`;
}

const isMap = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseRecord(line: string, where: string, id: string): CellRecord {
  let record: Partial<CellRecord>;
  try {
    record = JSON.parse(line) as Partial<CellRecord>;
  } catch {
    throw new InputError(`${where}: not a result line (the file was edited or damaged); remove the line to go on`);
  }
  if (record === null || typeof record !== 'object' || typeof record.cell !== 'string' || typeof record.index !== 'number' || typeof record.status !== 'string') {
    throw new InputError(`${where}: not a result line (no cell, index or status)`);
  }
  if (record.sweep !== id) throw new InputError(`${where}: ${typeof record.sweep === 'string' ? `a result of sweep ${record.sweep}` : 'a result line without its sweep'}, but the directory is sweep ${id}`);
  // What reports read of a record: a ran cell's numbers, a failed cell's error.
  const ran = record.status === 'pass' || record.status === 'fail';
  const shaped = ran
    ? isMap((record as { values?: unknown }).values) && isMap((record as { checks?: unknown }).checks)
    : record.status === 'error' && isMap((record as { error?: unknown }).error) && typeof (record as { error: { message?: unknown } }).error.message === 'string';
  if (!shaped) {
    const why = ran || record.status === 'error' ? `status ${record.status} without its ${ran ? 'values and checks' : 'error'}` : `status ${JSON.stringify(record.status)} is not pass, fail or error`;
    throw new InputError(`${where}: not a result line (${why}); the file was edited or damaged`);
  }
  return record as CellRecord;
}

/** Appends records to `results.jsonl`, each durable before `append` returns. */
export class ResultsLog {
  private readonly fd: number;
  private readonly path: string;

  /** @param validBytes where the complete lines end; a torn tail after it is cut off first. */
  constructor(dir: string, validBytes: number) {
    this.path = join(dir, RESULTS_LOG);
    this.fd = openSync(this.path, 'a');
    // Only a torn tail is cut: a log that ends where its lines do is left alone.
    if (fstatSync(this.fd).size !== validBytes) ftruncateSync(this.fd, validBytes);
  }

  append(record: CellRecord): void {
    // One write per line: a crash leaves at most the last line incomplete.
    writingFile(this.path, () => {
      writeSync(this.fd, `${JSON.stringify(record)}\n`);
      fsyncSync(this.fd);
    });
  }

  close(): void {
    closeSync(this.fd);
  }
}

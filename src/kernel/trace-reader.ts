/**
 * Reads a trace file back as a stream of records, line by line, never all at once — for every
 * command that reads traces (`check`, `viz`, `--perfetto`, `--shiviz`), so that all of them accept
 * and refuse the same files.
 *
 * Guarantee: every record yielded is a JSON object with a non-negative whole `t` (µs) that never
 * goes back, a whole `n` ≥ 0, and string `k` and `a`; the first is the `meta` header of a format
 * this version reads (READABLE_TRACE_FORMATS), and no other record is a header. How it fails: an
 * `InputError` `file:line: reason`, the form every bad-input error takes: a last line cut short
 * (no newline, not JSON: the writer was stopped mid-line, or the file was truncated) is named as a
 * torn trace rather than as a bad record; a directory, a file that is not a trace, a header of
 * another format, a second header (two traces joined), time going back, or a record nested too
 * deeply to be one of ours (it would exhaust the stack of whoever walks it) are each named.
 *
 * The end (format 3 on): a trace file ends with its end record (kernel/trace.ts), which is checked
 * — the records it counts must be those read, nothing may follow it — and handed to `onEnd`, not
 * yielded. A format-3 trace without it was cut short, perhaps exactly at a line break (a killed
 * run, a truncated copy, `head`): that is an `InputError` too, unless the caller passes `onCut`,
 * which then gets the message and the records read are all there is — for the commands that let
 * a partial trace be looked at (`viz`, `--perfetto`, `--shiviz`), never for a verdict (`check`).
 * Formats 1 and 2 had no end record; a cut at a line break in them cannot be told.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { END_KIND, TRACE_FORMAT_VERSION, TraceWriter, type TraceRecord } from './trace.ts';
import { InputError } from './contract/input-error.ts';
import { EventIds, type IdFamily } from './contract/event-ids.ts';
import { numberedRecord } from './event-names.ts';
import { unreadableBecause } from './file-errors.ts';

export interface NumberedRecord {
  line: number;
  text: string;
  record: TraceRecord;
}

/** A trace file's end record: how many records precede it and the trace's hash. */
export interface TraceEnd {
  records: number;
  hash: string;
}

export interface ReadTraceOptions {
  /** Told, instead of an error, that a trace which should end with its end record does not (it was cut short). */
  onCut?: (message: string) => void;
  /** Given the end record, after the last record. */
  onEnd?: (end: TraceEnd) => void;
  /**
   * Told, when given, that the records read do not hash to what the end record says (a record was
   * edited by hand): for the commands that draw a trace anyway. The hash is computed only then, and
   * only for this version's format (older formats' hashes are no longer computed).
   */
  onEdited?: (message: string) => void;
}

/** The first format whose files end with an end record. */
const ENDED_FROM_FORMAT = 3;

/**
 * Trace formats this version reads: 5 (kernel/trace-hash.ts over numeric pipeline event ids,
 * kernel/event-names.ts), and 4, 3, 2 and 1, which differ from it only in how the run's hash was
 * computed (the lines are the same JSON), so they are drawn and checked alike; only a format-5
 * trace's hash can be recomputed (exec/check-trace.ts).
 */
export const READABLE_TRACE_FORMATS: readonly number[] = [1, 2, 3, 4, TRACE_FORMAT_VERSION];

/** Records are a few levels deep; past this a line is not one of ours. */
const MAX_RECORD_DEPTH = 32;
/** Lines shorter than this cannot nest deeply enough to matter, and are not walked. */
const DEPTH_CHECKED_FROM = 4096;

/**
 * A trace whose first line is not JSON, with why when it can be told: compressed (`trace.jsonl.gz`
 * as archived), or saved by an editor with a byte-order mark.
 */
export function notATrace(path: string, line: number, text: string): InputError {
  if (text.startsWith('\u001f\ufffd')) return new InputError(`${path}:${line}: a gzip-compressed file, not a trace; decompress it first (gunzip)`);
  if (text.startsWith('\ufeff')) return new InputError(`${path}:${line}: the file starts with a byte-order mark (an editor saved it); diaspora writes traces without one, so this one was edited`);
  // A run's summary.json or another indented JSON file: its first line opens a document a trace never spans lines with.
  if (/^\s*[[{]\s*$/.test(text)) return new InputError(`${path}:${line}: a JSON document over several lines, not a trace (one JSON record per line); give a run directory written with --trace, or its trace.jsonl`);
  return new InputError(`${path}:${line}: not a diaspora trace (the first line is not JSON)`);
}

export async function* readTrace(path: string, options: ReadTraceOptions = {}): AsyncGenerator<NumberedRecord> {
  const torn = !endsWithNewline(path);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let line = 0;
  let records = 0;
  let previous: number | undefined;
  let ended = false;
  let format = 0;
  // The records written again, without a file, to hash them (as `check` does, exec/check-trace.ts).
  let rehash: TraceWriter | undefined;
  let names: EventIds | undefined;
  let end: TraceEnd | undefined;
  for (let next = await lines.next(); !next.done; ) {
    const text = next.value;
    line++;
    next = await lines.next();
    if (text.length === 0) continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      if (torn && next.done) throw new InputError(`${path}:${line}: the last line is cut short: the trace is torn (was the run interrupted, or the file truncated?)`);
      if (previous === undefined) throw notATrace(path, line, text);
      throw new InputError(`${path}:${line}: not a JSON trace record`);
    }
    if (ended) throw new InputError(`${path}:${line}: a line after the end record: two traces joined, or the file written to after its run ended?`);
    if (isEndRecord(record) && previous !== undefined) {
      if (!Number.isSafeInteger(record.records) || typeof record.hash !== 'string') {
        throw new InputError(`${path}:${line}: an end record needs a whole number of records and a hash; the file was edited`);
      }
      if (record.records !== records) {
        throw new InputError(`${path}:${line}: the end record counts ${record.records} records, the trace has ${records}: records were removed or added`);
      }
      ended = true;
      end = { records: record.records as number, hash: record.hash };
      options.onEnd?.(end);
      continue;
    }
    if (!isRecord(record)) throw new InputError(`${path}:${line}: ${recordProblem(record)}`);
    if (text.length >= DEPTH_CHECKED_FROM && deeperThan(text, MAX_RECORD_DEPTH)) {
      throw new InputError(`${path}:${line}: a record nested more than ${MAX_RECORD_DEPTH} levels deep is not a diaspora trace record`);
    }
    if (previous === undefined) {
      checkTraceHeader(record, path, line);
      format = record.v as number;
      if (options.onEdited !== undefined && format === TRACE_FORMAT_VERSION) rehash = new TraceWriter();
      // A pipeline's event ids: hashed as the numbers the run wrote, read back from their names by the families the header lists.
      if (rehash !== undefined && Array.isArray(record.eventIds)) names = new EventIds(record.eventIds as IdFamily[]);
    } else if (record.k === 'meta') throw new InputError(`${path}:${line}: a second meta header: two traces joined into one file?`);
    if (!Number.isSafeInteger(record.t) || record.t < 0) throw new InputError(`${path}:${line}: t must be a non-negative integer (µs), got ${record.t}`);
    if (!Number.isSafeInteger(record.n) || record.n < 0) throw new InputError(`${path}:${line}: n must be a non-negative integer, got ${record.n}`);
    if (previous !== undefined && record.t < previous) {
      throw new InputError(`${path}:${line}: t=${record.t} goes back in time (previous record at ${previous}); records are in event order`);
    }
    previous = record.t;
    records++;
    // The record yielded keeps its names: the ids are numbered in a copy (parsed again from its line).
    rehash?.write(names === undefined ? record : numberedRecord(JSON.parse(text) as TraceRecord, names));
    yield { line, text, record };
  }
  if (!ended && format >= ENDED_FROM_FORMAT) {
    const message = `${path}:${line}: the trace ends without its end record (cut short? a run killed mid-way or a truncated copy): its ${records} records may not be all`;
    if (options.onCut === undefined) throw new InputError(message);
    options.onCut(message);
  }
  const hash = end === undefined ? undefined : rehash?.close();
  if (hash !== undefined && hash !== end!.hash) {
    options.onEdited!(`${path}: its records hash to ${hash.slice(0, 16)}, its end record says ${end!.hash.slice(0, 16)}: a record was edited after the run wrote it`);
  }
}

/**
 * The first record: a `meta` header of a format this version reads, naming its scenario and seed.
 * Also what `traceHeader` (exec/run-dir.ts) checks of a trace's first line, so both refuse alike.
 */
export function checkTraceHeader(record: { k?: unknown }, path: string, line: number): void {
  if (record.k !== 'meta') throw new InputError(`${path}:${line}: not a diaspora trace (it does not start with a meta record)`);
  const v = (record as { v?: unknown }).v;
  if (typeof v !== 'number' || !READABLE_TRACE_FORMATS.includes(v)) {
    throw new InputError(`${path}:${line}: ${v === undefined ? 'the meta header has no trace format (v)' : `trace format ${JSON.stringify(v)}`}; this version of diaspora-sim reads formats ${READABLE_TRACE_FORMATS.slice(0, -1).join(', ')} and ${READABLE_TRACE_FORMATS.at(-1)}`);
  }
  const meta = record as { scenario?: unknown; seed?: unknown; sites?: unknown; actors?: unknown };
  const wrong = typeof meta.scenario !== 'string' ? 'scenario (a name)' : typeof meta.seed !== 'number' ? 'seed (a number)'
    : meta.sites !== undefined && !Array.isArray(meta.sites) ? 'sites (a list)' : meta.actors !== undefined && !Array.isArray(meta.actors) ? 'actors (a list)' : undefined;
  if (wrong !== undefined) throw new InputError(`${path}:${line}: the meta header lacks ${wrong}; the file was edited, or is not a diaspora trace`);
}

/** Whether the file's last byte is a newline (an empty file counts as complete). */
function endsWithNewline(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new InputError(`${path}: ${(error as NodeJS.ErrnoException).code === 'EISDIR' ? 'a directory, not a trace file' : unreadableBecause(path, error, 'no such file')}`);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new InputError(`${path}: a directory, not a trace file`);
    // A device (/dev/zero) or a pipe has no end to look at, and may never end.
    if (!stats.isFile()) throw new InputError(`${path}: not a regular file; a trace is a file written by diaspora run --trace`);
    if (stats.size === 0) return true;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, stats.size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** The end record: `k` is `end` and it has no actor (a record always has one). */
function isEndRecord(value: unknown): value is { k: string; records: unknown; hash: unknown } {
  return typeof value === 'object' && value !== null && (value as { k?: unknown }).k === END_KIND && !('a' in value);
}

/** What keeps `value` from being a trace record, naming the field: "the record has no k (its kind)". */
function recordProblem(value: unknown): string {
  const needs = 'a trace record needs numeric t and n and string k and a';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${needs}; this line is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a record ({"t":…,"k":…})`;
  }
  const r = value as Record<string, unknown>;
  for (const [field, type, what] of [['t', 'number', 'its time, µs'], ['k', 'string', 'its kind'], ['a', 'string', 'its actor'], ['n', 'number', 'its number']] as const) {
    if (!Object.hasOwn(r, field)) return `${needs}; this one has no ${field} (${what})`;
    if (typeof r[field] !== type) return `${needs}; its ${field} is ${JSON.stringify(r[field])?.slice(0, 40) ?? String(r[field])}, not a ${type}`;
  }
  return needs;
}

function isRecord(value: unknown): value is TraceRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.t === 'number' && typeof r.k === 'string' && typeof r.a === 'string' && typeof r.n === 'number';
}

/**
 * Whether the JSON text of a record nests a value more than `limit` levels deep (inside more than
 * `limit` objects and lists), read from the text: a scan of its characters, where walking the
 * parsed value level by level allocated a list per level (6 % of `viz` on long lines). Strings are
 * skipped, escapes included; `text` is known to be valid JSON.
 */
function deeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (depth > limit) return true;
      for (i++; text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth > limit) return true;
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (depth > limit && c !== COMMA && c !== COLON && c > SPACE) return true;
  }
  return false;
}

const [QUOTE, BACKSLASH, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA, COLON, SPACE] = [...'"\\{}[],: '].map((c) => c.charCodeAt(0));

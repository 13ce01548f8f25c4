/**
 * Reads a trace file back as a stream of records, line by line, never all at once.
 * A malformed line is reported as `file:line: reason`, the form every bad-input error takes; a
 * last line cut short (no newline, not JSON: the writer was stopped mid-line, or the file was
 * truncated) is named as a torn trace rather than as a bad record.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TraceRecord } from './trace.ts';
import { InputError } from './contract/input-error.ts';

export interface NumberedRecord {
  line: number;
  text: string;
  record: TraceRecord;
}

export async function* readTrace(path: string): AsyncGenerator<NumberedRecord> {
  const torn = !endsWithNewline(path);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let line = 0;
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
      throw new InputError(`${path}:${line}: not a JSON trace record`);
    }
    if (!isRecord(record)) throw new InputError(`${path}:${line}: a trace record needs numeric t and n and string k and a`);
    yield { line, text, record };
  }
}

/** Whether the file's last byte is a newline (an empty file counts as complete). */
function endsWithNewline(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

function isRecord(value: unknown): value is TraceRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.t === 'number' && typeof r.k === 'string' && typeof r.a === 'string' && typeof r.n === 'number';
}

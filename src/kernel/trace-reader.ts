/**
 * Reads a trace file back as a stream of records, line by line, never all at once.
 * A malformed line is reported as `file:line: reason`, the form every bad-input error takes.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TraceRecord } from './trace.ts';
import { InputError } from './input-error.ts';

export interface NumberedRecord {
  line: number;
  text: string;
  record: TraceRecord;
}

export async function* readTrace(path: string): AsyncGenerator<NumberedRecord> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.length === 0) continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw new InputError(`${path}:${line}: not a JSON trace record`);
    }
    if (!isRecord(record)) throw new InputError(`${path}:${line}: a trace record needs numeric t and n and string k and a`);
    yield { line, text, record };
  }
}

function isRecord(value: unknown): value is TraceRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.t === 'number' && typeof r.k === 'string' && typeof r.a === 'string' && typeof r.n === 'number';
}

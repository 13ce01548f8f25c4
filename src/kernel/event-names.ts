/**
 * Numeric event ids in a trace's text: the records a run hands its hash and listeners carry a
 * pipeline's ids as small integers; the lines of its file show their names (contract/record.ts,
 * `EventNames`), and a reader of the file turns the names back into the numbers before it hashes
 * or hands on a record — so a record read from a file is the record the run wrote.
 *
 * Which values are ids: the members of a record's `events` list (of any kind), and a `state`
 * record's `event`. A text id stays as it is both ways; a number is named, and a string that
 * names a number becomes it.
 *
 * Guarantee: `numberedRecord(namedRecord(r)) ` deep-equals `r` when `names.id(names.name(x)) === x`
 * for every numeric id x and no text id of the run spells a numeric id's name. How it fails: a text
 * id that does spell one (another feature minting `<instance>:<k>` for a pipeline source's
 * instance) is read back as the number — the trace hash then refuses the file.
 */
import type { EventNames, TraceRecord } from './contract/record.ts';

/** `record` with its numeric ids named (itself when it has none). */
export function namedRecord(record: TraceRecord, names: EventNames): TraceRecord {
  const events = record.events;
  const event = record.k === 'state' ? record.event : undefined;
  const listed = Array.isArray(events) && events.some((e) => typeof e === 'number');
  if (!listed && typeof event !== 'number') return record;
  const copy = { ...record };
  if (listed) copy.events = (events as unknown[]).map((e) => (typeof e === 'number' ? names.name(e) : e));
  if (typeof event === 'number') copy.event = names.name(event);
  return copy;
}

/** `record` read from a file, its ids' names turned back into numbers (in place; returned). */
export function numberedRecord(record: TraceRecord, names: EventNames): TraceRecord {
  const events = record.events;
  if (Array.isArray(events)) {
    for (let i = 0; i < events.length; i++) {
      const e: unknown = events[i];
      if (typeof e === 'string') events[i] = names.id(e) ?? e;
    }
  }
  if (record.k === 'state' && typeof record.event === 'string') record.event = names.id(record.event) ?? record.event;
  return record;
}

/**
 * `writeShiViz`: one run's trace → a log ShiViz (the DistributedClocks space-time diagram viewer)
 * loads: every record becomes an event line followed by a line with its host (the actor) and its
 * vector clock as JSON, GoVector's layout.
 *
 * The file begins with the regular expression ShiViz needs to parse it (`SHIVIZ_REGEX`, its own
 * default parser) on the first line and an empty "multiple executions" delimiter on the second,
 * the form in which ShiViz takes a log file together with its parser; pasting the log into ShiViz,
 * give it that regular expression and leave the delimiter empty.
 *
 * Vector clocks follow the trace's causality: each record ticks its actor's entry; a `recv` first
 * merges (element-wise maximum) the clock its `send` had, so a send happened before its receipt
 * in ShiViz exactly as in the trace. A dropped message is never received, so it merges nothing.
 * Host names are actor ids with whitespace replaced (the regex's host is `\S*`).
 *
 * Guarantee: streamed, each record written as it is read; held are one clock per actor and one per
 * message in flight (sent, not yet received or dropped). The file appears complete or not at all.
 * How it fails: a missing or malformed trace is an `InputError` naming the file and line. A trace
 * cut short (no end record) is written as far as it goes when `onCut` is given (which is told),
 * and refused otherwise. An edited trace (its records do not hash to its end record) is written
 * as it is; `onEdited`, if given, is told.
 */
import { InputError } from '../kernel/contract/index.ts';
import { writeTextAtomically, type WriteText } from './atomic-text-file.ts';
import { readTrace } from '../kernel/trace-reader.ts';
import { SHIVIZ_HEAD } from './file-heads.ts';

const RECORD_FIELDS = new Set(['t', 'k', 'a', 'n']);

export interface ShiVizResult {
  out: string;
  /** Events written (records other than the meta header). */
  events: number;
}

type Clock = Record<string, number>;

export async function writeShiViz(trace: string, out: string, onCut?: (message: string) => void, onEdited?: (message: string) => void): Promise<ShiVizResult> {
  const clocks = new Map<string, Clock>();
  /** Clocks of sends not yet received or dropped, by sender and the send's `n`. */
  const inFlight = new Map<string, Clock>();
  let events = 0;
  let records = 0;
  return writeTextAtomically(out, async (write: WriteText) => {
    await write(SHIVIZ_HEAD);
    for await (const { record, line } of readTrace(trace, { onCut, onEdited })) {
      records++;
      if (record.k === 'meta') continue;
      if (!Number.isSafeInteger(record.t) || typeof record.a !== 'string') throw new InputError(`${trace}:${line}: a record needs an integer t and an actor a`);
      const host = record.a.replace(/\s/g, '_');
      const clock = clocks.get(host) ?? {};
      clocks.set(host, clock);
      const sender = typeof record.from === 'string' ? record.from.replace(/\s/g, '_') : host;
      const key = `${sender} ${String(record.s)}`;
      if ((record.k === 'recv' || record.k === 'drop') && record.s !== undefined) {
        const sent = inFlight.get(key);
        inFlight.delete(key);
        if (sent !== undefined && record.k === 'recv') for (const [h, v] of Object.entries(sent)) if ((clock[h] ?? 0) < v) clock[h] = v;
      }
      clock[host] = (clock[host] ?? 0) + 1;
      if (record.k === 'send') inFlight.set(`${host} ${record.n}`, { ...clock });
      await write(`${describe(record)}\n${host} ${JSON.stringify(clock)}\n`);
      events++;
    }
    if (records === 0) throw new InputError(`${trace}: the trace is empty`);
    return { out, events };
  });
}

/** One line saying what happened: kind, message or operation, peer, time, then the other fields. */
function describe(record: Record<string, unknown>): string {
  const what = typeof record.msg === 'string' ? ` ${record.msg}` : typeof record.op === 'string' ? ` ${record.op}` : '';
  const peer = typeof record.to === 'string' ? ` to ${record.to}` : typeof record.from === 'string' ? ` from ${record.from}` : '';
  const rest: Record<string, unknown> = {};
  for (const key in record) if (!RECORD_FIELDS.has(key) && key !== 'msg' && key !== 'op' && key !== 'to' && key !== 'from') rest[key] = record[key];
  const extras = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  // JSON.stringify escapes line breaks inside values; none may reach the event line itself.
  return `${String(record.k)}${what}${peer} at ${Number(record.t)} µs (#${Number(record.n)})${extras}`.replace(/[\r\n]/g, ' ');
}

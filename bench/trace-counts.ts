/**
 * What a run did, counted from its trace: records by kind and by kind and op, messages sent by
 * type, timers fired by name, and how many of those wakes wrote nothing — the counts behind
 * bench/README.md's "Session 15 — x-ray" tables (issue #15: why an hour of the log strategies does
 * so much work, and whether each piece of it is work the protocol does).
 *
 *   diaspora run scenarios/aps-xray.yaml --set duration=3000s --set quiesce=600s --trace -o /tmp/sr
 *   node --import=tsx bench/trace-counts.ts /tmp/sr/trace.jsonl [--top 25]
 *
 * The trace is read line by line (kernel/trace-reader.ts): an hour of stream-replay is ≈ 0.5 GB.
 *
 * A silent wake is a `timer` record after which its actor wrote nothing in the same instant before
 * its next `timer` or `recv`: the handler wrote no record (it may still have changed state or
 * armed a timer, which leave none — the source's generator wake starts a step that way). Kernel
 * events are not all in the trace (a cancelled timer pops without a record), so the events a run
 * counts are in its summary.json, not here: a delivery is a `recv`, a fired timer a `timer`, a disk
 * completion an `fsync-done` or `writeback-done`.
 */
import { InputError } from '../src/kernel/contract/input-error.ts';
import type { TraceRecord } from '../src/kernel/trace.ts';
import { readTrace } from '../src/kernel/trace-reader.ts';

const argv = process.argv.slice(2);
const topAt = argv.indexOf('--top');
const path = argv.find((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));
const top = topAt < 0 ? 25 : Number(argv[topAt + 1]);
if (path === undefined || argv.includes('--help') || !Number.isInteger(top) || top < 1) {
  process.stderr.write('usage: node --import=tsx bench/trace-counts.ts TRACE.jsonl [--top N]\n');
  process.exit(2);
}

const kinds = new Map<string, number>();
const ops = new Map<string, number>();
const messages = new Map<string, number>();
const timers = new Map<string, number>();
const silent = new Map<string, number>();
const count = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);

/** Per actor, the name and time of its last timer record while nothing has followed it in that instant. */
const pending = new Map<string, { readonly name: string; readonly t: number }>();
let total = 0;

/** Every record of the trace, or one line naming what is wrong with the file (exit 2). */
async function* records(file: string): AsyncGenerator<TraceRecord> {
  try {
    for await (const { record } of readTrace(file)) yield record;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

for await (const record of records(path)) {
  total++;
  const { k, a, t } = record;
  count(kinds, k);
  if (typeof record.op === 'string') count(ops, `${k} ${record.op}`);
  if (k === 'send') count(messages, String(record.msg));
  const wake = pending.get(a);
  if (wake !== undefined) {
    // Anything else the actor writes in the same instant is its handler's work; a `timer` or `recv` starts the next event.
    if (k === 'timer' || k === 'recv' || t !== wake.t) count(silent, wake.name);
    pending.delete(a);
  }
  if (k === 'timer') {
    const name = String(record.name);
    count(timers, name);
    pending.set(a, { name, t });
  }
}
for (const { name } of pending.values()) count(silent, name);

const byCount = (map: Map<string, number>): [string, number][] => [...map].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
const n = (x: number): string => x.toLocaleString('en-US');
const table = (title: string, header: string, rows: string[][]): void => {
  process.stdout.write(`\n${title}\n\n| ${header} |\n|${header.split(' | ').map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|\n`);
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
};

process.stdout.write(`${path}: ${n(total)} records\n`);
table('Records by kind', 'kind | records', byCount(kinds).map(([k, c]) => [k, n(c)]));
table(`Records by kind and op (first ${top})`, 'kind op | records', byCount(ops).slice(0, top).map(([k, c]) => [k, n(c)]));
table(`Messages sent, by type (first ${top})`, 'message | sent', byCount(messages).slice(0, top).map(([k, c]) => [k, n(c)]));
table(`Timers fired, by name (first ${top})`, 'timer | fired | silent', byCount(timers).slice(0, top).map(([k, c]) => [k, n(c), n(silent.get(k) ?? 0)]));

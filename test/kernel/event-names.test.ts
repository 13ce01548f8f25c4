/**
 * Numeric event ids in a trace's lines (kernel/event-names.ts): named in the line, read back into
 * the number, text ids left alone both ways, and only where ids are (`events`, a `state`'s `event`).
 */
import test from 'ava';
import { namedRecord, numberedRecord } from '../../src/kernel/event-names.ts';
import type { EventNames, TraceRecord } from '../../src/kernel/contract/index.ts';
import { TraceWriter } from '../../src/kernel/trace.ts';

const NAMES: EventNames = {
  name: (id) => `op:${id}`,
  id: (text) => (/^op:\d+$/.test(text) ? Number(text.slice(3)) : undefined),
};

test('a record\'s numeric ids are named in its line and read back to the record it was', (t) => {
  const records: TraceRecord[] = [
    { t: 1, k: 'log', a: 'b', n: 0, op: 'append', events: [3, 'p-1', 4], offset: 7 },
    { t: 2, k: 'state', a: 'op', n: 1, event: 5, born: 0, digest: 'ab' },
    { t: 3, k: 'client', a: 'c', n: 2, op: 'produce', events: ['p-2'] },
    { t: 4, k: 'ckpt', a: 'c', n: 3, op: 'replay', events: 9, event: 2 },
  ];
  const lines = records.map((r) => JSON.stringify(namedRecord(r, NAMES)));
  t.deepEqual(lines.map((l) => JSON.parse(l)), [
    { t: 1, k: 'log', a: 'b', n: 0, op: 'append', events: ['op:3', 'p-1', 'op:4'], offset: 7 },
    { t: 2, k: 'state', a: 'op', n: 1, event: 'op:5', born: 0, digest: 'ab' },
    { t: 3, k: 'client', a: 'c', n: 2, op: 'produce', events: ['p-2'] },
    { t: 4, k: 'ckpt', a: 'c', n: 3, op: 'replay', events: 9, event: 2 },
  ]);
  t.is(namedRecord(records[2]!, NAMES), records[2], 'a record without numeric ids is not copied');
  t.deepEqual(lines.map((l) => numberedRecord(JSON.parse(l), NAMES)), records);
  t.deepEqual(records[0]!.events, [3, 'p-1', 4], 'naming leaves the record itself alone');
});

test('the writer names ids in its lines only: its hash and record listeners keep the numbers, and a line from another thread is read back', (t) => {
  const lines: string[] = [];
  const sink = { write: (chunk: string) => void lines.push(...chunk.split('\n').filter((l) => l !== '')), close: () => {}, abort: () => {} };
  const named = new TraceWriter(sink);
  named.nameEvents(NAMES);
  const plain = new TraceWriter();
  const heard: unknown[] = [];
  named.listen((record) => void heard.push(record.events));
  for (const trace of [named, plain]) trace.write({ t: 1, k: 'log', a: 'b', n: 0, op: 'append', events: [3, 'p-1'] });
  t.is(named.close(), plain.close(), 'the hash is over the numbers, names or not');
  t.deepEqual(JSON.parse(lines[0]!).events, ['op:3', 'p-1']);
  t.deepEqual(heard, [[3, 'p-1']]);
  const reader = new TraceWriter();
  reader.nameEvents(NAMES);
  const read: unknown[] = [];
  reader.listen((record) => void read.push(record.events));
  reader.writeSerialized(lines[0]!, 0, 0);
  t.deepEqual(read, [[3, 'p-1']]);
});

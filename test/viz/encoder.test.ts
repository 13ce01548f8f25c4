/**
 * The compact encoding is lossless: decoding a payload gives back every record's fields, links
 * resolve to the right send, and the client series are derived from the records.
 */
import test from 'ava';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import type { TraceRecord } from '../../src/kernel/trace.ts';
import { InputError } from '../../src/kernel/input-error.ts';
import { decodePayload, recordFields } from '../../viz/codec.ts';
import { drillTrace } from './synthetic-trace.ts';

async function roundTrip(records: TraceRecord[]) {
  const encoder = new TraceEncoder('mem');
  records.forEach((record, i) => encoder.add(record, i + 1));
  return decodePayload(gunzipSync(await encoder.finish()));
}

const parse = (text: string): TraceRecord[] => text.trim().split('\n').map((line) => JSON.parse(line));

test('the drill trace decodes to exactly its records', async (t) => {
  const records = parse(await drillTrace().finish());
  const run = await roundTrip(records);
  t.is(run.header.meta?.scenario, 'viz-drill');
  t.is(run.length, records.length - 1);
  for (let i = 0; i < run.length; i++) t.deepEqual(recordFields(run, i), records[i + 1]);
});

test('a recv links to the row of its send, and a drop at send time to its own send', async (t) => {
  const records = parse(await drillTrace().finish()).slice(1);
  const run = await roundTrip(records);
  let recvs = 0;
  for (let i = 0; i < run.length; i++) {
    const r = records[i];
    if (r.k !== 'recv' && r.k !== 'drop') continue;
    const send = records[run.link[i]];
    t.is(send.k, 'send');
    t.is(send.n, r.s as number);
    t.is(send.a, (r.k === 'drop' && r.to !== undefined ? r.a : r.from) as string);
    recvs++;
  }
  t.true(recvs > 20);
});

test('client series: acks, errors and produce→ack latency per event id', async (t) => {
  const run = await roundTrip(parse(await drillTrace().finish()));
  t.is(run.acks.t.length, 7);
  t.is(run.errors.t.length, 5);
  t.deepEqual([...run.latency.v], Array(7).fill(1_600));
  t.deepEqual([...run.latency.t], [...run.acks.t]);
});

const fieldValue = fc.oneof(
  fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom(2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 52, -(2 ** 52), 2 ** 52 - 1, 1e300), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(),
  fc.boolean(), fc.constant(null), fc.array(fc.integer()), fc.dictionary(fc.string(), fc.integer()),
);
const arbitraryRecord = fc.record({
  dt: fc.nat(1e9),
  k: fc.constantFrom('send', 'recv', 'drop', 'timer', 'client', 'weird-kind'),
  a: fc.constantFrom('x', 'y', 'world', '0'),
  n: fc.nat(1e6),
  extra: fc.dictionary(fc.constantFrom('to', 'from', 'msg', 'op', 's', 'bytes', 'cause', 'constructor', 'événement'), fieldValue),
});

test('any records with any fields survive the round trip', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(arbitraryRecord, { maxLength: 40 }), async (generated) => {
      let time = 0;
      // Through JSON, as a trace file would carry them (JSON has no -0, for one).
      const records = generated.map(({ dt, k, a, n, extra }) => JSON.parse(JSON.stringify({ ...extra, t: (time += dt), k, a, n })) as TraceRecord);
      const run = await roundTrip(records);
      records.forEach((record, i) => t.deepEqual(recordFields(run, i), { ...record }));
    }),
    { numRuns: 200 },
  );
});

test('a record going back in time is an input error naming its line', async (t) => {
  const encoder = new TraceEncoder('trace.jsonl');
  encoder.add({ t: 10, k: 'timer', a: 'x', n: 0 }, 1);
  const error = t.throws(() => encoder.add({ t: 5, k: 'timer', a: 'x', n: 1 }, 2), { instanceOf: InputError });
  t.regex(error.message, /^trace\.jsonl:2: t=5 goes back in time/);
});

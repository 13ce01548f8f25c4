/**
 * The client panels' series for a pipeline: when a run's clients acknowledge nothing, its `output`
 * records become first outputs, duplicates and birth→first-output latencies; client acks win when
 * there are any; a run with neither says there is nothing to draw.
 */
import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import type { TraceRecord } from '../../src/kernel/trace.ts';
import { decodePayload } from '../../viz/wire/codec.ts';

let n = 0;
const client = (t: number, a: string, fields: Record<string, unknown>): TraceRecord => ({ t, k: 'client', a, n: n++, ...fields }) as TraceRecord;

async function decode(records: TraceRecord[]) {
  const encoder = new TraceEncoder('mem');
  records.forEach((record, i) => encoder.add(record, i + 1));
  return decodePayload(gunzipSync(await encoder.finish()));
}

const sum = (values: Float64Array) => values.reduce((a, b) => a + b, 0);

test('outputs count first outputs and duplicates apart, with latency from birth to first output', async (t) => {
  const run = await decode([
    client(1_000, 'sink', { op: 'output', events: ['e1', 'e2'], born: [200, 600] }),
    client(5_000, 'sink', { op: 'output', events: ['e3'], born: [4_000] }),
    // A rollback re-outputs e2 with a new one: one duplicate, one first output.
    client(9_000, 'sink', { op: 'output', events: ['e2', 'e4'], born: [600, 8_500] }),
  ]);
  t.is(run.header.seriesSource, 'outputs');
  t.deepEqual([...run.acks.t], [1_000, 5_000, 9_000]);
  t.deepEqual([...run.acks.v], [2, 1, 1]);
  t.deepEqual([...run.errors.t], [9_000]);
  t.deepEqual([...run.errors.v], [1]);
  t.deepEqual([...run.latency.t], [1_000, 1_000, 5_000, 9_000]);
  t.deepEqual([...run.latency.v], [800, 400, 1_000, 500]);
});

test('client acks win over outputs, and a run with neither has no series to draw', async (t) => {
  const both = await decode([
    client(1_000, 'producer', { op: 'produce', events: ['p1'] }),
    client(2_000, 'sink', { op: 'output', events: ['p1'], born: [1_000] }),
    client(3_500, 'producer', { op: 'ack', events: ['p1'] }),
  ]);
  t.is(both.header.seriesSource, 'clients');
  t.deepEqual([...both.acks.v], [1]);
  t.deepEqual([...both.latency.v], [2_500]);
  const neither = await decode([client(1_000, 'reader', { op: 'consume', events: ['x'] })]);
  t.is(neither.header.seriesSource, 'none');
  t.is(sum(neither.acks.v) + sum(neither.errors.v) + neither.latency.t.length, 0);
});

/**
 * The compact encoding is lossless: decoding a payload gives back every record's fields, links
 * resolve to the right send, and the client series are derived from the records.
 */
import test from 'ava';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import type { TraceRecord } from '../../src/kernel/trace.ts';
import { InputError } from '../../src/kernel/contract/index.ts';
import { decodePayload, recordFields } from '../../viz/wire/codec.ts';
import { drillTrace } from './synthetic-trace.ts';
import { gaugeTrace, MS } from './gauge-trace.ts';
import { decodeGauge, levelAt } from '../../viz/wire/gauges.ts';
import { MAX_BUCKETS, StepSeries } from '../../src/report/timeline/step-series.ts';

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

test('gauges: lag is the leader\'s high watermark minus the committed offset, rising while the consumer is down', async (t) => {
  const run = await roundTrip(parse(await gaugeTrace().finish()));
  const gauges = (run.header.gauges ?? []).map(decodeGauge);
  const lag = gauges.find((g) => g.panel === 'lag')!;
  t.is(lag.name, 'reconstruct · projections/0');
  // Last commit before the outage: offset 550; the leader's watermark at 1.19 s is 1190 (a
  // follower's, 5 behind, would give 635).
  t.is(levelAt(lag, 1_190 * MS), 640);
  t.true(levelAt(lag, 500 * MS)! <= 50);
  t.true(levelAt(lag, 1_500 * MS)! <= 50);
  const isr = gauges.find((g) => g.panel === 'isr')!;
  t.deepEqual([0, 1_100, 1_700].map((ms) => levelAt(isr, ms * MS)), [2, 1, 2]);
});

test('gauges: buffer fill with its capacity, and a spill series only when something spilled', async (t) => {
  const run = await roundTrip(parse(await gaugeTrace().finish()));
  const buffers = (run.header.gauges ?? []).map(decodeGauge).filter((g) => g.panel === 'buffer');
  t.deepEqual(buffers.map((g) => [g.name, g.role, g.limit]), [['uplink', 'fill', 8 << 20], ['uplink spilled', 'spill', undefined]]);
  const [fill, spill] = buffers;
  t.is(levelAt(fill, 1_095 * MS), 70 * 64 * 1024);
  t.is(levelAt(spill, 1_095 * MS), 70 * 64 * 1024 - (1 << 20));
  t.is(levelAt(fill, 1_900 * MS), 0);
  const plain = await roundTrip(parse(await drillTrace().finish()));
  t.deepEqual(plain.header.gauges, []);
});

test('a step series of 10^6 changes stays within its bucket budget and loses no swing', (t) => {
  const series = new StepSeries();
  let level = 0;
  let highest = 0;
  for (let i = 0; i < 1_000_000; i++) {
    level += (i * 7919) % 13 < 6 ? 1 : -1;
    highest = Math.max(highest, level);
    series.set(i * 10, level);
  }
  const gauge = decodeGauge({ panel: 'lag', name: 'x', role: 'level', ...series.steps() });
  t.true(gauge.t.length <= MAX_BUCKETS);
  t.is(gauge.last[gauge.last.length - 1], level);
  t.is(Math.max(...gauge.max), highest);
});

test('gauges: two log services with the same topic are kept apart, and a consumer is placed by whom it fetches from', async (t) => {
  const elect = (t: number, controller: string, leader: string, isr: string[]): TraceRecord =>
    ({ t, k: 'log', a: controller, n: t, op: 'elect', topic: 'frames', partition: 0, offset: -1, epoch: 0, leader, isr, replicas: isr.length });
  const hw = (t: number, broker: string, offset: number): TraceRecord => ({ t, k: 'log', a: broker, n: t, op: 'hw', topic: 'frames', partition: 0, offset, epoch: 0 });
  const run = await roundTrip([
    elect(0, 'local-controller', 'local-broker-1', ['local-broker-1']),
    elect(1, 'wide-controller', 'wide-broker-1', ['wide-broker-1', 'wide-broker-2']),
    { t: 2, k: 'send', a: 'reader', n: 0, to: 'wide-broker-1', msg: 'fetch' },
    { t: 3, k: 'client', a: 'reader', n: 1, op: 'commit', group: 'g', topic: 'frames', partition: 0, offset: 10 },
    hw(4, 'local-broker-1', 500),
    hw(5, 'wide-broker-1', 40),
  ]);
  const gauges = (run.header.gauges ?? []).map(decodeGauge);
  t.deepEqual(gauges.map((g) => `${g.panel} ${g.name} ${g.last[g.last.length - 1]}`), ['lag g · wide frames/0 30', 'isr local frames/0 1', 'isr wide frames/0 2']);
});

/**
 * `diaspora viz --perfetto`: the trace as Chrome trace-event JSON — a named track per actor under
 * its site, one slice per step (the records an actor wrote at one instant), and a flow from the
 * step of every send to the step of its receipt or drop; faults and down periods as spans, gauges as counters, verdicts as markers, all valid by
 * the format's rules; exactly one run, else a one-line error with exit code 2.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { vizCommand } from '../../src/cli/viz-command.ts';
import { writePerfetto } from '../../src/report/perfetto.ts';
import { drillTrace } from './synthetic-trace.ts';
import { gaugeTrace } from './gauge-trace.ts';
import { traceEventProblems, type TraceEvent } from './trace-event-format.ts';

const dir = mkdtempSync(join(tmpdir(), 'viz-perfetto-'));
const trace = join(dir, 'drill.jsonl');
const other = join(dir, 'drill-2.jsonl');
test.before(async () => {
  await drillTrace().writeTo(trace).finish();
  await drillTrace().writeTo(other).finish();
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('every record is in one step slice on its actor track, every message a flow between the steps', async (t) => {
  const out = join(dir, 'drill.json');
  const result = await writePerfetto(trace, out);
  const records = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.is(result.records, records.length);
  const events = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const threads = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [e.tid, String(e.args?.name)]));
  const processes = new Map(events.filter((e) => e.name === 'process_name').map((e) => [e.pid, String(e.args?.name)]));
  const body = records.filter((r) => r.k !== 'meta');
  const steps = events.filter((e) => e.ph === 'X' && e.cat === 'step');
  t.false(events.some((e) => e.ph === 'i' && e.s === 't'), 'no record is left as a loose instant');
  // Each record once, in a step of its actor at its time; one step per actor and instant.
  const inSteps = steps.flatMap((e) => ((e.args!.records as Array<Record<string, unknown>> | undefined) ?? [e.args!]).map((r) => `${threads.get(e.tid)}|${e.ts}|${String(r.n)}`));
  t.deepEqual(inSteps.sort(), body.map((r) => `${String(r.a)}|${Number(r.t)}|${String(r.n)}`).sort());
  t.is(new Set(steps.map((e) => `${e.tid}|${e.ts}`)).size, steps.length);
  t.true(steps.every((e) => e.dur === 0), 'a step takes no simulated time');
  const broker = steps.find((e) => threads.get(e.tid) === 'broker-1')!;
  t.is(processes.get(broker.pid), 'site hpc');
  const starts = events.filter((e) => e.ph === 's');
  const ends = events.filter((e) => e.ph === 'f');
  t.is(starts.length, body.filter((r) => r.k === 'send').length);
  t.is(ends.length, body.filter((r) => (r.k === 'recv' || r.k === 'drop') && r.s !== undefined).length);
  const started = new Map(starts.map((e) => [e.id, e]));
  for (const end of ends) t.true(started.has(end.id) && started.get(end.id)!.ts! <= end.ts!, `flow ${end.id} ends before it starts`);
  // A flow event binds to the slice on top of its track: its own step, written just before it.
  for (const [i, e] of events.entries()) {
    if (e.ph !== 's' && e.ph !== 'f') continue;
    const slice = events.slice(0, i).reverse().find((x) => x.ph === 'X' && x.tid === e.tid);
    t.true(slice !== undefined && slice.ts === e.ts && events.slice(events.indexOf(slice) + 1, i).every((x) => x.ph === 's' || x.ph === 'f' || x.tid !== e.tid), `flow ${e.id} binds to its step`);
  }
});

test('--perfetto takes exactly one run', async (t) => {
  const err: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  const before = process.exitCode;
  try {
    await yargs(['viz', trace, other, '--perfetto', join(dir, 'two.json')]).command(vizCommand).strict().parseAsync();
    t.is(process.exitCode, 2);
  } finally {
    process.stderr.write = write;
    process.exitCode = before;
  }
  t.is(err.join(''), 'viz --perfetto: exactly one run, got 2\n');
  t.false(existsSync(join(dir, 'two.json')));
});

test('the export follows the trace event format: faults and down periods as spans, gauges as counters, verdicts as markers, sites in order', async (t) => {
  const run = join(dir, 'gauge-run');
  mkdirSync(run);
  const gaugeTracePath = join(run, 'trace.jsonl');
  await gaugeTrace().writeTo(gaugeTracePath).finish();
  const cited = readFileSync(gaugeTracePath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.k === 'crash')!;
  writeFileSync(join(run, 'summary.json'), JSON.stringify({ checks: { 'no-acked-loss': { violations: [{ anomaly: 'lost', message: '2 lost', events: ['e1', 'e2'], cites: [{ a: cited.a, n: cited.n, t: cited.t, k: cited.k }] }] } } }));
  const out = join(dir, 'gauges.json');
  await writePerfetto(gaugeTracePath, out);
  const file = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: TraceEvent[] };
  t.deepEqual(traceEventProblems(file), []);
  const events = file.traceEvents;
  const spans = (cat: string) => events.filter((e) => e.cat === cat && e.ph === 'b').map((b) => [b, events.find((e) => e.ph === 'e' && e.cat === cat && e.id === b.id && e.name === b.name)!] as const);
  const faults = spans('fault');
  t.true(faults.length >= 2, 'faults are async spans');
  for (const [b, e] of faults) t.true(e.ts! > b.ts!, `fault ${b.name} lasts`);
  const downs = spans('down');
  t.true(downs.length >= 1, 'down periods are spans');
  for (const [b, e] of downs) t.true(e.ts! > b.ts!);
  const counters = new Set(events.filter((e) => e.ph === 'C').map((e) => e.name));
  for (const prefix of ['in-sync replicas', 'consumer lag', 'buffer fill', 'high watermark']) t.true([...counters].some((n) => n!.startsWith(prefix)), `a ${prefix} counter track`);
  const isr = events.filter((e) => e.ph === 'C' && e.name!.startsWith('in-sync replicas')).map((e) => e.args!.value);
  t.deepEqual([...new Set(isr)].sort(), [1, 2]);
  const verdict = events.find((e) => e.cat === 'verdict')!;
  t.is(verdict.name, 'no-acked-loss: lost');
  t.is(verdict.s, 'g');
  t.is(verdict.ts, Number(cited.t));
  const order = events.filter((e) => e.name === 'process_sort_index').map((e) => e.pid);
  const names = new Map(events.filter((e) => e.name === 'process_name').map((e) => [e.pid, String(e.args!.name)]));
  t.deepEqual(order.map((pid) => names.get(pid)), ['faults and verdicts', 'site edge', 'site hpc']);
});

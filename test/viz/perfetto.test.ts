/**
 * `diaspora viz --perfetto`: the trace as Chrome trace-event JSON — a named track per actor under
 * its site, one event per record at its simulated time, and a flow from every send to its receipt
 * or drop; exactly one run, else a one-line error with exit code 2.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { vizCommand } from '../../src/cli/viz-command.ts';
import { writePerfetto } from '../../src/report/perfetto.ts';
import { drillTrace } from './synthetic-trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'viz-perfetto-'));
const trace = join(dir, 'drill.jsonl');
test.before(async () => {
  await drillTrace().writeTo(trace).finish();
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

interface TraceEvent {
  ph: string;
  name: string;
  ts?: number;
  pid: number;
  tid: number;
  id?: number;
  args?: { name?: string };
}

test('every record is an event on its actor track, every message a flow', async (t) => {
  const out = join(dir, 'drill.json');
  const result = await writePerfetto(trace, out);
  const records = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.is(result.records, records.length);
  const events = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const threads = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [e.tid, String(e.args?.name)]));
  const processes = new Map(events.filter((e) => e.name === 'process_name').map((e) => [e.pid, String(e.args?.name)]));
  const body = records.filter((r) => r.k !== 'meta');
  const drawn = events.filter((e) => e.ph === 'i' || e.ph === 'X');
  t.is(drawn.length, body.length);
  drawn.forEach((e, i) => {
    t.is(threads.get(e.tid), String(body[i].a));
    t.is(e.ts, Number(body[i].t));
  });
  const broker = drawn.find((e) => threads.get(e.tid) === 'broker-1')!;
  t.is(processes.get(broker.pid), 'site hpc');
  const starts = events.filter((e) => e.ph === 's');
  const ends = events.filter((e) => e.ph === 'f');
  t.is(starts.length, body.filter((r) => r.k === 'send').length);
  t.is(ends.length, body.filter((r) => (r.k === 'recv' || r.k === 'drop') && r.s !== undefined).length);
  const started = new Map(starts.map((e) => [e.id, e]));
  for (const end of ends) t.true(started.has(end.id) && started.get(end.id)!.ts! <= end.ts!, `flow ${end.id} ends before it starts`);
});

test('--perfetto takes exactly one run', async (t) => {
  const err: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  const before = process.exitCode;
  try {
    await yargs(['viz', trace, trace, '--perfetto', join(dir, 'two.json')]).command(vizCommand).strict().parseAsync();
    t.is(process.exitCode, 2);
  } finally {
    process.stderr.write = write;
    process.exitCode = before;
  }
  t.is(err.join(''), 'viz --perfetto: exactly one run, got 2\n');
  t.false(existsSync(join(dir, 'two.json')));
});

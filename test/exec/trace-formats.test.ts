/**
 * `check` reads the trace formats this version knows: format 2 (the hash of the records' values)
 * and format 1 (SHA-256 of the lines, what earlier versions wrote); it verifies each against its
 * summary with that format's hash, and names the formats it reads when given another. `viz` draws
 * both: their lines are the same JSON.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRACE_FORMAT_VERSION, TraceWriter, type Actor, type Context } from '../../src/kernel/index.ts';
import { traceFile } from '../../src/kernel/trace-file.ts';
import { checkTraceFile } from '../../src/exec/check-trace.ts';
import { writeTimeline } from '../../src/report/timeline.ts';
import { World } from '../../src/world/index.ts';

/** A small run's trace in `dir`: its path, record count and hash. */
function traced(dir: string): { path: string; records: number; traceHash: string } {
  const path = join(dir, 'trace.jsonl');
  const world = new World({ seed: 3, scenario: 'formats', trace: new TraceWriter(traceFile(path)) });
  const [a, b] = world.addSite('lab', { nodes: 2 });
  const pinger = (peer: string): Actor => ({
    start: (ctx: Context) => void ctx.setTimer(1, 'go'),
    onTimer: (ctx: Context) => ctx.send(peer, { type: 'ping' }),
    onMessage: (ctx: Context) => ctx.record('state', { digest: 'x', seen: [1, 'two', null] }),
  });
  world.spawn('a', a!, () => pinger('b'));
  world.spawn('b', b!, () => pinger('a'));
  const result = world.run({ until: 1_000 });
  return { path, records: result.records, traceHash: result.traceHash };
}

test('format 2 traces are checked against their hash; format 1 traces against SHA-256 of their lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-formats-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { path, records, traceHash } = traced(dir);
  t.is(TRACE_FORMAT_VERSION, 2);
  t.regex(traceHash, /^[0-9a-f]{32}$/);
  t.deepEqual(await checkTraceFile(path, [], { records, traceHash, source: 'summary.json' }), {});
  t.is((await writeTimeline({ traces: [path], out: join(dir, 'v2.html') })).records, records);

  // The same trace as an earlier version wrote it: header `v: 1`, its hash SHA-256 of the bytes.
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[0] = lines[0]!.replace('"v":2', '"v":1');
  writeFileSync(path, lines.join('\n'));
  const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
  t.deepEqual(await checkTraceFile(path, [], { records, traceHash: sha, source: 'summary.json' }), {});
  await t.throwsAsync(checkTraceFile(path, [], { records, traceHash, source: 'summary.json' }), { message: /does not match summary\.json/ });
  t.is((await writeTimeline({ traces: [path], out: join(dir, 'v1.html') })).records, records);

  lines[0] = lines[0]!.replace('"v":1', '"v":3');
  writeFileSync(path, lines.join('\n'));
  await t.throwsAsync(checkTraceFile(path, [], undefined), { message: /trace format 3; this version of diaspora-sim reads formats 1 and 2/ });
});

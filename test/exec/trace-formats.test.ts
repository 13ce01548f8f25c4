/**
 * `check` reads the trace formats this version knows: format 5 (its own hash of the records'
 * values), verified against its summary's record count and hash, and formats 4, 3, 2 and 1 (the same
 * lines, hashed by earlier versions), verified against the record count only; it names the formats
 * it reads when given another. `viz` draws all five: their lines are the same JSON.
 */
import test from 'ava';
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

test('format 5 traces are checked against their hash; format 4, 3, 2 and 1 traces against their record count', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-formats-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { path, records, traceHash } = traced(dir);
  t.is(TRACE_FORMAT_VERSION, 5);
  t.regex(traceHash, /^[0-9a-f]{32}$/);
  t.deepEqual(await checkTraceFile(path, [], { records, traceHash, source: 'summary.json' }), {});
  const otherHash = traceHash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  await t.throwsAsync(checkTraceFile(path, [], { records, traceHash: otherHash, source: 'summary.json' }), { message: /does not match summary\.json/ });
  t.is((await writeTimeline({ traces: [path], out: join(dir, 'v5.html') })).records, records);

  // The same trace as format 4 or 3 wrote it (header `v: 4` or `v: 3`, an end record whose hash
  // this version does not compute): read and counted, whatever hash the summary and the end record name.
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[lines.length - 2] = lines.at(-2)!.replace(/"hash":"[0-9a-f]{32}"/, `"hash":"${otherHash}"`);
  for (const v of [4, 3]) {
    lines[0] = lines[0]!.replace(/"v":\d+/, `"v":${v}`);
    writeFileSync(path, lines.join('\n'));
    t.deepEqual(await checkTraceFile(path, [], { records, traceHash: otherHash, source: 'summary.json' }), {});
    await t.throwsAsync(checkTraceFile(path, [], { records: records + 1, traceHash, source: 'summary.json' }), { message: new RegExp(`\\(${records} records; summary\\.json says ${records + 1}\\)`) });
    t.is((await writeTimeline({ traces: [path], out: join(dir, `v${v}.html`) })).records, records);
  }

  // The same trace as earlier versions wrote it: header `v: 2` or `v: 1`, no end record, a hash
  // this version does not compute — the records are read and counted, whatever hash the summary names.
  t.regex(lines.at(-2)!, /^\{"k":"end","records":\d+,"hash":"[0-9a-f]{32}"\}$/);
  lines.splice(-2, 1);
  for (const v of [2, 1]) {
    lines[0] = lines[0]!.replace(/"v":\d+/, `"v":${v}`);
    writeFileSync(path, lines.join('\n'));
    t.deepEqual(await checkTraceFile(path, [], { records, traceHash: otherHash, source: 'summary.json' }), {});
    await t.throwsAsync(checkTraceFile(path, [], { records: records + 1, traceHash, source: 'summary.json' }), { message: new RegExp(`\\(${records} records; summary\\.json says ${records + 1}\\)`) });
    t.is((await writeTimeline({ traces: [path], out: join(dir, `v${v}.html`) })).records, records);
  }

  lines[0] = lines[0]!.replace(/"v":\d+/, '"v":6');
  writeFileSync(path, lines.join('\n'));
  await t.throwsAsync(checkTraceFile(path, [], undefined), { message: /trace format 6; this version of diaspora-sim reads formats 1, 2, 3, 4 and 5/ });
});

test('check refuses a format-4 trace cut at a line break or with an edited record; viz draws a cut one with a warning', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-formats-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { path, records, traceHash } = traced(dir);
  const whole = readFileSync(path, 'utf8');
  const lines = whole.split('\n');
  t.is(lines.length, records + 2, 'the records, the end record, and the empty string after the last newline');

  writeFileSync(path, lines.slice(0, records).join('\n') + '\n');
  for (const recorded of [undefined, { records, traceHash, source: 'summary.json' }]) {
    await t.throwsAsync(checkTraceFile(path, [], recorded), { message: /the trace ends without its end record \(cut short\?/ });
  }
  const warnings: string[] = [];
  t.is((await writeTimeline({ traces: [path], out: join(dir, 'cut.html'), onCut: (m) => warnings.push(m) })).records, records);
  t.is(warnings.length, 1);
  await t.throwsAsync(writeTimeline({ traces: [path], out: join(dir, 'cut2.html') }), { message: /without its end record/ });

  // One record edited, the end record kept: its hash gives the edit away, with or without a summary.
  writeFileSync(path, whole.replace('"digest":"x"', '"digest":"y"'));
  t.not(readFileSync(path, 'utf8'), whole);
  await t.throwsAsync(checkTraceFile(path, [], undefined), { message: /its end record says [0-9a-f]{16}: a record was edited/ });
  writeFileSync(path, whole);
  t.deepEqual(await checkTraceFile(path, [], undefined), {});
});

/**
 * The trace writer: a trace file appears only when complete (`<path>.tmp`, renamed by `close`),
 * ends with its end record (the records before it and the hash `close` returns), `abort` leaves
 * nothing behind, and the hash is the one recomputed from the file's lines parsed back — with or
 * without a file, whichever way a record was handed in, whatever the chunking. The reader refuses
 * a trace cut exactly at a line break (no end record), or lets a caller look at it with a warning.
 */
import test from 'ava';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, TraceRecord } from '../../src/kernel/index.ts';
import { InputError, recordShape, SimulationError, TRACE_FORMAT_VERSION, TraceHasher, TraceWriter } from '../../src/kernel/index.ts';
import { traceFile } from '../../src/kernel/trace-file.ts';
import { readTrace, type ReadTraceOptions } from '../../src/kernel/trace-reader.ts';
import { Kernel } from './_harness.ts';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-trace-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The trace hash of a file's lines, parsed back, its end record left out (it is no record): what `diaspora check` recomputes. */
function hashOfLines(data: string | Buffer): string {
  const hasher = new TraceHasher();
  for (const line of data.toString().split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record.k === 'end' && !('a' in record)) continue;
    hasher.digest(record);
    hasher.foldLast();
  }
  return hasher.hex();
}

/** Records big enough to cross the writer's 64 KiB flush chunk several times. */
function someRecords(count: number): TraceRecord[] {
  return Array.from({ length: count }, (_, i) => ({ t: i * 10, k: 'state' as const, a: `actor-${i % 7}`, n: Math.floor(i / 7), digest: 'x'.repeat(i % 50) }));
}

test('a trace file is written to <path>.tmp and renamed into place by close', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'trace.jsonl');
  const writer = new TraceWriter(traceFile(path));
  const records = someRecords(5_000);
  records.forEach((r, i) => {
    writer.write(r);
    if (i === 2_500) {
      t.false(existsSync(path), 'no complete-looking file while the run is going');
      t.true(existsSync(`${path}.tmp`));
    }
  });
  const digest = writer.close();
  t.deepEqual(readdirSync(dir), ['trace.jsonl']);
  const bytes = readFileSync(path);
  const lines = bytes.toString('utf8').split('\n');
  t.is(lines.pop(), '', 'every line ends with a newline');
  t.deepEqual(JSON.parse(lines.pop()!), { k: 'end', records: records.length, hash: digest }, 'the end record counts the records and names the hash close returned');
  t.deepEqual(
    lines.map((l) => JSON.parse(l)),
    records,
  );
  t.is(digest, hashOfLines(bytes), 'the hash is that of the file read back');
  t.is(writer.records, records.length);
  t.is(writer.close(), digest, 'close is idempotent');
  t.throws(() => writer.write(records[0]), { message: /after close/ });
});

test('the hash does not depend on the file or on chunking; lines go only to listeners that take them', (t) => {
  const dir = tempDir(t);
  const records = someRecords(3_000);
  const toFile = new TraceWriter(traceFile(join(dir, 'a.jsonl')));
  const hashOnly = new TraceWriter();
  const listened: string[] = [];
  const recordsOnly: string[] = [];
  hashOnly.listen((_record, line) => listened.push(line));
  hashOnly.listen((record) => recordsOnly.push(record.k));
  for (const r of records) {
    toFile.write(r);
    hashOnly.write(r);
  }
  const digest = hashOfLines(records.map((r) => JSON.stringify(r)).join('\n'));
  t.is(toFile.close(), digest);
  t.is(hashOnly.close(), digest);
  t.regex(digest, /^[0-9a-f]{32}$/);
  t.deepEqual(
    listened,
    records.map((r) => JSON.stringify(r)),
  );
  t.is(recordsOnly.length, records.length);
});

test('send, recv and timer records handed in by their fields hash and serialise as the same records handed in whole', (t) => {
  const dir = tempDir(t);
  const byFields = new TraceWriter(traceFile(join(dir, 'fields.jsonl')));
  const whole = new TraceWriter(traceFile(join(dir, 'whole.jsonl')));
  const seen: TraceRecord[] = [];
  byFields.listen((record) => seen.push(record));
  const [a, b] = [byFields.addActor('alice'), byFields.addActor('bob')];
  const expected: TraceRecord[] = [];
  for (let i = 0; i < 2_000; i++) {
    const t0 = i * 1_000_003;
    // Odd fields too: a message type that is no string and a size that is no finite number take the generic path.
    const msg = i % 97 === 0 ? (undefined as unknown as string) : `m${i % 5}`;
    const bytes = i % 89 === 0 ? NaN : i;
    byFields.writeSend(t0, a, i, b, msg, bytes);
    byFields.writeRecv(t0 + 1, b, i, a, msg, i);
    byFields.writeTimer(t0 + 2, a, i, `tick${i % 3}`);
    expected.push({ t: t0, k: 'send', a: 'alice', n: i, to: 'bob', msg, bytes }, { t: t0 + 1, k: 'recv', a: 'bob', n: i, from: 'alice', msg, s: i }, { t: t0 + 2, k: 'timer', a: 'alice', n: i, name: `tick${i % 3}` });
  }
  for (const r of expected) whole.write(r);
  t.is(byFields.close(), whole.close());
  t.is(readFileSync(join(dir, 'fields.jsonl'), 'utf8'), readFileSync(join(dir, 'whole.jsonl'), 'utf8'));
  t.is(byFields.records, expected.length);
  t.deepEqual(seen, expected);
});

test('records written by shape hash, serialise and reach listeners as the same records handed in whole; unread, they still hash and count', (t) => {
  const dir = tempDir(t);
  const byShape = new TraceWriter(traceFile(join(dir, 'shaped.jsonl')));
  const whole = new TraceWriter(traceFile(join(dir, 'whole.jsonl')));
  const unread = new TraceWriter();
  const seen: TraceRecord[] = [];
  byShape.listen((record) => seen.push(record));
  const write = recordShape('disk', [['op', 'string'], ['file', 'string'], ['bytes', 'number']]);
  const writers = [byShape, unread].map((w) => ({ w, actor: w.addActor('broker') }));
  const expected: TraceRecord[] = [];
  for (let i = 0; i < 500; i++) {
    // Values that do not fit the shape too (a file that is no string, a missing one): the generic path writes them as JSON does.
    const file = i % 37 === 0 ? (7 as unknown as string) : i % 41 === 0 ? undefined : `f${i % 6}`;
    const values = [i % 2 === 0 ? 'append' : 'put', file, i * 100] as const;
    for (const { w, actor } of writers) w.writeShaped(write, i * 10, 'broker', actor, i, values);
    expected.push(JSON.parse(JSON.stringify({ t: i * 10, k: 'disk', a: 'broker', n: i, op: values[0], file, bytes: values[2] })) as TraceRecord);
  }
  for (const r of expected) whole.write(r);
  const hash = whole.close();
  t.is(byShape.close(), hash);
  t.is(unread.close(), hash);
  t.is(unread.records, expected.length);
  t.is(readFileSync(join(dir, 'shaped.jsonl'), 'utf8'), readFileSync(join(dir, 'whole.jsonl'), 'utf8'));
  t.deepEqual(seen, expected);
});

test('a listener registered for some kinds gets only those; hot kinds nobody reads still hash, count and move the last time', (t) => {
  const filtered = new TraceWriter();
  const whole = new TraceWriter();
  const states: string[] = [];
  const sends: string[] = [];
  filtered.listen((record) => states.push(record.k), { kinds: ['state'] });
  const [a, b] = [filtered.addActor('alice'), filtered.addActor('bob')];
  const [wa, wb] = [whole.addActor('alice'), whole.addActor('bob')];
  filtered.writeFields({ t: 5, k: 'state', a: 'alice', n: 0 }, { event: 'e1' }, a);
  whole.writeFields({ t: 5, k: 'state', a: 'alice', n: 0 }, { event: 'e1' }, wa);
  // A kind nobody reads: its fields are digested, not copied into the head.
  const unread = { t: 6, k: 'disk' as const, a: 'bob', n: 0 };
  filtered.writeFields(unread, { op: 'fsync', bytes: 8 }, b);
  whole.writeFields({ t: 6, k: 'disk', a: 'bob', n: 0 }, { op: 'fsync', bytes: 8 }, wb);
  t.deepEqual(Object.keys(unread), ['t', 'k', 'a', 'n']);
  filtered.writeSend(7, a, 1, b, 'm', 10);
  whole.writeSend(7, wa, 1, wb, 'm', 10);
  filtered.writeTimer(9, b, 0, 'tick');
  whole.writeTimer(9, wb, 0, 'tick');
  t.deepEqual(states, ['state']);
  t.is(filtered.lastTime, 9);
  t.is(filtered.records, 4);
  t.is(filtered.close(), whole.close());
  // A second listener for sends makes them delivered again, to it alone.
  const both = new TraceWriter();
  both.listen((record) => states.push(record.k), { kinds: ['state'] });
  both.listen((record) => sends.push(record.k), { kinds: ['send'] });
  const [c, d] = [both.addActor('alice'), both.addActor('bob')];
  both.writeSend(11, c, 0, d, 'm', 1);
  both.writeRecv(12, d, 0, c, 'm', 0);
  t.deepEqual(sends, ['send']);
  t.deepEqual(states, ['state']);
});

test('abort leaves neither the trace nor its temp file', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'trace.jsonl');
  const writer = new TraceWriter(traceFile(path));
  for (const r of someRecords(2_000)) writer.write(r);
  writer.abort();
  t.deepEqual(readdirSync(dir), []);
  writer.abort();
  t.is(writer.close(), '', 'an aborted trace has no hash');
  t.deepEqual(readdirSync(dir), []);
});

test('a failed run aborted by its caller leaves no trace file; a good run leaves exactly one', (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'good.jsonl');
  const bad = join(dir, 'bad.jsonl');
  const ok = new Kernel(9, new TraceWriter(traceFile(good))).spawn('a', () => ({ start: (ctx: Context) => void ctx.setTimer(5, 'tick') }));
  const hash = ok.run();
  t.is(hash, hashOfLines(readFileSync(good)));

  const failing = new Kernel(9, new TraceWriter(traceFile(bad))).spawn('a', () => ({
    start: (ctx: Context) => void ctx.setTimer(5, 'tick'),
    onTimer() {
      throw new Error('bug');
    },
  }));
  t.throws(() => failing.run(), { instanceOf: SimulationError });
  t.true(existsSync(`${bad}.tmp`) && !existsSync(bad), 'until aborted, only the temp file exists');
  failing.trace.abort();
  t.deepEqual(readdirSync(dir), ['good.jsonl']);
});

/** A small run's trace file (format 3, with its end record) in `dir`, and the hash its run returned. */
function smallTrace(dir: string): { path: string; hash: string; records: number } {
  const path = join(dir, 'trace.jsonl');
  const writer = new TraceWriter(traceFile(path));
  writer.write({ t: 0, k: 'meta', a: 'world', n: 0, v: TRACE_FORMAT_VERSION, scenario: 'small', seed: 4 });
  const kernel = new Kernel(4, writer).spawn('a', () => ({ start: (ctx: Context) => void ctx.setTimer(5, 'tick'), onTimer: (ctx: Context) => void (ctx.now() < 100 ? ctx.setTimer(5, 'tick') : undefined) }));
  const hash = kernel.run();
  return { path, hash, records: readFileSync(path, 'utf8').split('\n').length - 2 };
}

async function readAll(path: string, options?: ReadTraceOptions): Promise<number> {
  let records = 0;
  for await (const _ of readTrace(path, options)) records++;
  return records;
}

test('an intact trace is read whole, and its end record names the run\'s hash and record count', async (t) => {
  const { path, hash, records } = smallTrace(tempDir(t));
  const ends: unknown[] = [];
  t.is(await readAll(path, { onEnd: (end) => ends.push(end), onCut: () => t.fail('not cut') }), records);
  t.deepEqual(ends, [{ records, hash }]);
  t.true(records > 3);
});

test('a trace cut exactly at a line break is told from a whole one: refused, or read with a warning', async (t) => {
  const { path, records } = smallTrace(tempDir(t));
  const lines = readFileSync(path, 'utf8').split('\n');
  // Every cut at a line break: the file ends with a newline, so only the missing end record tells.
  for (let keep = 1; keep <= records; keep++) {
    writeFileSync(path, lines.slice(0, keep).join('\n') + '\n');
    await t.throwsAsync(readAll(path), { instanceOf: InputError, message: new RegExp(`:${keep}: the trace ends without its end record \\(cut short\\?`) });
    const warnings: string[] = [];
    t.is(await readAll(path, { onCut: (message) => warnings.push(message) }), keep, 'the records before the cut are all read');
    t.is(warnings.length, 1);
  }
});

test('an end record must count the records before it and be the last line', async (t) => {
  const { path, records } = smallTrace(tempDir(t));
  const lines = readFileSync(path, 'utf8').split('\n');
  const end = lines[records]!;
  const dropped = [...lines.slice(0, 2), ...lines.slice(3)];
  writeFileSync(path, dropped.join('\n'));
  await t.throwsAsync(readAll(path), { message: new RegExp(`the end record counts ${records} records, the trace has ${records - 1}: records were removed or added`) });
  writeFileSync(path, [...lines.slice(0, records + 1), lines[1], ''].join('\n'));
  await t.throwsAsync(readAll(path), { message: /a line after the end record/ });
  writeFileSync(path, [...lines.slice(0, records), end.replace(/"records":\d+/, '"records":"many"'), ''].join('\n'));
  await t.throwsAsync(readAll(path), { message: /an end record needs a whole number of records and a hash/ });
});

test('a trace that cannot be opened is named with the reason in words, never an errno code', async (t) => {
  const dir = tempDir(t);
  const loop = join(dir, 'loop.jsonl');
  symlinkSync(loop, loop);
  const nowhere = 'a symbolic link that leads nowhere (its target is missing, or the links form a loop)';
  await t.throwsAsync(readAll(loop), { instanceOf: InputError, message: `${loop}: ${nowhere}` });
  const dangling = join(dir, 'dangling.jsonl');
  symlinkSync(join(dir, 'gone.jsonl'), dangling);
  await t.throwsAsync(readAll(dangling), { instanceOf: InputError, message: `${dangling}: ${nowhere}` });
  await t.throwsAsync(readAll(join(dir, 'none.jsonl')), { instanceOf: InputError, message: `${join(dir, 'none.jsonl')}: no such file` });
  const file = join(dir, 'file');
  writeFileSync(file, '');
  await t.throwsAsync(readAll(join(file, 'trace.jsonl')), { instanceOf: InputError, message: `${join(file, 'trace.jsonl')}: a part of the path is a file, not a directory` });
});

test('a killed run leaves only its temporary file, and that ends without its end record', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'trace.jsonl');
  const writer = new TraceWriter(traceFile(path));
  writer.write({ t: 0, k: 'meta', a: 'world', n: 0, v: TRACE_FORMAT_VERSION, scenario: 'killed', seed: 1 });
  for (const r of someRecords(3_000)) writer.write(r);
  // The process dies here: no close, no abort. What reached the disk is whole chunks of lines.
  t.false(existsSync(path));
  await t.throwsAsync(readAll(`${path}.tmp`), { message: /the trace ends without its end record/ });
});

test('a long record nested more than 32 levels deep is refused, one of 32 levels read, whatever strings it holds', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'deep.jsonl');
  /** How many objects and lists its deepest value sits in (an empty one holds none). */
  const levels = (value: unknown): number => {
    const children = typeof value === 'object' && value !== null ? Object.values(value) : [];
    return children.length === 0 ? 0 : 1 + Math.max(...children.map(levels));
  };
  const meta = JSON.stringify({ t: 0, k: 'meta', a: 'world', n: 0, v: 1, scenario: 'deep', seed: 1 });
  // Strings full of the characters the scan must not take for structure.
  const tricky = fc.constantFrom('[', ']', '{', '}', '"', '\\', '\\"[', 'a"b', ':', ',', ' ');
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 28, max: 36 }), fc.array(tricky, { maxLength: 6 }), fc.boolean(), fc.constantFrom('list', 'object', 'empty'), async (depth, strings, inside, leaf) => {
      let value: unknown = leaf === 'empty' ? [] : leaf === 'list' ? [strings.join('')] : { [strings.join('')]: 1 };
      for (let i = 1; i < depth; i++) value = i % 2 === 0 ? [value, strings.join('')] : { x: value, [inside ? strings.join('') : 'y']: 'z' };
      const record = { t: 1, k: 'state', a: 'x', n: 0, pad: 'p'.repeat(4096), v: value };
      writeFileSync(path, `${meta}\n${JSON.stringify(record)}\n`);
      const deep = levels(record) > 32;
      if (deep) await t.throwsAsync(readAll(path), { message: /nested more than 32 levels deep/ });
      else t.is(await readAll(path), 2);
    }),
    { numRuns: 150 },
  );
});

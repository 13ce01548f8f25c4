/**
 * The trace writer: a trace file appears only when complete (`<path>.tmp`, renamed by `close`),
 * `abort` leaves nothing behind, and the hash is SHA-256 over exactly the bytes of the file —
 * whatever the chunking.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, TraceRecord } from '../../src/kernel/index.ts';
import { SimulationError, TraceWriter } from '../../src/kernel/index.ts';
import { Kernel } from './_harness.ts';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-trace-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Records big enough to cross the writer's 64 KiB flush chunk several times. */
function someRecords(count: number): TraceRecord[] {
  return Array.from({ length: count }, (_, i) => ({ t: i * 10, k: 'state' as const, a: `actor-${i % 7}`, n: Math.floor(i / 7), digest: 'x'.repeat(i % 50) }));
}

test('a trace file is written to <path>.tmp and renamed into place by close', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'trace.jsonl');
  const writer = new TraceWriter(path);
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
  t.deepEqual(
    lines.map((l) => JSON.parse(l)),
    records,
  );
  t.is(digest, sha256(bytes), 'the hash is over exactly the file bytes');
  t.is(writer.records, records.length);
  t.is(writer.close(), digest, 'close is idempotent');
  t.throws(() => writer.write(records[0]), { message: /after close/ });
});

test('the hash does not depend on the file or on chunking: hashing-only writer, line by line', (t) => {
  const dir = tempDir(t);
  const records = someRecords(3_000);
  const toFile = new TraceWriter(join(dir, 'a.jsonl'));
  const hashOnly = new TraceWriter();
  const lineByLine = createHash('sha256');
  const listened: string[] = [];
  hashOnly.listen((_record, line) => listened.push(line));
  for (const r of records) {
    toFile.write(r);
    hashOnly.write(r);
    lineByLine.update(JSON.stringify(r) + '\n');
  }
  const digest = lineByLine.digest('hex');
  t.is(toFile.close(), digest);
  t.is(hashOnly.close(), digest);
  t.deepEqual(
    listened,
    records.map((r) => JSON.stringify(r)),
  );
});

test('abort leaves neither the trace nor its temp file', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'trace.jsonl');
  const writer = new TraceWriter(path);
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
  const ok = new Kernel(9, new TraceWriter(good)).spawn('a', () => ({ start: (ctx: Context) => void ctx.setTimer(5, 'tick') }));
  const hash = ok.run();
  t.is(hash, sha256(readFileSync(good)));

  const failing = new Kernel(9, new TraceWriter(bad)).spawn('a', () => ({
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

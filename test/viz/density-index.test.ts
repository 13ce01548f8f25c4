/**
 * The density view's time index counts exactly what the linear pass over the rows counts: the same
 * cells, the same flows, the same send-time sums, for whole, partial and tiny windows, with hidden
 * lanes — and the wire's byte-planed columns round-trip every safe integer.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import { readTrace } from '../../src/kernel/trace-reader.ts';
import { decodePayload } from '../../viz/wire/codec.ts';
import { ColumnWriter, readColumn } from '../../viz/wire/wire.ts';
import { buildModel } from '../../viz/model/model.ts';
import { aggregate } from '../../viz/draw/density.ts';
import type { Frame } from '../../viz/draw/frame.ts';
import { writeWorkloadTrace } from './synthetic-workload.ts';

test('indexed density counts equal the linear pass', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'density-index-'));
  try {
    const trace = join(dir, 'trace.jsonl');
    await writeWorkloadTrace(trace, { records: 20_000 });
    const encoder = new TraceEncoder(trace);
    for await (const { record, line } of readTrace(trace)) encoder.add(record, line);
    const model = buildModel(decodePayload(gunzipSync(await encoder.finish())), 'A');
    const actors = model.data.header.actors.length;
    const end = model.endUs;
    const everyRow = new Uint8Array(model.data.length).fill(1);
    for (const hide of [[], [1, 3]]) {
      const laneY = Float64Array.from({ length: actors }, (_, i) => (hide.includes(i) ? Number.NaN : 10 + 20 * i));
      for (const [t0, t1, width] of [[0, end, 1200], [end * 0.3, end * 0.31, 900], [end * 0.5, end * 0.5 + 333, 701], [-50, end * 2, 64]]) {
        const frame = { model, laneY, t0, t1, width, mask: null } as unknown as Frame;
        const indexed = aggregate(frame);
        const linear = aggregate({ ...frame, mask: everyRow });
        t.deepEqual(indexed, linear, `window ${t0}–${t1}, hidden ${hide.join(',')}`);
        t.true(linear.cells.some((c) => c > 0) || t1 - t0 < 1000);
      }
    }
    t.true(model.flows.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('byte-planed columns round-trip any safe integer and reject a wrong length', (t) => {
  const values = [0, 1, 255, 256, 65_535, 2 ** 24, 2 ** 31 + 7, 2 ** 40 - 1, Number.MAX_SAFE_INTEGER];
  const writer = new ColumnWriter();
  for (const v of values) writer.write(v);
  const bytes = writer.finish();
  t.is(bytes[0], 7);
  const out = new Float64Array(values.length);
  readColumn(bytes, out, 'x');
  t.deepEqual(Array.from(out), values);
  const zeros = new ColumnWriter();
  zeros.write(0);
  zeros.write(0);
  t.deepEqual(Array.from(zeros.finish()), [0]);
  t.throws(() => readColumn(bytes, new Float64Array(values.length + 1), 'x'), { message: /column x has/ });
});

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MS, SECOND, readTrace, TraceWriter, traceFile, type TraceRecord } from 'diaspora-sim';
import { runHeartbeat } from './heartbeat.ts';

/** Runs the example with its trace on disk and returns the monitor's `state` records. */
async function opinions(options: Parameters<typeof runHeartbeat>[0]): Promise<TraceRecord[]> {
  const dir = mkdtempSync(join(tmpdir(), 'heartbeat-'));
  try {
    const path = join(dir, 'trace.jsonl');
    runHeartbeat({ ...options, trace: new TraceWriter(traceFile(path)) });
    const states: TraceRecord[] = [];
    for await (const { record } of readTrace(path)) if (record.k === 'state') states.push(record);
    return states;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a crashed worker is suspected within timeout + period, and only it', async (t) => {
  const states = await opinions({ seed: 1, crashAtUs: 3 * SECOND });
  t.deepEqual(states.map((s) => [s.op, s.worker]), [['suspect', 'worker-2']]);
  const at = states[0].t;
  t.true(at > 3 * SECOND + 500 * MS - 100 * MS, `suspected too early at ${at}`);
  t.true(at <= 3 * SECOND + 500 * MS + 100 * MS + 20 * MS + 125 * MS, `suspected too late at ${at}`);
});

test('a partition makes the monitor suspect live workers, then trust them again', async (t) => {
  const states = await opinions({ seed: 1, partition: { atUs: 2 * SECOND, forUs: 2 * SECOND } });
  const suspects = states.filter((s) => s.op === 'suspect').map((s) => s.worker).sort();
  const trusts = states.filter((s) => s.op === 'trust').map((s) => s.worker).sort();
  t.deepEqual(suspects, ['worker-1', 'worker-2']);
  t.deepEqual(trusts, ['worker-1', 'worker-2']);
  t.true(states.every((s) => s.t > 2 * SECOND && s.t < 4 * SECOND + 200 * MS));
});

test('the example is deterministic: same seed same hash, other seed other hash', (t) => {
  const a = runHeartbeat({ seed: 1, crashAtUs: 3 * SECOND });
  const b = runHeartbeat({ seed: 1, crashAtUs: 3 * SECOND });
  const c = runHeartbeat({ seed: 2, crashAtUs: 3 * SECOND });
  t.is(a.traceHash, b.traceHash);
  t.not(a.traceHash, c.traceHash);
});

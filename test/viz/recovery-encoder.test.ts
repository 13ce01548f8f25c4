/**
 * What the timeline derives about recovery without a browser: replay spans from `state` records
 * after a `restore` (only events processed before count, whatever their producer), the recovery
 * model of the page (checkpoints, cuts, lost work) from `ckpt` records, and verdicts read from a
 * run directory's `summary.json` (none for a bare trace; a broken summary is a one-line error), and a
 * power loss on a disk as one loss however many files it hit.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TraceRecord } from '../../src/kernel/trace.ts';
import { InputError } from '../../src/kernel/contract/index.ts';
import { TraceEncoder } from '../../src/report/timeline/encoder.ts';
import { ReplayTracker } from '../../src/report/timeline/replay-spans.ts';
import { readVerdicts } from '../../src/report/timeline/verdicts.ts';
import { decodePayload } from '../../viz/wire/codec.ts';
import { classify } from '../../viz/model/kinds.ts';
import { deriveDurability } from '../../viz/model/durability.ts';
import { deriveRecovery } from '../../viz/model/recovery.ts';

const dir = mkdtempSync(join(tmpdir(), 'viz-recovery-enc-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const counters = new Map<string, number>();
/** A record at `a`, numbered as the trace would. */
function rec(t: number, k: string, a: string, fields: Record<string, unknown> = {}): TraceRecord {
  const n = counters.get(a) ?? 0;
  counters.set(a, n + 1);
  return { t, k, a, n, ...fields } as TraceRecord;
}
const processed = (t: number, a: string, event: string) => rec(t, 'state', a, { event, digest: 'x' });

test('a replay runs from the restore to the last event processed a second time', (t) => {
  const tracker = new ReplayTracker();
  const records = [
    processed(10, 'op', 'src-a:1'), processed(20, 'op', 'src-b:1'), processed(30, 'op', 'src-a:2'), processed(40, 'op', 'src-b:2'),
    rec(100, 'ckpt', 'op', { op: 'restore', id: 1 }),
    processed(110, 'op', 'src-b:2'), processed(120, 'op', 'src-a:2'), processed(130, 'op', 'src-a:3'), processed(140, 'op', 'src-b:3'),
    // Another operator's records never extend this one's replay.
    processed(150, 'other', 'src-a:1'),
  ];
  for (const r of records) tracker.add(r);
  t.deepEqual(tracker.spans(), [{ actor: 'op', from: 100, to: 120, events: 2 }]);
});

test('a restore followed only by new events is no replay', (t) => {
  const tracker = new ReplayTracker();
  for (const r of [processed(10, 'op', 'e-1'), rec(20, 'ckpt', 'op', { op: 'restore', id: 0 }), processed(30, 'op', 'e-2')]) tracker.add(r);
  t.deepEqual(tracker.spans(), []);
});

test('the page sees checkpoints, one cut through its participants, lost work and the encoded replay', async (t) => {
  const encoder = new TraceEncoder('mem');
  const records = [
    processed(5, 'op-1', 'p:1'), processed(6, 'op-1', 'p:2'),
    rec(10, 'ckpt', 'op-1', { op: 'snapshot', id: 1, cut: 1 }), rec(10, 'ckpt', 'op-1', { op: 'begin', id: 1, tier: 'site-pfs', kind: 'full', bytes: 2048 }),
    rec(12, 'ckpt', 'op-2', { op: 'snapshot', id: 1, cut: 1 }), rec(12, 'ckpt', 'op-2', { op: 'begin', id: 1, tier: 'node-local', kind: 'incremental', bytes: 512 }),
    rec(15, 'ckpt', 'op-1', { op: 'saved', id: 1, tier: 'site-pfs', kind: 'full', bytes: 2048, us: 5 }),
    rec(16, 'ckpt', 'op-2', { op: 'failed', id: 1, tier: 'node-local' }),
    rec(20, 'ckpt', 'coordinator', { op: 'complete', id: 1 }),
    processed(25, 'op-1', 'p:3'),
    rec(30, 'crash', 'op-1'), rec(40, 'restart', 'op-1'),
    rec(45, 'ckpt', 'op-1', { op: 'restore', id: 1, toStart: false }),
    processed(50, 'op-1', 'p:3'), processed(55, 'op-1', 'p:4'),
  ];
  records.forEach((r, i) => encoder.add(r, i + 1));
  const data = decodePayload(gunzipSync(await encoder.finish()));
  t.is(data.header.annotations?.verdicts, null, 'no summary was given');
  const recovery = deriveRecovery(data, classify(data).kind);
  const actor = (i: number) => data.header.actors[i].id;
  t.deepEqual(recovery.checkpoints.map((c) => [actor(c.actor), c.tier, c.bytes, c.start, c.end, c.failed]), [
    ['op-1', 'site-pfs', 2048, 10, 15, false],
    ['op-2', 'node-local', 512, 12, 16, true],
  ]);
  t.deepEqual(recovery.cuts.map((c) => [c.kind, c.points.map((p) => [actor(p.actor), p.t])]), [['cut', [['op-1', 10], ['op-2', 12]]]]);
  t.deepEqual(recovery.lost.map((s) => [actor(s.actor), s.from, s.to, s.toStart]), [['op-1', 10, 30, false]], 'from its snapshot to its crash');
  t.deepEqual(recovery.replays.map((s) => [actor(s.actor), s.from, s.to, s.events]), [['op-1', 45, 50, 1]]);
});

test('verdicts come from the summary beside the trace, one entry per violation', async (t) => {
  const run = join(dir, 'run');
  const bare = join(dir, 'bare');
  mkdirSync(run);
  mkdirSync(bare);
  writeFileSync(join(run, 'summary.json'), JSON.stringify({
    checks: {
      'no-acked-loss': { ok: false, violations: [{ anomaly: 'lost', message: '2 events lost', events: ['e-1', 'e-2'], cites: [{ a: 'p', n: 3, t: 100, k: 'client' }, { bogus: true }] }] },
      duplicate: { ok: true, violations: [] },
    },
  }));
  t.deepEqual(await readVerdicts(join(run, 'trace.jsonl')), [
    { check: 'no-acked-loss', anomaly: 'lost', message: '2 events lost', events: ['e-1', 'e-2'], cites: [{ a: 'p', n: 3, t: 100, k: 'client' }] },
  ]);
  t.is(await readVerdicts(join(bare, 'trace.jsonl')), null);
  writeFileSync(join(bare, 'summary.json'), '{ not json');
  await t.throwsAsync(readVerdicts(join(bare, 'trace.jsonl')), { instanceOf: InputError, message: /summary\.json: not JSON/ });
});

test('a power loss that drops unsynced writes from two files is one loss of their sum', async (t) => {
  const encoder = new TraceEncoder('mem');
  const disk = (time: number, fields: Record<string, unknown>) => rec(time, 'disk', 'broker', fields);
  const records = [
    disk(10, { op: 'append', file: 'p-0.log', bytes: 10 }), disk(11, { op: 'append', file: 'p-1.log', bytes: 10 }),
    disk(12, { op: 'fsync', bytes: 20 }), disk(20, { op: 'fsync-done', bytes: 20 }),
    disk(30, { op: 'append', file: 'p-0.log', bytes: 10 }), disk(31, { op: 'append', file: 'p-1.log', bytes: 10 }), disk(32, { op: 'append', file: 'p-1.log', bytes: 10 }),
    disk(40, { op: 'lost', file: 'p-0.log', records: 1 }), disk(40, { op: 'lost', file: 'p-1.log', records: 2 }),
  ];
  records.forEach((r, i) => encoder.add(r, i + 1));
  const data = decodePayload(gunzipSync(await encoder.finish()));
  const durability = deriveDurability(data, classify(data).kind);
  t.deepEqual(durability.losses.map((l) => [data.header.actors[l.actor].id, l.t, l.writes, l.from, l.to, l.lastFsync?.done]), [['broker', 40, 3, 30, 32, 20]]);
});

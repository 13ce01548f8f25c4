/**
 * The lab's live timeline appends chunks of records (viz/wire/live-chunk.ts) to a live model
 * (viz/model/live-model.ts) instead of decoding and rebuilding the whole run at each update: after
 * any cutting into chunks, the columns equal `decodePayload` of the same records, and once settled
 * the model equals `buildModel`'s — on a drill with a leader change, faults and crashes, and on one
 * with checkpoints and a rollback cascade.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { LabSession } from '../../src/lab/session.ts';
import type { ChunkMark } from '../../src/report/timeline/encoder.ts';
import { LiveModel } from '../../viz/model/live-model.ts';
import { buildModel, type RunModel } from '../../viz/model/model.ts';
import { decodePayload, type RunData } from '../../viz/wire/codec.ts';
import { LiveRun } from '../../viz/wire/live-chunk.ts';

const COLUMNS = ['t', 'k', 'a', 'n', 'peer', 'peerFrom', 'msg', 'op', 'link', 'shape', 'valueStart', 'values'] as const;
const plain = (value: unknown): unknown => (ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value);

function sameColumns(t: import('ava').ExecutionContext, live: RunData, whole: RunData): void {
  t.is(live.length, whole.length);
  for (const column of COLUMNS) t.deepEqual(plain(live[column]), plain(whole[column]), column);
  t.deepEqual(live.header.strings, whole.header.strings);
  t.deepEqual(live.header.shapes, whole.header.shapes);
  t.deepEqual(live.header.actors, whole.header.actors);
}

function sameModel(t: import('ava').ExecutionContext, live: RunModel, whole: RunModel): void {
  for (const field of ['kind', 'glyph', 'fwd', 'flowOf', 'flows', 'lanes', 'groups', 'endUs', 'msgTypes', 'kindCounts', 'faults', 'downs', 'recovery', 'durability', 'replication', 'snapshots', 'cascades', 'label'] as const) {
    t.deepEqual(plain(live[field]), plain(whole[field]), field);
  }
  t.deepEqual(plain(live.chatter.idle), plain(whole.chatter.idle));
  t.is(live.chatter.messages, whole.chatter.messages);
}

for (const [file, slices] of [['scenarios/drills/log-acks1-leader-crash.yaml', [1, 7, 500, 20_000]], ['scenarios/drills/domino-uncoordinated.yaml', [3, 1000]]] as const) {
  test(`${file}: chunks appended equal the whole payload decoded; settled, the live model is buildModel's`, (t) => {
    const session = new LabSession({ text: readFileSync(file, 'utf8'), file, version: 'test' });
    const run = new LiveRun(file);
    let live: LiveModel | undefined;
    let mark: ChunkMark | undefined;
    const take = () => {
      const next = session.encoder.chunk(mark);
      mark = next.mark;
      const from = run.append(next.chunk);
      if (live === undefined) live = new LiveModel(run.data, 'A');
      else live.extend(run.data, from);
    };
    take();
    for (const count of slices) {
      session.advance({ until: 'events', count });
      take();
    }
    // Midway, unsettled: the columns are already the whole run's.
    sameColumns(t, run.data, decodePayload(session.encoder.payload()));
    session.advance({ until: 'end' });
    take();
    const whole = decodePayload(session.encoder.payload());
    sameColumns(t, run.data, whole);
    live!.settle();
    sameModel(t, live!.model, buildModel(whole, 'A'));
  });
}

test('a live model made from a run already under way explains nothing of the whole run until it settles', (t) => {
  // The domino drill to its end: checkpoints, a rollback, replays in the header's annotations.
  const file = 'scenarios/drills/domino-uncoordinated.yaml';
  const session = new LabSession({ text: readFileSync(file, 'utf8'), file, version: 'test' });
  session.advance({ until: 'end' });
  const run = new LiveRun(file);
  run.append(session.encoder.chunk(undefined).chunk);
  const live = new LiveModel(run.data, 'A');
  t.deepEqual(live.model.recovery, { checkpoints: [], cuts: [], lost: [], replays: [] });
  t.deepEqual(live.model.durability, { disks: [], spans: [], fsyncs: [], losses: [] });
  t.deepEqual({ ...live.model.snapshots, markerType: plain(live.model.snapshots.markerType) }, { markerType: [], channels: [], totals: [] });
  live.settle();
  const whole = buildModel(decodePayload(session.encoder.payload()), 'A');
  t.true(whole.recovery.replays.length > 0 && whole.recovery.checkpoints.length > 0);
  sameModel(t, live.model, whole);
});

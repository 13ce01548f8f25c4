/**
 * Coordinated checkpoints block every operator from `pause` to `continue` (coordinated.ts). The
 * break its header documents: a coordinator that is down never sends `continue`, so each operator
 * gives up after PAUSE_PATIENCE (30) request timeouts (`checkpoint.timeout`) and carries on, and
 * the checkpoint never completes. Shown on the shipped drill coordinated-slow-site, whose pauses
 * last ≈ 32 s (the archiver's 4 GiB image on an HDD) — and there too the breaks of the checkpoint
 * store (store.ts: a full disk refuses a put, that operator declines, and the checkpoint is
 * aborted) and of the coordinator's global checkpoints (global-checkpoints.ts: an operator down for longer than
 * `checkpoint-timeout` aborts the checkpoint).
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';

const OPERATORS = ['archiver', 'filter', 'instrument'];
/** The coordinator's node (archive-3) loses power 100 ms after the first checkpoint's `pause` (20 s). */
const COORDINATOR_DOWN = 'faults=[{kind: node-crash, target: archive-3, at: 20100ms, for: 90s}]';

/** The drill run with `sets`, every trace record shown to `listen` as it is written; its summary. */
function drill(sets: string[], listen: (record: TraceRecord) => void) {
  const trace = new TraceWriter();
  trace.listen(listen);
  return execute(prepareRun(loadScenarioFile('scenarios/drills/coordinated-slow-site.yaml', sets), { trace }));
}

function run(sets: string[]) {
  const records: TraceRecord[] = [];
  const summary = drill(sets, (r) => {
    if (r.k === 'ckpt' && r.op !== 'snapshot' && r.op !== 'begin') records.push(r);
  });
  /** How long each operator stayed paused for the first checkpoint, by operator. */
  const firstPause = Object.fromEntries(OPERATORS.map((a) => [a, records.find((r) => r.a === a && r.op === 'blocked')!.us]));
  return { summary, records, firstPause };
}

test('a coordinator down during a pause: every operator gives up after 30 request timeouts and carries on, and that checkpoint never completes', (t) => {
  const calm = run([]);
  t.true(calm.summary.ok, JSON.stringify(calm.summary.checks));
  for (const [operator, us] of Object.entries(calm.firstPause)) t.true((us as number) > 30 * SECOND && (us as number) < 35 * SECOND, `${operator} paused ${us} us`);
  t.true(calm.records.some((r) => r.op === 'complete' && r.id === 1));

  // checkpoint.timeout 2 s (the default): the patience is 60 s.
  const down = run([COORDINATOR_DOWN]);
  t.deepEqual(down.firstPause, Object.fromEntries(OPERATORS.map((a) => [a, 60 * SECOND])));
  t.false(down.records.some((r) => r.id === 1 && (r.op === 'complete' || r.op === 'aborted')), 'forgotten with the coordinator\'s memory: neither completed nor aborted');
  // The restarted coordinator (110.1 s) starts the next checkpoint an interval (20 s) later, and it completes.
  t.is(down.records.find((r) => r.op === 'trigger' && r.id === 2)!.t, 130_108_002);
  t.true(down.records.some((r) => r.op === 'complete' && r.id === 2));
  t.true(down.summary.ok, JSON.stringify(down.summary.checks));
});

test('an operator whose own save outlasts the patience does not give up in the middle of it: with checkpoint.timeout=1s (30 s) every 32-s checkpoint still completes', (t) => {
  // Red before: the archiver gave up at 30 s, 2 s before its image was written, so it never said
  // `saved`; the coordinator asked again, it paused again, and no checkpoint ever completed (each
  // abandoned at checkpoint-timeout) while it spent 30 s of every 31 paused.
  const impatient = run(['checkpoint.timeout=1s']);
  t.true(impatient.summary.ok, JSON.stringify(impatient.summary.checks));
  const calm = run([]);
  const completed = (r: ReturnType<typeof run>) => r.records.filter((x) => x.op === 'complete').map((x) => x.id);
  t.deepEqual(completed(impatient), completed(calm));
  t.true(completed(calm).length >= 3, `${completed(calm).length} checkpoints`);
  t.false(impatient.records.some((r) => r.op === 'aborted'));
  // The archiver is paused until its checkpoint completes, as without the short timeout; the two
  // that had saved at once stop waiting for `continue` after their 30 s, 2 s before it comes.
  t.deepEqual(impatient.firstPause, { archiver: calm.firstPause.archiver, filter: 30 * SECOND, instrument: 30 * SECOND });
});

test('a checkpoint store whose disk is full refuses the saves: those operators decline, the coordinator aborts that checkpoint and releases every operator at once, and the next one completes an interval later', (t) => {
  // edge-3 stores the instrument's and the filter's images; its disk is full from 19 s to 29 s.
  const full = run(['faults=[{kind: disk-full, target: edge-3, at: 19s, for: 10s}]']);
  const failed = full.records.filter((r) => r.op === 'failed');
  t.deepEqual(failed.map((r) => [r.a, r.id]), [['instrument', 1], ['filter', 1]]);
  t.true(failed.every((r) => r.t > 20 * SECOND && r.t < 21 * SECOND), 'refused at once, not timed out');
  t.false(full.records.some((r) => r.op === 'stored' && r.a === 'site-pfs@edge-3' && r.t < 29 * SECOND));
  // Red before: a failed save said nothing, so every operator stayed paused for the patience
  // (60 s), was paused again by the re-sent pause, and checkpoint 1 completed only at 82 s. Now the
  // first `declined` aborts checkpoint 1 and `continue` ends every pause a round trip later.
  const ended = full.records.filter((r) => r.op === 'aborted' || r.op === 'complete');
  t.deepEqual(ended.slice(0, 2).map((r) => [r.id, r.op, r.reason]), [[1, 'aborted', 'declined'], [2, 'complete', undefined]]);
  const abortedAt = ended[0]!.t as number;
  t.true(abortedAt - failed[0]!.t < 0.1 * SECOND, `aborted at ${abortedAt} us`);
  for (const [operator, us] of Object.entries(full.firstPause)) t.true((us as number) < 0.1 * SECOND, `${operator} paused ${us} us`);
  // The abort tells every operator (`aborted`, Flink's notifyCheckpointAborted): the archiver
  // cancels its 4-GiB write of checkpoint 1, still on the wire, and its store — told once the upload
  // has arrived — stops at the first 128-MiB piece and deletes it.
  const cancelled = full.records.filter((r) => r.op === 'cancelled').map((r) => [r.a, r.id, r.bytes]);
  t.deepEqual(cancelled, [['archiver', 1, undefined], ['site-pfs@archive-2', 1, 128 * 1024 * 1024]]);
  t.false(full.records.some((r) => r.op === 'stored' && r.id === 1 && r.key === 'archiver'));
  t.like(full.summary.metrics.checkpoint, { failed: 2, cancelled: 1 });
  // The next checkpoint comes an interval (20 s) after the abort, once the disk has room, and
  // completes a write later (≈ 32 s: 3.4 s on the wire, 29 s on the HDD). Red before the cancel:
  // the write of checkpoint 1 ran to its end (52.1 s), that of checkpoint 2 queued behind it on the
  // same HDD, and checkpoint 2 completed at 80.8 s.
  const trigger2 = full.records.find((r) => r.op === 'trigger' && r.id === 2)!.t as number;
  t.true(trigger2 >= abortedAt + 20 * SECOND && trigger2 < abortedAt + 20.1 * SECOND, `checkpoint 2 triggered at ${trigger2} us`);
  t.true((ended[1]!.t as number) < trigger2 + 33 * SECOND, `checkpoint 2 complete at ${ended[1]!.t} us`);
  t.true(full.summary.ok, JSON.stringify(full.summary.checks));
});

test('a store that loses power in the middle of a 4-GiB upload keeps the pieces it had synced only until it restarts, which deletes them; the re-sent put is written whole', (t) => {
  // archive-2 (the archiver's store) is down 30-35 s; checkpoint 1's upload came at 23.5 s.
  const store: TraceRecord[] = [];
  const summary = drill(['faults=[{kind: node-crash, target: archive-2, at: 30s, for: 5s}]'], (r) => {
    if (r.a === 'site-pfs@archive-2' && (r.k === 'restart' || (r.k === 'disk' && (r.op === 'delete' || r.op === 'lost')) || (r.k === 'ckpt' && r.op === 'stored'))) store.push(r);
  });
  t.deepEqual(store.slice(0, 4).map((r) => [r.t, r.k, r.op, r.file ?? r.id]), [
    [30 * SECOND, 'disk', 'lost', 'archiver#0000000001'],
    [35 * SECOND, 'restart', undefined, undefined],
    [35 * SECOND, 'disk', 'delete', 'archiver#0000000001'],
    [store[3]!.t, 'ckpt', 'stored', 1],
  ]);
  t.true(summary.ok, JSON.stringify(summary.checks));
});

test('a put re-sent after its entry was written is answered, not written again: the stored checkpoint survives a power loss of its store while the re-sent put would have been rewriting it', (t) => {
  // Red before: archive-2's slow disk made the archiver's 4-GiB put outlast its retry timer, and the
  // re-sent put, arriving after the entry was written, started the upload again — its first piece
  // replaced the stored entry, the power loss at 100 s left only pieces, the restart deleted them,
  // and the rollback found "checkpoint 1 of archiver is missing": all three operators restarted
  // from scratch (restoresToStart 3, 9,008 events of work lost against 6,004).
  const stored: number[] = [];
  const faults = 'faults=[{kind: slow-disk, target: archive-2, at: 0s, factor: 1.5}, {kind: node-crash, target: archive-2, at: 100s, for: 2s}, {kind: node-crash, target: archive-1, at: 105s, for: 2s}]';
  const summary = drill([faults], (r) => {
    if (r.a === 'site-pfs@archive-2' && r.k === 'ckpt' && r.op === 'stored') stored.push(r.id as number);
  });
  t.true(stored.filter((id) => id === 1).length >= 2, `the re-sent put of checkpoint 1 is answered too: ${stored}`);
  const recovery = summary.metrics.recovery as Record<string, number>;
  t.is(recovery.restoresToStart, 0);
  t.is(recovery.rollbacks, 1);
  t.true(summary.ok, JSON.stringify(summary.checks));
});

test('a store whose disk fills in the middle of a 4-GiB upload refuses it at the next piece and deletes the pieces it wrote; the archiver declines and the coordinator aborts that checkpoint at once', (t) => {
  // archive-2's disk is full 30-35 s; checkpoint 1's upload began at 23.5 s, a piece every ≈ 0.9 s.
  const store: TraceRecord[] = [];
  const ends: TraceRecord[] = [];
  const summary = drill(['faults=[{kind: disk-full, target: archive-2, at: 30s, for: 5s}]'], (r) => {
    if (r.a === 'site-pfs@archive-2' && ((r.k === 'disk' && (r.op === 'refused' || r.op === 'delete')) || (r.k === 'ckpt' && r.op === 'stored'))) store.push(r);
    if (r.k === 'ckpt' && (r.op === 'aborted' || r.op === 'complete')) ends.push(r);
  });
  const [refused, deleted] = store;
  t.deepEqual([refused?.op, deleted?.op, deleted?.file], ['refused', 'delete', 'archiver#0000000001']);
  t.true(refused!.t >= 30 * SECOND && refused!.t < 31 * SECOND && deleted!.t === refused!.t, `refused at ${refused!.t}, deleted at ${deleted!.t}`);
  t.false(store.some((r) => r.op === 'stored' && r.id === 1), 'checkpoint 1 is never stored');
  const aborted = ends.find((r) => r.id === 1)!;
  t.deepEqual([aborted.op, aborted.reason], ['aborted', 'declined']);
  t.true(aborted.t - refused!.t < SECOND, `aborted ${aborted.t - refused!.t} us after the refusal`);
  t.true(ends.some((r) => r.op === 'complete' && r.id === 2));
  t.true(summary.ok, JSON.stringify(summary.checks));
});

test('a cancel that reaches the store after the upload\'s last piece was written does nothing: the entry is stored and acknowledged, and the operator, which gave the write up, ignores the ack', (t) => {
  // checkpoint-timeout 32.357 s aborts checkpoint 1 (triggered at 20.008 s) at 52.365 s, in the 9 ms between the
  // archiver's last piece reaching archive-2's page cache (52.363 s) and its fsync (52.372 s).
  const store: TraceRecord[] = [];
  const archiver: TraceRecord[] = [];
  const summary = drill(['checkpoint.checkpoint-timeout=32357ms'], (r) => {
    if (r.a === 'site-pfs@archive-2' && ((r.k === 'recv' && r.msg === 'ckpt:cancel') || r.k === 'disk' || r.k === 'ckpt')) store.push(r);
    if (r.a === 'archiver' && r.k === 'ckpt' && r.id === 1) archiver.push(r);
  });
  const at = store.findIndex((r) => r.k === 'recv');
  const lastPiece = store.slice(0, at).reverse().find((r) => r.k === 'disk' && r.op !== 'fsync' && r.op !== 'fsync-done')!;
  t.deepEqual([lastPiece.op, lastPiece.file, lastPiece.bytes], ['put', 'archiver#0000000001', 4_295_098_368 % (128 * 1024 * 1024)], 'the precondition: the cancel came after the last piece');
  // Nothing of the upload is deleted or cancelled: its fsync completes and it is stored.
  const after = store.slice(at + 1);
  const stored = after.findIndex((r) => r.k === 'ckpt' && r.op === 'stored' && r.id === 1);
  t.true(stored >= 0, 'checkpoint 1 is stored');
  t.deepEqual(after.slice(0, stored).map((r) => r.op), ['fsync-done']);
  // The archiver gave the write up on the abort: the ack that follows is not a `saved`.
  t.deepEqual(archiver.filter((r) => r.op !== 'snapshot').map((r) => r.op), ['begin', 'cancelled']);
  t.true(summary.ok, JSON.stringify(summary.checks));
});

test('a lost `declined` or a lost `continue` is made good: a declined operator says it again until `continue` comes, so a 5-s partition from the coordinator holds it ≈ 6 s, not until the next pause', (t) => {
  const refusals = (partitionAt: string) => run([`faults=[{kind: disk-full, target: edge-3, at: 19s, for: 10s}, {kind: partition, from: [edge-1, edge-2], to: [archive-3], at: ${partitionAt}, for: 5s}]`]);
  // The edge's declines (sent at 20.02 s) are lost: the first that gets through once the link is
  // back (re-sent every request timeout, and on the coordinator's re-sent pause) aborts checkpoint 1.
  const declines = refusals('20030ms');
  const aborted = declines.records.find((r) => r.op === 'aborted')!;
  t.deepEqual([aborted.id, aborted.reason], [1, 'declined']);
  t.true((aborted.t as number) > 25 * SECOND && (aborted.t as number) < 27.1 * SECOND, `aborted at ${aborted.t} us`);
  for (const [operator, us] of Object.entries(declines.firstPause)) t.true((us as number) < 7 * SECOND, `${operator} paused ${us} us`);
  t.true(declines.records.some((r) => r.op === 'complete' && r.id === 2));
  t.true(declines.summary.ok, JSON.stringify(declines.summary.checks));
  // The abort (20.04 s) gets through, its `continue` to the edge does not: the coordinator no
  // longer asks, so only the operators' own re-sent `declined` (answered with `continue`) ends
  // their pause. Red without that re-send: they stayed paused 20 s, until checkpoint 2's pause.
  const continues = refusals('20045ms');
  t.true((continues.records.find((r) => r.op === 'aborted')!.t as number) < 20.1 * SECOND);
  t.true((continues.firstPause.archiver as number) < 0.1 * SECOND);
  for (const operator of ['filter', 'instrument']) {
    const us = continues.firstPause[operator] as number;
    t.true(us > 5 * SECOND && us < 7 * SECOND, `${operator} paused ${us} us`);
  }
  t.true(continues.summary.ok, JSON.stringify(continues.summary.checks));
});

test('a `pause` the abort of its checkpoint overtook is ignored: the operator neither pauses nor writes for a checkpoint it already knows is aborted', (t) => {
  // edge-3's disk is full, so the instrument declines checkpoint 1 as soon as its pause arrives;
  // a reordering edge–archive link (20 s, the instant of the pauses) holds each message back up to
  // 1 s — with seed 1 the filter's `pause` arrives 0.8 s after its `aborted`. Red without the
  // check in CoordinatedCheckpoints.pause: the filter paused then, its write was never begun
  // (writer.ts: `cancelled`), so nothing ended the pause until checkpoint 2's, 19.2 s later.
  const toFilter: TraceRecord[] = [];
  const filter: TraceRecord[] = [];
  const faults = 'faults=[{kind: disk-full, target: edge-3, at: 19s, for: 10s}, {kind: reorder, between: [edge, archive], probability: 100%, delay: 1s, at: 19999ms, for: 10ms}]';
  const summary = drill([faults], (r) => {
    if (r.a !== 'filter') return;
    if (r.k === 'recv' && r.from === 'ckpt-coordinator') toFilter.push(r);
    if (r.k === 'ckpt' && r.op !== 'snapshot') filter.push(r);
  });
  t.deepEqual(toFilter.slice(0, 2).map((r) => r.msg), ['ckpt:aborted', 'ckpt:pause'], 'the precondition: the abort overtook the pause');
  const secondPause = toFilter.find((r) => r.msg === 'ckpt:pause' && r.t > 30 * SECOND)!;
  t.false(filter.some((r) => r.t < secondPause.t), JSON.stringify(filter.slice(0, 3)));
  t.true(summary.ok, JSON.stringify(summary.checks));
});

test('an operator down for longer than checkpoint-timeout aborts the checkpoint (timeout); with the default 10 min the rollback at its return ends it instead', (t) => {
  // The filter's node (edge-2) is down from 15 s to 65 s; nothing tells the coordinator until its
  // hello at 65 s opens a rollback round.
  const down = 'faults=[{kind: node-crash, target: edge-2, at: 15s, for: 50s}]';
  const ended = (r: ReturnType<typeof run>) => r.records.filter((x) => x.op === 'aborted' || x.op === 'complete').map((x) => [x.id, x.op, x.reason, x.t]);
  const short = run([down, 'checkpoint.checkpoint-timeout=40s']);
  const trigger = short.records.find((r) => r.op === 'trigger' && r.id === 1)!;
  t.deepEqual(ended(short)[0], [1, 'aborted', 'timeout', trigger.t + 40 * SECOND]);
  t.deepEqual(ended(short)[1]?.slice(0, 2), [2, 'complete'], 'the next, after the filter is back, completes');
  t.true(short.summary.ok, JSON.stringify(short.summary.checks));

  const patient = run([down]);
  t.deepEqual(ended(patient)[0]!.slice(0, 3), [1, 'aborted', 'rollback']);
  t.true((ended(patient)[0]![3] as number) > 65 * SECOND);
  t.true(patient.summary.ok, JSON.stringify(patient.summary.checks));
});

test('the coordinator\'s disk full: its state writes are refused and tried again, it stalls until the disk has room, and a restart meanwhile reuses no checkpoint id', (t) => {
  // coordinator-state.ts's documented break: archive-3's disk is full from 10 s to 110 s; its
  // process restarts at 80-85 s. Red before its writes were held: the coordinator ran on from
  // memory, triggered 1 and 2 with a counter that never reached the disk, and after the restart
  // triggered 1 and 2 again (ids 1, 2, 1, 2).
  const full = run(['faults=[{kind: disk-full, target: archive-3, at: 10s, for: 100s}, {kind: process-crash, target: [archive-3], at: 80s, for: 5s}]']);
  const triggers = full.records.filter((r) => r.op === 'trigger');
  const ids = triggers.map((r) => r.id as number);
  t.true(ids.length >= 3, `${ids.length} checkpoints`);
  t.deepEqual(ids, ids.map((_, i) => i + 1), 'each id once, in order');
  // Checkpoint 1 was due at 20 s: its counter waits for the disk (tried every 100 ms), then its fsync.
  t.true(triggers[0]!.t >= 110 * SECOND && triggers[0]!.t < 110.2 * SECOND, `checkpoint 1 triggered at ${triggers[0]!.t} us, once the disk had room`);
  t.true(full.records.some((r) => r.op === 'complete' && r.id === 1), 'and it completes');
  t.true(full.summary.ok, JSON.stringify(full.summary.checks));
  // The stall is reported (red before: a run passed saying nothing of it): in the trace from the
  // first refused write (checkpoint 1 due at 20 s) to the crash, and again from the restarted
  // coordinator's first write (due at 105 s) until one is taken; in the checkpoint metrics.
  const stallRecords = full.records.filter((r) => r.op === 'coordinator-stalled' || r.op === 'coordinator-resumed');
  t.deepEqual(stallRecords.map((r) => [r.op, r.t, r.us]), [['coordinator-stalled', 20 * SECOND, undefined], ['coordinator-stalled', 105 * SECOND, undefined], ['coordinator-resumed', 110 * SECOND, 5 * SECOND]]);
  const stalls = (r: ReturnType<typeof run>) => r.summary.metrics.checkpoint as { coordinatorStalledUs: number; coordinatorStalls: unknown[] };
  t.deepEqual(stalls(full).coordinatorStalls, [{ fromUs: 20 * SECOND, toUs: 80 * SECOND }, { fromUs: 105 * SECOND, toUs: 110 * SECOND }]);
  t.is(stalls(full).coordinatorStalledUs, 65 * SECOND);
  // The same restart with room on the disk: the counter was durable, the ids go on from 20 s.
  const room = run(['faults=[{kind: process-crash, target: [archive-3], at: 80s, for: 5s}]']);
  const roomIds = room.records.filter((r) => r.op === 'trigger').map((r) => r.id as number);
  t.deepEqual(roomIds, roomIds.map((_, i) => i + 1));
  t.true(roomIds.length >= 4);
  t.true(room.records.find((r) => r.op === 'trigger')!.t < 21 * SECOND);
  t.like(stalls(room), { coordinatorStalledUs: 0, coordinatorStalls: [] });
});

test('the coordinator\'s disk full while a checkpoint completes: every operator has saved, so the checkpoint waits for its write — a late `saved` changes nothing, a timeout does not abort it, and a rollback meanwhile does not restore it', (t) => {
  // archive-3's disk is full from 45 s to 105 s: checkpoint 1 (paused at 20 s) has every part saved
  // at 52 s, and its completion write waits. Red before: the operators' re-sent `saved` completed it
  // a second time (the coordinator threw at 54 s); with checkpoint-timeout 40 s the timeout aborted
  // it at 60 s while its completed id stayed, and a rollback at 110 s restored the aborted checkpoint.
  const disk = '{kind: disk-full, target: archive-3, at: 45s, for: 60s}';
  const held = run([`faults=[${disk}, {kind: node-crash, target: edge-2, at: 110s, for: 5s}]`, 'checkpoint.checkpoint-timeout=40s']);
  t.true(held.summary.ok, JSON.stringify(held.summary.checks));
  t.false(held.records.some((r) => r.op === 'aborted' && r.id === 1));
  const completed = held.records.find((r) => r.op === 'complete' && r.id === 1)!;
  t.true(completed.t >= 105 * SECOND && completed.t < 106 * SECOND, `checkpoint 1 completed at ${completed.t} us, once the disk had room`);
  const restores = held.records.filter((r) => r.op === 'restore');
  t.true(restores.length > 0 && restores.every((r) => r.id === 1 && r.t > completed.t), JSON.stringify(restores.map((r) => [r.a, r.id, r.t])));

  // A rollback round that opens while the write waits (edge-2 down at 70 s) abandons checkpoint 1
  // and restores what was complete before it: the start.
  const rollback = run([`faults=[${disk}, {kind: node-crash, target: edge-2, at: 70s, for: 5s}]`]);
  t.true(rollback.summary.ok, JSON.stringify(rollback.summary.checks));
  t.true(rollback.records.some((r) => r.op === 'aborted' && r.id === 1 && r.reason === 'rollback'));
  t.false(rollback.records.some((r) => r.op === 'complete' && r.id === 1));
  t.false(rollback.records.some((r) => r.op === 'restore' && r.id === 1));
});

/**
 * The log-topic checkpoint tier as a user writes it (`scenarios/drills/checkpoint-log-topic.yaml`):
 * `tiers.log-topic: { log, topic, acks }` resolves to the topic of the service, `--set` reaches its
 * fields, and the drill restores the latest checkpoint from the new leader while the cleaner keeps
 * the partition at a fraction of what was written; with acks=1, unclean election and the followers
 * out of sync first, the latest acknowledged checkpoints are lost. Readers of the cleaned topic —
 * the final read, a consumer group — find each record at the offset it was appended at, across the
 * gaps the cleaner leaves between batches.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { execute, type RunSummary } from '../../src/exec/run.ts';
import { TraceWriter, type TraceRecord } from '../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../src/scenario/index.ts';

const DRILL = fileURLToPath(new URL('../../scenarios/drills/checkpoint-log-topic.yaml', import.meta.url));

function run(sets: string[] = []): { summary: RunSummary; records: TraceRecord[] } {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((record) => {
    if (record.k === 'ckpt' || (record.k === 'log' && (record.op === 'compact' || record.op === 'elect' || record.op === 'append')) || (record.k === 'client' && record.op === 'consume')) records.push(record);
  });
  return { summary: execute(prepareRun(loadScenarioFile(DRILL, sets), { trace })), records };
}

/**
 * The records of the `checkpoints` topic that `read` pages (each page's events at its offset plus
 * their index) name at an offset other than the one they were appended at.
 */
function misplacedRecords(records: readonly TraceRecord[], read: (r: TraceRecord) => boolean): { read: number; wrong: { id: string; at: number }[] } {
  const appended = new Map<number, string>();
  for (const r of records) if (r.op === 'append' && r.topic === 'checkpoints') (r.events as string[]).forEach((id, i) => appended.set((r.offset as number) + i, id));
  const found = records.filter((r) => read(r) && r.topic === 'checkpoints').flatMap((page) => (page.events as string[]).map((id, i) => ({ id, at: (page.offset as number) + i })));
  return { read: found.length, wrong: found.filter(({ id, at }) => appended.get(at) !== id) };
}

const restoreOf = (records: readonly TraceRecord[]) => records.find((r) => r.op === 'restore' && r.a === 'recon-1');
const latestStored = (records: readonly TraceRecord[], beforeUs: number) =>
  Math.max(...records.filter((r) => r.op === 'stored' && r.a === 'recon-1' && r.t < beforeUs).map((r) => r.id as number));

test('tiers.log-topic names a compacted topic of a log service, and --set reaches its acks', (t) => {
  t.deepEqual(loadScenarioFile(DRILL).checkpoint?.logTopic, { service: 'ckpt', topic: 'checkpoints', acks: -1 });
  t.is(loadScenarioFile(DRILL, ['checkpoint.tiers.log-topic.acks=1']).checkpoint?.logTopic?.acks, 1);
});

test('the drill: the checkpoint leader and recon-1 lose power, recon-1 restores its latest checkpoint, the cleaner bounds the topic', (t) => {
  const { summary, records } = run();
  t.true(summary.ok, JSON.stringify(summary.checks));
  const restore = restoreOf(records)!;
  t.is(restore.tier, 'log-topic');
  t.is(restore.id, latestStored(records, 12_000_000));
  const compactions = records.filter((r) => r.op === 'compact');
  t.true(compactions.length > 0);
  const written = (summary.metrics.checkpoint as { bytesWritten: number }).bytesWritten;
  t.true(Math.max(...compactions.map((r) => r.bytesAfter as number)) * 4 < written, `written ${written}`);
  // The final read of the cleaned topic finds each record at the offset it was appended at, across
  // the gaps the cleaner left (it once numbered them on from 0 and read a batch again per record).
  const isFinal = (r: TraceRecord) => r.op === 'consume' && r.final === true;
  const misplaced = misplacedRecords(records, isFinal);
  t.true(misplaced.read > 0);
  t.deepEqual(misplaced.wrong.slice(0, 3), [], `${misplaced.wrong.length} of the final read's ${misplaced.read} records are not at the offset they were appended at`);
  const pages = records.filter(isFinal);
  const positions = pages.flatMap((page) => (page.events as string[]).map((_, i) => (page.offset as number) + i));
  t.is(new Set(positions).size, positions.length, 'no offset read twice');
});

test('a consumer group reading the cleaned topic polls each record at the offset it was appended at', (t) => {
  const { records } = run(['consumers={audit: {node: ckpt-ctl, service: ckpt, topic: checkpoints, auto.offset.reset: earliest}}']);
  const misplaced = misplacedRecords(records, (r) => r.op === 'consume' && r.group === 'audit');
  t.true(misplaced.read > 0);
  t.deepEqual(misplaced.wrong.slice(0, 3), [], `${misplaced.wrong.length} of ${misplaced.read} polled records are not at the offset they were appended at`);
});

test('acks=1 with unclean election after the followers fell behind: the latest acknowledged checkpoints are gone', (t) => {
  const faults =
    'faults=[{kind: node-crash, target: ckpt-2, at: 4s, for: 10s}, {kind: node-crash, target: ckpt-3, at: 4s, for: 10s}, {kind: node-crash, target: ckpt-1, at: 14s, for: 10s}, {kind: node-crash, target: hpc-1, at: 16s, for: 1s}]';
  const unclean = ['services.ckpt["unclean.leader.election.enable"]=true', faults];
  const lossy = run(['checkpoint.tiers.log-topic.acks=1', 'services.ckpt["min.insync.replicas"]=1', ...unclean]).records;
  t.true(lossy.some((r) => r.op === 'elect' && r.topic === 'checkpoints' && r.clean === false));
  t.true((restoreOf(lossy)!.id as number) < latestStored(lossy, 16_000_000));
  const safe = run(unclean).records;
  t.true((restoreOf(safe)!.id as number) >= latestStored(safe, 16_000_000), 'acks=all: nothing acknowledged is lost');
});

/**
 * The log-topic checkpoint tier on a compacted topic of a replicated log: with acks=all,
 * replication factor 3 and min.insync.replicas 2 the latest checkpoint survives the loss of the
 * partition's leader and is what a crashed operator restores; with acks=1 and unclean leader
 * election the latest checkpoints are lost and recovery falls back to an older one — the half of
 * the guarantee that says how it breaks. The cleaner bounds the topic: tombstoned and superseded
 * checkpoints go, incremental chains stay whole.
 */
import test from 'ava';
import { stateEqualsReference } from '../../../src/features/pipeline/checks/state-equals-reference.ts';
import { MS, SECOND, type TraceRecord } from '../../../src/kernel/index.ts';
import { RECORD_OVERHEAD_BYTES, type CheckpointConfig, type LogTopicTierConfig } from '../../../src/features/checkpoint/actors/index.ts';
import { spawnLogCluster } from '../../../src/features/log/actors/index.ts';
import type { World } from '../../../src/world/index.ts';
import { pipelineRun, referenceRecord, xray, type RunOptions } from './_harness.ts';

const SITES = { beamline: { nodes: 1 }, hpc: { nodes: 4 }, logs: { nodes: 4 } };
const BROKERS = ['ckpt-broker-1', 'ckpt-broker-2', 'ckpt-broker-3'];

/** Brokers on logs-1…3, the controller on logs-4; one compacted `checkpoints` partition every instance writes to. */
function checkpointLog(options: { unclean?: boolean; minIsr?: number; segmentBytes?: number } = {}): Pick<RunOptions, 'services' | 'sites'> {
  const services = (world: World) => {
    spawnLogCluster(world, { name: 'ckpt', brokerNodes: ['logs-1', 'logs-2', 'logs-3'], controllerNode: 'logs-4' }, {
      topics: [
        {
          name: 'checkpoints',
          partitions: 1,
          replicationFactor: 3,
          minInsyncReplicas: options.minIsr ?? 2,
          uncleanLeaderElection: options.unclean ?? false,
          retentionUs: null,
          retentionBytes: null,
          segmentBytes: options.segmentBytes ?? 256 << 20,
          cleanupPolicy: 'compact',
          deleteRetentionUs: 5 * SECOND,
        },
      ],
      flush: { kind: 'every-write' },
      replicaLagTimeMaxUs: 2 * SECOND,
      brokerHeartbeatIntervalUs: 500 * MS,
      brokerSessionTimeoutUs: 1500 * MS,
      retentionCheckIntervalUs: 2 * SECOND,
    });
  };
  return { services, sites: SITES };
}

function checkpointing(acks: 1 | -1, more: Partial<CheckpointConfig> = {}): Partial<CheckpointConfig> {
  const logTopic: LogTopicTierConfig = { topic: 'checkpoints', partitions: 1, brokers: BROKERS, acks };
  return { strategy: 'stream-replay', tier: 'log-topic', logTopic, interval: { kind: 'time', everyUs: 2 * SECOND }, ...more };
}

const restoresOf = (records: readonly TraceRecord[], actor: string) => records.filter((r) => r.k === 'ckpt' && r.op === 'restore' && r.a === actor);
const storedBefore = (records: readonly TraceRecord[], actor: string, us: number) =>
  records.filter((r) => r.k === 'ckpt' && r.op === 'stored' && r.a === actor && r.t < us).map((r) => r.id as number);

function stateOk(records: readonly TraceRecord[], reference: TraceRecord): boolean {
  const checker = stateEqualsReference.create();
  checker.observe(reference);
  for (const record of records) checker.observe(record);
  return checker.verdict().ok;
}

test('acks=all, RF 3, min.insync 2: the leader of the checkpoint topic dies and recon-1 still restores its latest checkpoint', (t) => {
  const log = checkpointLog();
  const reference = pipelineRun({ checkpoint: { strategy: 'none' }, operators: xray(), ...log });
  const crashUs = 12 * SECOND + 7;
  const run = pipelineRun({
    checkpoint: checkpointing(-1),
    operators: xray(),
    ...log,
    // ckpt-broker-1 is the partition's preferred leader; its node is down across recon-1's restore.
    crashes: [{ node: 'logs-1', atUs: 10 * SECOND, forUs: 8 * SECOND }],
    processCrashes: [{ actor: 'recon-1', atUs: crashUs, forUs: 200 * MS }],
  });
  t.true(run.records.some((r) => r.k === 'log' && r.op === 'elect' && r.topic === 'checkpoints' && r.t > 10 * SECOND), 'the checkpoint topic got a new leader');
  const [restore] = restoresOf(run.records, 'recon-1');
  const latest = Math.max(...storedBefore(run.records, 'recon-1', crashUs));
  t.is(restore?.tier, 'log-topic');
  t.is(restore?.id, latest, 'the newest acknowledged checkpoint');
  t.true(stateOk(run.records, referenceRecord(reference)));
});

test('acks=1 with unclean leader election loses the latest checkpoints: recovery falls back to an older one', (t) => {
  const log = checkpointLog({ unclean: true, minIsr: 1 });
  // logs-2 and logs-3 fall out of the ISR (down 8 s); as they return the leader's node dies, and one of them is elected uncleanly.
  const crashUs = 16 * SECOND + 7;
  const options: RunOptions = {
    checkpoint: checkpointing(1),
    operators: xray(),
    ...log,
    crashes: [
      { node: 'logs-2', atUs: 4 * SECOND, forUs: 10 * SECOND },
      { node: 'logs-3', atUs: 4 * SECOND, forUs: 10 * SECOND },
      { node: 'logs-1', atUs: 14 * SECOND, forUs: 10 * SECOND },
    ],
    processCrashes: [{ actor: 'recon-1', atUs: crashUs, forUs: 200 * MS }],
  };
  const run = pipelineRun(options);
  t.true(run.records.some((r) => r.k === 'log' && r.op === 'elect' && r.topic === 'checkpoints' && r.clean === false), 'an unclean election happened');
  const [restore] = restoresOf(run.records, 'recon-1');
  const latest = Math.max(...storedBefore(run.records, 'recon-1', crashUs));
  t.truthy(restore);
  t.true((restore!.id as number) < latest, `restored ${String(restore!.id)}, though ${latest} was acknowledged`);
  // The same faults under acks=all and min.insync 2: saves wait for the ISR, and nothing acknowledged is lost
  // (a save refused after its append may still be in the log, and restoring it is as good).
  const safe = pipelineRun({ ...options, checkpoint: checkpointing(-1), ...checkpointLog({ unclean: true }) });
  const safeRestore = restoresOf(safe.records, 'recon-1')[0]?.id as number;
  t.true(safeRestore >= Math.max(...storedBefore(safe.records, 'recon-1', crashUs)), `acks=all restored ${safeRestore}`);
});

test('compaction bounds the checkpoint topic, and incremental chains stay restorable', (t) => {
  // Small segments so that the cleaner has closed segments to clean.
  const log = checkpointLog({ segmentBytes: 64 << 20 });
  const crashUs = 25 * SECOND + 7;
  const run = pipelineRun({
    checkpoint: checkpointing(-1, { incremental: true, fullEvery: 3 }),
    operators: xray(),
    ...log,
    processCrashes: [{ actor: 'recon-2', atUs: crashUs, forUs: 200 * MS }],
  });
  const cleaned = run.records.filter((r) => r.k === 'log' && r.op === 'compact' && r.a === 'ckpt-broker-1');
  t.true(cleaned.length > 0, 'the cleaner ran');
  // Everything ever saved versus what the partition holds: the cleaner keeps it a fraction, to the end.
  const savedBytes = run.records.filter((r) => r.k === 'ckpt' && r.op === 'stored' && r.tier === 'log-topic').reduce((sum, r) => sum + (r.bytes as number), 0);
  const peak = Math.max(...cleaned.map((r) => r.bytesBefore as number));
  const last = cleaned.at(-1)!;
  t.true(peak < savedBytes / 2, `peak ${peak} of ${savedBytes} bytes saved`);
  t.true((last.bytesAfter as number) < (last.bytesBefore as number), `${String(last.bytesBefore)} → ${String(last.bytesAfter)} bytes`);
  t.true((last.bytesAfter as number) < savedBytes / 4, `${String(last.bytesAfter)} of ${savedBytes} bytes saved`);
  const written = run.records.filter((r) => r.k === 'log' && r.op === 'append' && r.a === 'ckpt-broker-1' && r.topic === 'checkpoints').length;
  t.true(written > 20, `${written} records written`);
  const [restore] = restoresOf(run.records, 'recon-2');
  t.is(restore?.tier, 'log-topic');
  t.is(restore?.id, Math.max(...storedBefore(run.records, 'recon-2', crashUs)), 'the latest checkpoint, whatever chain it is on');
  const reference = pipelineRun({ checkpoint: { strategy: 'none' }, operators: xray(), ...log });
  t.true(stateOk(run.records, referenceRecord(reference)));
});

test('an image goes as chunks of max.message.bytes; a save cut short by a crash leaves chunks but no checkpoint, and recovery takes the last whole one', (t) => {
  const log = checkpointLog();
  const recordBytesMax = 8 << 20;
  const logTopic: LogTopicTierConfig = { topic: 'checkpoints', partitions: 1, brokers: BROKERS, acks: -1, recordBytesMax };
  const options: RunOptions = { checkpoint: checkpointing(-1, { logTopic }), operators: xray(), ...log };
  const chunksOf = (records: readonly TraceRecord[], id: number) => {
    const key = new RegExp(`^recon-1#0*${id}#(\\d+)$`);
    return records.filter((r) => r.k === 'log' && r.op === 'append' && r.topic === 'checkpoints' && key.test((r.events as string[])[0]!));
  };
  const whole = pipelineRun(options);
  const saves = whole.records.filter((r) => r.k === 'ckpt' && r.a === 'recon-1' && r.op === 'begin');
  const stored = (id: number) => whole.records.find((r) => r.k === 'ckpt' && r.a === 'recon-1' && r.op === 'stored' && r.id === id)!;
  // recon's 64 MiB state: eight chunks just under 8 MiB (each record's overhead and key fit under
  // max.message.bytes with it) and a ninth with what is left.
  const first = saves[0]!;
  const expected = Math.ceil((first.bytes as number) / (recordBytesMax - RECORD_OVERHEAD_BYTES - 64));
  t.is(expected, 9);
  const keys = new Set(chunksOf(whole.records, first.id as number).map((r) => (r.events as string[])[0]));
  t.is(keys.size, expected, 'one record per chunk, each under its own key');
  // Crash recon-1 just after the first chunk of its second save reaches the leader.
  const second = saves[1]!;
  const crashUs = chunksOf(whole.records, second.id as number)[0]!.t + 1;
  t.true(crashUs < stored(second.id as number).t);
  const cut = pipelineRun({ ...options, processCrashes: [{ actor: 'recon-1', atUs: crashUs, forUs: 200 * MS }] });
  t.true(chunksOf(cut.records, second.id as number).length > 0, 'some chunks of the interrupted save are in the log');
  const [restore] = restoresOf(cut.records, 'recon-1');
  t.is(restore?.tier, 'log-topic');
  t.is(restore?.id, first.id, 'the incomplete checkpoint is not restored');
  const reference = pipelineRun({ checkpoint: { strategy: 'none' }, operators: xray(), ...log });
  t.true(stateOk(cut.records, referenceRecord(reference)));
});

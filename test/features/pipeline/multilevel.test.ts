/**
 * Multilevel checkpoints (SCR/VeloC style: frequent node-local, every k-th flushed to the PFS):
 * a RAM-disk level dies with its node whatever the process flushed before, and recovery restores
 * the newest checkpoint that survived on any level.
 */
import test from 'ava';
import { MS, SECOND, type TraceRecord } from '../../../src/kernel/index.ts';
import { pipelineRun, xray } from './_harness.ts';

const ckpt = (records: readonly TraceRecord[], op: string, a?: string) => records.filter((r) => r.k === 'ckpt' && r.op === op && (a === undefined || r.a === a));

test('a node crash after a process crash restores the newest flushed checkpoint, not a stale RAM-disk one', (t) => {
  const checkpoint = { strategy: 'multilevel' as const, nodeLocal: 'memory' as const, flushTo: 'site-pfs' as const, flushEvery: 2, interval: { kind: 'time' as const, everyUs: 2 * SECOND } };
  // recon-2's restart after the process crash fsyncs its failure counter; the node crash comes 13 s later.
  const run = pipelineRun({
    checkpoint,
    operators: xray(),
    processCrashes: [{ actor: 'recon-2', atUs: 7 * SECOND, forUs: 500 * MS }],
    crashes: [{ node: 'hpc-2', atUs: 20 * SECOND, forUs: SECOND }],
  });
  const restores = ckpt(run.records, 'restore', 'recon-2');
  t.is(restores.length, 2);
  t.is(restores[0].tier, 'node-local', 'a process crash keeps the RAM disk');
  const flushed = ckpt(run.records, 'flushed', 'recon-2').filter((r) => r.t < 20 * SECOND);
  const newest = Math.max(...flushed.map((r) => r.id as number));
  t.like(restores[1], { tier: 'site-pfs', id: newest, toStart: false });
  // The RAM disk's files were lost with the node: nothing under /dev/shm came back.
  t.true(run.records.some((r) => r.k === 'disk' && r.op === 'lost' && r.a === 'recon-2' && String(r.file).startsWith('/dev/shm/') && r.t === 20 * SECOND));
});

test('the flush cadence outlives process crashes: a node crash loses at most flush-every checkpoint intervals', (t) => {
  const flushEvery = 3;
  const intervalUs = 2 * SECOND;
  const checkpoint = { strategy: 'multilevel' as const, nodeLocal: 'memory' as const, flushTo: 'site-pfs' as const, flushEvery, interval: { kind: 'time' as const, everyUs: intervalUs } };
  // Each restart comes back before its third checkpoint: a count kept only in memory never reaches a flush.
  const processCrashes = [5, 9.5, 14, 18.5].map((s) => ({ actor: 'recon-2', atUs: s * SECOND, forUs: 500 * MS }));
  const crashAt = 23 * SECOND;
  const run = pipelineRun({ checkpoint, operators: xray(), processCrashes, crashes: [{ node: 'hpc-2', atUs: crashAt, forUs: SECOND }], durationUs: 40 * SECOND });
  const restore = ckpt(run.records, 'restore', 'recon-2').find((r) => r.t > crashAt)!;
  t.like(restore, { tier: 'site-pfs', toStart: false });
  const lostUs = crashAt - (restore.id as number);
  // The newest flush is at most flush-every intervals old, plus its own write.
  t.true(lostUs <= flushEvery * intervalUs + SECOND, `lost ${lostUs} µs`);
});

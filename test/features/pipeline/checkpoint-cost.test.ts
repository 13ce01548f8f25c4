/**
 * What checkpointing costs the operators it protects, measured as the issue defines it: time
 * blocked is time an operator could not take an event because of the checkpoint — the event it was
 * serving when the pause came is work, not waiting.
 */
import test from 'ava';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import type { OperatorDef } from '../../../src/features/pipeline/actors/index.ts';
import { pipelineRun } from './_harness.ts';

const fixed = (ms: number) => ({ distribution: 'fixed' as const, meanUs: ms * MS, cv: 0 });

/** A source and one busy operator: 1 s per event, always an event in service when a pause comes. */
function busy(stateBytes: number): OperatorDef[] {
  return [
    { name: 'detector', kind: 'source', nodes: ['beamline-1'], parallelism: 1, to: 'frames', service: fixed(1), stateBytes: 1024, ratePerSec: 2, eventBytes: 1024 },
    { name: 'work', kind: 'map', nodes: ['hpc-1'], parallelism: 1, from: 'frames', to: 'out', service: fixed(1000), stateBytes },
  ];
}

test('coordinated: a pause blocks an operator from the end of the event in service to the continue, not from the pause', (t) => {
  // 1 GiB over the 1.25 GB/s link to the store: a write of about 0.9 s.
  const run = pipelineRun({ checkpoint: { strategy: 'coordinated', tier: 'site-pfs', interval: { kind: 'time', everyUs: 7 * SECOND } }, operators: busy(1 << 30), durationUs: 40 * SECOND });
  const at = (op: string) => run.records.filter((r) => r.a === 'work' && r.k === 'ckpt' && r.op === op);
  const blocked = at('blocked').filter((r) => r.reason === 'checkpoint');
  const saved = at('saved');
  t.true(blocked.length >= 4, `${blocked.length} pauses`);
  t.is(blocked.length, saved.length);
  blocked.forEach((b, i) => {
    const write = saved[i].us as number;
    // Waiting for the flush markers and the coordinator's continue: milliseconds; never a share of the 1 s event.
    t.true((b.us as number) <= write + 50 * MS, `pause ${i}: blocked ${b.us} µs for a ${write} µs write`);
    t.true((b.us as number) >= write, `pause ${i}: blocked ${b.us} µs < the ${write} µs write it waited for`);
  });
});

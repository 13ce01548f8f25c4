/**
 * What checkpointing costs the operators it protects, measured as the issue defines it: time
 * blocked is time an operator could not take an event because of the checkpoint — the event it was
 * serving when the pause came is work, not waiting.
 */
import test from 'ava';
import { MS, SECOND, TraceWriter } from '../../../src/kernel/index.ts';
import type { OperatorDef } from '../../../src/features/pipeline/actors/index.ts';
import { pipelineRun } from './_harness.ts';
import { execute } from '../../../src/exec/run.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';

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

/** Daly's higher-order optimum (Daly 2006, eq. 37). */
function daly(delta: number, m: number): number {
  if (delta >= 2 * m) return m;
  const x = delta / (2 * m);
  return Math.sqrt(2 * delta * m) * (1 + Math.sqrt(x) / 3 + x / 9) - delta;
}

test('coordinated, adaptive: the coordinator measures each checkpoint and waits Daly\'s optimum for the cost measured so far', (t) => {
  const mtbfUs = 24 * 60 * SECOND;
  const operators: OperatorDef[] = [
    { name: 'detector', kind: 'source', nodes: ['beamline-1'], parallelism: 1, to: 'frames', service: fixed(1), stateBytes: 1024, ratePerSec: 1, eventBytes: 1024 },
    // 500 MB over the 125 MB/s link to the remote store and onto its 500 MB/s disk: about 5 s a checkpoint.
    { name: 'work', kind: 'map', nodes: ['hpc-1'], parallelism: 1, from: 'frames', to: 'out', service: fixed(10), stateBytes: 500_000_000 },
  ];
  const interval = { kind: 'adaptive' as const, mtbfUs, minUs: SECOND, maxUs: 3600 * SECOND };
  const run = pipelineRun({ checkpoint: { strategy: 'coordinated', tier: 'remote', interval }, operators, durationUs: 600 * SECOND, endUs: 600 * SECOND });
  const at = (op: string) => run.records.filter((r) => r.a === 'ckpt-coordinator' && r.k === 'ckpt' && r.op === op).map((r) => r.t);
  const [triggers, completes] = [at('trigger'), at('complete')];
  t.true(completes.length >= 3, `${completes.length} checkpoints`);
  const costs: number[] = [];
  for (let i = 0; i + 1 < triggers.length && i < completes.length; i++) {
    costs.push(completes[i] - triggers[i]);
    const delta = costs.reduce((a, b) => a + b, 0) / costs.length;
    t.true(delta > 4.5 * SECOND && delta < 6 * SECOND, `measured cost ${delta}`);
    // The coordinator's own persistence (an fsync) comes between the timer and the trigger record.
    const gap = triggers[i + 1] - completes[i];
    t.true(Math.abs(gap - daly(delta, mtbfUs)) < 50_000, `gap ${i}: ${gap} µs, Daly ${Math.round(daly(delta, mtbfUs))} µs for δ ${delta}`);
  }
});

test('the coordinator\'s stall is measured only where the strategy has a coordinator: a stream-replay run reports none, not a stall of 0 µs', (t) => {
  // Red before: every run's checkpoint line ended "coordinatorStalledUs 0", stream-replay's too.
  const metrics = (file: string) => execute(prepareRun(loadScenarioFile(file), { trace: new TraceWriter() })).metrics.checkpoint as Record<string, unknown>;
  const streamReplay = metrics('scenarios/drills/domino-stream-replay.yaml');
  t.false('coordinatorStalledUs' in streamReplay || 'coordinatorStalls' in streamReplay, Object.keys(streamReplay).join(', '));
  t.like(metrics('scenarios/drills/domino-uncoordinated.yaml'), { coordinatorStalledUs: 0, coordinatorStalls: [] });
});

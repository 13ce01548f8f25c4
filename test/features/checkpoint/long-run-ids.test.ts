/**
 * Independent checkpoints are numbered by their time in µs: eleven digits after 2 h 46 min, where
 * their file names (padded to ten) stop sorting by id. A tier that reads its checkpoints back
 * from a directory listing — the node-local tier after a restart, a store after its node's — takes
 * them by id, not by name; it used to feed `#10800…` before `#1800…` to its catalog and fail its
 * id-order assertion (an internal error, exit 3) on the first restart of a run past 2 h 46 min
 * (strategies that keep every checkpoint: uncoordinated).
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const yaml = (tier: string, fault: string) => `
name: long-run-ids
seed: 1
duration: 3h40m
quiesce: 10m
sites:
  hpc: { role: hpc, nodes: 4 }
pipeline:
  operators:
    src: { kind: source, node: hpc-1, rate: 1/s, limit: 13000, size: 1KiB, service: 1ms, to: a }
    work: { kind: map, node: hpc-2, from: a, service: 1ms, state: 1MB, to: b }
checkpoint:
  strategy: uncoordinated
  interval: 20m
  tier: ${tier}
  tiers: { site-pfs: { node: hpc-3 } }
  coordinator: { node: hpc-4 }
faults:
${fault}
checks: [state-equals-reference]
`;

const CRASH_US = (3 * 3600 + 25 * 60) * 1e6;

/** The checkpoints `work` restored, and the latest it had saved before its crash. */
function restore(text: string): { restored: number[]; latest: number } {
  const trace = new TraceWriter();
  const restored: number[] = [];
  let latest = -1;
  trace.listen((r: TraceRecord) => {
    if (r.k !== 'ckpt' || r.a !== 'work' || typeof r.id !== 'number') return;
    if (r.op === 'restore') restored.push(r.id);
    if (r.op === 'saved' && r.t < CRASH_US) latest = Math.max(latest, r.id);
  });
  const summary = execute(prepareRun(loadScenario(text, 'long-run-ids.yaml'), { trace }));
  if (!summary.ok) throw new Error(JSON.stringify(summary.checks));
  return { restored, latest };
}

test('node-local: a restart after 2 h 46 min reads its checkpoints back', (t) => {
  const { restored, latest } = restore(yaml('node-local', '  - { kind: process-crash, target: work, at: 3h25m, for: 10s }'));
  t.true(latest > 1e10, `${latest}`);
  // The source's sends in every interval push the line back to the start (Randell): what matters
  // here is that the restart read its eleven-digit checkpoints back at all.
  t.deepEqual(restored, [0]);
});

test('site-pfs: a store restarted after 2 h 46 min reads its checkpoints back', (t) => {
  const { restored, latest } = restore(yaml('site-pfs', '  - { kind: node-crash, target: hpc-3, at: 3h21m, for: 1m }\n  - { kind: process-crash, target: work, at: 3h25m, for: 10s }'));
  t.true(latest > 1e10, `${latest}`);
  t.deepEqual(restored, [0]);
});

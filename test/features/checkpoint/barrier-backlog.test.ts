/**
 * Aligned barriers queued back to back: a source that has stopped (its `limit` reached) still
 * starts a checkpoint every interval (the last abandoned at `checkpoint-timeout`), and its barriers wait behind a slow operator's backlog with
 * nothing between them. Each is finished (written, reported) before the next is taken: the pump
 * used to take the next barrier from inside the previous one's unblocking and abandon it, then
 * trip the id-order assertion (an internal error, exit 3) as the calls unwound.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const yaml = (alignment: string) => `
name: barrier-backlog
seed: 2
duration: 150s
quiesce: 20s
sites:
  hpc: { role: hpc, nodes: 3 }
pipeline:
  operators:
    src: { kind: source, node: hpc-1, rate: 20/s, limit: 100, size: 1KiB, service: 1ms, to: a }
    slow: { kind: map, node: hpc-2, from: a, service: 1s, state: 1MB, to: b }
checkpoint:
  strategy: barrier-snapshot
  alignment: ${alignment}
  interval: 2s
  checkpoint-timeout: 5s
  coordinator: { node: hpc-3 }
checks: [state-equals-reference, consistent-cuts]
`;

for (const alignment of ['aligned', 'none']) {
  test(`${alignment} barriers queued back to back behind a backlog are each finished in order`, (t) => {
    const trace = new TraceWriter();
    const saved: number[] = [];
    trace.listen((r: TraceRecord) => void (r.k === 'ckpt' && r.a === 'slow' && r.op === 'saved' && saved.push(r.id as number)));
    const summary = execute(prepareRun(loadScenario(yaml(alignment), 'barrier-backlog.yaml'), { trace }));
    t.true(summary.ok, JSON.stringify(summary.checks));
    // Barriers 2 s apart, each abandoned after 5 s, waited behind ≈ 100 s of work: once the
    // source stopped they reach the operator back to back, and each is still written.
    t.true(saved.length >= 20, `${saved.length} saved`);
    t.deepEqual(saved, [...saved].sort((a, b) => a - b));
    t.is(new Set(saved).size, saved.length);
  });
}

/**
 * The lab's session (src/lab/session.ts), under Node: the browser bundle needs no Node module, the
 * session's run is `diaspora run`'s (same trace hash), and cutting it into steps, record stops,
 * time stops and yielded slices changes no record; injected faults written into the text run as
 * the CLI runs that text.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { bundleWorker } from '../../src/lab/bundle.ts';
import { withHandFaults } from '../../src/lab/hand-faults.ts';
import { LabSession } from '../../src/lab/session.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';
import { TraceWriter } from '../../src/kernel/index.ts';
import { execute } from '../../src/exec/run.ts';

const DRILL = 'scenarios/drills/log-acks1-leader-crash.yaml';
const text = readFileSync(DRILL, 'utf8');

function cliHash(source: string, seed?: number): string {
  const scenario = loadScenario(source, DRILL);
  return execute(prepareRun(scenario, { trace: new TraceWriter(), ...(seed === undefined ? {} : { seed }) })).traceHash;
}

/** The drill as written, run as the CLI runs it: computed once for the two tests that compare with it (a run costs seconds). */
let drillHash: string | undefined;
const cliDrillHash = () => (drillHash ??= cliHash(text));

test('the worker bundle builds for the browser with no Node module left in it', async (t) => {
  const code = await bundleWorker();
  t.true(code.length > 100_000, 'the bundle holds the simulator');
  t.notRegex(code, /["']node:[a-z_/]+["']/, 'no node: import remains');
  // hdr-histogram-js probes `eval('require("zlib")')` inside a try and falls back to pako: not a module the bundle loads.
  t.notRegex(code, /__require\(["']/, "no require of a module left outside the bundle");
});

test("a session's run has the CLI's trace hash, however it is cut into steps", (t) => {
  const straight = new LabSession({ text, file: DRILL, version: 'test' });
  t.is(straight.advance({ until: 'end' }), 'ended');
  const expected = cliDrillHash();
  t.is(straight.summary()!.traceHash, expected);

  const stepped = new LabSession({ text, file: DRILL, version: 'test' });
  for (let i = 0; i < 50; i++) t.is(stepped.advance({ until: 'events', count: 1 }), 'stopped');
  t.is(stepped.status().events, 50);
  t.is(stepped.advance({ until: 'record', kinds: ['fault'] }), 'stopped');
  t.is(stepped.status().last?.k, 'fault');
  t.is(stepped.advance({ until: 'time', us: 11_000_000 }), 'stopped');
  t.is(stepped.status().nowUs, 11_000_000);
  let calls = 0;
  while (stepped.advance({ until: 'end' }, () => ++calls % 3 === 0) === 'yielded');
  t.true(calls > 3, 'the run yielded');
  t.is(stepped.summary()!.traceHash, expected);
  t.is(stepped.status().records, straight.status().records);
  t.deepEqual(stepped.encoder.payload(), straight.encoder.payload(), 'the same records, in the same order');
});

test('faults injected by hand reproduce in the CLI, and a seed override too', (t) => {
  const edited = withHandFaults(text, [
    { kind: 'node-crash', target: 'hpc-2', atUs: 7_000_001 },
    { kind: 'partition', from: ['hpc-1'], to: ['hpc-3'], atUs: 6_500_000, forUs: 1_000_000 },
  ]);
  t.regex(edited, /- \{ kind: node-crash, target: hpc-2, at: 7s1us \} # injected by hand in the lab/);
  const session = new LabSession({ text: edited, file: DRILL, version: 'test', seed: 3 });
  session.advance({ until: 'end' });
  t.is(session.summary()!.traceHash, cliHash(edited, 3));
  t.not(session.summary()!.traceHash, cliHash(text, 3));
});

test('operators, Raft nodes and store nodes describe their state too', (t) => {
  const shown = (file: string, us: number) => {
    const session = new LabSession({ text: readFileSync(file, 'utf8'), file, version: 'test' });
    session.advance({ until: 'time', us });
    return session.actors().map((a) => session.inspect(a.id).state).filter((s) => s !== undefined) as Array<Record<string, unknown>>;
  };
  t.true(shown('scenarios/drills/domino-stream-replay.yaml', 15_000_000).some((s) => 'lastCheckpoint' in s && 'inputPositions' in s));
  t.true(shown('scenarios/beamline-store.yaml', 5_000_000).some((s) => 'logLength' in s));
  t.true(shown('scenarios/drills/raft-leader-crash.yaml', 3_000_000).some((s) => s.role === 'leader' && typeof s.currentTerm === 'number' && Array.isArray(s.logTail)));
});

test('inspecting an actor lists its pending timers and changes nothing', (t) => {
  const session = new LabSession({ text, file: DRILL, version: 'test' });
  session.advance({ until: 'time', us: 5_000_000 });
  const view = session.inspect('stream-broker-1');
  t.true(view.up);
  t.is(view.node, 'hpc-1');
  t.true(view.pending.some((p) => p.kind === 'timer'));
  const broker = view.state as { partitions: Array<{ partition: string; role: string; logEnd: number; highWatermark: number; isr: string[]; leaderEpoch: number }> };
  t.is(broker.partitions.length, 1);
  t.like(broker.partitions[0], { partition: 'projections-0', role: 'leader' });
  t.true(broker.partitions[0]!.highWatermark <= broker.partitions[0]!.logEnd);
  t.deepEqual([...broker.partitions[0]!.isr].sort(), ['stream-broker-1', 'stream-broker-2', 'stream-broker-3']);
  session.advance({ until: 'end' });
  t.is(session.summary()!.traceHash, cliDrillHash());
});

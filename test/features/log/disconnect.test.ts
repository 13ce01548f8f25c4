/**
 * A broker's process dies while its node stays up: its host closes the clients' connections, and
 * Kafka's clients react at once — the producer fails its requests in flight with a NetworkException
 * and retries, the consumer fetches elsewhere — instead of waiting request.timeout.ms (30 s here,
 * Kafka's default). When the whole node dies, nothing answers: the producer waits out its timeout,
 * as before. (kernel/contract/disconnect.ts; log/actors/connection-states.ts.)
 */
import test from 'ava';
import { executeParallel, PartitionPool } from '../../../src/exec/parallel/index.ts';
import { execute } from '../../../src/exec/run.ts';
import { scenarioRecipe, scenarioWorld } from '../../../src/exec/scenario-recipe.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const CRASH_US = 5 * SECOND;

const SCENARIO = `
name: broker-process-crash
seed: 1
duration: 50s
quiesce: 3m
sites:
  lab: { role: instrument, nodes: 1 }
  dc: { role: hpc, nodes: [k1, k2, k3, kc, c1] }
links:
  - { between: [lab, dc], latency: 1ms }
services:
  kafka:
    kind: log
    nodes: [k1, k2, k3]
    controller: kc
    replication.factor: 3
    min.insync.replicas: 2
    topics:
      t: { partitions: 1 }
workload:
  app: { node: lab-1, service: kafka, topic: t, rate: 100/s, size: 1KiB, acks: all }
consumers:
  reader: { node: c1, service: kafka, topic: t }
faults:
  - { kind: process-crash, target: [kafka-broker-1], at: 5s, for: 40s }
checks: [no-acked-loss, nonmonotonic, skip]
`;

function run(sets: string[] = [], scenario = SCENARIO) {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'client' || r.k === 'conn' || (r.k === 'log' && (r.op === 'elect' || r.op === 'controller-halted'))) records.push(r);
  });
  const summary = execute(prepareRun(loadScenario(scenario, 'broker-process-crash.yaml', sets), { trace }));
  const after = (pred: (r: TraceRecord) => boolean) => records.find((r) => r.t >= CRASH_US && pred(r));
  return { summary, records, after };
}

/** The scenario as written, run once for the two tests that read it (a run is deterministic). */
let asWritten: ReturnType<typeof run> | undefined;
const runAsWritten = () => (asWritten ??= run());

test('a leader broker\'s process crash: the producer hears the connection close within a round trip and moves on, not after request.timeout.ms', (t) => {
  const { summary, after } = runAsWritten();
  t.true(summary.ok, JSON.stringify(Object.entries(summary.checks).filter(([, v]) => !v.ok).map(([n]) => n)));
  const closed = after((r) => r.k === 'conn' && r.a === 'app');
  t.like(closed, { peer: 'kafka-broker-1', cause: 'closed' });
  t.true(closed!.t - CRASH_US <= 2_000, `heard at ${closed!.t}`);
  // Its next request goes out after reconnect.backoff.ms (50 ms) and is refused within a round trip.
  const refused = after((r) => r.k === 'conn' && r.a === 'app' && r.cause === 'refused');
  t.true(refused!.t - CRASH_US <= 60_000, `refused at ${refused!.t}`);
  // Acknowledgements resume once the controller has moved the leadership, long before 30 s.
  const ack = after((r) => r.k === 'client' && r.a === 'app' && r.op === 'ack');
  t.true(ack!.t - CRASH_US < 15 * SECOND, `first ack after the crash at ${ack!.t}`);
  // The consumer's fetch parked at the dead leader fails too; it reads from the new leader.
  t.like(after((r) => r.k === 'conn' && r.a === 'reader'), { peer: 'kafka-broker-1' });
  t.true(after((r) => r.k === 'client' && r.a === 'reader' && r.op === 'consume')!.t - CRASH_US < 15 * SECOND);
});

test('the leader\'s whole node crashes: nothing answers, and the producer waits out request.timeout.ms as before', (t) => {
  const { summary, records, after } = run(['faults[0].kind=node-crash', 'faults[0].target=k1']);
  t.true(summary.ok);
  t.deepEqual(records.filter((r) => r.k === 'conn' && r.peer === 'kafka-broker-1'), []);
  const retry = after((r) => r.k === 'client' && r.a === 'app' && r.op === 'retry');
  t.like(retry, { error: 'request-timed-out' });
  t.true(retry!.t - CRASH_US >= 29 * SECOND, `retried at ${retry!.t}`);
});

/** The producer's refused attempts on the dead leader after the crash: times, and the gaps between them. */
function refusals(records: TraceRecord[]) {
  const at = records.filter((r) => r.k === 'conn' && r.a === 'app' && r.peer === 'kafka-broker-1' && r.cause === 'refused').map((r) => r.t);
  return { at, gaps: at.slice(1).map((t, i) => t - at[i]!) };
}

/** Each gap is at least the reconnect backoff of its attempt — 50 ms doubling to 1 s, less its 20 % spread. */
function backoffKept(gaps: number[]): boolean {
  return gaps.every((gap, i) => gap >= 0.8 * Math.min(50_000 * 2 ** (i + 1), SECOND));
}

test('a refusing host is retried every reconnect.backoff.max.ms (1 s ±20 %) while the producer\'s metadata names it leader: until the fence by default, the whole 40 s down with the controller down too', (t) => {
  // Default: the controller fences kafka-broker-1 after its session timeout and elects another
  // leader; once the producer's metadata says so, it stops knocking on the dead host.
  const fenced = runAsWritten();
  const elect = fenced.after((r) => r.k === 'log' && r.op === 'elect')!;
  const quick = refusals(fenced.records);
  t.true(backoffKept(quick.gaps), `gaps ${quick.gaps.join(' ')}`);
  t.true(quick.at.length >= 8, `${quick.at.length} refusals`);
  t.true(quick.at.at(-1)! < elect.t + 2 * SECOND, `last refusal at ${quick.at.at(-1)}, election at ${elect.t}`);
  // The break: with the controller's node down as well, nothing fences the dead leader, so the
  // producer is refused about once a second for as long as the process stays down (5 s to 45 s).
  const withController = SCENARIO.replace('checks:', '  - { kind: node-crash, target: kc, at: 4s, for: 45s }\nchecks:');
  const unfenced = run([], withController);
  t.is(unfenced.records.find((r) => r.k === 'log' && r.op === 'elect' && r.t > 0 && r.t < 45 * SECOND), undefined);
  const knocks = refusals(unfenced.records);
  t.true(backoffKept(knocks.gaps), `gaps ${knocks.gaps.join(' ')}`);
  const steady = knocks.gaps.slice(6);
  t.true(steady.every((gap) => gap >= 0.8 * SECOND && gap <= 1.2 * SECOND + 10_000), `steady gaps ${steady.join(' ')}`);
  t.true(knocks.at.at(-1)! > 44 * SECOND, `last refusal at ${knocks.at.at(-1)}`);
  t.true(knocks.at.length >= 35, `${knocks.at.length} refusals`);
});

test('the controller\'s disk is full: it halts at its first decision after the crash rather than act on one it could forget — no leader is elected again, acknowledgements stop and the final read never completes', (t) => {
  // metadata-log.ts / controller.ts: an append refused by a full disk halts the controller until it
  // is restarted (it is not here); the disk has room again at 34 s, which changes nothing.
  const { summary, records } = run([], SCENARIO.replace('checks:', '  - { kind: disk-full, target: kc, at: 4s, for: 30s }\nchecks:'));
  const halted = records.filter((r) => r.op === 'controller-halted');
  t.is(halted.length, 1);
  t.like(halted[0], { a: 'kafka-controller', reason: 'disk full' });
  t.true(halted[0]!.t >= CRASH_US && halted[0]!.t < CRASH_US + SECOND, `halted at ${halted[0]!.t}`);
  t.deepEqual(records.filter((r) => r.op === 'elect' && r.t > 0), [], 'no election after the topic\'s first');
  const acks = records.filter((r) => r.k === 'client' && r.a === 'app' && r.op === 'ack');
  t.true(acks.every((r) => r.t < CRASH_US + SECOND), `last ack at ${acks.at(-1)!.t}`);
  const loss = summary.checks['no-acked-loss']!;
  t.deepEqual(loss.violations.map((v) => v.anomaly), ['no-final-read']);
  t.is(loss.stats.acked, 500, 'the 5 s before the crash, at 100 events/s');
});

test('the same crash with its clients, brokers and consumer on three sites gives the single-thread summary for 1, 2 and 4 workers (notices crossing threads)', async (t) => {
  const split = SCENARIO.replace('dc: { role: hpc, nodes: [k1, k2, k3, kc, c1] }', 'dc: { role: hpc, nodes: [k1, k2, k3, kc] }\n  ops: { role: facility, nodes: [c1] }').replace(
    'links:\n  - { between: [lab, dc], latency: 1ms }',
    'links:\n  - { between: [lab, dc], latency: 1ms }\n  - { between: [ops, dc], latency: 2ms }\n  - { between: [lab, ops], latency: 3ms }',
  );
  const scenario = loadScenario(split, 'split.yaml');
  const endUs = 8 * SECOND;
  const single = execute(await scenarioWorld({ scenario, seed: scenario.seed, endUs }, new TraceWriter()));
  const pool = new PartitionPool();
  try {
    for (const workers of [1, 2, 4]) {
      const { summary } = await executeParallel(scenarioRecipe(scenario, scenario.seed, endUs), { workers, pool });
      t.deepEqual({ ...summary, wallTimeMs: 0 }, { ...single, wallTimeMs: 0 }, `${workers} workers`);
    }
  } finally {
    await pool.close();
  }
});

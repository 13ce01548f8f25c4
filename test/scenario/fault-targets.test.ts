/**
 * Faults and the nemesis name what a user thinks in: a service (its brokers and controller) or a
 * pipeline operator (its instances) expands to its processes, in schedules and in the nemesis
 * alike, and so may any one of those processes by its actor name.
 */
import test from 'ava';
import { TraceWriter, type TraceRecord } from '../../src/kernel/index.ts';
import { execute } from '../../src/exec/run.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';

const BASE = `
name: targets
duration: 20s
quiesce: 20s
sites:
  hpc: { role: hpc, nodes: 4 }
services:
  stream: { kind: log, nodes: [hpc-1, hpc-2, hpc-3], controller: hpc-4, replication.factor: 3, flush: every-write, topics: { items: { partitions: 2 } } }
pipeline:
  operators:
    input: { kind: source, node: hpc-1, rate: 20/s, to: items }
    compute: { kind: map, nodes: [hpc-2, hpc-3], parallelism: 2, from: items, service: 5ms, to: results }
  streams:
    items: { log: stream }
checkpoint: { strategy: stream-replay, interval: 2s }
`;

function run(extra: string): TraceRecord[] {
  const scenario = loadScenario(`${BASE}${extra}`, 'targets.yaml');
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((record) => {
    if (record.k === 'crash' || record.k === 'fault') records.push(record);
  });
  execute(prepareRun(scenario, { trace }));
  return records;
}

const crashedAt = (records: readonly TraceRecord[], t: number) => records.filter((r) => r.k === 'crash' && r.t === t).map((r) => r.a).sort();

test('a schedule names an operator: its instances crash', (t) => {
  const records = run('faults:\n  - { kind: process-crash, target: [compute], at: 5s, for: 1s }\n');
  t.deepEqual(crashedAt(records, 5_000_000), ['compute-1', 'compute-2']);
});

test('a schedule names a log service: its brokers and controller crash; or one broker by its actor name', (t) => {
  t.deepEqual(crashedAt(run('faults:\n  - { kind: process-crash, target: [stream], at: 5s, for: 1s }\n'), 5_000_000), ['stream-broker-1', 'stream-broker-2', 'stream-broker-3', 'stream-controller']);
  t.deepEqual(crashedAt(run('faults:\n  - { kind: process-crash, target: stream-broker-2, at: 5s, for: 1s }\n'), 5_000_000), ['stream-broker-2']);
});

test('the nemesis takes actor, operator and service names; each process fails on its own', (t) => {
  const records = run('nemesis:\n  quiet: 1s\n  faults:\n    - { kind: process-crash, targets: [compute, stream-broker-1], mtbf: 3s, repair: 500ms }\n');
  const crashed = new Set(records.filter((r) => r.k === 'crash').map((r) => r.a));
  t.deepEqual([...crashed].sort(), ['compute-1', 'compute-2', 'stream-broker-1']);
  // Units are processes: no two crash at the same instant by construction.
  const starts = records.filter((r) => r.k === 'fault' && r.phase === 'start');
  t.true(starts.every((r) => (r.actors as string[]).length === 1), JSON.stringify(starts.map((r) => r.actors)));
});

test('a name that is none of these is still refused, with the near names', (t) => {
  const error = t.throws(() => loadScenario(`${BASE}faults:\n  - { kind: process-crash, target: [compte], at: 5s, for: 1s }\n`, 'targets.yaml'));
  t.regex(error!.message, /unknown site, node, service.*"compte".*did you mean "compute"/s);
});

test('a schedule takes the nemesis spelling `targets` too (a list, or one name), meaning what `target` means', (t) => {
  const faults = (key: string) =>
    loadScenario(
      `${BASE}faults:\n` +
        `  - { kind: process-crash, ${key}: [compute, stream-broker-1], at: 5s, for: 1s }\n` +
        `  - { kind: disk-full, ${key}: hpc-2, at: 6s, for: 1s }\n` +
        `  - { kind: node-crash, ${key}: ${key === 'targets' ? '[hpc-4]' : 'hpc-4'}, at: 7s, for: 1s }\n`,
      'targets.yaml',
    ).faults;
  const written = faults('target');
  t.is(written.length, 3);
  t.deepEqual(faults('targets'), written);
  t.deepEqual(crashedAt(run('faults:\n  - { kind: process-crash, targets: [compute], at: 5s, for: 1s }\n'), 5_000_000), ['compute-1', 'compute-2']);
});

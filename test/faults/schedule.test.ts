/**
 * Fault schedules in scenario files: every kind parses, resolves to the fault the injector runs,
 * is written back by `writtenFault` as an entry that resolves to the same fault, and runs with a
 * start and an end record (or one instant record) at the scheduled times.
 */
import test from 'ava';
import { stringify } from 'yaml';
import { FAULT_KINDS } from '../../src/faults/index.ts';
import { MS, SECOND, TraceWriter } from '../../src/kernel/index.ts';
import { execute } from '../../src/exec/run.ts';
import { loadScenario, prepareRun, writtenFault } from '../../src/scenario/index.ts';

const TOPOLOGY = `
name: every-fault
duration: 30s
quiesce: 10s
sites:
  edge: { role: edge, nodes: 2 }
  hpc: { role: hpc, nodes: 3 }
links:
  - { between: [edge, hpc], latency: 1ms }
services:
  store: { kind: event-store, node: hpc-1, flush: every-write }
workload:
  detector: { node: edge-1, service: store, rate: 20/s, size: 4KiB }
checks: [no-acked-loss, liveness]
`;

const EVERY_KIND = `
faults:
  - { kind: process-crash, target: detector, at: 1s, for: 500ms }
  - { kind: node-crash, target: hpc-2, at: 1s, for: 2s }
  - { kind: node-crash, target: hpc-3, at: 25s, restart: false }
  - { kind: power-loss, role: hpc, at: 2s, for: 1s }
  - { kind: torn-write, target: [hpc-1], at: 4s, for: 1s }
  - { kind: lose-unsynced, target: store, at: 6s }
  - { kind: disk-full, target: hpc, at: 7s, for: 1s }
  - { kind: slow-disk, target: hpc-1, factor: 10, at: 8s, for: 1s }
  - { kind: slow-node, target: [hpc-1, edge-2], factor: 2.5, at: 8s, for: 1s }
  - { kind: clock-skew, target: edge, offset: -1s500ms, at: 9s }
  - { kind: partition, from: [edge], to: [hpc-1], direction: one-way, at: 10s, for: 1s }
  - { kind: partition, among: [edge, hpc], shape: bridge, at: 12s, for: 1s }
  - { kind: heal, at: 12s500ms }
  - { kind: link-flap, between: [edge, hpc], down: 100ms, up: 200ms, at: 14s, for: 1s }
  - { kind: latency-spike, between: [hpc, edge], extra: 20ms, at: 16s, for: 1s }
  - { kind: jitter, between: [edge, hpc], jitter: 5ms, at: 17s, for: 1s }
  - { kind: bandwidth-drop, between: [edge, hpc], bandwidth: 100Mbps, at: 18s, for: 1s }
  - { kind: packet-loss, between: [edge, hpc], loss: 10%, at: 19s, for: 1s }
  - { kind: duplicate, between: [edge, hpc], probability: 0.5, at: 20s, for: 1s }
  - { kind: reorder, between: [edge, hpc], probability: 50%, at: 21s, for: 1s }
`;

test('the schedule above names every fault kind (so this file tests them all)', (t) => {
  t.deepEqual([...new Set([...EVERY_KIND.matchAll(/kind: ([a-z-]+)/g)].map((m) => m[1]))].sort(), [...FAULT_KINDS].sort());
});

test('every kind resolves to integers and names: roles to sites, groups to node sides, defaults filled', (t) => {
  const faults = loadScenario(TOPOLOGY + EVERY_KIND, 'every.yaml').faults;
  t.deepEqual(faults[2], { kind: 'node-crash', target: 'hpc-3', atUs: 25 * SECOND, restart: false });
  t.deepEqual(faults[3], { kind: 'power-loss', targets: ['hpc'], atUs: 2 * SECOND, forUs: SECOND, endUs: 3 * SECOND });
  t.deepEqual(faults[5], { kind: 'lose-unsynced', targets: ['store'], atUs: 6 * SECOND, endUs: 6 * SECOND });
  t.deepEqual(faults[9], { kind: 'clock-skew', targets: ['edge'], offsetUs: -1_500 * MS, atUs: 9 * SECOND, endUs: 30 * SECOND });
  t.deepEqual(faults[11], {
    kind: 'partition',
    from: ['edge-1', 'edge-2'],
    to: ['hpc-2', 'hpc-3'],
    fromNodes: ['edge-1', 'edge-2'],
    toNodes: ['hpc-2', 'hpc-3'],
    direction: 'both',
    shape: 'bridge',
    atUs: 12 * SECOND,
    forUs: SECOND,
    endUs: 13 * SECOND,
  });
  t.deepEqual(faults[13], { kind: 'link-flap', between: ['edge', 'hpc'], downUs: 100 * MS, upUs: 200 * MS, atUs: 14 * SECOND, forUs: SECOND, endUs: 15 * SECOND });
  t.deepEqual(faults[16], { kind: 'bandwidth-drop', between: ['edge', 'hpc'], bandwidthBytesPerSec: 12_500_000, atUs: 18 * SECOND, forUs: SECOND, endUs: 19 * SECOND });
  t.deepEqual(faults[19], { kind: 'reorder', between: ['edge', 'hpc'], probability: 0.5, delayUs: 10 * MS, atUs: 21 * SECOND, forUs: SECOND, endUs: 22 * SECOND });
});

test('writtenFault is the inverse of resolution for every kind (a partition keeps its sides, not its shape)', (t) => {
  const faults = loadScenario(TOPOLOGY + EVERY_KIND, 'every.yaml').faults;
  const rewritten = stringify({ faults: faults.map(writtenFault) });
  const withoutShape = faults.map((f) => (f.kind === 'partition' ? (({ shape: _shape, ...rest }) => rest)(f) : f));
  t.deepEqual(loadScenario(TOPOLOGY + rewritten, 'rewritten.yaml').faults, withoutShape);
});

test('a schedule with every kind runs: each fault starts and ends (or happens once) at its scheduled time', (t) => {
  const scenario = loadScenario(TOPOLOGY + EVERY_KIND, 'every.yaml');
  const trace = new TraceWriter();
  const records: [number, string, string][] = [];
  trace.listen((r) => {
    if (r.k === 'fault') records.push([r.t, String(r.fault), String(r.phase)]);
  });
  const summary = execute(prepareRun(scenario, { trace }));
  t.is(summary.faults.length, 20);
  for (const fault of summary.faults) {
    const own = records.filter(([, id]) => id === fault.id);
    if (fault.kind === 'lose-unsynced' || fault.kind === 'heal') t.deepEqual(own, [[fault.atUs, fault.id, 'instant']]);
    else if (fault.endUs === undefined) t.deepEqual(own, [[fault.atUs, fault.id, 'start']]);
    else if (fault.id === 'partition-12') t.deepEqual(own, [[fault.atUs, fault.id, 'start'], [12_500 * MS, fault.id, 'end']], 'healed early');
    else t.deepEqual(own, [[fault.atUs, fault.id, 'start'], [fault.endUs, fault.id, 'end']], fault.id);
  }
});

/**
 * Exactly-once under a nemesis: a small beamline pipeline under random node crashes, partitions,
 * packet loss and slow disks (process crashes are in test/apps), for every strategy that promises
 * exactly-once. Each must end in the fault-free state with every global cut consistent; the
 * at-least-once mode is held to neither.
 */
import test from 'ava';
import { TraceWriter } from '../../src/kernel/index.ts';
import { execute } from '../../src/exec/run.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';

const SCENARIO = `
name: nemesis-pipeline
duration: 40s
quiesce: 60s
sites:
  beamline: { role: instrument, nodes: 2 }
  hpc: { role: hpc, nodes: 4 }
  storage: { role: hpc, nodes: 1, disk: { kind: pfs } }
links:
  - { between: [beamline, hpc], latency: 1ms, bandwidth: 10Gbps }
  - { between: [beamline, storage], latency: 1ms }
  - { between: [hpc, storage], latency: 50us }
pipeline:
  operators:
    detector: { kind: source, node: beamline-1, rate: 10/s, size: 1MiB, service: 2ms, to: frames }
    distribute: { kind: split, node: beamline-2, from: frames, fanout: 2, service: 10ms, to: chunks }
    recon: { kind: window, nodes: [hpc-1, hpc-2], parallelism: 2, from: chunks, window: 40, emit-every: 10, service: 30ms, state: 256MiB, to: slabs }
    denoise: { kind: map, node: hpc-3, from: slabs, service: 20ms, to: volumes }
  streams:
    frames: { node: beamline-1 }
checkpoint:
  interval: 3s
  tier: site-pfs
  node-local: memory
  flush-to: site-pfs
  flush-every: 2
  coordinator: { node: hpc-4 }
  tiers: { site-pfs: { node: storage-1 } }
nemesis:
  quiet: 3s
  max-concurrent: 2
  faults:
    - { kind: node-crash, targets: [hpc-1, hpc-2, hpc-3, beamline-2], mtbf: 12s, repair: 2s }
    - { kind: partition, among: [beamline, hpc], shape: halves, mtbf: 15s, repair: 2s }
    - { kind: packet-loss, between: [beamline, hpc], loss: 10%, mtbf: 10s, repair: 3s }
    - { kind: slow-disk, targets: [storage], factor: 10, mtbf: 15s, repair: 4s }
checks: [state-equals-reference, consistent-cuts]
`;

const STRATEGIES = [
  ['none'],
  ['coordinated'],
  ['barrier-snapshot', 'checkpoint.alignment=aligned'],
  ['barrier-snapshot', 'checkpoint.alignment=unaligned'],
  ['uncoordinated'],
  ['stream-replay'],
  ['multilevel'],
];

for (const [strategy, ...sets] of STRATEGIES) {
  test(`${[strategy, ...sets].join(' ')}: exactly-once under a nemesis`, (t) => {
    for (const seed of [1, 2]) {
      const scenario = loadScenario(SCENARIO, 'nemesis-pipeline.yaml', [`checkpoint.strategy=${strategy}`, ...sets, `seed=${seed}`]);
      const summary = execute(prepareRun(scenario, { trace: new TraceWriter() }));
      t.true(summary.ok, `seed ${seed}: ${JSON.stringify(summary.checks)}`);
      t.true(summary.faults.length >= 5, `seed ${seed}: only ${summary.faults.length} faults`);
      t.true((summary.metrics.recovery as { failures: number }).failures >= 2, `seed ${seed}: the nemesis crashed little`);
    }
  });
}

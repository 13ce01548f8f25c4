/** Scenario texts shared by the scenario tests. */

/** The scenario of the schema's documentation, every field written out. */
export const FULL = `name: beamline-store
description: "Detector frames to an HPC event store"
seed: 1
duration: 60s
quiesce: 10s
sites:
  beamline:
    role: instrument
    nodes: 2
    lan: { latency: 50us, bandwidth: 10Gbps, jitter: 0us }
    disk:
      kind: nvme
      latency: 20us
      bandwidth: 2GB/s
  hpc:
    role: hpc
    nodes: [hpc-1, hpc-2]
links:
  - between: [beamline, hpc]
    latency: 2ms
    jitter: 0us
    bandwidth: 10Gbps
    loss: 0
services:
  store:
    kind: event-store
    node: hpc-1
    flush: every-write
workload:
  detector:
    node: beamline-1
    service: store
    rate: 10/s
    size: 8MiB
    timeout: 1s
    retries: 3
faults:
  - kind: node-crash
    target: hpc-1
    at: 20s
    for: 5s
  - kind: partition
    from: [beamline]
    to: [hpc]
    direction: both
    at: 30s
    for: 10s
checks: [no-acked-loss]
`;

/** The least a scenario may say; everything else takes its default. */
export const MINIMAL = `name: tiny
duration: 1m
sites:
  edge: {}
`;

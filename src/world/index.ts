/**
 * The simulated world: sites, nodes, links, partitions, disks, and node and process crashes.
 */
export * from './world.ts';
export { Network, LOOPBACK_LATENCY_US, type LinkParams, type PartitionRule } from './network.ts';
export type { DiskParams, NodeDisk } from './disk.ts';

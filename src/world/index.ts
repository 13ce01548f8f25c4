/**
 * The simulated world: sites, nodes, links, partitions, disks, and node and process crashes.
 */
// Not `simulatorOf`: the executors and tests that drive a world's simulator import it from world.ts.
export { World, DEFAULT_DISK, DEFAULT_LAN, type RunResult, type SiteInfo, type SiteOptions, type SiteRole, type WorldOptions } from './world.ts';
export { Network, LOOPBACK_LATENCY_US, SOCKET_BUFFER_BYTES, type LinkParams, type PartitionRule } from './network.ts';
export type { DiskParams, NodeDisk } from './disk.ts';

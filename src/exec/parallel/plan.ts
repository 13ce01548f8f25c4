/**
 * Placing a world's actors into partitions, one worker thread each, and finding the lookahead.
 *
 * Units of placement are sites (the default), single nodes, or explicit groups of sites and nodes.
 * Units are packed into at most `workers` partitions, largest (by actor count) first onto the least
 * loaded partition, ties to the lower partition index, so a plan is a pure function of the world.
 *
 * The lookahead is the smallest latency of any link whose two ends lie in different partitions: a
 * message sent at `t` cannot arrive before `t + lookahead`, so the partitions can each run a
 * window `[T, T + lookahead)` alone. The plan does not affect the run's results, only its speed.
 *
 * How it fails (a `PartitionPlanError`, an `InputError` the CLI prefixes with the flags that asked
 * for the plan, before any thread starts): a link between partitions with zero latency (there
 * would be no lookahead), a site split over partitions while it has a WAN link (its outgoing WAN
 * channel is one FIFO queue shared by all its nodes, so one thread must own it), a group naming
 * something that is not a site or node, or a node placed twice or not at all.
 */
import { InputError, type Micros } from '../../kernel/index.ts';
import type { World } from '../../world/index.ts';

/** How actors are grouped: by site, by node, or in explicit groups of site and node names. */
export type PartitionBy = 'site' | 'node' | { groups: readonly (readonly string[])[] };

export interface PartitionInfo {
  sites: string[];
  nodes: string[];
  actors: number;
}

export interface PartitionPlan {
  /** Partition of every actor, by actor index; -1 for index 0, the world (it runs everywhere). */
  partitionOf: number[];
  partitions: PartitionInfo[];
  /** Window length, µs; Infinity when no link crosses partitions (one window is the whole run). */
  lookaheadUs: Micros;
  /** The link that sets the lookahead, e.g. `beamline↔hpc`, for reports. */
  limitingLink?: string;
}

export interface PlanOptions {
  /** Worker threads wanted; fewer partitions are made when there are fewer units. */
  workers: number;
  by?: PartitionBy;
}

/** A problem of the partitioning asked for (the CLI names its flags), not of the scenario. */
export class PartitionPlanError extends InputError {}

interface Unit {
  nodes: string[];
  actors: number;
}

export function planPartitions(world: World, options: PlanOptions): PartitionPlan {
  if (!(Number.isInteger(options.workers) && options.workers >= 1)) throw new PartitionPlanError(`workers: expected a whole number of at least 1, got ${options.workers}`);
  const by = options.by ?? 'site';
  const units = placementUnits(world, by);
  const count = typeof by === 'object' ? units.length : Math.min(options.workers, units.length);
  const partitionOfNode = packUnits(units, count);
  const partitions = describe(world, partitionOfNode, count);
  rejectSplitWanSites(world, partitionOfNode);
  const { lookaheadUs, limitingLink } = lookahead(world, partitionOfNode);
  // The deployment's order is the actors' kernel index (1, 2, …); index 0 is the world.
  const partitionOf = [-1, ...world.deployment.actors().map((a) => partitionOfNode.get(a.node)!)];
  return { partitionOf, partitions, lookaheadUs, limitingLink };
}

function placementUnits(world: World, by: PartitionBy): Unit[] {
  const weigh = (nodes: string[]): Unit => ({ nodes, actors: nodes.reduce((n, node) => n + world.deployment.on(node).length, 0) });
  if (by === 'site') return world.siteList().map((site) => weigh([...site.nodes]));
  if (by === 'node') return world.nodeNames().map((node) => weigh([node]));
  const seen = new Map<string, number>();
  const units = by.groups.map((group, g) => {
    const nodes = [...expandGroup(world, group, g)];
    for (const node of nodes) {
      if (seen.has(node)) throw new PartitionPlanError(`partition groups ${seen.get(node)! + 1} and ${g + 1} both contain node ${node}`);
      seen.set(node, g);
    }
    return weigh(nodes);
  });
  const missing = world.nodeNames().filter((node) => !seen.has(node));
  if (missing.length > 0) throw new PartitionPlanError(`partition groups leave out node${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; every node needs a partition`);
  return units;
}

function expandGroup(world: World, group: readonly string[], index: number): Set<string> {
  const known = new Set([...world.siteList().map((s) => s.id), ...world.nodeNames()]);
  const unknown = group.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new PartitionPlanError(`partition group ${index + 1}: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} neither a site nor a node`);
  return world.expandNodes(group);
}

/** Longest-processing-time packing: deterministic, and within 4/3 of the best balance. */
function packUnits(units: Unit[], count: number): Map<string, number> {
  const order = units.map((unit, i) => ({ unit, i })).sort((a, b) => b.unit.actors - a.unit.actors || a.i - b.i);
  const load = new Array<number>(count).fill(0);
  const partitionOfNode = new Map<string, number>();
  for (const { unit, i } of order) {
    // Explicit groups keep their own order; packed units go to the least loaded partition.
    let target = units.length === count ? i : 0;
    if (units.length !== count) for (let p = 1; p < count; p++) if (load[p] < load[target]) target = p;
    load[target] += unit.actors;
    for (const node of unit.nodes) partitionOfNode.set(node, target);
  }
  return partitionOfNode;
}

function describe(world: World, partitionOfNode: Map<string, number>, count: number): PartitionInfo[] {
  const partitions = Array.from({ length: count }, (): PartitionInfo => ({ sites: [], nodes: [], actors: 0 }));
  for (const site of world.siteList()) {
    for (const node of site.nodes) {
      const p = partitions[partitionOfNode.get(node)!];
      p.nodes.push(node);
      p.actors += world.deployment.on(node).length;
      if (!p.sites.includes(site.id)) p.sites.push(site.id);
    }
  }
  return partitions;
}

function rejectSplitWanSites(world: World, partitionOfNode: Map<string, number>): void {
  const sites = world.siteList();
  for (const site of sites) {
    const parts = new Set(site.nodes.map((n) => partitionOfNode.get(n)));
    if (parts.size < 2) continue;
    const linked = sites.find((other) => other.id !== site.id && world.network.hasLink(site.id, other.id));
    if (linked !== undefined) {
      throw new PartitionPlanError(
        `site ${site.id} is split over ${parts.size} partitions but has a WAN link (to ${linked.id}): its outgoing WAN channel is one ` +
          `queue shared by all its nodes, so its nodes must run in one partition; partition by site or keep ${site.id}'s nodes together`,
      );
    }
  }
}

function lookahead(world: World, partitionOfNode: Map<string, number>): { lookaheadUs: Micros; limitingLink?: string } {
  let best: { lookaheadUs: Micros; limitingLink?: string } = { lookaheadUs: Infinity };
  const consider = (latencyUs: Micros, name: string) => {
    if (latencyUs <= 0) {
      throw new PartitionPlanError(
        `cannot run in parallel: the link ${name} joins two partitions and has zero latency, so there is no lookahead; ` +
          `place both ends in one partition (--partition-by with a group) or give the link a latency`,
      );
    }
    if (latencyUs < best.lookaheadUs) best = { lookaheadUs: latencyUs, limitingLink: name };
  };
  const sites = world.siteList();
  const partsOf = (nodes: readonly string[]) => new Set(nodes.map((n) => partitionOfNode.get(n)!));
  for (const site of sites) if (partsOf(site.nodes).size > 1) consider(world.network.lanParams(site.id).latencyUs, `${site.id} LAN`);
  for (let i = 0; i < sites.length; i++) {
    for (let j = i + 1; j < sites.length; j++) {
      const [a, b] = [sites[i], sites[j]];
      if (!world.network.hasLink(a.id, b.id)) continue;
      const parts = partsOf([...a.nodes, ...b.nodes]);
      if (parts.size > 1) consider(world.network.linkParams(a.id, b.id).latencyUs, `${a.id}↔${b.id}`);
    }
  }
  return best;
}

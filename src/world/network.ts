/**
 * The simulated network: links between nodes, and partitions.
 *
 * A message of `bytes` occupies its channel for `ceil(bytes / bandwidth)` and arrives `latency`
 * (plus a uniform jitter in `[0, jitter]`) after it finishes transmitting. Each direction of each
 * link is a FIFO channel: messages leave in the order they were sent and never overtake each other,
 * even with jitter (as over one TCP connection). Nodes of one site talk over per-pair LAN channels;
 * nodes of two sites share that pair of sites' WAN link, so a busy WAN delays everyone crossing it.
 * Two actors on one node talk over loopback (`LOOPBACK_LATENCY_US`, no bandwidth limit).
 *
 * Loss drops a message with the link's probability, drawn from a stream of the link's own, so
 * network randomness never shifts the draws of workloads or faults. A partition drops messages in
 * its direction(s) both when they are sent and when they would arrive (a message in flight when the
 * partition starts is lost, as packets on a cut cable are).
 */
import type { DropCause, Micros, Rng } from '../kernel/index.ts';
import { SECOND } from '../kernel/index.ts';

/** Loopback between actors on one node: about one kernel round trip. */
export const LOOPBACK_LATENCY_US = 5;

export interface LinkParams {
  /** One-way propagation delay, µs. */
  latencyUs: Micros;
  /** Extra delay drawn uniformly in [0, jitterUs] per message, µs. */
  jitterUs: Micros;
  /** Capacity per direction, bytes per second. */
  bandwidthBytesPerSec: number;
  /** Probability that a message is lost, in [0, 1]. */
  loss: number;
}

export interface NodeInfo {
  readonly name: string;
  readonly site: string;
}

/** One direction of one link. */
class Channel {
  /** When the channel finishes transmitting what it has already accepted. */
  busyUntil: Micros = 0;
  /** Latest arrival scheduled so far; later messages never arrive before it (FIFO). */
  lastArrival: Micros = 0;

  constructor(
    readonly params: LinkParams,
    private readonly jitterRng: Rng,
    private readonly lossRng: Rng,
  ) {}

  transmit(bytes: number, now: Micros): Micros | 'loss' {
    const { latencyUs, jitterUs, bandwidthBytesPerSec, loss } = this.params;
    const departure = Math.max(now, this.busyUntil);
    const transmitted = departure + Math.ceil((bytes * SECOND) / bandwidthBytesPerSec);
    this.busyUntil = transmitted;
    // The message used the wire even if it is then lost, as a corrupted frame does.
    if (loss > 0 && this.lossRng.chance(loss)) return 'loss';
    const jitter = jitterUs > 0 ? this.jitterRng.int(0, jitterUs) : 0;
    const arrival = Math.max(transmitted + latencyUs + jitter, this.lastArrival);
    this.lastArrival = arrival;
    return arrival;
  }
}

export interface PartitionRule {
  readonly id: string;
  /** Nodes whose messages to `to` are dropped. */
  readonly from: ReadonlySet<string>;
  readonly to: ReadonlySet<string>;
  /** Also drop messages from `to` to `from`. */
  readonly symmetric: boolean;
}

export class Network {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly lans = new Map<string, LinkParams>();
  private readonly wans = new Map<string, LinkParams>();
  private readonly channels = new Map<string, Channel>();
  private readonly partitions: PartitionRule[] = [];

  constructor(private readonly rngFor: (purpose: string) => Rng) {}

  addNode(node: NodeInfo, lan: LinkParams): void {
    if (this.nodes.has(node.name)) throw new Error(`node ${node.name} already exists`);
    this.nodes.set(node.name, node);
    if (!this.lans.has(node.site)) this.lans.set(node.site, lan);
  }

  node(name: string): NodeInfo {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no node named ${name}`);
    return node;
  }

  /** Declares the WAN link between two sites (both directions, each with these parameters). */
  addLink(siteA: string, siteB: string, params: LinkParams): void {
    if (siteA === siteB) throw new Error(`a link needs two different sites, got ${siteA} twice`);
    const key = wanKey(siteA, siteB);
    if (this.wans.has(key)) throw new Error(`sites ${siteA} and ${siteB} are already linked`);
    this.wans.set(key, params);
  }

  hasLink(siteA: string, siteB: string): boolean {
    return this.wans.has(wanKey(siteA, siteB));
  }

  /** Replaces the parameters of the WAN link between two sites from now on. */
  setLink(siteA: string, siteB: string, params: LinkParams): void {
    const key = wanKey(siteA, siteB);
    if (!this.wans.has(key)) throw new Error(`sites ${siteA} and ${siteB} are not linked`);
    this.wans.set(key, params);
    for (const direction of [`wan:${siteA}>${siteB}`, `wan:${siteB}>${siteA}`]) {
      const old = this.channels.get(direction);
      if (old === undefined) continue;
      const channel = new Channel(params, this.rngFor(`jitter:${direction}`), this.rngFor(`loss:${direction}`));
      channel.busyUntil = old.busyUntil;
      channel.lastArrival = old.lastArrival;
      this.channels.set(direction, channel);
    }
  }

  /** Arrival time of `bytes` sent now from one node to another, or why it is dropped. */
  transmit(fromNode: string, toNode: string, bytes: number, now: Micros): Micros | DropCause {
    if (fromNode === toNode) return now + LOOPBACK_LATENCY_US;
    if (this.blocked(fromNode, toNode)) return 'partition';
    return this.channel(fromNode, toNode).transmit(bytes, now);
  }

  /** Whether a partition now separates `fromNode` from `toNode` in that direction. */
  blocked(fromNode: string, toNode: string): boolean {
    for (const rule of this.partitions) {
      if (rule.from.has(fromNode) && rule.to.has(toNode)) return true;
      if (rule.symmetric && rule.from.has(toNode) && rule.to.has(fromNode)) return true;
    }
    return false;
  }

  addPartition(rule: PartitionRule): void {
    if (this.partitions.some((p) => p.id === rule.id)) throw new Error(`partition ${rule.id} is already active`);
    this.partitions.push(rule);
  }

  /** Removes a partition; returns false if it was not active. */
  heal(id: string): boolean {
    const index = this.partitions.findIndex((p) => p.id === id);
    if (index < 0) return false;
    this.partitions.splice(index, 1);
    return true;
  }

  activePartitions(): readonly PartitionRule[] {
    return this.partitions;
  }

  private channel(fromNode: string, toNode: string): Channel {
    const from = this.node(fromNode);
    const to = this.node(toNode);
    const sameSite = from.site === to.site;
    // LAN and WAN channels live in separate name spaces: a node may be named like a site.
    const direction = sameSite ? `lan:${fromNode}>${toNode}` : `wan:${from.site}>${to.site}`;
    let channel = this.channels.get(direction);
    if (channel === undefined) {
      const params = sameSite ? this.lans.get(from.site) : this.wans.get(wanKey(from.site, to.site));
      if (params === undefined) throw new Error(`no link between sites ${from.site} and ${to.site}`);
      channel = new Channel(params, this.rngFor(`jitter:${direction}`), this.rngFor(`loss:${direction}`));
      this.channels.set(direction, channel);
    }
    return channel;
  }
}

function wanKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

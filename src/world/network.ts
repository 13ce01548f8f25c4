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
 *
 * Link faults (driven by `src/faults/` through `setLink`) may also duplicate a message (a second
 * copy arrives up to one latency later) or reorder it (it is held back by up to `reorderDelayUs`
 * and lets later messages overtake it: the only way a channel stops being FIFO). Each has its own
 * stream per channel, drawn only while its probability is above zero, so a link that never
 * duplicates or reorders draws exactly what it drew before these existed.
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
  /** Probability that a message is delivered twice, in [0, 1]. Default 0. */
  duplicate?: number;
  /** Probability that a message is held back and overtaken by later ones, in [0, 1]. Default 0. */
  reorder?: number;
  /** How long a reordered message is held back at most, µs (uniform in [1, reorderDelayUs]). */
  reorderDelayUs?: Micros;
}

type ExtraStream = 'dup' | 'reorder';

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
    private readonly extraRng: (stream: ExtraStream) => Rng,
  ) {}

  transmit(bytes: number, now: Micros): Micros | Micros[] | 'loss' {
    const { latencyUs, jitterUs, bandwidthBytesPerSec, loss } = this.params;
    const departure = Math.max(now, this.busyUntil);
    const transmitted = departure + Math.ceil((bytes * SECOND) / bandwidthBytesPerSec);
    this.busyUntil = transmitted;
    // The message used the wire even if it is then lost, as a corrupted frame does.
    if (loss > 0 && this.lossRng.chance(loss)) return 'loss';
    const jitter = jitterUs > 0 ? this.jitterRng.int(0, jitterUs) : 0;
    const inOrder = Math.max(transmitted + latencyUs + jitter, this.lastArrival);
    const held = this.holdBack();
    // A held-back message does not hold back the ones behind it: that is the reordering.
    if (held === 0) this.lastArrival = inOrder;
    return this.duplicated(inOrder + held);
  }

  /** How long a message chosen to be reordered is held back (0: it is not). */
  private holdBack(): Micros {
    const p = this.params.reorder ?? 0;
    if (!(p > 0) || !this.extraRng('reorder').chance(p)) return 0;
    return this.extraRng('reorder').int(1, Math.max(1, this.params.reorderDelayUs ?? this.params.latencyUs));
  }

  /** The arrival, plus a second copy's when the message is duplicated. */
  private duplicated(arrival: Micros): Micros | Micros[] {
    const p = this.params.duplicate ?? 0;
    if (!(p > 0) || !this.extraRng('dup').chance(p)) return arrival;
    return [arrival, arrival + this.extraRng('dup').int(0, Math.max(1, this.params.latencyUs))];
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

  /** The parameters of a site's LAN (between two of its nodes). */
  lanParams(site: string): LinkParams {
    const params = this.lans.get(site);
    if (params === undefined) throw new Error(`no site named ${site}`);
    return params;
  }

  /** Replaces the parameters of the WAN link between two sites from now on. */
  setLink(siteA: string, siteB: string, params: LinkParams): void {
    const key = wanKey(siteA, siteB);
    if (!this.wans.has(key)) throw new Error(`sites ${siteA} and ${siteB} are not linked`);
    this.wans.set(key, params);
    for (const direction of [`wan:${siteA}>${siteB}`, `wan:${siteB}>${siteA}`]) {
      const old = this.channels.get(direction);
      if (old === undefined) continue;
      const channel = this.newChannel(params, direction);
      channel.busyUntil = old.busyUntil;
      channel.lastArrival = old.lastArrival;
      this.channels.set(direction, channel);
    }
  }

  /** The parameters of the WAN link between two sites now. */
  linkParams(siteA: string, siteB: string): LinkParams {
    const params = this.wans.get(wanKey(siteA, siteB));
    if (params === undefined) throw new Error(`sites ${siteA} and ${siteB} are not linked`);
    return params;
  }

  /** Arrival time(s) of `bytes` sent now from one node to another, or why it is dropped. */
  transmit(fromNode: string, toNode: string, bytes: number, now: Micros): Micros | Micros[] | DropCause {
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

  private newChannel(params: LinkParams, direction: string): Channel {
    // Streams are per channel and purpose; the world caches them, so a replaced channel continues them.
    return new Channel(params, this.rngFor(`jitter:${direction}`), this.rngFor(`loss:${direction}`), (stream) => this.rngFor(`${stream}:${direction}`));
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
      channel = this.newChannel(params, direction);
      this.channels.set(direction, channel);
    }
    return channel;
  }
}

function wanKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

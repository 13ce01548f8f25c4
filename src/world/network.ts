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
 * What it keeps does not grow with the pairs of nodes that ever talked: nodes are numbered as
 * they are added, a LAN direction is found by its two node numbers (pair-table.ts), and only while
 * its state differs from a fresh channel's — busy, or with an arrival still due past the earliest a
 * new message could arrive, or drawing from streams of its own (a LAN with jitter or loss keeps
 * those for the run). WAN directions are one object per ordered pair of linked sites.
 *
 * Link faults (driven by `src/faults/` through `setLink`) may also duplicate a message (a second
 * copy arrives up to one latency later) or reorder it (it is held back by up to `reorderDelayUs`
 * and lets later messages overtake it: the only way a channel stops being FIFO). Each has its own
 * stream per channel, drawn only while its probability is above zero, so a link that never
 * duplicates or reorders draws exactly what it drew before these existed.
 *
 * A sender's crash cuts what it had not finished transmitting. A message's bytes go on the wire
 * at an even rate from when its channel takes it (`departed`: behind what that channel had already
 * accepted) to its last byte (`transmitted`). When its sender's *node* crashes at t, a message whose
 * last byte had not left by t (transmitted > t) never arrives: its host and the TCP connection died
 * with it, and the receiver never gets a whole message. Bits already on the wire still arrive: a
 * message whose last byte left by t arrives whole, on time. When only the sender's *process* dies,
 * its host lives on and its kernel still sends what the process had written to its sockets: per
 * connection (one sender actor to one receiver), the bytes not yet on the wire at t of that
 * connection's messages, in the order sent, up to `SOCKET_BUFFER_BYTES`; the message that would
 * overflow it is cut, and every later one of that connection with it (a stream has no holes). So a
 * small message written just before a process crash arrives, and a bulk upload's rest does not. If
 * the node then goes down before such a message's last byte left, it is cut too. A cut message is
 * a `drop` at the receiver, at the time it would have arrived, cause `sender-crash` — judged there
 * (`Simulator.cut`, one compare per delivery: has the sender crashed since it sent?) and not here:
 * a crash is a world event, which every thread of a parallel run executes, and it came at least one
 * link latency before the arrival, so the receiver's thread knows it by then (a message's last byte
 * leaves before the crash or the message is cut, and it arrives a latency after its last byte).
 * A node crash gives its LAN channels back at once (`releaseNode`: every message on them was that
 * node's), for the messages sent after it. What is not modelled: arrival times are fixed at the
 * send, so a message already queued behind a cut one keeps its time instead of moving up; and a
 * WAN channel, shared by the site's nodes, or a channel a crashed process shared with others on
 * its node, is not given back — the cut message's time on the wire stays taken; a
 * duplicated message's copies count twice against the buffer; emulation (exec/emulate) leaves
 * cutting to the real network.
 *
 * Guarantee: a message arrives no earlier than its transmission plus the latency, at most once,
 * and after every message sent before it in the same direction of the same channel (FIFO); none
 * crosses a partition in force when it is sent or when it would arrive; none arrives whose sender's
 * node crashed before its last byte left, or whose sender's process did with more of its
 * connection still to send than the socket buffer holds; and the same seed gives the same arrivals.
 *
 * How it breaks: it is not reliable — loss, a partition, or two sites without a link drop a
 * message without telling its sender (the drop is only recorded), so protocols need their own
 * timeouts; a link fault with `duplicate` above zero delivers a message twice, and one with
 * `reorder` above zero lets later messages overtake it. Shown by test/world/network.test.ts
 * (timing, FIFO under jitter, loss), partition.test.ts and faults-world.test.ts (duplication,
 * reordering), sender-crash.test.ts (cuts by a node or process crash).
 */
import type { DropCause, Micros, Rng } from '../kernel/index.ts';
import { InputError, SECOND } from '../kernel/index.ts';
import { PairTable } from './pair-table.ts';

/**
 * What the host of a crashed process still sends for it, per connection, bytes: its socket's send
 * buffer, which the kernel flushes after the process dies. 4 MiB is Linux's `tcp_wmem` maximum,
 * to which autotuning grows the buffer of a connection that sends in bulk (the transfers a crash
 * can cut: a small message is on the wire at once) — so this errs towards delivering.
 */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** Loopback between actors on one node: about one kernel round trip. */
export const LOOPBACK_LATENCY_US = 5;

/**
 * `SECOND` as a literal, checked against the import when this module loads: every LAN message reads
 * it (`transmitLan`), and an imported binding is a live one, loaded through its module's cell and
 * checked for the hole at each use (as world.ts's copy of the actor rows' layout).
 */
const MICROS_PER_SECOND = 1_000_000;
if (MICROS_PER_SECOND !== SECOND) throw new Error('network.ts: SECOND changed in kernel/contract/time.ts; update its copy here');

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

export interface NodeInfo {
  readonly name: string;
  readonly site: string;
}

/** The random streams of one channel direction, each derived on its first draw (`<stream>:<direction>`). */
class ChannelStreams {
  private jitterRng: Rng | undefined;
  private lossRng: Rng | undefined;
  private dupRng: Rng | undefined;
  private reorderRng: Rng | undefined;

  constructor(
    private readonly direction: string,
    private readonly rngFor: (purpose: string) => Rng,
  ) {}

  jitter(): Rng {
    return (this.jitterRng ??= this.rngFor(`jitter:${this.direction}`));
  }

  loss(): Rng {
    return (this.lossRng ??= this.rngFor(`loss:${this.direction}`));
  }

  dup(): Rng {
    return (this.dupRng ??= this.rngFor(`dup:${this.direction}`));
  }

  reorder(): Rng {
    return (this.reorderRng ??= this.rngFor(`reorder:${this.direction}`));
  }
}

/** The two times a channel direction carries from one message to the next. */
interface ChannelTimes {
  /** When the channel finishes transmitting what it has already accepted. */
  busyUntil: Micros;
  /** Latest arrival scheduled so far; later messages never arrive before it (FIFO). */
  lastArrival: Micros;
}

/** Whether messages on a link with these parameters draw random numbers (and so need streams). */
function draws(params: LinkParams): boolean {
  return params.loss > 0 || params.jitterUs > 0 || (params.duplicate ?? 0) > 0 || (params.reorder ?? 0) > 0;
}

/** Whether a link with these parameters draws jitter and nothing else: no loss, duplication or reordering. */
function jitterOnly(params: LinkParams): boolean {
  return params.jitterUs > 0 && !(params.loss > 0) && !((params.duplicate ?? 0) > 0) && !((params.reorder ?? 0) > 0);
}

/**
 * Sends `bytes` at `now` on a channel direction: updates its times and returns the arrival(s), or
 * `loss`. `streams` must be given when the parameters draw (see `draws`).
 */
function transmitOn(times: ChannelTimes, params: LinkParams, streams: ChannelStreams | undefined, bytes: number, now: Micros): Micros | Micros[] | 'loss' {
  const { latencyUs, jitterUs, bandwidthBytesPerSec, loss } = params;
  const departure = Math.max(now, times.busyUntil);
  const transmitted = departure + Math.ceil((bytes * SECOND) / bandwidthBytesPerSec);
  times.busyUntil = transmitted;
  // The message used the wire even if it is then lost, as a corrupted frame does.
  if (loss > 0 && streams!.loss().chance(loss)) return 'loss';
  const jitter = jitterUs > 0 ? streams!.jitter().int(0, jitterUs) : 0;
  const inOrder = Math.max(transmitted + latencyUs + jitter, times.lastArrival);
  const held = holdBack(params, streams);
  // A held-back message does not hold back the ones behind it: that is the reordering.
  if (held === 0) times.lastArrival = inOrder;
  return duplicated(params, streams, inOrder + held);
}

/** How long a message chosen to be reordered is held back (0: it is not). */
function holdBack(params: LinkParams, streams: ChannelStreams | undefined): Micros {
  const p = params.reorder ?? 0;
  if (!(p > 0) || !streams!.reorder().chance(p)) return 0;
  return streams!.reorder().int(1, Math.max(1, params.reorderDelayUs ?? params.latencyUs));
}

/** The arrival, plus a second copy's when the message is duplicated. */
function duplicated(params: LinkParams, streams: ChannelStreams | undefined, arrival: Micros): Micros | Micros[] {
  const p = params.duplicate ?? 0;
  if (!(p > 0) || !streams!.dup().chance(p)) return arrival;
  return [arrival, arrival + streams!.dup().int(0, Math.max(1, params.latencyUs))];
}

/** One direction of a WAN link (few: one per ordered pair of linked sites). */
class WanChannel implements ChannelTimes {
  busyUntil: Micros = 0;
  lastArrival: Micros = 0;

  constructor(
    public params: LinkParams,
    readonly streams: ChannelStreams,
  ) {}
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
  /** Node name → its index (the order added), so that a channel is found by two integers. */
  private readonly nodeIndex = new Map<string, number>();
  /** Node index → its site's index. */
  private readonly nodeSite: number[] = [];
  private readonly nodeNames: string[] = [];
  private readonly siteIndex = new Map<string, number>();
  private readonly siteNames: string[] = [];
  private readonly lans = new Map<string, LinkParams>();
  /** Site index → its LAN's parameters (fixed once the site exists). */
  private readonly lanOf: LinkParams[] = [];
  /** Site index → whether its LAN draws no random numbers (`draws`), so a fresh channel's message needs no stream. */
  private readonly lanPlain: boolean[] = [];
  /** Site index → whether its LAN draws jitter and nothing else (`jitterOnly`): its channels' messages take `transmitLan`'s short path. */
  private readonly lanJitterOnly: boolean[] = [];
  private readonly wans = new Map<string, LinkParams>();
  /** `[from site][to site]` → that WAN direction, made at its first message. */
  private readonly wanOut: (WanChannel | undefined)[][] = [];
  /** LAN channel directions by (from node, to node): only those whose state differs from a fresh one's. */
  private readonly lanPairs = new PairTable<ChannelStreams>();
  private readonly scratch: ChannelTimes = { busyUntil: 0, lastArrival: 0 };
  private readonly keepPair = (table: PairTable<ChannelStreams>, slot: number) => this.pairMatters(table, slot);
  /**
   * When the message `transmit` last gave arrival times to began and finished transmitting (its
   * first and last byte on the wire), µs: the simulator keeps them with the message, so that a
   * crash of its sender in between cuts it (see the module comment). Loopback: both `now`.
   */
  departed: Micros = 0;
  transmitted: Micros = 0;
  /** No message will be sent before this time (see `advanceTo`); channels idle by then may be forgotten. */
  private horizon: Micros = -Infinity;
  private readonly partitions: PartitionRule[] = [];
  /** Per active partition (same order), its `from` and `to` sets as flags by node index. */
  private partitionMasks: { from: Uint8Array; to: Uint8Array }[] = [];
  /** Nodes there were when `partitionMasks` was built (a node added since rebuilds them). */
  private maskedNodes = 0;

  constructor(private readonly rngFor: (purpose: string) => Rng) {}

  addNode(node: NodeInfo, lan: LinkParams): void {
    if (this.nodes.has(node.name)) throw new Error(`node ${node.name} already exists`);
    this.nodes.set(node.name, node);
    let site = this.siteIndex.get(node.site);
    if (site === undefined) {
      site = this.siteNames.length;
      this.siteIndex.set(node.site, site);
      this.siteNames.push(node.site);
      this.lans.set(node.site, lan);
      this.lanOf.push(lan);
      this.lanPlain.push(!draws(lan));
      this.lanJitterOnly.push(jitterOnly(lan));
      this.wanOut.push([]);
    }
    this.nodeIndex.set(node.name, this.nodeNames.length);
    this.nodeNames.push(node.name);
    this.nodeSite.push(site);
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

  /** Replaces the parameters of the WAN link between two sites from now on (messages already sent keep their times). */
  setLink(siteA: string, siteB: string, params: LinkParams): void {
    const key = wanKey(siteA, siteB);
    if (!this.wans.has(key)) throw new Error(`sites ${siteA} and ${siteB} are not linked`);
    this.wans.set(key, params);
    const [a, b] = [this.siteIndex.get(siteA), this.siteIndex.get(siteB)];
    if (a === undefined || b === undefined) return;
    // A direction keeps its times and streams: the link is the same cable with other properties.
    for (const channel of [this.wanOut[a][b], this.wanOut[b][a]]) if (channel !== undefined) channel.params = params;
  }

  /** The parameters of the WAN link between two sites now. */
  linkParams(siteA: string, siteB: string): LinkParams {
    const params = this.wans.get(wanKey(siteA, siteB));
    if (params === undefined) throw new Error(`sites ${siteA} and ${siteB} are not linked`);
    return params;
  }

  /**
   * Promises that no later `transmit` asks about a time before `now` (the simulator's clock only
   * moves forward). Without it (emulation, whose senders' clocks interleave) every LAN channel
   * that ever carried a message is kept; with it, those idle since are forgotten as the table grows.
   */
  advanceTo(now: Micros): void {
    this.horizon = now;
  }

  /** Arrival time(s) of `bytes` sent now from one node to another, or why it is dropped. */
  transmit(fromNode: string, toNode: string, bytes: number, now: Micros): Micros | Micros[] | DropCause {
    return this.transmitBetween(this.indexOf(fromNode), this.indexOf(toNode), bytes, now);
  }

  /** `transmit` between nodes given by their index (`indexOf`), with no name to look up. */
  transmitBetween(from: number, to: number, bytes: number, now: Micros): Micros | Micros[] | DropCause {
    return this.transmitPlaced(from, this.nodeSite[from], to, this.nodeSite[to], bytes, now);
  }

  /**
   * `transmitBetween` given each node's site index too (`siteIndexOf`): the simulator's path. The
   * world keeps an actor's node and site side by side, so the receiver's site is not a second
   * lookup that must wait for its node's (two dependent cache misses with many nodes).
   */
  transmitPlaced(from: number, fromSite: number, to: number, toSite: number, bytes: number, now: Micros): Micros | Micros[] | DropCause {
    if (from === to) {
      this.departed = this.transmitted = now;
      return now + LOOPBACK_LATENCY_US;
    }
    if (this.partitions.length > 0 && this.blockedBetween(from, to)) return 'partition';
    if (fromSite !== toSite) {
      const channel = this.wanOut[fromSite][toSite] ?? this.openWan(fromSite, toSite, from, to);
      this.departed = Math.max(now, channel.busyUntil);
      const arrival = transmitOn(channel, channel.params, channel.streams, bytes, now);
      this.transmitted = channel.busyUntil;
      return arrival;
    }
    return this.transmitLan(from, to, fromSite, bytes, now);
  }

  /**
   * One LAN direction, per pair of nodes. Its state lives in `lanPairs` only while it says
   * something: a channel with no streams whose times a fresh channel would give at the horizon
   * (idle, its last arrival no later than the earliest a new message could arrive) is left out,
   * which changes no arrival time.
   */
  private transmitLan(from: number, to: number, site: number, bytes: number, now: Micros): Micros | Micros[] | 'loss' {
    const params = this.lanOf[site];
    const pairs = this.lanPairs;
    let slot = pairs.size === 0 ? -1 : pairs.find(from, to);
    if (slot < 0 && this.lanPlain[site]) {
      // The common case, in short: a fresh channel on a LAN that draws nothing — `transmitOn` with
      // both times at 0 — which stays fresh when it is idle again at once (no bytes to transmit, or
      // no bandwidth limit). The same arrival; measured in bench/README, "Session 9: kernel".
      const transmitted = now + Math.ceil((bytes * MICROS_PER_SECOND) / params.bandwidthBytesPerSec);
      if (transmitted <= now) {
        this.departed = this.transmitted = transmitted;
        return transmitted + params.latencyUs;
      }
    }
    let streams: ChannelStreams | undefined;
    if (!this.lanPlain[site]) {
      // A channel that draws keeps its streams for the whole run, so it has a slot for good.
      if (slot < 0) slot = pairs.insert(from, to, this.keepPair);
      streams = pairs.extra[slot] ??= new ChannelStreams(`lan:${this.nodeNames[from]}>${this.nodeNames[to]}`, this.rngFor);
      if (this.lanJitterOnly[site]) {
        // `transmitOn` where only the jitter draws (no loss, no copy, none held back), on the
        // table's own times: the same arrival and draws without the call and the scratch times.
        const departure = Math.max(now, pairs.busyUntil[slot]);
        const transmitted = departure + Math.ceil((bytes * MICROS_PER_SECOND) / params.bandwidthBytesPerSec);
        pairs.busyUntil[slot] = transmitted;
        this.departed = departure;
        this.transmitted = transmitted;
        const arrival = Math.max(transmitted + params.latencyUs + streams.jitter().int(0, params.jitterUs), pairs.lastArrival[slot]);
        pairs.lastArrival[slot] = arrival;
        return arrival;
      }
    }
    const times = this.scratch;
    times.busyUntil = slot < 0 ? 0 : pairs.busyUntil[slot];
    times.lastArrival = slot < 0 ? 0 : pairs.lastArrival[slot];
    this.departed = Math.max(now, times.busyUntil);
    const arrival = transmitOn(times, params, streams, bytes, now);
    this.transmitted = times.busyUntil;
    if (slot < 0) {
      if (times.busyUntil <= now && times.lastArrival <= now + params.latencyUs) return arrival;
      slot = pairs.insert(from, to, this.keepPair);
    }
    pairs.busyUntil[slot] = times.busyUntil;
    pairs.lastArrival[slot] = times.lastArrival;
    return arrival;
  }

  /**
   * The node with index `node` lost power at `now`: what its LAN channels still had to send is cut
   * (the simulator drops those messages where they arrive), so each is free from now, and a later
   * message on it waits only for the arrivals of what had left whole — by `now` + latency + jitter.
   * Its site's WAN channels also carry other nodes' messages: they keep their times.
   */
  releaseNode(node: number, now: Micros): void {
    const pairs = this.lanPairs;
    if (pairs.size === 0) return;
    const { latencyUs, jitterUs } = this.lanOf[this.nodeSite[node]];
    const lastWhole = now + latencyUs + jitterUs;
    for (let slot = 0; slot < pairs.busyUntil.length; slot++) {
      if (pairs.firstOf(slot) !== node) continue;
      if (pairs.busyUntil[slot] > now) pairs.busyUntil[slot] = now;
      if (pairs.lastArrival[slot] > lastWhole) pairs.lastArrival[slot] = lastWhole;
    }
  }

  /** Whether a LAN direction's entry must be kept: it has streams, or is busy or has arrivals due past the horizon. */
  private pairMatters(table: PairTable<ChannelStreams>, slot: number): boolean {
    if (table.extra[slot] !== undefined) return true;
    const latencyUs = this.lanOf[this.nodeSite[table.firstOf(slot)]].latencyUs;
    return table.busyUntil[slot] > this.horizon || table.lastArrival[slot] > this.horizon + latencyUs;
  }

  /** The channel from one site to another, made at its first message (`fromNode`, `toNode`: that message's ends, for the error). */
  private openWan(fromSite: number, toSite: number, fromNode: number, toNode: number): WanChannel {
    const [from, to] = [this.siteNames[fromSite], this.siteNames[toSite]];
    const params = this.wans.get(wanKey(from, to));
    if (params === undefined) {
      // Messages are not routed through other sites: a pair that talks needs a link of its own.
      throw new InputError(`links: no link between sites ${from} and ${to}, but ${this.nodeNames[fromNode]} sends to ${this.nodeNames[toNode]}; add { between: [${from}, ${to}], latency: … }`);
    }
    // LAN and WAN directions live in separate name spaces: a node may be named like a site.
    const channel = new WanChannel(params, new ChannelStreams(`wan:${from}>${to}`, this.rngFor));
    this.wanOut[fromSite][toSite] = channel;
    return channel;
  }

  /**
   * The one-way latency from one node to another now (by index): loopback, their site's LAN or
   * their sites' WAN link — no transmission time, jitter or loss, and no channel state read or
   * changed. A host's RST is timed by it (contract/disconnect.ts).
   */
  latencyBetween(from: number, to: number): Micros {
    if (from === to) return LOOPBACK_LATENCY_US;
    const fromSite = this.nodeSite[from];
    const toSite = this.nodeSite[to];
    if (fromSite === toSite) return this.lanOf[fromSite].latencyUs;
    return this.linkParams(this.siteNames[fromSite], this.siteNames[toSite]).latencyUs;
  }

  /** The index of the site of the node with index `node` (`indexOf`). */
  siteIndexOf(node: number): number {
    return this.nodeSite[node];
  }

  /** A node's index: the order it was added in. */
  indexOf(node: string): number {
    const index = this.nodeIndex.get(node);
    if (index === undefined) throw new Error(`no node named ${node}`);
    return index;
  }

  /** Whether a partition now separates `fromNode` from `toNode` in that direction. */
  blocked(fromNode: string, toNode: string): boolean {
    return this.blockedBetween(this.indexOf(fromNode), this.indexOf(toNode));
  }

  /** `blocked` between nodes given by their index. */
  blockedBetween(from: number, to: number): boolean {
    const count = this.partitions.length;
    if (count === 0) return false;
    if (this.maskedNodes !== this.nodeNames.length) this.buildMasks();
    for (let i = 0; i < count; i++) {
      const mask = this.partitionMasks[i];
      if (mask.from[from] === 1 && mask.to[to] === 1) return true;
      if (this.partitions[i].symmetric && mask.from[to] === 1 && mask.to[from] === 1) return true;
    }
    return false;
  }

  addPartition(rule: PartitionRule): void {
    if (this.partitions.some((p) => p.id === rule.id)) throw new Error(`partition ${rule.id} is already active`);
    this.partitions.push(rule);
    this.maskedNodes = -1;
  }

  /** Removes a partition; returns false if it was not active. */
  heal(id: string): boolean {
    const index = this.partitions.findIndex((p) => p.id === id);
    if (index < 0) return false;
    this.partitions.splice(index, 1);
    this.maskedNodes = -1;
    return true;
  }

  /** The active partitions' node sets as flags by node index (names a rule lists that are no node stay out, as they match no node). */
  private buildMasks(): void {
    const nodes = this.nodeNames.length;
    const flags = (names: ReadonlySet<string>) => {
      const mask = new Uint8Array(nodes);
      for (const name of names) {
        const index = this.nodeIndex.get(name);
        if (index !== undefined) mask[index] = 1;
      }
      return mask;
    };
    this.partitionMasks = this.partitions.map((rule) => ({ from: flags(rule.from), to: flags(rule.to) }));
    this.maskedNodes = nodes;
  }

  /** Whether any partition is active. */
  get partitioned(): boolean {
    return this.partitions.length > 0;
  }

  activePartitions(): readonly PartitionRule[] {
    return this.partitions;
  }

  /** LAN channel directions held now (for tests of what the network keeps). */
  get heldLanChannels(): number {
    return this.lanPairs.size;
  }
}

function wanKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

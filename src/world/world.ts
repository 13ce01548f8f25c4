/**
 * The simulated world: sites of nodes joined by links, a disk per node, actors placed on nodes,
 * and the failures that can befall them (node crash or power loss, process crash, partitions).
 *
 * It is the kernel's `Environment`: the simulator asks it when a message arrives and which disk an
 * actor writes to. It is also the programmatic entry point: build a world, spawn actors, schedule
 * faults, `run` it, read the result. Which actor runs where is its `deployment`, the value
 * emulation starts the same actors from. The simulator itself stays inside: callers use the
 * world's own methods, and only the executors that drive a run window by window (exec/parallel,
 * exec/emulate) reach it, through `simulatorOf`, which the package does not export.
 *
 * Crash semantics: a node crash is a power loss — every actor on the node loses its memory and
 * timers, the node's disk drops every write not yet made durable by `fsync`, and its RAM disk
 * (`/dev/shm/`, ram-disk.ts) is emptied. A process crash takes one actor and keeps the page cache
 * and the RAM disk. Restarting brings every actor of the node back through
 * `recover`. A crash cuts the crashed actor's messages still on the wire (all of a node's, a
 * process's past its socket buffers: network.ts, cause `sender-crash`).
 * Messages to an actor that is down are dropped on arrival (`drop`, cause `dead`); when
 * only its process is down, its host answers for it (an RST: `answers`, contract/disconnect.ts).
 *
 * Grey failures (driven by `src/faults/`): each node has a CPU slowdown factor and a clock offset,
 * which actors read through `ctx.cpuSlowdown()` and `ctx.localTime()`; its disk can be made full or
 * slow, or lose its unsynced data (`diskOf`).
 *
 * Guarantee: the same seed and the same calls give the same run; a power loss of a node keeps
 * exactly what its actors had made durable by a completed `fsync`, wipes the memory and timers of
 * every actor on it and of no actor elsewhere; and nothing is delivered to an actor while it is
 * down.
 *
 * How it breaks: a message to an actor that is down is lost, not held for its restart, so every
 * protocol needs its own retries; and the world can wipe only the actor instance — state a caller
 * keeps outside it (in the factory's closure, in a module's variables) survives a crash that a
 * real process would not. Shown by test/world/disk.test.ts (power loss drops exactly the unsynced
 * writes; it hits every actor on the node and none elsewhere), partition.test.ts (cause `dead`)
 * and network.test.ts (loss deterministic per seed).
 */
import { Deployment, type ReadonlyDeployment } from '../deploy/index.ts';
import type { ActorFactory, ActorHandle, ActorRef, Disk, DropCause, Environment, EventNames, Micros, PendingEvent, Placement, RecordKind, Rng, RunOptions } from '../kernel/index.ts';
import { NODE as LAYOUT_NODE, ROW as LAYOUT_ROW, SITE as LAYOUT_SITE, Simulator, TRACE_FORMAT_VERSION, TraceWriter, type ActorRows } from '../kernel/index.ts';
import { NodeDisk, type DiskParams } from './disk.ts';
import { NodeRamDisk } from './ram-disk.ts';
import { Network, SOCKET_BUFFER_BYTES, type LinkParams, type PartitionRule } from './network.ts';

export type SiteRole = 'instrument' | 'edge' | 'facility' | 'hpc' | 'cloud';

export const DEFAULT_LAN: LinkParams = { latencyUs: 50, jitterUs: 0, bandwidthBytesPerSec: 1_250_000_000, loss: 0 };
export const DEFAULT_DISK: DiskParams = { latencyUs: 20, bandwidthBytesPerSec: 2_000_000_000 };

export interface SiteOptions {
  role?: SiteRole;
  /** How many nodes (named `<site>-1` …) or their names. Default 1. */
  nodes?: number | readonly string[];
  /** The site's LAN, between its nodes. */
  lan?: Partial<LinkParams>;
  /** Every node's disk. */
  disk?: Partial<DiskParams>;
}

export interface SiteInfo {
  readonly id: string;
  readonly role: SiteRole;
  readonly nodes: readonly string[];
}

export interface WorldOptions {
  /** The run's one seed: every random stream (actors', the world's) derives from it, and the summary reports it. */
  seed: number;
  /** The scenario name, for the trace header. */
  scenario?: string;
  /** Where records go; a fresh hashing-only writer by default. */
  trace?: TraceWriter;
  /** Extra fields for the trace header (e.g. `durationUs`). */
  meta?: Record<string, unknown>;
  /**
   * Called whenever the seed is read — `seed`, a world stream (`rng`), a network stream — so a
   * build can tell whether it depended on the seed at all (sweep-build-check.ts). Actors' streams
   * are drawn only once the run starts.
   */
  onSeedRead?: () => void;
}

export interface RunResult {
  traceHash: string;
  /** Events dispatched by the kernel. */
  events: number;
  /** Trace records written. */
  records: number;
  simulatedTimeUs: Micros;
}

interface NodeState {
  readonly name: string;
  readonly site: string;
  readonly diskParams: DiskParams;
  /**
   * Its disk, made at its first use (an actor's `ctx.disk`, a disk fault): a disk nobody has used
   * holds nothing and has nothing in flight, so one made later behaves as one made with the node.
   */
  disk: NodeDisk | undefined;
  /** Its tmpfs (`/dev/shm/`): survives process crashes, not the node's power. Made at its first use too. */
  ram: NodeRamDisk | undefined;
  up: boolean;
  /** CPU slowdown factor read by `ctx.cpuSlowdown()`; 1 when healthy. */
  cpuSlowdown: number;
  /** Added to simulated time by `ctx.localTime()`, µs. */
  clockOffsetUs: Micros;
}

/**
 * The actor rows' layout (kernel/actor-rows.ts) as literals, checked against that module when this
 * one loads: every message reads it (`transmit`), and an imported binding is a live one, loaded
 * through its module's cell and checked for the hole at each use (as trace-hash.ts's copy).
 */
const ROW = 4;
const NODE = 2;
const SITE = 3;
if (ROW !== LAYOUT_ROW || NODE !== LAYOUT_NODE || SITE !== LAYOUT_SITE) throw new Error("world.ts: the actor rows' layout changed in kernel/actor-rows.ts; update its copy here");

/** Set by `World`'s static block: the one way to a world's simulator (see `simulatorOf`). */
let simulatorAccess: (world: World) => Simulator;

export class World implements Environment {
  readonly trace: TraceWriter;
  readonly network: Network;
  private readonly sim: Simulator;
  private readonly placed = new Deployment();
  private readonly sites = new Map<string, SiteInfo>();
  private readonly nodes = new Map<string, NodeState>();
  private readonly options: WorldOptions;
  /** Node states by their network index (`Network.indexOf`: the order added). */
  private readonly nodeStates: NodeState[] = [];
  /** The trace's actor rows (`trace.actorRows`), where each actor's place is kept: read by every message. */
  private readonly rows: ActorRows;
  private started = false;
  /** The `meta` record's `eventIds`, when a feature numbers its events (`nameEvents`). */
  private eventIds: unknown;

  constructor(options: WorldOptions) {
    this.options = options;
    this.trace = options.trace ?? new TraceWriter();
    this.sim = new Simulator(options.seed, this.trace);
    this.rows = this.trace.actorRows;
    this.sim.setEnvironment(this);
    this.network = new Network((purpose) => this.rng(purpose));
  }

  static {
    simulatorAccess = (world) => world.sim;
  }

  get seed(): number {
    this.options.onSeedRead?.();
    return this.options.seed;
  }

  now(): Micros {
    return this.sim.now();
  }

  /** Which actor runs on which node, built by which factory, in the order spawned. */
  get deployment(): ReadonlyDeployment {
    return this.placed;
  }

  /** Kernel events dispatched so far. */
  get events(): number {
    return this.sim.events;
  }

  /** Adds a site and its nodes; returns the node names. */
  addSite(id: string, options: SiteOptions = {}): string[] {
    if (this.sites.has(id)) throw new Error(`site ${id} already exists`);
    const spec = options.nodes ?? 1;
    const names = typeof spec === 'number' ? Array.from({ length: spec }, (_, i) => `${id}-${i + 1}`) : [...spec];
    const lan = { ...DEFAULT_LAN, ...options.lan };
    const disk = { ...DEFAULT_DISK, ...options.disk };
    for (const name of names) {
      this.network.addNode({ name, site: id }, lan);
      const state: NodeState = { name, site: id, diskParams: disk, disk: undefined, ram: undefined, up: true, cpuSlowdown: 1, clockOffsetUs: 0 };
      this.nodes.set(name, state);
      this.nodeStates.push(state);
    }
    this.sites.set(id, { id, role: options.role ?? 'edge', nodes: names });
    return names;
  }

  site(id: string): SiteInfo {
    const site = this.sites.get(id);
    if (site === undefined) throw new Error(`no site named ${id}`);
    return site;
  }

  siteList(): SiteInfo[] {
    return [...this.sites.values()];
  }

  /** Links two sites; `latencyUs` is required, the rest default to a lossless 10 Gb/s link. */
  link(siteA: string, siteB: string, params: Partial<LinkParams> & { latencyUs: Micros }): void {
    this.site(siteA);
    this.site(siteB);
    this.network.addLink(siteA, siteB, { jitterUs: 0, bandwidthBytesPerSec: 1_250_000_000, loss: 0, ...params });
  }

  /**
   * Places an actor on a node (in the deployment, and in the simulator); it starts at the current
   * time. Returns a ref to it, for actors that send to it often (`ctx.send(ref, …)`).
   */
  spawn(id: string, node: string, factory: ActorFactory): ActorRef {
    const state = this.node(node);
    // The simulator checks the id first (taken, or the world's own), so a refused spawn leaves no entry behind.
    const handle = this.sim.spawn({ id, node, site: state.site }, factory);
    const nodeIndex = this.network.indexOf(node);
    // Its place beside its id's digest, in the row every message of its reads (kernel/actor-rows.ts):
    // no name lookup, and one row per actor a message names.
    this.rows.place(handle.index, nodeIndex, this.network.siteIndexOf(nodeIndex));
    this.placed.add({ id, node, site: state.site, factory });
    if (!state.up) this.sim.crash(id, { scope: 'node', reason: 'placed on a node that is down' });
    return handle.ref;
  }

  /** Whether an actor of this id has been spawned. */
  has(id: string): boolean {
    return this.deployment.has(id);
  }

  /** The node an actor runs on. */
  nodeOf(id: string): string {
    return this.deployment.get(id).node;
  }

  /** Schedules a world action (a fault, a repair, an injection) at an absolute time. */
  at(time: Micros, label: string, run: () => void): void {
    this.sim.at(time, label, run);
  }

  /**
   * A feature's events carry numeric ids (a pipeline's): the trace file shows them by `names`, and
   * the `meta` record carries `described` (`eventIds`), from which a reader of the file rebuilds
   * the names. Before the run starts (the header is written then); once per run.
   */
  nameEvents(described: unknown, names: EventNames): void {
    if (this.started || this.eventIds !== undefined) throw new Error('event names are given once, before the run starts');
    this.eventIds = described;
    this.trace.nameEvents(names);
  }

  /** Writes a trace record at the world (a fault, a reference result) at the current time. */
  record(kind: RecordKind, fields?: Record<string, unknown>): void {
    this.sim.recordWorld(kind, fields);
  }

  /** The world's own random stream for a purpose (faults, the nemesis), separate from every actor's. */
  rng(purpose: string): Rng {
    this.options.onSeedRead?.();
    return this.sim.worldRng(purpose);
  }

  isNodeUp(node: string): boolean {
    return this.node(node).up;
  }

  /**
   * Power loss of a node: its actors crash and its disk keeps only what was fsynced. With `tear`,
   * the write the device was in the middle of survives as a torn record (see disk.ts).
   */
  crashNode(node: string, reason: string, options: { tear?: boolean } = {}): void {
    const state = this.node(node);
    if (!state.up) return;
    state.up = false;
    for (const actor of this.deployment.on(node)) this.sim.crash(actor.id, { scope: 'node', reason });
    this.network.releaseNode(this.network.indexOf(node), this.sim.now());
    state.disk?.losePower(options);
    state.ram?.losePower();
  }

  /** Powers a node back on; its actors restart, except those in `keepDown` (still held down by a fault). */
  restartNode(node: string, reason: string, options: { keepDown?: ReadonlySet<string> } = {}): void {
    const state = this.node(node);
    if (state.up) return;
    state.up = true;
    for (const { id } of this.deployment.on(node)) if (options.keepDown?.has(id) !== true) this.sim.restart(id, { scope: 'node', reason });
  }

  /** The disk of a node, for disk faults. */
  diskOf(node: string): NodeDisk {
    // A fault acting on this disk writes records at this node's actors: a step of its own (parallel runs).
    this.sim.beginStep();
    return this.deviceOf(this.node(node));
  }

  /** Sets a node's CPU slowdown factor (≥ 1 slows it; 1 is healthy), as `ctx.cpuSlowdown()` reads it. */
  setCpuSlowdown(node: string, factor: number): void {
    if (!(factor > 0 && Number.isFinite(factor))) throw new Error(`node ${node}: CPU slowdown must be a positive number, got ${factor}`);
    this.node(node).cpuSlowdown = factor;
  }

  /** Sets how far a node's clock is ahead (positive) or behind (negative) simulated time, µs. */
  setClockOffset(node: string, offsetUs: Micros): void {
    if (!Number.isSafeInteger(offsetUs)) throw new Error(`node ${node}: clock offset must be an integer µs, got ${offsetUs}`);
    this.node(node).clockOffsetUs = offsetUs;
  }

  /** One process dies; its node, and the node's page cache, stay up. */
  crashActor(id: string, reason: string): void {
    // Its host lives on and still sends what the process had written to its sockets (network.ts).
    this.sim.crash(id, { scope: 'process', reason }, SOCKET_BUFFER_BYTES);
  }

  /** Restarts a crashed process, unless its node is down (the node's restart will bring it back). */
  restartActor(id: string, reason: string): void {
    if (!this.node(this.nodeOf(id)).up) return;
    this.sim.restart(id, { scope: 'process', reason });
  }

  /** Whether an actor is up (not crashed, alone or with its node). */
  isActorUp(id: string): boolean {
    return this.sim.isUp(id);
  }

  /**
   * An actor as the lab's inspector shows it: up or down, its own view of its state
   * (`Actor.inspect`), and what is queued for it (mailbox, pending timers). Reads only.
   */
  inspectActor(id: string): { up: boolean; node: string; state: unknown; pending: PendingEvent[] } {
    return { up: this.sim.isUp(id), node: this.nodeOf(id), state: this.sim.inspect(id), pending: this.sim.pendingFor(id) };
  }

  /**
   * Cuts the network from one group of sites or nodes to another (and back, unless one-way);
   * `heal(rule.id)` ends it.
   */
  partition(rule: { id: string; from: readonly string[]; to: readonly string[]; oneWay?: boolean }): void {
    this.network.addPartition({
      id: rule.id,
      from: this.expandNodes(rule.from),
      to: this.expandNodes(rule.to),
      symmetric: rule.oneWay !== true,
    } satisfies PartitionRule);
  }

  heal(id: string): void {
    this.network.heal(id);
  }

  /** Site or node names → the set of node names they cover. */
  expandNodes(names: readonly string[]): Set<string> {
    const nodes = new Set<string>();
    for (const name of names) {
      const site = this.sites.get(name);
      if (site !== undefined) for (const node of site.nodes) nodes.add(node);
      else nodes.add(this.node(name).name);
    }
    return nodes;
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** The ids of the actors on a node, in the order spawned. */
  actorsOn(node: string): string[] {
    this.node(node);
    return this.deployment.on(node).map((a) => a.id);
  }

  /** Runs to `until` (µs) and closes the trace: the whole run in one call. */
  run(options: RunOptions): RunResult {
    this.advance(options);
    return this.finish();
  }

  /**
   * Runs events up to `until` (µs); call again to continue, then `finish`. Returns false when
   * `options.pause` stopped it before `until`.
   */
  advance(options: RunOptions): boolean {
    if (!this.started) {
      this.started = true;
      this.writeHeader();
    }
    return this.sim.run(options);
  }

  /** Closes the trace and returns the result with the trace hash. */
  finish(): RunResult {
    const traceHash = this.trace.close();
    return { traceHash, events: this.sim.events, records: this.trace.records, simulatedTimeUs: this.sim.now() };
  }

  // --- Environment ---

  transmit(from: number, to: number, bytes: number, now: Micros): Micros | Micros[] | DropCause {
    // The simulator asks in the order of its clock, so the network may forget channels idle by now.
    this.network.advanceTo(now);
    const rows = this.rows.words;
    return this.network.transmitPlaced(rows[ROW * from + NODE], rows[ROW * from + SITE], rows[ROW * to + NODE], rows[ROW * to + SITE], bytes, now);
  }

  localTime(actor: Placement, now: Micros): Micros {
    return now + this.node(actor.node).clockOffsetUs;
  }

  cpuSlowdown(actor: Placement): number {
    return this.node(actor.node).cpuSlowdown;
  }

  get departed(): Micros {
    return this.network.departed;
  }

  get transmitted(): Micros {
    return this.network.transmitted;
  }

  admits(from: number, to: number): DropCause | undefined {
    // Without a partition the actors' nodes need not be read (two cache misses with many actors).
    if (!this.network.partitioned) return undefined;
    const rows = this.rows.words;
    return this.network.blockedBetween(rows[ROW * from + NODE], rows[ROW * to + NODE]) ? 'partition' : undefined;
  }

  answers(dead: number, to: number, now: Micros): Micros | undefined {
    const rows = this.rows.words;
    const from = rows[ROW * dead + NODE];
    const at = rows[ROW * to + NODE];
    if (!this.nodeStates[from].up || this.network.blockedBetween(from, at)) return undefined;
    return now + this.network.latencyBetween(from, at);
  }

  disk(actor: ActorHandle): Disk {
    const node = this.node(actor.node);
    // One recorder per context that touches its disk; every one writes at the actor's handle alike.
    return (node.ram ??= new NodeRamDisk()).mount(actor.id, this.deviceOf(node).view(actor), (fields) => this.sim.record(actor, 'disk', fields), actor.startOrder);
  }

  private deviceOf(node: NodeState): NodeDisk {
    return (node.disk ??= new NodeDisk(node.name, node.diskParams, this.sim));
  }

  private node(name: string): NodeState {
    const state = this.nodes.get(name);
    if (state === undefined) throw new Error(`no node named ${name}`);
    return state;
  }

  private writeHeader(): void {
    this.sim.recordWorld('meta', {
      v: TRACE_FORMAT_VERSION,
      scenario: this.options.scenario ?? 'unnamed',
      seed: this.options.seed,
      sites: this.siteList().map((s) => ({ id: s.id, role: s.role, nodes: s.nodes })),
      actors: this.deployment.actors().map((a) => ({ id: a.id, node: a.node, site: a.site })),
      ...this.options.meta,
      ...(this.eventIds === undefined ? {} : { eventIds: this.eventIds }),
    });
  }
}

/**
 * The simulator behind a world, for the executors that drive it one window at a time (a partition
 * of a parallel run, emulation's world events) and for tests. Internal: neither world/index.ts nor
 * the package exports it.
 */
export function simulatorOf(world: World): Simulator {
  return simulatorAccess(world);
}

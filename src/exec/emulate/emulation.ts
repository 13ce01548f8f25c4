/**
 * Emulation: the same actors in real worker threads and real (scaled) time, with real crashes.
 *
 * Every node that hosts actors gets its own worker thread (node-worker.ts); the orchestrator (this
 * thread) routes their messages through the network model (router.ts), keeps the emulated clock,
 * runs the world's own events — the fault schedule — on it, and writes the trace (trace-sink.ts). A node crash terminates the node's
 * thread — its memory, timers and unsynced writes are gone — and a restart starts a fresh thread
 * that recovers from the node's files. A standby thread is booted as soon as a node crashes, so a
 * restart costs what starting the actors costs, not loading the code. The control plane — start,
 * pause, resume, stats, crash, restart — is this class; it drives the nodes through comlink. The
 * clock is one piece of shared memory that every thread reads and beats a heartbeat into: it
 * waits for any thread (this one included) the host has descheduled (clock.ts).
 *
 * Guarantee: none of determinism (real threads, real scheduling, real fsync latency); the trace has
 * the simulation's format so the same checkers, metrics and timelines run on it, and the run
 * directory holds the nodes' real files. How it fails: an actor that throws stops the emulation
 * with a `SimulationError` naming the actor, the seed and the emulated time; a node thread that
 * dies on its own stops it too; either way every thread is terminated and the trace is aborted.
 */
import { VERSION } from '../version.ts';
import { join } from 'node:path';
import { SimulationError, TraceWriter, type Micros, type Simulator, type TraceRecord } from '../../kernel/index.ts';
import { simulatorOf, type World } from '../../world/world.ts';
import { buildFromRecipe, type WorldRecipe } from '../recipe.ts';
import { observeTrace, summarize, type ObservedTrace, type PreparedRun, type RunSummary } from '../run.ts';
import { EmulatedClock, EmulatedTimers, HEARTBEAT_MS, realNowMs } from './clock.ts';
import { NodeThread } from './node-thread.ts';
import type { ActorFailed, Delivery, FromNode, NodeStats, SendDropped } from './protocol.ts';
import type { Message } from '../../kernel/index.ts';
import { Router } from './router.ts';
import { EmulationTrace } from './trace-sink.ts';

export interface EmulateOptions {
  /** Emulated seconds per real second; default 1. */
  speed?: number;
  /** Emulated length of the run, µs; default the recipe's end. */
  durationUs?: Micros;
  /** The run directory: the nodes' files go under `<dir>/disk/<node>/<actor>/`. */
  dir: string;
  /** Where the trace goes; hash-only by default. */
  trace?: TraceWriter;
  /** Nodes to boot a standby thread for at the start (those a fault will crash): fast restarts. */
  standby?: readonly string[];
  version?: string;
  /** Called about ten times a second of real time. */
  onProgress?: (progress: EmulationProgress) => void;
  /**
   * Actors the orchestrator runs itself ({@link Emulation.attach}): no node thread is booted for a
   * node that holds only these.
   */
  local?: readonly string[];
  /** Told of every fault record, node crash and node restart as it happens (for live output and gateways). */
  onEvent?: (event: EmulationEvent) => void;
}

/** Something that happened to the emulated world, told as it happens. */
export type EmulationEvent =
  | { kind: 'crash' | 'restart'; node: string; atUs: Micros; reason: string }
  | { kind: 'fault'; atUs: Micros; record: TraceRecord };

/**
 * Actors the orchestrator runs itself, outside any node thread (a gateway from real clients): they
 * are in the deployment, so the network model places them on a node, but what reaches them — a
 * delivery, or the router's verdict that their own message never left — is handed here, and they
 * write their records through {@link Emulation.recordAt}.
 */
export interface LocalActors {
  owns(actor: string): boolean;
  deliver(delivery: Delivery): void;
  dropped(drop: SendDropped): void;
}

export interface EmulationProgress {
  nowUs: Micros;
  endUs: Micros;
  nodesUp: number;
  nodes: number;
  events: number;
  crashes: number;
  paused: boolean;
}

export interface CrashReport {
  node: string;
  reason: string;
  atUs: Micros;
  restartedAtUs?: Micros;
}

export interface EmulationResult {
  summary: RunSummary;
  emulation: {
    speed: number;
    /** Real time from the clock's start to the end, ms (the summary's `wallTimeMs` too). */
    realTimeMs: number;
    /**
     * Real time the clock stood still waiting for threads the host did not run in time, ms (not
     * counting pauses): how far the emulation fell behind real time at its speed (clock.ts).
     */
    heldMs: number;
    /** Real time to start the node threads before the clock started, ms. */
    bootMs: number;
    messagesRouted: number;
    crashes: CrashReport[];
    /** The last life of each node, as it reported itself at the end. */
    nodes: NodeStats[];
  };
}

/** Real milliseconds a record may take to reach the orchestrator before it is written anyway. */
const REORDER_SLACK_MS = 250;
const FLUSH_EVERY_MS = 25;
const PROGRESS_EVERY_MS = 100;
/** The orchestrator's heartbeat slot in the clock; node threads take the next free ones. */
const ORCHESTRATOR_SLOT = 0;

type NodeState = { kind: 'up'; thread: NodeThread } | { kind: 'crashing'; pending: (() => void)[]; killed: Promise<void> } | { kind: 'down' };

export class Emulation {
  readonly done: Promise<EmulationResult>;
  endUs: Micros;
  private resolve!: (result: EmulationResult) => void;
  private reject!: (error: unknown) => void;
  private readonly world: World;
  /** The world's simulator, which runs only world events here (see the constructor). */
  private readonly worldEvents: Simulator;
  private readonly clock: EmulatedClock;
  private readonly timers: EmulatedTimers;
  private readonly router: Router;
  private readonly sink: EmulationTrace;
  private readonly states = new Map<string, NodeState>();
  /** Booted threads waiting to be a node's next life, oldest first. */
  private readonly spares = new Map<string, NodeThread[]>();
  /** Every thread ever started, so that none outlives the run. */
  private readonly threads = new Set<NodeThread>();
  private readonly incarnations = new Map<string, number>();
  /** The clock's heartbeat slot of each started thread. */
  private readonly slots = new Map<NodeThread, number>();
  private readonly crashes: CrashReport[] = [];
  private readonly finishedStats: NodeStats[] = [];
  private retiredEvents = 0;
  private intervals: NodeJS.Timeout[] = [];
  private local: LocalActors | undefined;
  private over = false;
  /** What ended the emulation early (`fail`), when something did. */
  private failure: unknown;
  /** Names the fault behind the next crash or restart, for its record. */
  private lastFault = 'fault';
  private readonly launchedMs = realNowMs();
  private startedMs = realNowMs();

  /** Boots a thread per node, then starts the clock, the actors and the fault schedule. */
  static async start(recipe: WorldRecipe, options: EmulateOptions): Promise<Emulation> {
    const prepared = await buildFromRecipe(recipe, new TraceWriter());
    const trace = options.trace ?? new TraceWriter();
    const emulation = new Emulation(recipe, prepared, trace, observeTrace(prepared, trace), options);
    try {
      await emulation.boot(options);
    } catch (error) {
      // A failure while booting (a first message with no way) shuts the threads down, which fails the boot.
      throw emulation.failure ?? error;
    }
    return emulation;
  }

  private constructor(
    private readonly recipe: WorldRecipe,
    private readonly prepared: PreparedRun,
    private readonly trace: TraceWriter,
    private readonly observed: ObservedTrace,
    private readonly options: EmulateOptions,
  ) {
    this.done = new Promise((resolve, reject) => ((this.resolve = resolve), (this.reject = reject)));
    // Failed while booting, nobody awaits `done`: the boot reports the failure instead.
    this.done.catch(() => {});
    this.world = prepared.world;
    this.worldEvents = simulatorOf(this.world);
    this.endUs = options.durationUs ?? prepared.endUs;
    const speed = options.speed ?? 1;
    this.clock = EmulatedClock.create(speed);
    this.timers = new EmulatedTimers(this.clock);
    this.sink = new EmulationTrace(trace, REORDER_SLACK_MS * 1000 * speed);
    this.router = new Router(this.world, this.timers, {
      deliver: (node, delivery) => this.deliver(node, delivery),
      dropped: (node, drop) => this.dropped(node, drop),
    });
    // The orchestrator's copy of the world runs no actor: only its world events — the fault
    // schedule, the nemesis, world records such as a reference state — on the emulated clock. Its
    // records at the world go to the trace; its network, partitions and link faults included, is
    // the one the router uses; and its nodes' power says which node threads to kill or restart.
    this.worldEvents.setPartition({
      owns: () => false,
      writesWorld: true,
      export: () => {
        throw new Error('the orchestrator runs no actor');
      },
      write: (record) => this.worldRecord(record),
    });
    this.world.advance({ until: -1 });
  }

  // --- the control plane ---

  /** Runs `actors` here; see {@link LocalActors}. */
  attach(actors: LocalActors): void {
    this.local = actors;
  }

  /** A message from a local actor, through the network model like any other; returns its send record's number. */
  sendFrom(from: string, to: string, message: Message, bytes: number): number {
    const sendN = this.sink.nextNumber(from);
    this.sink.recordAt(from, this.clock.now(), 'send', { to, msg: message.type, bytes });
    this.router.route({ type: 'send', from, to, sendN, bytes, sentAtUs: this.clock.now(), message });
    return sendN;
  }

  /** Writes a record at a local actor, now. */
  recordAt(actor: string, kind: TraceRecord['k'], fields: Record<string, unknown>): void {
    this.sink.recordAt(actor, this.clock.now(), kind, fields);
  }

  /** Ends the run now instead of at its planned end (every record so far is kept). */
  finishNow(): void {
    if (this.over) return;
    this.endUs = Math.min(this.endUs, this.clock.now());
    void this.finish();
  }

  pause(): void {
    if (this.clock.paused || this.over) return;
    this.clock.pause();
    this.timers.hold();
    for (const thread of this.liveThreads()) void thread.ask((c) => c.pause()).catch(() => {});
  }

  resume(): void {
    if (!this.clock.paused || this.over) return;
    this.clock.resume();
    for (const thread of this.liveThreads()) void thread.ask((c) => c.resume()).catch(() => {});
    this.timers.arm();
  }

  /** Each running node's counters, asked of the node's thread itself. */
  async stats(): Promise<NodeStats[]> {
    return Promise.all(this.liveThreads().map((thread) => thread.ask((c) => c.stats())));
  }

  /** Kills the node's thread now: a real crash (no-op if it is already down). */
  async crash(node: string, reason: string): Promise<void> {
    const state = this.states.get(node);
    if (state?.kind !== 'up') return;
    const pending: (() => void)[] = [];
    const killed = state.thread.kill();
    this.states.set(node, { kind: 'crashing', pending, killed });
    const atUs = this.clock.now();
    await killed;
    this.release(state.thread);
    this.retiredEvents += state.thread.events;
    for (const actor of this.world.actorsOn(node)) this.sink.recordAt(actor, this.clock.now(), 'crash', { scope: 'node', reason });
    this.states.set(node, { kind: 'down' });
    this.crashes.push({ node, reason, atUs });
    this.options.onEvent?.({ kind: 'crash', node, atUs, reason });
    for (const settle of pending) settle();
    // A node crashed by the control plane, beyond the plan, boots its next life now, while it is down.
    if (!this.over && (this.spares.get(node)?.length ?? 0) === 0) this.spares.set(node, [this.launch(node)]);
  }

  /** Starts a fresh thread for a crashed node; its actors recover from the node's files. */
  async restart(node: string, reason: string): Promise<void> {
    const state = this.states.get(node);
    // A restart right after the crash waits for the thread to be gone, as a reboot waits for power-off.
    if (state?.kind === 'crashing') await state.killed.then(() => new Promise((resolve) => setImmediate(resolve)));
    if (this.states.get(node)?.kind !== 'down' || this.over) return;
    const thread = this.spares.get(node)?.shift() ?? this.launch(node);
    try {
      await thread.ready;
    } catch (error) {
      // The run ended while the thread booted (a loaded machine takes seconds to load the code):
      // its end shut the thread down, and there is nothing left to restart.
      if (this.over) return;
      throw error;
    }
    if (this.over) return;
    const actors = this.world.actorsOn(node);
    for (const actor of actors) this.sink.recordAt(actor, this.clock.now(), 'restart', { scope: 'node', reason });
    this.states.set(node, { kind: 'up', thread });
    const report = [...this.crashes].reverse().find((c) => c.node === node);
    if (report !== undefined) report.restartedAtUs = this.clock.now();
    this.options.onEvent?.({ kind: 'restart', node, atUs: this.clock.now(), reason });
    await thread.ask((c) => c.start({ clock: this.clock.buffer, slot: this.join(thread), entry: 'recover', recordCounts: actors.map((a) => [a, this.sink.nextNumber(a)]) }));
  }

  /** Stops the run now, as a failure: every thread is terminated and the trace discarded. */
  abort(reason: string): void {
    this.fail(new Error(`emulation stopped: ${reason}`));
  }

  isUp(node: string): boolean {
    return this.states.get(node)?.kind === 'up';
  }

  now(): Micros {
    return this.clock.now();
  }

  // --- running ---

  private async boot(options: EmulateOptions): Promise<void> {
    const local = new Set(options.local ?? []);
    const nodes = this.world.nodeNames().filter((node) => this.world.deployment.on(node).some((actor) => !local.has(actor.id)));
    const threads = nodes.map((node) => this.launch(node));
    // A standby for every planned crash, booted now: a restart then costs starting the actors, not
    // loading the code (which takes seconds of real time on a loaded machine).
    for (const node of options.standby ?? []) {
      if (nodes.includes(node)) this.spares.set(node, [...(this.spares.get(node) ?? []), this.launch(node)]);
    }
    try {
      await Promise.all([...this.threads].map((t) => t.ready));
    } catch (error) {
      await Promise.all([...this.threads].map((t) => t.kill()));
      throw error;
    }
    nodes.forEach((node, i) => this.states.set(node, { kind: 'up', thread: threads[i] }));
    this.timers.at(0, () => this.stepWorld());
    this.timers.at(this.endUs, () => void this.finish());
    this.intervals.push(setInterval(() => this.sink.flush(this.clock.now()), FLUSH_EVERY_MS));
    if (options.onProgress !== undefined) this.intervals.push(setInterval(() => options.onProgress!(this.progress()), PROGRESS_EVERY_MS));
    // The orchestrator beats too: while it is starved, nothing is routed, so time must wait for it.
    this.clock.join(ORCHESTRATOR_SLOT);
    this.intervals.push(setInterval(() => this.clock.beat(ORCHESTRATOR_SLOT), HEARTBEAT_MS));
    this.startedMs = realNowMs();
    this.clock.resume();
    // A thread is waited for from its start on: a slow start freezes time instead of losing it. The
    // threads start together (their slots are taken in node order first, so they are the same as
    // one at a time): the slowest start, not the sum of them, is what the run waits for.
    const slots = threads.map((thread) => this.join(thread));
    await Promise.all(threads.map((thread, i) => thread.ask((c) => c.start({ clock: this.clock.buffer, slot: slots[i]!, entry: 'start', recordCounts: [] }))));
    this.timers.arm();
  }

  /** Gives a thread about to start a heartbeat slot of the clock, counted from now. */
  private join(thread: NodeThread): number {
    let slot = ORCHESTRATOR_SLOT + 1;
    while ([...this.slots.values()].includes(slot)) slot++;
    this.slots.set(thread, slot);
    this.clock.join(slot);
    return slot;
  }

  /** A thread that is gone: the clock no longer waits for its heartbeat. */
  private release(thread: NodeThread): void {
    const slot = this.slots.get(thread);
    if (slot === undefined) return;
    this.clock.leave(slot);
    this.slots.delete(thread);
  }

  private launch(node: string): NodeThread {
    const incarnation = this.incarnations.get(node) ?? 0;
    this.incarnations.set(node, incarnation + 1);
    const thread = new NodeThread(
      node,
      incarnation,
      this.recipe,
      join(this.options.dir, 'disk', encodeURIComponent(node)),
      (message, from) => this.onNodeMessage(message, from),
      (error, from) => this.fail(new Error(`node ${from.node}'s thread failed: ${error.message}`, { cause: error })),
    );
    this.threads.add(thread);
    return thread;
  }

  private onNodeMessage(message: FromNode, from: NodeThread): void {
    switch (message.type) {
      case 'records':
        from.events = message.events;
        this.sink.add(message.records);
        return;
      case 'send':
        // A message with no way (two sites no link joins) is the scenario's error: it ends the
        // emulation, as it ends a simulated run, rather than escaping a port's event handler.
        try {
          this.router.route(message);
        } catch (error) {
          this.fail(error);
        }
        return;
      case 'failed':
        this.fail(actorFailure(message, this.world.seed));
        return;
    }
  }

  private deliver(node: string, delivery: Delivery): void {
    if (this.local?.owns(delivery.to)) return this.local.deliver(delivery);
    this.toNode(node, () => this.sink.recordAt(delivery.to, this.clock.now(), 'drop', { from: delivery.from, msg: delivery.message.type, s: delivery.sendN, cause: 'dead' }), (t) => t.send(delivery));
  }

  private dropped(node: string, drop: SendDropped): void {
    if (this.local?.owns(drop.from)) return this.local.dropped(drop);
    this.toNode(node, () => this.sink.recordAt(drop.from, this.clock.now(), 'drop', { to: drop.to, msg: drop.msg, s: drop.sendN, cause: drop.cause }), (t) => t.send(drop));
  }

  /** Hands something to a node's thread, or records it on the node's behalf while it is down. */
  private toNode(node: string, whileDown: () => void, up: (thread: NodeThread) => void): void {
    const state = this.states.get(node);
    if (state?.kind === 'up') up(state.thread);
    // A crashing node's last records are still arriving; record after them, so numbering holds.
    else if (state?.kind === 'crashing') state.pending.push(whileDown);
    else whileDown();
  }

  /** Runs the world events that are due, then makes the nodes' power real. */
  private stepWorld(): void {
    if (this.over) return;
    this.worldEvents.runWindow(this.clock.now());
    for (const node of this.states.keys()) {
      const up = this.world.isNodeUp(node);
      const state = this.states.get(node)!;
      if (!up && state.kind === 'up') void this.crash(node, this.lastFault).catch((e: unknown) => this.fail(e));
      if (up && state.kind !== 'up') void this.restart(node, `${this.lastFault} healed`).catch((e: unknown) => this.fail(e));
    }
    const next = this.worldEvents.nextEventTime();
    if (next <= this.endUs) this.timers.at(next, () => this.stepWorld());
  }

  /** A record the world copy wrote at the world (the header, faults): into the trace. */
  private worldRecord(record: TraceRecord): void {
    if (record.k === 'fault' && typeof record.fault === 'string') this.lastFault = `fault ${record.fault}`;
    if (record.k === 'fault') this.options.onEvent?.({ kind: 'fault', atUs: record.t, record });
    this.sink.add([record]);
  }

  private progress(): EmulationProgress {
    const states = [...this.states.values()];
    return {
      nowUs: Math.min(this.clock.now(), this.endUs),
      endUs: this.endUs,
      nodesUp: states.filter((s) => s.kind === 'up').length,
      nodes: states.length,
      events: this.events(),
      crashes: this.crashes.length,
      paused: this.clock.paused,
    };
  }

  private events(): number {
    return this.retiredEvents + this.liveThreads().reduce((n, t) => n + t.events, 0);
  }

  private liveThreads(): NodeThread[] {
    const threads: NodeThread[] = [];
    for (const state of this.states.values()) if (state.kind === 'up') threads.push(state.thread);
    return threads;
  }

  private async finish(): Promise<void> {
    if (this.over) return;
    this.over = true;
    // Before the threads leave: a stall at the end still counts.
    const heldMs = Math.round(this.clock.heldMs());
    try {
      const live = this.liveThreads();
      const stats = await Promise.all(live.map((t) => t.ask((c) => c.stop())));
      live.forEach((t, i) => (t.events = stats[i].events));
      this.finishedStats.push(...stats);
      const events = this.events();
      await this.shutdown();
      this.sink.flush(this.endUs, true);
      const realTimeMs = Math.round(realNowMs() - this.startedMs);
      const totals = { traceHash: this.trace.close(), events, records: this.trace.records, simulatedTimeUs: this.endUs, wallTimeMs: realTimeMs };
      this.resolve({
        summary: summarize(this.prepared, totals, this.observed, this.options.version ?? VERSION),
        emulation: { speed: this.clock.speed, realTimeMs, heldMs, bootMs: Math.round(this.startedMs - this.launchedMs), messagesRouted: this.router.routed, crashes: this.crashes, nodes: this.finishedStats },
      });
    } catch (error) {
      this.trace.abort();
      // A failure ends the emulation by shutting its threads down, which fails what the run was
      // waiting for ("thread is gone"): the failure is the cause to report, not that.
      this.reject(this.failure ?? error);
    }
  }

  private fail(error: unknown): void {
    if (this.over) return;
    this.over = true;
    this.failure = error;
    this.trace.abort();
    void this.shutdown().finally(() => this.reject(error));
  }

  private async shutdown(): Promise<void> {
    this.timers.stop();
    for (const interval of this.intervals) clearInterval(interval);
    const threads = [...this.threads];
    this.spares.clear();
    await Promise.all(threads.map((t) => t.end()));
  }
}

/** An actor's exception in a node thread, as the error a simulation would have thrown. */
function actorFailure(failure: ActorFailed, seed: number): SimulationError {
  const cause = new Error(failure.message);
  if (failure.stack !== undefined) cause.stack = failure.stack;
  return new SimulationError(seed, failure.timeUs, failure.actor, failure.event, cause);
}

/** Runs a whole emulation: start, wait for its end, return its summary. */
export async function emulate(recipe: WorldRecipe, options: EmulateOptions): Promise<EmulationResult> {
  const emulation = await Emulation.start(recipe, options);
  return emulation.done;
}

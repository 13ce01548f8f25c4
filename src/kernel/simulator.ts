/**
 * The simulator: one clock, one event queue, the actors, and the rules of delivery — single-thread
 * dispatch. Actors reach it through their context (actor-context.ts); a parallel run gives it a
 * partition role (partition.ts).
 *
 * Guarantee: given the same actors, environment and seed, the sequence of dispatched events — and
 * so the trace and its hash — is identical on every run. Events are ordered by
 * `(time, origin, seq)`: the actor whose action caused the event and that actor's own counter.
 * Index 0 is the `world` pseudo-actor, the origin of scheduled faults and other control actions.
 *
 * How it fails: an exception thrown by an actor is a bug in that actor; the run stops with a
 * `SimulationError` naming the seed, the simulated time, the actor and the event, so it can be
 * reproduced exactly. Nondeterminism smuggled into an actor (a wall clock, `Math.random`, iteration
 * over an unordered source) is not detected here; `checkDeterminism` finds it by running twice.
 *
 * Parallel runs (src/exec/parallel): with `setPartition`, a simulator runs only its partition's
 * actors — messages to the others leave through the partition role, arrive through `inject`, and
 * `runWindow` dispatches one window — and tags each trace record with its place in the
 * single-thread order (partition.ts keeps that state). Without it, nothing of that runs: one
 * thread is the reference and its traces are unchanged.
 */
import { ActorContext, type ContextHost } from './actor-context.ts';
import { ActorHandle, WORLD, type ActorState, type Placement } from './actor-handle.ts';
import { KernelRef } from './actor-ref.ts';
import type { ActorFactory, ActorRef, Context, Message, SendOptions } from './contract/actor.ts';
import type { Disconnect } from './contract/disconnect.ts';
import type { RecordKind, TraceRecord } from './contract/record.ts';
import { deriveRng, type Rng } from './contract/rng.ts';
import type { Micros } from './contract/time.ts';
import type { TimerId, Wakeup } from './contract/wakeup.ts';
import type { Disk } from './contract/disk.ts';
import type { Environment } from './environment.ts';
import { EventQueue } from './event-queue.ts';
import { PartitionState, type PartitionRole, type RemoteMessage } from './partition.ts';
import { TimerSet } from './timer-set.ts';
import { InputError } from './contract/input-error.ts';
import { SimulationError } from './contract/simulation-error.ts';
import type { TraceWriter } from './trace.ts';
import type { RecordShape } from './contract/record-shape.ts';

const DEFAULT_MESSAGE_BYTES = 64;

/** Event kinds, as stored per queue slot. */
const START = 0;
const MESSAGE = 1;
const TIMER = 2;
const CALL = 3;
/** A host's notification that a peer's process died (contract/disconnect.ts). */
const NOTICE = 4;

/** A `NOTICE`'s cause, as stored in its slot. */
const CLOSED = 0;
const REFUSED = 1;

const INITIAL_SLOTS = 4096;

/**
 * One crash of an actor, as the messages it sent before it and still had on the wire at it are
 * judged when they would arrive (`Simulator.cut`).
 */
interface CrashEntry {
  readonly time: Micros;
  /** What its host still sends for it after the crash, per connection — its socket buffer — bytes: 0 when the host went down with it. */
  readonly flushBytes: number;
  /** When its host went down too before it came back (a node crash after a process crash): what was still buffered is lost then. */
  hostDownAt: Micros;
  /** Per receiver (by index): the bytes still to send at the crash of the messages to it judged so far, in the order they arrive. */
  backlog: Map<number, number> | undefined;
}

/** An event queued for an actor, as `Simulator.pendingFor` lists it. */
export type PendingEvent =
  | { time: Micros; kind: 'message'; from: string; message: Message }
  | { time: Micros; kind: 'timer'; name: string; timer: number };

export interface RunOptions {
  /** Stop after the last event at or before this time. */
  until: Micros;
  /** Called every `progressEvery` events with the current simulated time. */
  onProgress?: (now: Micros) => void;
  progressEvery?: number;
  /**
   * Asked every `progressEvery` events: true stops the run there, before `until`, so that its
   * caller can serve its event loop (signals, timers) and call `run` again to go on. Pausing
   * changes nothing that happens: the next call dispatches the next event in the same order.
   */
  pause?: () => boolean;
}

export class Simulator implements ContextHost {
  private readonly queue = new EventQueue(INITIAL_SLOTS);
  // What each queued event carries, under the slot the queue gave its key (struct of arrays: an
  // event is no object, so scheduling one allocates nothing and the garbage collector never sees
  // it). Fields by kind — START: target. MESSAGE: target, sender, number (the send record's `n`),
  // ref (the message), incarnation (the sender's crashes before it sent), departure, end, size (its
  // bytes and when they went on the wire: `cut`). TIMER: target, number (timer id), incarnation, ref (the data), name. CALL:
  // target (the origin), ref (the action), name (its label). NOTICE: target, sender (the dead peer),
  // number (the cause), incarnation (the target's it is for), ref (the refused message's type).
  private kinds = new Uint8Array(INITIAL_SLOTS);
  private targets = new Int32Array(INITIAL_SLOTS);
  private senders = new Int32Array(INITIAL_SLOTS);
  private numbers = new Float64Array(INITIAL_SLOTS);
  private incarnations = new Float64Array(INITIAL_SLOTS);
  private departures = new Float64Array(INITIAL_SLOTS);
  private ends = new Float64Array(INITIAL_SLOTS);
  private sizes = new Float64Array(INITIAL_SLOTS);
  private refs: unknown[] = new Array<unknown>(INITIAL_SLOTS).fill(undefined);
  /**
   * Timers cancelled whose events may still be queued, by (actor index, timer id): a timer's event
   * finding its pair here is dropped (and the pair removed). A timer that is never cancelled costs
   * nothing here. A pair whose timer had fired already stays until `purgeCancelled`.
   */
  private cancelled = new TimerSet();
  private names: (string | undefined)[] = new Array<string | undefined>(INITIAL_SLOTS).fill(undefined);
  private readonly handles: ActorHandle[] = [];
  /**
   * Each actor's context while an incarnation of it runs here (else undefined), by actor index; the
   * incarnation's instance is the context's, and so is the actor's `ActorState` while it runs
   * (actor-handle.ts). The handle keeps neither: a delivery reads the context instead of the
   * handle (made at spawn, elsewhere in memory) — one cache miss fewer per event with many actors.
   * The delivery, send and timer paths read the handle only when they must (the actor down or not
   * started, a parallel run, a failure).
   */
  private readonly contexts: (ActorContext | undefined)[] = [undefined];
  /**
   * What a send or a delivery needs of the other actor's id, by actor index, beside its handle:
   * reading it does not touch the other actor's handle — one dependent cache miss fewer per
   * message when there are many actors. (The trace numbers the actors by the same index, and
   * keeps their ids' digests: `TraceWriter.addActor`.)
   */
  private readonly ids: string[] = [];
  /** Actor id → index. */
  private readonly byId = new Map<string, number>();
  /**
   * Each actor's crashes so far, by index (its incarnation, beside the ids rather than in the
   * handle): a message keeps its sender's count from its send, and one compare at its arrival
   * tells whether the sender crashed since — the one cost of `cut` to every delivery.
   */
  private readonly crashCounts: number[] = [0];
  /** Each actor's crashes, by index, then in order (entry k ends incarnation k); undefined before its first. */
  private readonly crashLog: (CrashEntry[] | undefined)[] = [undefined];
  private readonly world: ActorHandle;
  private environment: Environment | undefined;
  private clock: Micros = 0;
  private dispatched = 0;
  /** The actors here whose instance handles `onDisconnect` (at some incarnation), in the order first seen. */
  private readonly listeners = new Set<ActorHandle>();
  /** Actors started so far (their `startOrder`). */
  private started = 0;
  /** Set when this simulator runs one partition of a parallel run (see partition.ts). */
  private partition: PartitionState | undefined;

  constructor(
    readonly seed: number | string,
    private readonly trace: TraceWriter,
  ) {
    this.world = new ActorHandle(0, WORLD, WORLD, WORLD, () => ({}), this);
    this.handles.push(this.world);
    this.addId(WORLD);
  }

  /** Attaches the network and storage. Must be called before the first event runs. */
  setEnvironment(environment: Environment): void {
    this.environment = environment;
  }

  now(): Micros {
    return this.clock;
  }

  /** Events dispatched so far. */
  get events(): number {
    return this.dispatched;
  }

  get pending(): number {
    return this.queue.size;
  }

  actors(): readonly Placement[] {
    return this.handles.slice(1);
  }

  handle(id: string): ActorHandle {
    const index = this.byId.get(id);
    if (index === undefined) throw new Error(`no actor named ${id}`);
    return this.handles[index];
  }

  /** The context of the incarnation of `id` running here, if one is. */
  contextOf(id: string): Context | undefined {
    return this.contexts[this.handle(id).index];
  }

  /**
   * What is queued for an actor, earliest first: messages on their way (its mailbox) and its
   * timers still pending — for inspection (the lab); it changes nothing. A message in flight is
   * listed from its send, since the network has already given it its arrival time.
   */
  pendingFor(id: string): PendingEvent[] {
    const handle = this.handle(id);
    const out: PendingEvent[] = [];
    for (let position = 0; position < this.queue.size; position++) {
      const slot = this.queue.slotAt(position);
      const time = this.queue.timeAt(position);
      if (this.targets[slot] !== handle.index) continue;
      const kind = this.kinds[slot];
      if (kind === MESSAGE) {
        out.push({ time, kind: 'message', from: this.ids[this.senders[slot]], message: this.refs[slot] as Message });
      } else if (kind === TIMER && this.incarnations[slot] === handle.incarnation && !this.cancelled.has(handle.index, this.numbers[slot])) {
        out.push({ time, kind: 'timer', name: this.names[slot]!, timer: this.numbers[slot] });
      }
    }
    return out.sort((a, b) => a.time - b.time);
  }

  /** The actor's own view of its state (`Actor.inspect`), or undefined when it is down or offers none. */
  inspect(id: string): unknown {
    const handle = this.handle(id);
    return handle.up ? this.contexts[handle.index]?.instance?.inspect?.() : undefined;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Adds an actor; it starts at the current time (time 0 for actors added before the run). Returns its handle. */
  spawn(placement: Placement, factory: ActorFactory): ActorHandle {
    if (this.byId.has(placement.id) || placement.id === WORLD) throw new Error(`actor id ${placement.id} is already taken`);
    const handle = new ActorHandle(this.handles.length, placement.id, placement.node, placement.site, factory, this);
    this.handles.push(handle);
    this.contexts.push(undefined);
    this.crashCounts.push(0);
    this.crashLog.push(undefined);
    this.addId(handle.id);
    this.byId.set(handle.id, handle.index);
    // Up, its start event its first (see `ActorHandle.state`: its counters are made at its start).
    const slot = this.queueSlot(this.clock, handle.index, handle.spawned());
    this.kinds[slot] = START;
    this.targets[slot] = handle.index;
    return handle;
  }

  /**
   * Schedules a control action at an absolute time: a fault or repair of the world, or work the
   * world does on behalf of an actor (a disk completing its fsync), in which case that actor is the
   * origin so that the event's key stays local to the actor's partition.
   */
  at(time: Micros, label: string, run: () => void, origin: ActorHandle = this.world): void {
    if (time < this.clock) throw new Error(`cannot schedule ${label} in the past (${time} < ${this.clock})`);
    if (this.partition !== undefined && origin === this.world && this.partition.inActorEvent) {
      // The world's own event counter must advance alike in every thread; an actor's event runs in one.
      throw new Error(`world action ${label} was scheduled from an actor's event; a parallel run needs world actions scheduled up front or by world actions`);
    }
    const slot = this.slotFor(time, origin);
    this.kinds[slot] = CALL;
    this.targets[slot] = origin.index;
    this.refs[slot] = run;
    this.names[slot] = label;
  }

  /** Hands a wakeup (an I/O completion) to an actor now, unless it crashed since `incarnation`. */
  wake(handle: ActorHandle, incarnation: number, wakeup: Wakeup): void {
    if (!handle.up || handle.incarnation !== incarnation) return;
    this.fire(handle.index, this.contexts[handle.index], wakeup);
  }

  /** Hands `wakeup` to the `onTimer` of actor `index`, known to be up in the incarnation it is for (whose context is `ctx`). */
  private fire(index: number, ctx: ActorContext | undefined, wakeup: Wakeup): void {
    const instance = ctx?.instance;
    if (instance?.onTimer === undefined) return;
    // Inline rather than through `guard`: this runs once per timer, and the label is built only on failure.
    try {
      instance.onTimer(ctx!, wakeup);
    } catch (error) {
      this.fail(this.handles[index], `wakeup ${wakeup.name}`, error);
    }
  }

  /** Writes a trace record at an actor (or the world) at the current time. */
  record(handle: ActorHandle, kind: RecordKind, fields?: Record<string, unknown>): number {
    const n = handle.recordCount++;
    const rec: TraceRecord = { t: this.clock, k: kind, a: handle.id, n };
    if (this.partition === undefined && fields !== undefined) {
      // One walk over the fields copies and digests them (the common case: one thread, fields).
      this.trace.writeFields(rec, fields, handle.index);
      return n;
    }
    if (fields !== undefined) {
      for (const key in fields) {
        if (key === 't' || key === 'k' || key === 'a' || key === 'n') throw new Error(`trace field name ${key} is reserved`);
        rec[key] = fields[key];
      }
    }
    if (this.partition === undefined) this.trace.write(rec);
    else this.partition.write(rec, handle, handle === this.world);
    return n;
  }

  /**
   * `record(handle, shape.kind, fields)` with the fields' values by position (contract/
   * record-shape.ts): the same record, digested without a fields object (trace.ts's `writeShaped`).
   */
  recordShaped(handle: ActorHandle, shape: RecordShape, values: readonly unknown[]): number {
    const n = handle.recordCount++;
    if (this.partition === undefined) this.trace.writeShaped(shape, this.clock, handle.id, handle.index, n, values);
    else this.partition.write(shape.recordOf<TraceRecord>({ t: this.clock, k: shape.kind, a: handle.id, n }, values), handle, handle === this.world);
    return n;
  }

  recordWorld(kind: RecordKind, fields?: Record<string, unknown>): void {
    this.record(this.world, kind, fields);
  }

  /**
   * Crashes an actor: its instance, timers and pending completions are gone. Its messages still
   * on the wire are cut, except what its host still sends for it: up to `flushBytes` per
   * connection (a process's socket buffers; 0 when the host goes down with it) — see `cut`.
   */
  crash(id: string, fields: { scope: string; reason: string }, flushBytes = 0): void {
    this.beginStep();
    const handle = this.handle(id);
    // A host going down loses what it was still sending for the process's dead incarnations, even
    // when a later one is running now. Entries before a host crash were stamped by it: stop there.
    const log = this.crashLog[handle.index];
    if (flushBytes === 0 && log !== undefined) {
      for (let i = log.length - 1; i >= 0 && log[i].flushBytes > 0 && log[i].hostDownAt === Infinity; i--) log[i].hostDownAt = this.clock;
    }
    if (!handle.up) return;
    (this.crashLog[handle.index] ??= []).push({ time: this.clock, flushBytes, hostDownAt: Infinity, backlog: undefined });
    this.crashCounts[handle.index]++;
    const ctx = this.contexts[handle.index];
    if (ctx !== undefined) {
      ctx.retire();
      handle.leave();
      this.contexts[handle.index] = undefined;
    }
    handle.up = false;
    handle.peers = undefined;
    // Its timers' events still queued are dropped when they pop: their incarnation is over.
    handle.incarnation++;
    this.record(handle, 'crash', fields);
    if (this.listeners.size > 0) this.closeConnectionsTo(handle);
  }

  /**
   * The host of a crashed actor closes its connections: each actor here with a connection to it
   * hears `closed` one latency later, unless the host is down too or the way is cut.
   */
  private closeConnectionsTo(dead: ActorHandle): void {
    const env = this.env();
    for (const listener of this.listeners) {
      if (listener.peers?.delete(dead.index) !== true) continue;
      const at = env.answers?.(dead.index, listener.index, this.clock);
      if (at !== undefined) this.storeNotice(this.slotFor(at, listener), listener.index, dead.index, CLOSED, listener.incarnation, undefined);
    }
  }

  /** A message reached a dead actor: unless its host is down or the way is cut, the host refuses it (an RST back to the sender). */
  private refuse(dead: ActorHandle, sender: number, type: string): void {
    const env = this.env();
    if (env.answers === undefined || env.admits(sender, dead.index, this.clock) !== undefined) return;
    const at = env.answers(dead.index, sender, this.clock);
    if (at === undefined) return;
    const to = this.handles[sender];
    // A sender down by now would hear nothing (and a restart must not hear of its predecessor's message).
    if (!to.up) return;
    // A sender that never handled notices gets none: no event, as before notices existed. Whether it
    // did is known where it runs, so one in another partition is asked there (`inject`).
    if (this.partition === undefined || to.local) {
      if (this.listeners.has(to)) this.storeNotice(this.slotFor(at, dead), sender, dead.index, REFUSED, to.incarnation, type);
    } else {
      this.partition.export(at, dead, to, -1, { type }, undefined, { cause: REFUSED, incarnation: to.incarnation });
    }
  }

  private storeNotice(slot: number, to: number, peer: number, cause: number, incarnation: number, type: string | undefined): void {
    if (slot >= this.kinds.length) this.growSlots();
    this.kinds[slot] = NOTICE;
    this.targets[slot] = to;
    this.senders[slot] = peer;
    this.numbers[slot] = cause;
    this.incarnations[slot] = incarnation;
    this.refs[slot] = type;
  }

  /** Hands a host's notice to its actor, if it is the incarnation it is for, it handles notices, and the way is still open. */
  private notify(to: ActorHandle, peer: number, cause: number, incarnation: number, type: string | undefined): void {
    const ctx = this.contexts[to.index];
    const instance = ctx?.instance;
    if (!to.up || to.incarnation !== incarnation || instance?.onDisconnect === undefined) return;
    if (this.env().admits(peer, to.index, this.clock) !== undefined) return;
    to.peers?.delete(peer);
    const disconnect: Disconnect = cause === REFUSED ? { peer: this.ids[peer], cause: 'refused', msg: type } : { peer: this.ids[peer], cause: 'closed' };
    this.record(to, 'conn', { ...disconnect });
    this.guard(to, `disconnect from ${disconnect.peer}`, () => instance.onDisconnect!(ctx!, disconnect));
  }

  /** Restarts a crashed actor: a fresh instance whose `recover` runs now. */
  restart(id: string, fields: { scope: string; reason: string }): void {
    this.beginStep();
    const handle = this.handle(id);
    if (handle.up) return;
    handle.up = true;
    this.record(handle, 'restart', fields);
    this.instantiate(handle, 'recover');
  }

  isUp(id: string): boolean {
    return this.handle(id).up;
  }

  // --- running one partition of a parallel run (see partition.ts); unused in one thread ---

  /** Makes this simulator run only the actors `role` owns. Call before the first event runs. */
  setPartition(role: PartitionRole): void {
    this.partition = new PartitionState(role);
    for (const handle of this.handles) handle.local = handle === this.world || role.owns(handle.index);
  }

  /**
   * Dispatches every event at or before `until` and stops, leaving the clock at the last event.
   * Counts (in `events`) only the events this partition is responsible for, so the partitions'
   * counts add up to the single-thread count: world events in the thread that writes the world.
   */
  runWindow(until: Micros): void {
    const partition = this.partition;
    if (partition === undefined) throw new Error('runWindow needs setPartition first');
    const queue = this.queue;
    partition.openWindow(until);
    while (queue.size > 0 && queue.peekTime() <= until) {
      this.clock = queue.peekTime();
      partition.enterEvent(this.clock, queue.peekOrder());
      const slot = queue.popKey();
      // Read before dispatching: the slot is free again once the event's handler pushes.
      const counts = this.counts(slot, partition.role);
      this.dispatch(slot);
      if (counts) this.dispatched++;
    }
  }

  /** Time of the earliest pending event, or Infinity. */
  nextEventTime(): Micros {
    return this.queue.size > 0 ? this.queue.peekTime() : Infinity;
  }

  /** Queues a message another partition sent to one of ours, under the key its sender gave it. */
  inject(remote: RemoteMessage): void {
    const to = this.handles[remote.to];
    const from = this.handles[remote.origin];
    if (to === undefined || from === undefined || !to.local) throw new Error(`message for actor #${remote.to} injected into the wrong partition`);
    if (remote.time < this.clock) throw new Error(`message ${remote.message.type} to ${to.id} injected in the past (${remote.time} < ${this.clock})`);
    const notice = remote.notice;
    if (notice !== undefined) {
      // The sender listened before it sent, if ever (its instance's hook is there from its start).
      if (this.listeners.has(to)) this.storeNotice(this.queue.pushKey(remote.time, remote.origin, remote.seq), to.index, from.index, notice.cause, notice.incarnation, remote.message.type);
      return;
    }
    const wire = remote.wire!;
    this.storeMessage(this.queue.pushKey(remote.time, remote.origin, remote.seq), to.index, from.index, remote.sendN, remote.message, wire.crashes, wire.departed, wire.transmitted, wire.bytes);
  }

  /** Whether the event in `slot` counts in this partition's `events` (see `runWindow`). */
  private counts(slot: number, role: PartitionRole): boolean {
    const kind = this.kinds[slot];
    if (kind === START) return this.handles[this.targets[slot]].local;
    if (kind === CALL && this.targets[slot] === this.world.index) return role.writesWorld;
    return true;
  }

  /**
   * Marks the start of a step: where a world action turns to one node's or actor's state. In a
   * parallel run, records of one world event are ordered by step (every thread passes the same
   * marks, since world actions run alike everywhere) and then by index within the step, which only
   * the thread owning that node sees. Records at the world, crashes and restarts mark steps
   * themselves; world code reaching into a node's other state (its disk) marks one too. One
   * thread ignores them.
   */
  beginStep(): void {
    this.partition?.beginStep();
  }

  /** Dispatches every event at or before `until`; returns false when `pause` stopped it first. */
  run(options: RunOptions): boolean {
    const { until, onProgress, pause } = options;
    const every = options.progressEvery ?? 65536;
    const queue = this.queue;
    // Events until the next multiple of `every` (progress is reported at those counts): a countdown
    // instead of a division per event.
    let untilProgress = every - (this.dispatched % every);
    while (queue.size > 0 && queue.peekTime() <= until) {
      this.clock = queue.peekTime();
      this.dispatch(queue.popKey());
      this.dispatched++;
      if (--untilProgress === 0) {
        untilProgress = every;
        if (onProgress !== undefined) onProgress(this.clock);
        if (pause !== undefined && pause()) return false;
      }
    }
    if (until > this.clock && Number.isFinite(until)) this.clock = until;
    return true;
  }

  /** Queues an event caused by `origin` (its key takes the origin's next seq) and returns its slot. */
  private slotFor(time: Micros, origin: ActorHandle | ActorState): number {
    return this.queueSlot(time, origin.index, origin.seq++);
  }

  /** Queues an event keyed `(time, origin, seq)` and returns its slot. */
  private queueSlot(time: Micros, origin: number, seq: number): number {
    const slot = this.queue.pushKey(time, origin, seq);
    if (slot >= this.kinds.length) this.growSlots();
    return slot;
  }

  private growSlots(): void {
    const capacity = this.queue.slotCapacity;
    const grown = <T extends Uint8Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.kinds = grown(this.kinds, (n) => new Uint8Array(n));
    this.targets = grown(this.targets, (n) => new Int32Array(n));
    this.senders = grown(this.senders, (n) => new Int32Array(n));
    this.numbers = grown(this.numbers, (n) => new Float64Array(n));
    this.incarnations = grown(this.incarnations, (n) => new Float64Array(n));
    this.departures = grown(this.departures, (n) => new Float64Array(n));
    this.ends = grown(this.ends, (n) => new Float64Array(n));
    this.sizes = grown(this.sizes, (n) => new Float64Array(n));
    for (let i = this.refs.length; i < capacity; i++) {
      this.refs.push(undefined);
      this.names.push(undefined);
    }
  }

  /** A message's fields into `slot`, with its `Wire`'s by value (no object on a local send's path). */
  private storeMessage(slot: number, to: number, from: number, sendN: number, message: Message, crashes: number, departed: Micros, transmitted: Micros, bytes: number): void {
    if (slot >= this.kinds.length) this.growSlots();
    this.kinds[slot] = MESSAGE;
    this.targets[slot] = to;
    this.senders[slot] = from;
    this.numbers[slot] = sendN;
    this.refs[slot] = message;
    this.incarnations[slot] = crashes;
    this.departures[slot] = departed;
    this.ends[slot] = transmitted;
    this.sizes[slot] = bytes;
  }

  /**
   * Whether the message in `slot` from `from` to `to` was cut by a crash of its sender since it
   * was sent (known: its sender's crash count moved). Its bytes on the wire by the crash arrive;
   * of the rest, the host still sends up to the crash's `flushBytes` per connection — summed over
   * that connection's messages in the order they arrive, so once one is cut every later one is
   * too — unless the host itself goes down before the message's last byte left. Judged at the
   * arrival, in the receiver's thread: the crash, a world event, is known there by then (it came
   * before the message's last byte left, and so at least one latency before its arrival).
   */
  private cut(slot: number, from: number, to: number): boolean {
    const end = this.ends[slot];
    const crash = this.crashLog[from]![this.incarnations[slot]];
    if (end <= crash.time) return false;
    if (crash.flushBytes === 0 || end > crash.hostDownAt) return true;
    const departed = this.departures[slot];
    const bytes = this.sizes[slot];
    // Its bytes not yet on the wire at the crash, the wire sending them at an even rate.
    const left = crash.time <= departed ? bytes : Math.ceil((bytes * (end - crash.time)) / (end - departed));
    const backlog = (crash.backlog ??= new Map<number, number>());
    const held = (backlog.get(to) ?? 0) + left;
    backlog.set(to, held);
    return held > crash.flushBytes;
  }

  /** Runs the event just popped from `slot`; its fields are read before any handler can reuse the slot. */
  private dispatch(slot: number): void {
    const target = this.targets[slot];
    switch (this.kinds[slot]) {
      case TIMER: {
        const timer = this.numbers[slot];
        const incarnation = this.incarnations[slot];
        const data = this.refs[slot];
        const name = this.names[slot]!;
        this.refs[slot] = undefined;
        // Not the handle: see `contexts`.
        const ctx = this.contexts[target];
        const state = ctx ?? this.handles[target].state;
        state.lastFiredTimer = timer;
        // Removed whatever else holds: a cancelled timer of an earlier incarnation leaves the set as it fires.
        if ((this.cancelled.size > 0 && this.cancelled.remove(target, timer)) || !state.up || state.incarnation !== incarnation) return;
        const n = state.recordCount++;
        if (this.partition === undefined) this.trace.writeTimer(this.clock, target, n, name);
        else this.partition.write({ t: this.clock, k: 'timer', a: this.ids[target], n, name }, this.handles[target], false);
        // Checked up and in this incarnation just above: `fire`, not `wake`.
        this.fire(target, ctx, { name, data });
        return;
      }
      case MESSAGE: {
        const message = this.refs[slot] as Message;
        this.refs[slot] = undefined;
        const from = this.senders[slot];
        // The one compare every delivery pays for `cut`: has its sender crashed since it sent?
        if (this.crashCounts[from] !== this.incarnations[slot] && this.cut(slot, from, target)) {
          this.record(this.handles[target], 'drop', { from: this.ids[from], msg: message.type, s: this.numbers[slot], cause: 'sender-crash' });
          return;
        }
        this.deliver(target, this.contexts[target], from, this.numbers[slot], message);
        return;
      }
    }
    const to = this.handles[target];
    switch (this.kinds[slot]) {
      case START:
        if (!to.up || this.contexts[target] !== undefined || !to.local) return;
        this.instantiate(to, 'start');
        return;
      case CALL: {
        const run = this.refs[slot] as () => void;
        this.refs[slot] = undefined;
        this.guard(to, this.names[slot]!, run);
        return;
      }
      case NOTICE: {
        const type = this.refs[slot] as string | undefined;
        this.refs[slot] = undefined;
        this.notify(to, this.senders[slot], this.numbers[slot], this.incarnations[slot], type);
        return;
      }
    }
  }

  /** Delivers a message from the actor with index `from` (whose handle it leaves alone: see `ids`). */
  private deliver(target: number, ctx: ActorContext | undefined, from: number, sendN: number, message: Message): void {
    const fromId = this.ids[from];
    const state = ctx ?? this.handles[target].state;
    const blocked = state.up ? this.env().admits(from, target, this.clock) : 'dead';
    if (blocked !== undefined) {
      const to = this.handles[target];
      this.record(to, 'drop', { from: fromId, msg: message.type, s: sendN, cause: blocked });
      if (blocked === 'dead') this.refuse(to, from, message.type);
      return;
    }
    // A message can reach an actor spawned at this very instant before its start event runs
    // (the sender's key sorts first); the actor starts now, then handles the message.
    if (ctx === undefined) {
      this.instantiate(this.handles[target], 'start');
      ctx = this.contexts[target];
    }
    const n = state.recordCount++;
    if (this.partition === undefined) this.trace.writeRecv(this.clock, target, n, from, message.type, sendN);
    else this.partition.write({ t: this.clock, k: 'recv', a: this.ids[target], n, from: fromId, msg: message.type, s: sendN }, this.handles[target], false);
    const instance = ctx?.instance;
    if (instance?.onMessage === undefined) return;
    ctx = ctx!;
    ctx.peer = fromId;
    ctx.peerIndex = from;
    // Inline rather than through `guard`: this runs once per message, and the label is built only on failure.
    try {
      instance.onMessage(ctx, message, fromId);
    } catch (error) {
      this.fail(this.handles[target], `message ${message.type} from ${fromId}`, error);
    }
  }

  private instantiate(handle: ActorHandle, entry: 'start' | 'recover'): void {
    // Another partition's actor has its bookkeeping here but runs in its own thread.
    if (!handle.local) return;
    // The factory runs inside the guard too: a constructor that throws is the actor's bug.
    this.guard(handle, entry, () => {
      const instance = handle.factory();
      if (handle.startOrder < 0) handle.startOrder = this.started++;
      // The context takes the actor's state over for this incarnation (see `ActorState`).
      const ctx = new ActorContext(this, handle, instance);
      if (instance.onDisconnect !== undefined) {
        ctx.peers = new Set();
        this.listeners.add(handle);
      }
      this.contexts[handle.index] = ctx;
      const run = entry === 'recover' && instance.recover !== undefined ? instance.recover : instance.start;
      run?.call(instance, ctx);
    });
  }

  private guard(handle: ActorHandle, what: string, body: () => void): void {
    try {
      body();
    } catch (error) {
      this.fail(handle, what, error);
    }
  }

  /**
   * Turns an exception thrown by an actor into a `SimulationError` that reproduces it. An
   * `InputError` is the scenario's fault, found only while running (a message between two sites
   * no link joins): it goes to the user as such.
   */
  private fail(handle: ActorHandle, what: string, error: unknown): never {
    if (error instanceof SimulationError || error instanceof InputError) throw error;
    throw new SimulationError(this.seed, this.clock, handle.id, what, error);
  }

  private env(): Environment {
    if (this.environment === undefined) throw new Error('the simulator has no environment (world) attached');
    return this.environment;
  }

  /** The next actor's id, under its index here and in the trace (whose hot records name actors by it). */
  private addId(id: string): void {
    const index = this.ids.length;
    this.ids.push(id);
    if (this.trace.addActor(id) !== index) throw new Error('a trace writer records the actors of one simulator only');
  }

  // --- operations on behalf of an actor's context ---

  indexNamed(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  refTo(id: string): ActorRef {
    // An actor spawned later is found by its id at each send through this ref, as by name.
    const index = this.byId.get(id);
    return index === undefined ? new KernelRef(id, this, -1) : this.handles[index].ref;
  }

  /** Sends to `to`, whose index is `target` (-1: no such actor): the receiver's handle is not read unless it runs in another partition. */
  send(from: ActorHandle, state: ActorState, to: string, target: number, message: Message, options: SendOptions | undefined): void {
    const bytes = options?.bytes ?? DEFAULT_MESSAGE_BYTES;
    const sendN = state.recordCount++;
    if (this.partition !== undefined) this.partition.write({ t: this.clock, k: 'send', a: from.id, n: sendN, to, msg: message.type, bytes }, from, false);
    else if (target >= 0) this.trace.writeSend(this.clock, state.index, sendN, target, message.type, bytes);
    else this.trace.write({ t: this.clock, k: 'send', a: from.id, n: sendN, to, msg: message.type, bytes });
    if (target < 0) {
      this.record(from, 'drop', { to, msg: message.type, s: sendN, cause: 'unknown-target' });
      return;
    }
    // A connection, for an actor that hears of its peers' deaths (contract/disconnect.ts).
    if (state.peers !== undefined) state.peers.add(target);
    const env = this.env();
    const arrival = env.transmit(state.index, target, bytes, this.clock);
    if (typeof arrival === 'string') {
      this.record(from, 'drop', { to, msg: message.type, s: sendN, cause: arrival });
      return;
    }
    const departed = env.departed ?? this.clock;
    const transmitted = env.transmitted ?? this.clock;
    if (typeof arrival === 'number') {
      this.enqueueMessage(arrival, from, state, target, sendN, message, departed, transmitted, bytes);
      return;
    }
    // A duplicated message: each copy is its own event (its own seq), all naming the one send.
    for (const at of arrival) this.enqueueMessage(at, from, state, target, sendN, message, departed, transmitted, bytes);
  }

  /** Queues a message here, or hands it to the partition its receiver runs in (its `Wire` with it: `cut` judges it there). */
  private enqueueMessage(time: Micros, from: ActorHandle, state: ActorState, to: number, sendN: number, message: Message, departed: Micros, transmitted: Micros, bytes: number): void {
    const crashes = this.crashCounts[state.index];
    // Only a partition's simulator has actors that are not local.
    if (this.partition === undefined || this.handles[to].local) {
      this.storeMessage(this.slotFor(time, state), to, state.index, sendN, message, crashes, departed, transmitted, bytes);
      return;
    }
    this.partition.export(time, from, this.handles[to], sendN, message, { crashes, departed, transmitted, bytes });
  }

  /** The node-local clock of an actor (see `Context.localTime`). */
  localTime(handle: ActorHandle): Micros {
    return this.env().localTime?.(handle, this.clock) ?? this.clock;
  }

  /** The CPU slowdown factor of an actor's node (see `Context.cpuSlowdown`). */
  cpuSlowdown(handle: ActorHandle): number {
    return this.env().cpuSlowdown?.(handle) ?? 1;
  }

  setTimer(state: ActorState, delay: Micros, name: string, data: unknown): TimerId {
    if (!(Number.isSafeInteger(delay) && delay >= 0)) throw new Error(`timer ${name}: delay must be a non-negative integer µs, got ${delay}`);
    // Timer ids count per actor, so they do not depend on what other actors (or other worker
    // threads) did — an actor may record or send its ids without breaking determinism.
    const timer = ++state.timerCount;
    const slot = this.slotFor(this.clock + delay, state);
    this.kinds[slot] = TIMER;
    this.targets[slot] = state.index;
    this.numbers[slot] = timer;
    this.incarnations[slot] = state.incarnation;
    this.refs[slot] = data;
    this.names[slot] = name;
    return timer;
  }

  cancelTimer(state: ActorState, timer: TimerId): void {
    // An id this actor never got names no timer; one cancelled before is cancelled already; the one
    // that fired last is queued no more (the usual re-arm from its own handler): nothing to stop.
    if (!(timer >= 1 && timer <= state.timerCount) || timer === state.lastFiredTimer || this.cancelled.has(state.index, timer)) return;
    this.cancelled.add(state.index, timer);
    if (this.cancelled.size > 2 * this.queue.size + 1024) this.purgeCancelled();
  }

  /** Cancelled timers the simulator holds on to (for tests of what the kernel keeps). */
  get cancelledHeld(): number {
    return this.cancelled.size;
  }

  /**
   * Drops the cancelled pairs whose timers are no longer queued (they had fired, or their actor
   * cancelled a timer it had already seen): only queued events can find a pair. It runs when the
   * set outgrows twice the queue, so its cost per cancel is constant.
   */
  private purgeCancelled(): void {
    const kept = new TimerSet();
    const queue = this.queue;
    for (let position = 0; position < queue.size; position++) {
      const slot = queue.slotAt(position);
      if (this.kinds[slot] === TIMER && this.cancelled.has(this.targets[slot], this.numbers[slot])) kept.add(this.targets[slot], this.numbers[slot]);
    }
    this.cancelled = kept;
  }

  disk(handle: ActorHandle): Disk {
    return this.env().disk(handle);
  }

  rng(handle: ActorHandle, purpose: string): Rng {
    if (purpose === handle.firstPurpose) return handle.firstRng!;
    if (purpose === handle.secondPurpose) return handle.secondRng!;
    let rng = handle.moreRngs?.get(purpose);
    if (rng !== undefined) return rng;
    // A stream is derived from (seed, actor, purpose) alone, so when it is made changes no draw.
    rng = deriveRng(this.seed, handle.id, purpose);
    if (handle.firstPurpose === undefined) {
      handle.firstPurpose = purpose;
      handle.firstRng = rng;
    } else if (handle.secondPurpose === undefined) {
      handle.secondPurpose = purpose;
      handle.secondRng = rng;
    } else (handle.moreRngs ??= new Map()).set(purpose, rng);
    return rng;
  }

  /** A random stream owned by the world (faults, network loss), keyed by purpose. */
  worldRng(purpose: string): Rng {
    return this.rng(this.world, purpose);
  }
}

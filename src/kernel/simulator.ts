/**
 * The simulator: one clock, one event queue, the actors, and the rules of delivery.
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
 */
import type { Actor, ActorFactory, Context, Disk, Message, SendOptions, TimerId, Wakeup } from './actor.ts';
import { EventQueue } from './event-queue.ts';
import { deriveRng, type Rng } from './rng.ts';
import type { Micros } from './time.ts';
import type { RecordKind, TraceRecord, TraceWriter } from './trace.ts';

export const WORLD = 'world';
const DEFAULT_MESSAGE_BYTES = 64;

/** Where an actor lives. */
export interface Placement {
  readonly id: string;
  readonly node: string;
  readonly site: string;
}

/** Why a message was not delivered. */
export type DropCause = 'partition' | 'loss' | 'dead' | 'unknown-target';

/** What the kernel asks of the world (network and storage); `world/` implements it. */
export interface Environment {
  /** Arrival time of a message sent now, or why it will never arrive. */
  transmit(from: Placement, to: Placement, bytes: number, now: Micros): Micros | DropCause;
  /** Whether a message arriving now may be delivered, or why not (a partition began in flight). */
  admits(from: Placement, to: Placement, now: Micros): DropCause | undefined;
  /** The disk view an actor's context exposes. */
  disk(actor: ActorHandle): Disk;
}

/** The kernel's bookkeeping for one actor; it outlives the actor's instances. */
export class ActorHandle implements Placement {
  instance: Actor<any> | undefined;
  context: Context | undefined;
  up = false;
  /** Bumped at every crash; timers and completions of an older incarnation are dropped. */
  incarnation = 0;
  /** Counter of events this actor originated (the `seq` of the event key). */
  seq = 0;
  /** Counter of trace records written at this actor (the `n` of a record). */
  recordCount = 0;
  /** Counter of timers this actor has set (its timer ids). */
  timerCount = 0;
  readonly timers = new Set<TimerId>();
  readonly rngs = new Map<string, Rng>();

  constructor(
    readonly index: number,
    readonly id: string,
    readonly node: string,
    readonly site: string,
    readonly factory: ActorFactory,
  ) {}
}

type Event =
  | { kind: 'start'; to: ActorHandle }
  | { kind: 'message'; to: ActorHandle; from: ActorHandle; sendN: number; message: Message }
  | { kind: 'timer'; to: ActorHandle; incarnation: number; timer: TimerId; wakeup: Wakeup }
  | { kind: 'call'; label: string; origin: ActorHandle; run: () => void };

export class SimulationError extends Error {
  constructor(
    readonly seed: number | string,
    readonly time: Micros,
    readonly actor: string,
    readonly event: string,
    override readonly cause: unknown,
  ) {
    super(`actor ${actor} threw at t=${time}us (seed ${seed}) while handling ${event}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SimulationError';
  }
}

export interface RunOptions {
  /** Stop after the last event at or before this time. */
  until: Micros;
  /** Called every `progressEvery` events with the current simulated time. */
  onProgress?: (now: Micros) => void;
  progressEvery?: number;
}

export class Simulator {
  private readonly queue = new EventQueue<Event>(4096);
  private readonly handles: ActorHandle[] = [];
  private readonly byId = new Map<string, ActorHandle>();
  private readonly world: ActorHandle;
  private environment: Environment | undefined;
  private clock: Micros = 0;
  private dispatched = 0;

  constructor(
    readonly seed: number | string,
    private readonly trace: TraceWriter,
  ) {
    this.world = new ActorHandle(0, WORLD, WORLD, WORLD, () => ({}));
    this.handles.push(this.world);
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
    const handle = this.byId.get(id);
    if (handle === undefined) throw new Error(`no actor named ${id}`);
    return handle;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Adds an actor; it starts at the current time (time 0 for actors added before the run). */
  spawn(placement: Placement, factory: ActorFactory): void {
    if (this.byId.has(placement.id) || placement.id === WORLD) throw new Error(`actor id ${placement.id} is already taken`);
    const handle = new ActorHandle(this.handles.length, placement.id, placement.node, placement.site, factory);
    this.handles.push(handle);
    this.byId.set(handle.id, handle);
    handle.up = true;
    this.push(this.clock, handle, { kind: 'start', to: handle });
  }

  /**
   * Schedules a control action at an absolute time: a fault or repair of the world, or work the
   * world does on behalf of an actor (a disk completing its fsync), in which case that actor is the
   * origin so that the event's key stays local to the actor's partition.
   */
  at(time: Micros, label: string, run: () => void, origin: ActorHandle = this.world): void {
    if (time < this.clock) throw new Error(`cannot schedule ${label} in the past (${time} < ${this.clock})`);
    this.push(time, origin, { kind: 'call', label, origin, run });
  }

  /** Hands a wakeup (an I/O completion) to an actor now, unless it crashed since `incarnation`. */
  wake(handle: ActorHandle, incarnation: number, wakeup: Wakeup): void {
    if (!handle.up || handle.incarnation !== incarnation) return;
    const instance = handle.instance;
    if (instance?.onTimer === undefined) return;
    this.guard(handle, `wakeup ${wakeup.name}`, () => instance.onTimer!(handle.context!, wakeup));
  }

  /** Writes a trace record at an actor (or the world) at the current time. */
  record(handle: ActorHandle, kind: RecordKind, fields?: Record<string, unknown>): number {
    const n = handle.recordCount++;
    const rec: TraceRecord = { t: this.clock, k: kind, a: handle.id, n };
    if (fields !== undefined) {
      for (const key in fields) {
        if (key === 't' || key === 'k' || key === 'a' || key === 'n') throw new Error(`trace field name ${key} is reserved`);
        rec[key] = fields[key];
      }
    }
    this.trace.write(rec);
    return n;
  }

  recordWorld(kind: RecordKind, fields?: Record<string, unknown>): void {
    this.record(this.world, kind, fields);
  }

  /** Crashes an actor: its instance, timers and pending completions are gone. */
  crash(id: string, fields: { scope: string; reason: string }): void {
    const handle = this.handle(id);
    if (!handle.up) return;
    handle.up = false;
    handle.instance = undefined;
    handle.context = undefined;
    handle.incarnation++;
    handle.timers.clear();
    this.record(handle, 'crash', fields);
  }

  /** Restarts a crashed actor: a fresh instance whose `recover` runs now. */
  restart(id: string, fields: { scope: string; reason: string }): void {
    const handle = this.handle(id);
    if (handle.up) return;
    handle.up = true;
    this.record(handle, 'restart', fields);
    this.instantiate(handle, 'recover');
  }

  isUp(id: string): boolean {
    return this.handle(id).up;
  }

  run(options: RunOptions): void {
    const { until, onProgress } = options;
    const every = options.progressEvery ?? 65536;
    const queue = this.queue;
    while (queue.size > 0 && queue.peekTime() <= until) {
      this.clock = queue.peekTime();
      this.dispatch(queue.pop());
      if (++this.dispatched % every === 0 && onProgress !== undefined) onProgress(this.clock);
    }
    if (until > this.clock && Number.isFinite(until)) this.clock = until;
  }

  private push(time: Micros, origin: ActorHandle, event: Event): void {
    this.queue.push(time, origin.index, origin.seq++, event);
  }

  private dispatch(event: Event): void {
    switch (event.kind) {
      case 'call':
        this.guard(event.origin, event.label, event.run);
        return;
      case 'start': {
        if (!event.to.up || event.to.instance !== undefined) return;
        this.instantiate(event.to, 'start');
        return;
      }
      case 'message':
        this.deliver(event);
        return;
      case 'timer': {
        const to = event.to;
        if (!to.up || to.incarnation !== event.incarnation || !to.timers.delete(event.timer)) return;
        this.record(to, 'timer', { name: event.wakeup.name });
        this.wake(to, event.incarnation, event.wakeup);
        return;
      }
    }
  }

  private deliver(event: Extract<Event, { kind: 'message' }>): void {
    const { to, from, message } = event;
    const blocked = to.up ? this.env().admits(from, to, this.clock) : 'dead';
    if (blocked !== undefined) {
      this.record(to, 'drop', { from: from.id, msg: message.type, s: event.sendN, cause: blocked });
      return;
    }
    // A message can reach an actor spawned at this very instant before its start event runs
    // (the sender's key sorts first); the actor starts now, then handles the message.
    if (to.instance === undefined) this.instantiate(to, 'start');
    this.record(to, 'recv', { from: from.id, msg: message.type, s: event.sendN });
    const instance = to.instance;
    if (instance?.onMessage === undefined) return;
    this.guard(to, `message ${message.type} from ${from.id}`, () => instance.onMessage!(to.context!, message, from.id));
  }

  private instantiate(handle: ActorHandle, entry: 'start' | 'recover'): void {
    // The factory runs inside the guard too: a constructor that throws is the actor's bug.
    this.guard(handle, entry, () => {
      const instance = handle.factory();
      handle.instance = instance;
      const ctx = new ActorContext(this, handle, this.env().disk(handle));
      handle.context = ctx;
      const run = entry === 'recover' && instance.recover !== undefined ? instance.recover : instance.start;
      run?.call(instance, ctx);
    });
  }

  private guard(handle: ActorHandle, what: string, body: () => void): void {
    try {
      body();
    } catch (error) {
      if (error instanceof SimulationError) throw error;
      throw new SimulationError(this.seed, this.clock, handle.id, what, error);
    }
  }

  private env(): Environment {
    if (this.environment === undefined) throw new Error('the simulator has no environment (world) attached');
    return this.environment;
  }

  // --- operations on behalf of an actor's context ---

  send(from: ActorHandle, to: string, message: Message, options: SendOptions | undefined): void {
    const bytes = options?.bytes ?? DEFAULT_MESSAGE_BYTES;
    const target = this.byId.get(to);
    const sendN = this.record(from, 'send', { to, msg: message.type, bytes });
    if (target === undefined) {
      this.record(from, 'drop', { to, msg: message.type, s: sendN, cause: 'unknown-target' });
      return;
    }
    const arrival = this.env().transmit(from, target, bytes, this.clock);
    if (typeof arrival === 'string') {
      this.record(from, 'drop', { to, msg: message.type, s: sendN, cause: arrival });
      return;
    }
    this.push(arrival, from, { kind: 'message', to: target, from, sendN, message });
  }

  setTimer(handle: ActorHandle, delay: Micros, name: string, data: unknown): TimerId {
    if (!(Number.isSafeInteger(delay) && delay >= 0)) throw new Error(`timer ${name}: delay must be a non-negative integer µs, got ${delay}`);
    // Timer ids count per actor, so they do not depend on what other actors (or other worker
    // threads) did — an actor may record or send its ids without breaking determinism.
    const timer = ++handle.timerCount;
    handle.timers.add(timer);
    this.push(this.clock + delay, handle, { kind: 'timer', to: handle, incarnation: handle.incarnation, timer, wakeup: { name, data } });
    return timer;
  }

  rng(handle: ActorHandle, purpose: string): Rng {
    let rng = handle.rngs.get(purpose);
    if (rng === undefined) {
      rng = deriveRng(this.seed, handle.id, purpose);
      handle.rngs.set(purpose, rng);
    }
    return rng;
  }

  /** A random stream owned by the world (faults, network loss), keyed by purpose. */
  worldRng(purpose: string): Rng {
    return this.rng(this.world, purpose);
  }
}

/** The `Context` of one incarnation of one actor. */
class ActorContext implements Context {
  readonly self: string;
  readonly node: string;
  readonly site: string;

  constructor(
    private readonly sim: Simulator,
    private readonly handle: ActorHandle,
    readonly disk: Disk,
  ) {
    this.self = handle.id;
    this.node = handle.node;
    this.site = handle.site;
  }

  now(): Micros {
    return this.sim.now();
  }

  send<M extends Message>(to: string, message: M, options?: SendOptions): void {
    this.live();
    this.sim.send(this.handle, to, message, options);
  }

  setTimer(delay: Micros, name: string, data?: unknown): TimerId {
    this.live();
    return this.sim.setTimer(this.handle, delay, name, data);
  }

  cancelTimer(id: TimerId): void {
    this.handle.timers.delete(id);
  }

  rng(purpose: string): Rng {
    return this.sim.rng(this.handle, purpose);
  }

  record(kind: RecordKind, fields?: Record<string, unknown>): void {
    this.live();
    this.sim.record(this.handle, kind, fields);
  }

  /** A context outliving its incarnation (kept in a closure across a crash) must not act. */
  private live(): void {
    if (this.handle.context !== this) throw new Error(`actor ${this.self} used a context from before its crash`);
  }
}

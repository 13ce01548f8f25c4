/**
 * The kernel's bookkeeping for one actor, which outlives the actor's instances: where it lives,
 * whether it is up, its incarnation and its counters (events, records, timers: its `ActorState`,
 * held by the running incarnation's context, which the hot paths read without touching the
 * handle), its random streams.
 * (Its cancelled timers are in the simulator's one table, timer-set.ts; what a send or a delivery
 * needs of the other actor — its id — in the simulator's array by index, and its id's digest in
 * the trace's, so that neither touches the other actor's handle.)
 *
 * Guarantee: every counter is the actor's own, so an actor's event keys, record numbers and timer
 * ids never depend on what other actors (or other worker threads) did. Internal to the kernel and
 * the world; actor code never sees a handle, only its `Context`.
 */
import { KernelRef } from './actor-ref.ts';
import type { ActorFactory } from './contract/actor.ts';
import type { Rng } from './contract/rng.ts';

/** The `world` pseudo-actor: index 0, the origin of scheduled faults and other control actions. */
export const WORLD = 'world';

/** Where an actor lives. */
export interface Placement {
  readonly id: string;
  readonly node: string;
  readonly site: string;
}

/**
 * The peer an actor's context last exchanged a message with, and its index (actor-context.ts):
 * the simulator sets it when it delivers a message.
 */
export interface PeerMemo {
  peer: string | undefined;
  peerIndex: number;
}

/**
 * What every event of an actor reads and counts: whether it is up, its incarnation, its counters.
 * While an incarnation runs here, its context holds them (`ActorContext` is an `ActorState`): a
 * delivery, a send and a timer read them from the object they touch anyway, not from one of its
 * own. Otherwise — before the first start, between a crash and a restart, for another partition's
 * actor — an `IdleState` does. The handle's `state` is always the one that holds them now.
 */
export interface ActorState {
  /** The actor's index (as its handle's). */
  readonly index: number;
  up: boolean;
  /** Bumped at every crash; timers and completions of an older incarnation are dropped. */
  incarnation: number;
  /** Counter of events this actor originated (the `seq` of the event key). */
  seq: number;
  /** Counter of trace records written at this actor (the `n` of a record). */
  recordCount: number;
  /** Counter of timers this actor has set (its timer ids). */
  timerCount: number;
  /**
   * The id of its timer that fired (or was dropped) last: no longer queued, so cancelling it needs
   * no entry in the simulator's cancelled set — the common case of a handler re-arming the timer
   * that woke it (`cancelTimer(this.timer); this.timer = setTimer(…)`).
   */
  lastFiredTimer: number;
  /**
   * The peers (by index) this incarnation has a connection to — sent to, and heard no disconnect
   * from since — kept only while its instance handles `onDisconnect` (contract/disconnect.ts);
   * undefined otherwise, which is all a send checks.
   */
  peers: Set<number> | undefined;
}

/** An actor's state while no incarnation of it runs here (see `ActorState`). */
class IdleState implements ActorState {
  up = false;
  incarnation = 0;
  seq = 0;
  recordCount = 0;
  timerCount = 0;
  lastFiredTimer = 0;
  peers: Set<number> | undefined = undefined;
  constructor(readonly index: number) {}
}

/** Copies every counter of `from` into `to` (the state moving between a context and an `IdleState`). */
function moveState(from: ActorState, to: ActorState): void {
  to.up = from.up;
  to.incarnation = from.incarnation;
  to.seq = from.seq;
  to.recordCount = from.recordCount;
  to.timerCount = from.timerCount;
  to.lastFiredTimer = from.lastFiredTimer;
  to.peers = from.peers;
}

export class ActorHandle implements Placement {
  /**
   * Its counters and liveness (see `ActorState`; the accessors below read and write them there):
   * its running context's, else an `IdleState` made at first use. Until then a spawned actor is up
   * with its start event queued as its event 0 (`spawned`), and nothing else has happened to it —
   * so most actors never have an `IdleState` before their first start.
   */
  private holder: ActorState | undefined = undefined;
  /** Set by `spawned()`: the state, when made, starts up with one event (its start) queued. */
  private queuedStart = false;
  /**
   * Its place in the order this simulator's actors first started in (first instantiation; -1
   * before): the order a node's disk lists its actors' files in (world/disk.ts), which is where
   * they were listed when every actor's files were registered as it started.
   */
  startOrder = -1;
  /** Whether this actor runs in this thread: false only for other partitions' actors in a parallel run. */
  local = true;
  /**
   * Its random streams by purpose: the first two in fields (most actors draw for one or two
   * purposes), any further in a Map made for the third — a Map costs ≈ 250 bytes, which is more
   * than all of a handle's own fields.
   */
  firstPurpose: string | undefined = undefined;
  firstRng: Rng | undefined = undefined;
  secondPurpose: string | undefined = undefined;
  secondRng: Rng | undefined = undefined;
  moreRngs: Map<string, Rng> | undefined = undefined;
  /** The ref `World.spawn` and `ctx.actor(id)` hand out for this actor (actor-ref.ts). */
  readonly ref: KernelRef;

  /** @param owner the simulator this handle belongs to: its refs resolve only there. */
  constructor(
    readonly index: number,
    readonly id: string,
    readonly node: string,
    readonly site: string,
    readonly factory: ActorFactory,
    owner: object,
  ) {
    this.ref = new KernelRef(id, owner, index);
  }

  /** The actor's state now (`holder`), made if it was not yet. */
  get state(): ActorState {
    return (this.holder ??= this.fresh());
  }

  /** Marks a new actor up with its start event queued; returns that event's seq (its first: 0). */
  spawned(): number {
    if (this.holder !== undefined || this.queuedStart) throw new Error(`actor ${this.id} spawned twice`);
    this.queuedStart = true;
    return 0;
  }

  /** An incarnation starts here: `running` (its context) takes the actor's state over. */
  runIn(running: ActorState): void {
    // Most often at the first start, with no state made yet: `running` starts from a fresh one's values.
    if (this.holder !== undefined) moveState(this.holder, running);
    else this.spawnedInto(running);
    this.holder = running;
  }

  /** The running incarnation ends (a crash): its context hands the state back, to an `IdleState`. */
  leave(): void {
    const idle = new IdleState(this.index);
    moveState(this.state, idle);
    this.holder = idle;
  }

  private fresh(): ActorState {
    const state = new IdleState(this.index);
    this.spawnedInto(state);
    return state;
  }

  /** A fresh state (all counters 0, down) becomes a spawned actor's: up, its start event queued. */
  private spawnedInto(state: ActorState): void {
    if (!this.queuedStart) return;
    state.up = true;
    state.seq = 1;
  }

  get up(): boolean {
    return this.state.up;
  }
  set up(up: boolean) {
    this.state.up = up;
  }
  get incarnation(): number {
    return this.state.incarnation;
  }
  set incarnation(incarnation: number) {
    this.state.incarnation = incarnation;
  }
  get seq(): number {
    return this.state.seq;
  }
  set seq(seq: number) {
    this.state.seq = seq;
  }
  get recordCount(): number {
    return this.state.recordCount;
  }
  set recordCount(count: number) {
    this.state.recordCount = count;
  }
  get timerCount(): number {
    return this.state.timerCount;
  }
  get lastFiredTimer(): number {
    return this.state.lastFiredTimer;
  }
  get peers(): Set<number> | undefined {
    return this.state.peers;
  }
  set peers(peers: Set<number> | undefined) {
    this.state.peers = peers;
  }
}

/**
 * The kernel's bookkeeping for one actor, which outlives the actor's instances: where it lives,
 * whether it is up, its incarnation and its counters (events, records, timers: in its
 * `ActorState`, which the hot paths read from the actor's context without touching the handle),
 * its random streams.
 * (Its cancelled timers are in the simulator's one table, timer-set.ts; what a send or a delivery
 * needs of the other actor — its id, its trace-string slot — in the simulator's arrays by index,
 * so that neither touches the other actor's handle.)
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
 * A handle's `state`, and its context's while an incarnation runs: the simulator's delivery, send
 * and timer paths read it from the context and never touch the handle. A spawned actor's is made
 * at its first start (`ActorHandle.state`), so that it sits beside the instance and context made
 * then: with many actors the handle is a cache miss of its own, far from those.
 */
export class ActorState {
  up = false;
  /** Bumped at every crash; timers and completions of an older incarnation are dropped. */
  incarnation = 0;
  /** Counter of events this actor originated (the `seq` of the event key). */
  seq = 0;
  /** Counter of trace records written at this actor (the `n` of a record). */
  recordCount = 0;
  /** Counter of timers this actor has set (its timer ids). */
  timerCount = 0;
  /**
   * The id of its timer that fired (or was dropped) last: no longer queued, so cancelling it needs
   * no entry in the simulator's cancelled set — the common case of a handler re-arming the timer
   * that woke it (`cancelTimer(this.timer); this.timer = setTimer(…)`).
   */
  lastFiredTimer = 0;
  /**
   * The peers (by index) this incarnation has a connection to — sent to, and heard no disconnect
   * from since — kept only while its instance handles `onDisconnect` (contract/disconnect.ts);
   * undefined otherwise, which is all a send checks.
   */
  peers: Set<number> | undefined = undefined;

  /** @param index the actor's index (as its handle's). */
  constructor(readonly index: number) {}
}

export class ActorHandle implements Placement {
  /**
   * Its counters and liveness (see `ActorState`; the accessors below read and write them there),
   * made at their first use (`state`). Until then a spawned actor is up with its start event queued
   * as its event 0 (`spawned`), and nothing else has happened to it. Session 8 made the state with
   * the handle and a copy at the first start, beside the instance: one object per actor left as
   * garbage, +5 % peak RSS with 10^5 actors.
   */
  private made: ActorState | undefined = undefined;
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

  /**
   * The actor's state, made now if it was not yet: the simulator first asks for it at the actor's
   * first start (or earlier, on a cold path: a crash before the start, another partition's actor).
   */
  get state(): ActorState {
    return (this.made ??= this.fresh());
  }

  /** Marks a new actor up with its start event queued; returns that event's seq (its first: 0). */
  spawned(): number {
    if (this.made !== undefined || this.queuedStart) throw new Error(`actor ${this.id} spawned twice`);
    this.queuedStart = true;
    return 0;
  }

  private fresh(): ActorState {
    const state = new ActorState(this.index);
    if (this.queuedStart) {
      state.up = true;
      state.seq = 1;
    }
    return state;
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

/**
 * The `Context` of one incarnation of one actor: the actor's only door to the kernel.
 *
 * Guarantee: every call acts on the actor's own handle (its timers, streams and counters — the
 * counters held here while the incarnation runs), and a context kept past its incarnation (in a
 * closure across a crash) refuses to act instead of reaching the new incarnation's state. How it
 * fails: acting through a stale context throws (cancelling a timer through one does nothing),
 * which the simulator reports as that actor's bug.
 */
import type { ActorHandle, ActorState, PeerMemo } from './actor-handle.ts';
import { KernelRef } from './actor-ref.ts';
import type { Actor, ActorRef, Context, Message, SendOptions } from './contract/actor.ts';
import type { Disk } from './contract/disk.ts';
import type { RecordKind } from './contract/record.ts';
import type { RecordShape } from './contract/record-shape.ts';
import type { Rng } from './contract/rng.ts';
import type { Micros } from './contract/time.ts';
import type { TimerId } from './contract/wakeup.ts';

/** What a context asks of the kernel on its actor's behalf; the simulator provides it. */
export interface ContextHost {
  now(): Micros;
  localTime(handle: ActorHandle): Micros;
  cpuSlowdown(handle: ActorHandle): number;
  /** The index of the actor named `id`, or -1. */
  indexNamed(id: string): number;
  /** A ref to the actor named `id` (see `Context.actor`). */
  refTo(id: string): ActorRef;
  /** Sends to `to`, whose index is `target` (-1: no such actor); `state` is the sender's. */
  send(from: ActorHandle, state: ActorState, to: string, target: number, message: Message, options: SendOptions | undefined): void;
  setTimer(state: ActorState, delay: Micros, name: string, data: unknown): TimerId;
  cancelTimer(state: ActorState, timer: TimerId): void;
  rng(handle: ActorHandle, purpose: string): Rng;
  /** The disk the actor's context exposes (made at the context's first `disk`). */
  disk(handle: ActorHandle): Disk;
  record(handle: ActorHandle, kind: RecordKind, fields?: Record<string, unknown>): void;
  recordShaped(handle: ActorHandle, shape: RecordShape, values: readonly unknown[]): void;
}

export class ActorContext implements Context, PeerMemo, ActorState {
  /**
   * The incarnation's actor, kept here for the simulator: a delivery reaches it from the context
   * (see `Simulator.contexts`); undefined once the incarnation has ended (`retire`), which is what
   * a stale context checks.
   */
  instance: Actor<any> | undefined;
  // The actor's state while this incarnation runs (see `ActorState`: the handle's `runIn` moves it
  // here, `leave` moves it out at a crash): every event reads it, and reads the context anyway.
  // Declared here, after `instance`, rather than inherited from `IdleState`, whose fields would come
  // first in the object: measured ×1.03–1.10 CPU per delivery at 10^5 actors (bench/README, session 9).
  // In the order events touch them: what every event reads first, then what a handler's timers,
  // sends and draws read; what most events do not (the connections, the last peer, the handle, the
  // disk) last — with many actors, fewer of the object's cache lines per event (bench/README,
  // session 10: ×0.97 at 10^5).
  up = false;
  incarnation = 0;
  recordCount = 0;
  lastFiredTimer = 0;
  private readonly sim: ContextHost;
  seq = 0;
  timerCount = 0;
  readonly index: number;
  // The two streams asked for, by purpose: most actors draw from one or two purposes, and a hit
  // here skips the lookup in the handle's table (a Map, cold in memory when there are many
  // actors), and writes nothing. The streams themselves are the handle's, so they carry on
  // across incarnations.
  private firstPurpose: string | undefined;
  private firstRng: Rng | undefined;
  private secondPurpose: string | undefined;
  private secondRng: Rng | undefined;
  peers: Set<number> | undefined = undefined;
  /**
   * The actor this one last exchanged a message with — sent to, or received from (the simulator
   * sets it on delivery) — and its index: a reply, or the next message to the same peer, skips
   * the lookup by name. Indices last as long as the run, so a remembered one never goes stale.
   */
  peer: string | undefined;
  peerIndex = -1;
  private readonly handle: ActorHandle;
  /** Made at the first `disk`: most actors of a large run never touch a disk (see world/disk.ts). */
  private diskView: Disk | undefined;
  /** Which stream a purpose not kept replaces: the two in turn. */
  private replaceSecond = false;
  constructor(sim: ContextHost, handle: ActorHandle, instance: Actor<any>) {
    this.sim = sim;
    this.handle = handle;
    this.instance = instance;
    this.index = handle.index;
    handle.runIn(this);
  }

  // Read from the handle, not copied: three fields fewer per actor, and no event reads them.
  get self(): string {
    return this.handle.id;
  }

  get node(): string {
    return this.handle.node;
  }

  get site(): string {
    return this.handle.site;
  }

  /** Ends this context's incarnation (the simulator calls it at a crash): it refuses to act from then on. */
  retire(): void {
    this.instance = undefined;
  }

  get disk(): Disk {
    return (this.diskView ??= this.sim.disk(this.handle));
  }

  now(): Micros {
    return this.sim.now();
  }

  localTime(): Micros {
    return this.sim.localTime(this.handle);
  }

  cpuSlowdown(): number {
    return this.sim.cpuSlowdown(this.handle);
  }

  send<M extends Message>(to: string | ActorRef, message: M, options?: SendOptions): void {
    this.live();
    if (typeof to !== 'string') {
      // A ref of this run goes straight to its actor; any other ({ id } cloned or built) is looked up.
      const id = to.id;
      const index = KernelRef.indexIn(to, this.sim);
      this.sim.send(this.handle, this, id, index >= 0 ? index : this.sim.indexNamed(id), message, options);
      return;
    }
    let target = this.peerIndex;
    if (to !== this.peer) {
      target = this.sim.indexNamed(to);
      if (target >= 0) {
        this.peer = to;
        this.peerIndex = target;
      }
    }
    this.sim.send(this.handle, this, to, target, message, options);
  }

  actor(id: string): ActorRef {
    return this.sim.refTo(id);
  }

  setTimer(delay: Micros, name: string, data?: unknown): TimerId {
    this.live();
    return this.sim.setTimer(this, delay, name, data);
  }

  cancelTimer(id: TimerId): void {
    // A stale context's timers are gone with its incarnation (their events carry its number), and
    // its counters are no longer the actor's: nothing to cancel.
    if (this.instance === undefined) return;
    this.sim.cancelTimer(this, id);
  }

  rng(purpose: string): Rng {
    if (purpose === this.firstPurpose) return this.firstRng!;
    if (purpose === this.secondPurpose) return this.secondRng!;
    const rng = this.sim.rng(this.handle, purpose);
    if (this.replaceSecond) {
      this.secondPurpose = purpose;
      this.secondRng = rng;
    } else {
      this.firstPurpose = purpose;
      this.firstRng = rng;
    }
    this.replaceSecond = !this.replaceSecond;
    return rng;
  }

  record(kind: RecordKind, fields?: Record<string, unknown>): void {
    this.live();
    this.sim.record(this.handle, kind, fields);
  }

  recordShaped<V extends readonly unknown[]>(shape: RecordShape<V>, values: V): void {
    this.live();
    this.sim.recordShaped(this.handle, shape, values);
  }

  /** A context outliving its incarnation (kept in a closure across a crash) must not act. */
  private live(): void {
    if (this.instance === undefined) throw new Error(`actor ${this.self} used a context from before its crash`);
  }
}

/**
 * What the kernel needs to run one partition of a world in one thread, as part of a parallel run.
 *
 * Every thread builds the whole world (same actors, same indices, same world events) but runs only
 * the actors of its partition; a message to an actor elsewhere leaves through `export` instead of
 * the local queue and is `inject`ed by the receiving thread at the next window barrier, under the
 * event key the sender gave it. Because that key `(time, origin, seq)` never depends on which
 * thread an event ran in, each thread pops its events in the single-thread order.
 *
 * World events (origin 0: faults, repairs) run in every thread, so every copy of the world's state
 * (partitions, node power) stays the same; their records at the world are written by one thread,
 * their records at actors by the actor's thread.
 *
 * The trace: every record is tagged with where it falls in the single-thread order — the key of
 * the event being dispatched, then a *step* and an *index* within that event. Steps start at every
 * world record and every crash or restart, which all threads execute alike, so the records of one
 * world event that touch several partitions still merge into the single-thread order. Records
 * written outside any event (the header) have time -1.
 *
 * `PartitionState` is the simulator's side of it: the role, the tag of the record being written
 * and the current window. How it fails: work that would make threads disagree — a world action
 * scheduled, or a world record written, from an actor's event; a message to another partition
 * arriving inside the current window — throws instead of diverging silently.
 */
import type { ActorHandle } from './actor-handle.ts';
import type { Message } from './contract/actor.ts';
import type { TraceRecord } from './contract/record.ts';
import type { Micros } from './contract/time.ts';
import { SEQ_SPAN } from './event-queue.ts';

/** What a message carries besides its key and contents, to be judged at its arrival (`Simulator.cut`). */
export interface Wire {
  /** Its sender's crashes before it sent. */
  crashes: number;
  /** When its first and last byte went on the wire, µs. */
  departed: Micros;
  transmitted: Micros;
  bytes: number;
}

/** A message crossing from one partition to another: plain data with its event key. */
export interface RemoteMessage {
  /** Arrival time, µs: the event's time. */
  time: Micros;
  /** Index of the sending actor: the event's origin. */
  origin: number;
  /** The sender's event counter when it sent: the event's seq. */
  seq: number;
  /** Index of the receiving actor. */
  to: number;
  /** The sender's `send` record number (`s` of the receiver's `recv`). */
  sendN: number;
  message: Message;
  /** What the message carries to be judged at its arrival (`Simulator.cut`); none on a notice. */
  wire?: Wire;
  /**
   * Set when this is no message but a host's RST for a dead `origin` (contract/disconnect.ts): the
   * cause code and the receiver's incarnation it is for; `message.type` names the refused message.
   */
  notice?: { cause: number; incarnation: number };
}

/** Where a record goes in the merged trace: compare field by field, in this order. */
export interface RecordTag {
  /** Time of the event being dispatched (-1 outside any event). */
  time: Micros;
  /** Packed `(origin, seq)` of that event (see `EventQueue`); 0 outside any event. */
  order: number;
  step: number;
  index: number;
}

/** One thread's part in a parallel run, as the kernel sees it. */
export interface PartitionRole {
  /** Whether the actor with this index runs in this thread. */
  owns(actorIndex: number): boolean;
  /** Exactly one thread writes the records at the world itself (the header, `fault`s). */
  readonly writesWorld: boolean;
  /** Takes a message addressed to an actor of another partition. */
  export(message: RemoteMessage): void;
  /** Takes a record this thread is responsible for, with its place in the merged trace. */
  write(record: TraceRecord, tag: RecordTag): void;
}

/** A simulator's state while it runs one partition: its role, the current window, and where the next record falls in the merged trace. */
export class PartitionState {
  private tagTime: Micros = -1;
  private tagOrder = 0;
  private tagStep = 0;
  private tagIndex = 0;
  /** End of the current window: no message to another partition may arrive before it. */
  private windowEnd: Micros = 0;

  constructor(readonly role: PartitionRole) {}

  /** Starts a window that dispatches every event at or before `until`. */
  openWindow(until: Micros): void {
    this.windowEnd = until + 1;
  }

  /** Marks the event about to be dispatched: its records are tagged with its key. */
  enterEvent(time: Micros, order: number): void {
    this.tagTime = time;
    this.tagOrder = order;
    this.tagStep = 0;
    this.tagIndex = 0;
  }

  /** Whether the event being dispatched has an actor (not the world) as its origin. */
  get inActorEvent(): boolean {
    return this.tagOrder >= SEQ_SPAN;
  }

  /** See `Simulator.beginStep`. */
  beginStep(): void {
    this.tagStep++;
    this.tagIndex = 0;
  }

  /** Tags a record written at `handle` (the world when `atWorld`) and hands it on if this thread writes it. */
  write(rec: TraceRecord, handle: ActorHandle, atWorld: boolean): void {
    if (atWorld) {
      if (this.inActorEvent) throw new Error(`record ${rec.k} at the world was written during an actor's event; a parallel run writes world records only from world actions`);
      this.beginStep();
    }
    const index = this.tagIndex++;
    if (atWorld ? this.role.writesWorld : handle.local) this.role.write(rec, { time: this.tagTime, order: this.tagOrder, step: this.tagStep, index });
  }

  /**
   * Hands a message for an actor of another partition to the role, under the key its sender gives
   * it, with its `wire`; with `notice`, a host's RST for a dead `from` instead (see `RemoteMessage.notice`).
   */
  export(time: Micros, from: ActorHandle, to: ActorHandle, sendN: number, message: Message, wire: Wire | undefined, notice?: RemoteMessage['notice']): void {
    if (time < this.windowEnd) {
      throw new Error(
        `message ${message.type} from ${from.id} to ${to.id} in another partition arrives at ${time}us, inside the current window ` +
          `(ends ${this.windowEnd}us): a link's latency fell below the parallel run's lookahead`,
      );
    }
    const remote: RemoteMessage = { time, origin: from.index, seq: from.seq++, to: to.index, sendN, message };
    if (wire !== undefined) remote.wire = wire;
    if (notice !== undefined) remote.notice = notice;
    this.role.export(remote);
  }
}

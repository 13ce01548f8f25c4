/**
 * The contract between a stateful operator (in `src/features/pipeline/`) and a checkpoint strategy: what a
 * strategy may ask of the operator it protects (`OperatorHost`), and the hooks the operator calls
 * on the strategy's per-operator part (`Participant`).
 *
 * Guarantee: a strategy touches an operator only through these calls, so every strategy runs
 * unchanged on every operator kind and over every transport (direct channels or persistent
 * streams); the operator runtime knows no strategy by name.
 *
 * How it breaks: the host trusts its participant. A participant that holds the operator and never
 * releases it stalls the pipeline (the `blocked` records and the recovery-time metric show it);
 * one that restores an image from another instance corrupts state (the reference checker shows it).
 */
import type { Context, Disconnect, Message, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import type { OperatorImage } from './image.ts';
import type { Patch } from 'immer';

/** Why an operator is not taking new events; each held interval ends in a `blocked` record. */
export type HoldReason = 'checkpoint' | 'recovery' | 'restore';

/**
 * The holds on a host and when each began to block it; ending one records how long it blocked.
 *
 * A hold taken while an event is in service blocks only from the end of that event: the event
 * finishes (it is work, not waiting), so it must not count as checkpoint or recovery time.
 */
export class Holds {
  /** When each hold began to block: a time, or `BUSY` while the event in service when it was taken still runs. */
  private readonly since = new Map<HoldReason, Micros | typeof BUSY>();

  get size(): number {
    return this.since.size;
  }

  has(reason: HoldReason): boolean {
    return this.since.has(reason);
  }

  /** `busy`: an event is in service now; the hold blocks from `idle`. */
  hold(ctx: Context, reason: HoldReason, busy = false): void {
    if (!this.since.has(reason)) this.since.set(reason, busy ? BUSY : ctx.now());
  }

  /** The event in service ended (completed, or dropped by a restore): the holds waiting for it block from now. */
  idle(ctx: Context): void {
    for (const [reason, since] of this.since) if (since === BUSY) this.since.set(reason, ctx.now());
  }

  /** Ends a hold with a `ckpt` `blocked` record; false when it was not held. */
  release(ctx: Context, reason: HoldReason): boolean {
    const since = this.since.get(reason);
    if (since === undefined) return false;
    this.since.delete(reason);
    // Released before the event in service ended: it never blocked anything.
    ctx.record('ckpt', { op: 'blocked', reason, us: since === BUSY ? 0 : ctx.now() - since });
    return true;
  }
}

const BUSY = 'busy';

/** A snapshot marker that travels in-band on a data channel, after everything sent before it. */
export interface Marker {
  /** `barrier`: asynchronous barrier snapshot; `flush`: a coordinated checkpoint's channel flush. */
  readonly kind: 'barrier' | 'flush';
  /** The global checkpoint id. */
  readonly id: number;
  /** The last complete global checkpoint when this one began (its chain must stay restorable). */
  readonly completed: number;
}

export interface Capture {
  readonly image: OperatorImage;
  /** The immer patches since the previous capture (empty unless the host records them). */
  readonly patches: readonly Patch[];
}

export interface OperatorHost {
  /** This instance's actor id. */
  readonly instance: string;
  /** Its operator's name in the pipeline. */
  readonly operator: string;
  /** Input channels that can carry markers (direct transport), in a fixed order. */
  readonly markerInputs: readonly string[];
  /** Whether it has inputs at all (false for a pure source). */
  readonly hasInputs: boolean;
  /** Modelled size of its full state, bytes. */
  readonly stateBytes: number;
  /** Events processed since this incarnation started or was last restored. */
  readonly processed: number;
  /**
   * The image now. `pending` includes the unprocessed input queue (channel state); without it the
   * queue is left out, as in an aligned snapshot where everything still queued comes after the cut.
   */
  capture(options: { pending: boolean }): Capture;
  /** Replaces the operator's state and positions; `undefined` means the initial state. */
  restore(ctx: Context, image: OperatorImage | undefined, epoch: number): void;
  /** Stops taking new events (the one in service finishes) until every hold is released. */
  hold(ctx: Context, reason: HoldReason): void;
  release(ctx: Context, reason: HoldReason): void;
  /** Whether the operator is held for this reason now. */
  isHeld(reason: HoldReason): boolean;
  /** Runs `then` as soon as no event is in service (at once if none is). */
  whenIdle(ctx: Context, then: () => void): void;
  /**
   * Whether every item it sent to a receiver other than `except` has reached it (acknowledged on
   * its direct channel): with the operator held, nothing of it is in flight any more. A restarted
   * receiver lost its channel's beginning and can acknowledge nothing of it, hence `except`.
   * Absent or over persistent streams: true.
   */
  outputsDelivered?(except: ReadonlySet<string>): boolean;
  /**
   * Held and idle: sends now every output still waiting for its receiver's credit (direct channels
   * under backpressure), since held receivers open no window. Absent: nothing waits.
   */
  releaseOutputs?(ctx: Context): void;
  /** Stops taking events from one input channel (barrier alignment). */
  blockInput(channel: string): void;
  /**
   * Lets every blocked input channel flow again, and takes the next item at once unless `pump` is
   * false (the caller was handed a marker by the operator's pump loop, which goes on by itself).
   */
  unblockInputs(ctx: Context, options?: { readonly pump: boolean }): void;
  /** Sends a marker in-band on every output channel. */
  sendMarker(ctx: Context, marker: Marker): void;
  /** The conserved quantity an image holds (state plus channel state), if the operator declares one. */
  conserved(image: OperatorImage): number | undefined;
  /** Modelled bytes of an event (for channel state). */
  eventBytes(event: unknown): number;
  /** A short digest of the state in an image, for the trace. */
  digest(state: unknown): string;
  /**
   * Whether the operator's state will not change again (an FL server after its last round).
   * Independent checkpoints then save it once more and stop; absent means never.
   */
  finished?(): boolean;
  /**
   * A checkpoint of this image is durable on a tier that survives whatever the operator's own disk
   * survives: what only an older state needed may go (its message log's covered entries).
   */
  checkpointStable?(ctx: Context, image: OperatorImage): void;
}

/** A strategy's per-operator part. Hooks return true when they consumed the message or wakeup. */
export interface Participant {
  /**
   * Where markers are handed over: `arrival` as soon as one arrives (Chandy–Lamport, coordinated
   * flush), or `head` when it reaches the head of the input queue, in order with the data
   * (aligned and at-least-once barriers).
   */
  readonly markerAt: 'arrival' | 'head';
  /** First start of the operator. */
  start(ctx: Context): void;
  /** Start after a crash: the operator is held for `restore` until the participant releases it. */
  recover(ctx: Context): void;
  onMessage(ctx: Context, message: Message, from: string): boolean;
  onTimer(ctx: Context, wakeup: Wakeup): boolean;
  onMarker(ctx: Context, channel: string, marker: Marker): void;
  /** A data item arrived on an input channel (before it is queued). */
  onInput(ctx: Context, channel: string, position: number, event: unknown): void;
  /** An event finished processing. */
  afterEvent(ctx: Context): void;
  /** The operator's connection to a peer broke (its process died on a live host). */
  onDisconnect?(ctx: Context, disconnect: Disconnect): void;
}

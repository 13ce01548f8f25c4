/**
 * A strategy's per-operator participant, composed of parts: one that decides how the operator
 * recovers (on its own from its latest checkpoint, or as told by a coordinator's rollback) and one
 * that decides when and how it checkpoints (independently, on a coordinator's pause, or on
 * barriers). Strategies differ only in which parts they combine (`strategies.ts`).
 *
 * Guarantee: hooks are offered to every part in order and stop at the first that consumes a
 * message or wakeup; markers, inputs and processed events go to every part. How it breaks: two
 * parts claiming the same message type would shadow each other; part message types are disjoint
 * by construction (`ckpt:` messages per protocol, `ckpt:*` timer names per part).
 */
import type { Context, Disconnect, Message, Wakeup } from '../../../kernel/contract/index.ts';
import type { Marker, Participant } from './host.ts';

export interface Part {
  start?(ctx: Context): void;
  recover?(ctx: Context): void;
  onMessage?(ctx: Context, message: Message, from: string): boolean;
  onTimer?(ctx: Context, wakeup: Wakeup): boolean;
  onMarker?(ctx: Context, channel: string, marker: Marker): void;
  onInput?(ctx: Context, channel: string, position: number, event: unknown): void;
  afterEvent?(ctx: Context): void;
  /** The operator was (or is about to be) rolled back: abandon any checkpoint in progress. */
  onRollback?(ctx: Context): void;
  /** The operator's connection to a peer broke (its process died on a live host; kernel/contract/disconnect.ts). */
  onDisconnect?(ctx: Context, disconnect: Disconnect): void;
}

export class ComposedParticipant implements Participant {
  constructor(
    readonly markerAt: 'arrival' | 'head',
    private readonly parts: readonly Part[],
  ) {}

  start(ctx: Context): void {
    for (const part of this.parts) part.start?.(ctx);
  }

  recover(ctx: Context): void {
    for (const part of this.parts) part.recover?.(ctx);
  }

  onMessage(ctx: Context, message: Message, from: string): boolean {
    return this.parts.some((part) => part.onMessage?.(ctx, message, from) === true);
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    return this.parts.some((part) => part.onTimer?.(ctx, wakeup) === true);
  }

  onMarker(ctx: Context, channel: string, marker: Marker): void {
    for (const part of this.parts) part.onMarker?.(ctx, channel, marker);
  }

  onInput(ctx: Context, channel: string, position: number, event: unknown): void {
    for (const part of this.parts) part.onInput?.(ctx, channel, position, event);
  }

  afterEvent(ctx: Context): void {
    for (const part of this.parts) part.afterEvent?.(ctx);
  }

  /** Tells every part that a connection to a peer broke (a log-topic tier fails its requests to it). */
  onDisconnect(ctx: Context, disconnect: Disconnect): void {
    for (const part of this.parts) part.onDisconnect?.(ctx, disconnect);
  }

  /** Tells every part that a rollback abandons whatever it had in progress. */
  rollback(ctx: Context): void {
    for (const part of this.parts) part.onRollback?.(ctx);
  }
}

/**
 * The FL server's model as an operator the checkpoint layer can protect (`OperatorHost`), so the
 * server checkpoints through the same participant, writer, tiers and interval clock as a pipeline
 * operator under `stream-replay` or `multilevel` (src/features/checkpoint/actors/strategies.ts):
 * independent checkpoints on the configured interval and tier (multilevel: node-local, flushed
 * now and then to a remote tier), and after a restart a local recovery from the newest whole chain
 * the first tier that has one still holds.
 *
 * The image is the model after the rounds completed (`{ round, weights }`) and nothing else: the
 * server has no input streams to replay — a round that was running when it crashed is simply run
 * again (the sites answer the re-sent model). The image is `updateBytes` large, as the model is.
 *
 * Guarantee: `capture` is the model between two messages (the server is never busy), and while
 * the strategy holds the server for a restore it starts no round. Once the last round is done the
 * host reports itself finished, so the final model is saved once and checkpointing stops. How it breaks: a tier that lost
 * the checkpoints (node-local memory with its node) restores nothing, and the server begins again
 * from round 0 — the rounds lost are the metric that shows it.
 */
import { digestOf, type Context } from '../../../kernel/contract/index.ts';
import { Holds, type Capture, type HoldReason, type Marker, type OperatorHost, type OperatorImage } from '../../checkpoint/actors/index.ts';
import type { Vector } from '../shared/objective.ts';

/** What the server checkpoints. */
export interface ModelState {
  /** Rounds completed. */
  readonly round: number;
  /** The global model after them. */
  readonly weights: Vector;
}

/** The server, as the host sees it. */
export interface ModelOwner {
  model(): ModelState;
  /** Replaces the model with a restored one (undefined: nothing restorable, the initial model). */
  restored(ctx: Context, model: ModelState | undefined): void;
  /** Every hold is released: the server may start rounds again. */
  resumed(ctx: Context): void;
  /** Every round is done: the model will not change again. */
  trained(): boolean;
}

export class ModelHost implements OperatorHost {
  readonly operator: string;
  readonly markerInputs: readonly string[] = [];
  readonly hasInputs = false;
  private readonly holds = new Holds();

  constructor(
    readonly instance: string,
    readonly stateBytes: number,
    private readonly owner: ModelOwner,
  ) {
    this.operator = instance;
  }

  get processed(): number {
    return this.owner.model().round;
  }

  capture(): Capture {
    const state = this.owner.model();
    return { image: { state, inputs: {}, outputs: {}, generated: state.round, pending: [], outbox: [] }, patches: [] };
  }

  /** Once training is done the final model is saved once, not on every interval to the end of the run. */
  finished(): boolean {
    return this.owner.trained();
  }

  restore(ctx: Context, image: OperatorImage | undefined): void {
    this.owner.restored(ctx, image?.state as ModelState | undefined);
  }

  hold(ctx: Context, reason: HoldReason): void {
    this.holds.hold(ctx, reason);
  }

  /** The `blocked` record measures the time the server could not run rounds, as for operators. */
  release(ctx: Context, reason: HoldReason): void {
    if (this.holds.release(ctx, reason) && this.holds.size === 0) this.owner.resumed(ctx);
  }

  isHeld(reason: HoldReason): boolean {
    return this.holds.has(reason);
  }

  whenIdle(_ctx: Context, then: () => void): void {
    // The server handles each message to completion; between two it is always idle.
    then();
  }

  // The server has no data channels, so the channel operations of barrier and coordinated
  // strategies have nothing to act on; only the independent strategies protect it (see the header).
  blockInput(channel: string): void {
    throw new Error(`the FL server has no input channel ${channel} to block`);
  }

  unblockInputs(): void {
    throw new Error('the FL server has no input channels');
  }

  sendMarker(_ctx: Context, marker: Marker): void {
    throw new Error(`the FL server has no output channel for marker ${marker.id}`);
  }

  conserved(): undefined {
    return undefined;
  }

  eventBytes(): number {
    return 0;
  }

  digest(state: unknown): string {
    return digestOf(state ?? null);
  }
}

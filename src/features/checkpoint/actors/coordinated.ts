/**
 * Coordinated, blocking checkpoints — the classic checkpoint/restart of HPC jobs, as an operator
 * takes part in it.
 *
 * On `pause(id)` the operator stops taking new events (the one in service finishes), sends a
 * `flush` marker on every output channel, and waits until a `flush` marker has arrived on every
 * input channel: everything sent to it before the pause is then in its input queue. It captures
 * state plus queue, writes the checkpoint (still paused), reports `saved(id)`, and stays paused
 * until the coordinator's `continue(id)` says every operator has saved.
 *
 * Guarantee: the images of one checkpoint id form a consistent cut with every in-flight message
 * recorded (the queue), so restoring them all is exactly-once. The cost: every operator is blocked
 * from the pause to the last operator's save — a fast pipeline waits for the slowest operator, the
 * slowest storage and the slowest link (the `blocked` records measure it).
 *
 * Lost messages: the coordinator re-sends `pause` to whoever has not saved, and a saved operator
 * re-sends `saved` until `continue` comes (the coordinator answers a `saved` for a checkpoint it is
 * no longer waiting for with `continue`).
 *
 * How it breaks: a pause that never sees `continue` (coordinator down) would block forever, so the
 * operator gives up after `PAUSE_PATIENCE` request timeouts and carries on; a coordinator that
 * crashed has forgotten that checkpoint, which never completes (nor is it `aborted`). The patience
 * runs from the pause but never ends one while the operator's own image is still being written:
 * giving up then would lose the save, and a checkpoint whose slowest save outlasts the patience
 * could never complete. Shown by test/features/checkpoint/coordinated-pause.test.ts.
 */
import type { Context, Message, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { CheckpointConfig } from './config.ts';
import type { Marker, OperatorHost } from './host.ts';
import type { Continue, Pause, Saved } from './messages.ts';
import type { Part } from './participant.ts';
import type { EpochCell } from './recovery.ts';
import type { CheckpointWriter } from './writer.ts';

const PAUSE_PATIENCE = 30;

interface ActivePause {
  readonly id: number;
  readonly epoch: number;
  /** The last complete checkpoint: its chain must stay in the tier. */
  readonly completed: number;
  flushed: boolean;
  saving: boolean;
  saved: boolean;
}

export class CoordinatedCheckpoints implements Part {
  private active: ActivePause | undefined;
  /** Flush markers per checkpoint id, including those that arrive before their pause. */
  private readonly markers = new Map<number, Set<string>>();

  constructor(
    private readonly host: OperatorHost,
    private readonly config: CheckpointConfig,
    private readonly writer: CheckpointWriter,
    private readonly cell: EpochCell,
  ) {}

  onMessage(ctx: Context, message: Message): boolean {
    if (message.type === 'ckpt:pause') {
      this.pause(ctx, message as Pause);
      return true;
    }
    if (message.type === 'ckpt:continue') {
      if (this.active?.id === (message as Continue).id) this.finish(ctx);
      return true;
    }
    return false;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === 'ckpt:pause-patience') {
      const active = this.active;
      if (active === undefined || active.id !== wakeup.data) return true;
      // Its own image still being written: giving up now would lose the save (it would never say
      // `saved`) and the coordinator's next `pause` would start it again — no checkpoint whose
      // slowest save outlasts the patience could complete. Wait one patience more.
      if (active.saving && !active.saved) this.armPatience(ctx, active.id);
      else this.finish(ctx);
      return true;
    }
    if (wakeup.name === 'ckpt:saved-retry') {
      // `saved` or `continue` may have been lost: say it again until the coordinator answers.
      const active = this.active;
      if (active !== undefined && active.id === wakeup.data && active.saved) this.reportSaved(ctx, active);
      return true;
    }
    return false;
  }

  onMarker(ctx: Context, channel: string, marker: Marker): void {
    if (marker.kind !== 'flush') return;
    let seen = this.markers.get(marker.id);
    if (seen === undefined) {
      seen = new Set();
      this.markers.set(marker.id, seen);
    }
    seen.add(channel);
    this.tryCapture(ctx);
  }

  onRollback(ctx: Context): void {
    if (this.active !== undefined) this.finish(ctx);
    this.markers.clear();
  }

  private pause(ctx: Context, message: Pause): void {
    if (message.epoch !== this.cell.epoch || this.host.isHeld('recovery')) return;
    if (this.active?.id === message.id) {
      // A repeated pause: the coordinator has not heard our `saved`.
      if (this.active.saved) this.reportSaved(ctx, this.active);
      return;
    }
    if (this.active !== undefined) this.finish(ctx);
    // The chain retention must keep is an older, complete checkpoint.
    assert(message.completed < message.id, () => `${this.host.instance}: the last complete checkpoint precedes the one paused for, but #${message.completed} ≥ #${message.id}`);
    const active: ActivePause = { id: message.id, epoch: message.epoch, completed: message.completed, flushed: false, saving: false, saved: false };
    this.active = active;
    this.host.hold(ctx, 'checkpoint');
    this.armPatience(ctx, message.id);
    this.host.whenIdle(ctx, () => {
      if (this.active !== active) return;
      this.host.sendMarker(ctx, { kind: 'flush', id: active.id, completed: active.completed });
      active.flushed = true;
      this.tryCapture(ctx);
    });
  }

  private tryCapture(ctx: Context): void {
    const active = this.active;
    if (active === undefined || !active.flushed || active.saving) return;
    const seen = this.markers.get(active.id);
    if (this.host.markerInputs.some((channel) => seen?.has(channel) !== true)) return;
    active.saving = true;
    this.writer.write(ctx, active.id, this.host.capture({ pending: true }), { cut: active.id, keep: active.completed }, (result) => {
      if (this.active !== active) return;
      if (!result.ok) {
        // Over, and failed: the patience may now end the pause.
        active.saving = false;
        return;
      }
      active.saved = true;
      this.reportSaved(ctx, active);
    });
  }

  private armPatience(ctx: Context, id: number): void {
    ctx.setTimer(PAUSE_PATIENCE * this.config.requestTimeoutUs, 'ckpt:pause-patience', id);
  }

  private reportSaved(ctx: Context, active: ActivePause): void {
    ctx.send<Saved>(this.config.coordinator, { type: 'ckpt:saved', id: active.id, epoch: active.epoch });
    ctx.setTimer(this.config.requestTimeoutUs, 'ckpt:saved-retry', active.id);
  }

  private finish(ctx: Context): void {
    const active = this.active;
    if (active === undefined) return;
    this.active = undefined;
    for (const id of [...this.markers.keys()]) if (id <= active.id) this.markers.delete(id);
    this.host.release(ctx, 'checkpoint');
  }
}

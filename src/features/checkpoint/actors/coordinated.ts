/**
 * Coordinated, blocking checkpoints — the classic checkpoint/restart of HPC jobs, as an operator
 * takes part in it.
 *
 * On `pause(id)` the operator stops taking new events (the one in service finishes), sends a
 * `flush` marker on every output channel, and waits until a `flush` marker has arrived on every
 * input channel: everything sent to it before the pause is then in its input queue. It captures
 * state plus queue, writes the checkpoint (still paused), reports `saved(id)`, and stays paused
 * until the coordinator's `continue(id)` says every operator has saved. A save that fails (its
 * store refused it) is reported as `declined(id)`, Flink's `declineCheckpoint`: the coordinator
 * aborts that checkpoint and sends every operator `aborted(id)` at once, which ends its pause and
 * cancels its write of that checkpoint if still under way; the next checkpoint comes an interval
 * later: nobody is held for a checkpoint that can no longer complete, nor waits for its writes.
 *
 * Guarantee: the images of one checkpoint id form a consistent cut with every in-flight message
 * recorded (the queue), so restoring them all is exactly-once. The cost: every operator is blocked
 * from the pause to the last operator's save — a fast pipeline waits for the slowest operator, the
 * slowest storage and the slowest link (the `blocked` records measure it).
 *
 * Lost messages: the coordinator re-sends `pause` to whoever has not saved, and an operator that
 * has answered re-sends its answer (`saved` or `declined`) until `continue` or `aborted` comes (the
 * coordinator answers either for a checkpoint it is no longer waiting for with `continue`). A declined
 * operator stays paused until then rather than carrying on alone: a `pause` of the same id
 * re-sent meanwhile must find it still in that checkpoint, to answer `declined` again rather than
 * pause afresh with no flush markers coming.
 *
 * How it breaks: a pause that never sees `continue` (coordinator down) would block forever, so the
 * operator gives up after `PAUSE_PATIENCE` request timeouts and carries on; a coordinator that
 * crashed has forgotten that checkpoint, which never completes (nor is it `aborted`). The patience
 * runs from the pause but never ends one while the operator's own image is still being written:
 * giving up then would lose the save, and a checkpoint whose slowest save outlasts the patience
 * could never complete. A store that keeps refusing (a full disk) aborts every checkpoint until
 * it has room, each pause lasting only until the refusal. An abort cancels the writes other
 * operators have under way as far as their tier can (tiers.ts: a store stops at the 128-MiB piece it
 * is writing; node-local and log-topic saves run to their end), so on coordinated-slow-site the
 * archiver's 4-GiB write of an aborted checkpoint stops within 2 s instead of holding its store's
 * HDD for 29 s, and the next checkpoint completes at ≈ 72 s, not 80.8 s. An `aborted` lost (the
 * coordinator sends it once) leaves the write to run to its end. Shown by
 * test/features/checkpoint/coordinated-pause.test.ts.
 */
import type { Context, Message, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { CheckpointConfig } from './config.ts';
import type { Marker, OperatorHost } from './host.ts';
import type { Aborted, Continue, Declined, Pause, Saved } from './messages.ts';
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
  /** What the operator told the coordinator about its image, once the write is over. */
  answer: 'saved' | 'declined' | undefined;
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
    if (message.type === 'ckpt:aborted') {
      // Flink's notifyCheckpointAborted: the write of it, if still under way, is given up — also
      // one that outlived its pause — and the pause ends as on `continue`.
      const { id } = message as Aborted;
      this.writer.cancel(ctx, id);
      if (this.active?.id === id) this.finish(ctx);
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
      if (active.saving && active.answer === undefined) this.armPatience(ctx, active.id);
      else this.finish(ctx);
      return true;
    }
    if (wakeup.name === 'ckpt:saved-retry' || wakeup.name === 'ckpt:declined-retry') {
      // The answer or `continue` may have been lost: say it again until the coordinator answers.
      const active = this.active;
      if (active !== undefined && active.id === wakeup.data && active.answer !== undefined) this.report(ctx, active);
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
    // A pause the abort overtook (a reordering link): its write would never begin (writer.ts), and the pause never end.
    if (message.epoch !== this.cell.epoch || this.host.isHeld('recovery') || this.writer.isAborted(message.id)) return;
    if (this.active?.id === message.id) {
      // A repeated pause: the coordinator has not heard our answer.
      if (this.active.answer !== undefined) this.report(ctx, this.active);
      return;
    }
    if (this.active !== undefined) this.finish(ctx);
    // The chain retention must keep is an older, complete checkpoint.
    assert(message.completed < message.id, () => `${this.host.instance}: the last complete checkpoint precedes the one paused for, but #${message.completed} ≥ #${message.id}`);
    const active: ActivePause = { id: message.id, epoch: message.epoch, completed: message.completed, flushed: false, saving: false, answer: undefined };
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
      // Either way the write is over: the patience may end the pause if the coordinator never answers.
      active.answer = result.ok ? 'saved' : 'declined';
      this.report(ctx, active);
    });
  }

  private armPatience(ctx: Context, id: number): void {
    ctx.setTimer(PAUSE_PATIENCE * this.config.requestTimeoutUs, 'ckpt:pause-patience', id);
  }

  private report(ctx: Context, active: ActivePause): void {
    const { id, epoch } = active;
    if (active.answer === 'saved') ctx.send<Saved>(this.config.coordinator, { type: 'ckpt:saved', id, epoch });
    else ctx.send<Declined>(this.config.coordinator, { type: 'ckpt:declined', id, epoch });
    ctx.setTimer(this.config.requestTimeoutUs, `ckpt:${active.answer!}-retry`, id);
  }

  private finish(ctx: Context): void {
    const active = this.active;
    if (active === undefined) return;
    this.active = undefined;
    for (const id of [...this.markers.keys()]) if (id <= active.id) this.markers.delete(id);
    this.host.release(ctx, 'checkpoint');
  }
}

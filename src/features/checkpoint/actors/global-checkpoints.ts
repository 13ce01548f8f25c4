/**
 * The coordinator's global checkpoints (`coordinated`, `barrier-snapshot`): one at a time,
 * `interval` after the previous one ended (an adaptive interval learns its cost δ from each global
 * checkpoint, trigger to completion, and its MTBF from the rollbacks, see interval.ts).
 * `coordinated` sends `pause(id)` to every operator and, once all have `saved(id)`, `continue(id)`;
 * `barrier-snapshot` sends `trigger(id)` to the pure sources (or to one initiator in a pipeline
 * without any) and waits for every `saved(id)`. Until they arrive it asks again every request
 * timeout (pause, trigger, or `status` for the operators barriers reach in-band), as any of these
 * messages can be lost. A checkpoint is complete when every operator has saved its part (`ckpt`
 * `complete` record); one that is not complete within `checkpointTimeoutUs` is abandoned
 * (`aborted`), and so is one in progress when a rollback round opens, and one an operator
 * `declined` (its save failed; Flink's CheckpointCoordinator aborts a pending checkpoint on a
 * `DeclineCheckpoint` the same way). After a timeout or a decline every operator is sent
 * `aborted(id)` at once, Flink's `notifyCheckpointAborted`: it cancels its write of that checkpoint
 * if still under way (writer.ts), so a slow write nobody will restore does not hold up the next
 * checkpoint's, and — `coordinated` — it ends the pause as `continue` does. It is sent once: an
 * operator that misses it (partitioned, or down) lets its write run to its end, and a coordinated
 * one is released by the `continue` its re-sent answer gets (or by its patience). A rollback round
 * sends none: the rollback ends the operators' part in it, and a write of it under way runs on.
 *
 * Guarantee: ids are monotone and never reused — the counter is on disk before a checkpoint is
 * triggered, the completed id before it is announced — and only a checkpoint of the current epoch
 * completes. How it breaks: none is started while a rollback round is open or the coordinator is
 * down; an operator that never answers (its node down for longer than `checkpointTimeoutUs`)
 * aborts every checkpoint until it is back; while the coordinator's disk is full none is
 * triggered or completed, as its writes wait for room (coordinator-state.ts) — one every operator
 * has saved meanwhile is then neither timed out nor declined, only abandoned by a rollback round.
 * Shown by test/features/checkpoint/coordinated-pause.test.ts (checkpoint-timeout 40 s, a node down 50 s;
 * a full disk and a restart: the first trigger once the disk has room, ids still used once).
 */
import type { Context, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { CoordinatorConfig, CoordinatorState } from './coordinator-state.ts';
import { CheckpointClock } from './interval.ts';
import type { Aborted, Continue, Declined, Pause, Saved, Status, Trigger } from './messages.ts';

interface ActiveCheckpoint {
  readonly id: number;
  readonly epoch: number;
  readonly saved: Set<string>;
  /** When it was triggered (the operators were asked); its cost runs from here to its completion. */
  triggeredUs?: number;
  /**
   * Set once every operator has saved: the last complete id before this one. The checkpoint is then
   * complete but for its write, which a full disk can hold for long (coordinator-state.ts): late
   * `saved`s are ignored, a timeout or a decline no longer aborts it, and a rollback round that
   * opens meanwhile takes the completed id back to this.
   */
  completingAfter?: number;
}

export class GlobalCheckpoints {
  private active: ActiveCheckpoint | undefined;
  private readonly clock: CheckpointClock;
  private checkpointTimer: TimerId | undefined;

  constructor(
    private readonly config: CoordinatorConfig,
    private readonly state: CoordinatorState,
    /** Whether a rollback round is open: no checkpoint starts meanwhile. */
    private readonly recovering: () => boolean,
  ) {
    this.clock = new CheckpointClock(config.interval);
  }

  /** After a restart: the adaptive interval takes back what the coordinator last wrote of the cost. */
  recovered(): void {
    this.clock.remember(this.state.durable.clock);
  }

  /**
   * Puts what the clock learnt in the durable state; the coordinator's next write (the next trigger's
   * at the latest) carries it, so a crash before that loses only this observation.
   */
  private keepClock(): void {
    this.state.durable.clock = this.clock.memory();
  }

  /** Whether the strategy takes global checkpoints at all. */
  get enabled(): boolean {
    return this.config.strategy === 'coordinated' || this.config.strategy === 'barrier-snapshot';
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    switch (wakeup.name) {
      case 'coord:checkpoint':
        this.checkpointTimer = undefined;
        if (this.active === undefined && !this.recovering()) this.begin(ctx);
        else this.schedule(ctx);
        return true;
      case 'coord:checkpoint-timeout':
        if (this.active?.id === wakeup.data) this.abort(ctx, 'timeout');
        return true;
      case 'coord:checkpoint-retry':
        this.retry(ctx, wakeup.data as number);
        return true;
    }
    return false;
  }

  /** A source counting events says a checkpoint is due. */
  due(ctx: Context): void {
    if (this.active === undefined && !this.recovering() && this.enabled) this.begin(ctx);
  }

  /**
   * (Re)arms the one checkpoint timer: the next checkpoint is `interval` from now — the first one
   * too, at the start and after a restart (Daly's τ of compute before the first dump; interval.ts,
   * "Phase"): one clock for the whole job has no phase to draw.
   */
  schedule(ctx: Context): void {
    if (!this.enabled) return;
    if (this.checkpointTimer !== undefined) ctx.cancelTimer(this.checkpointTimer);
    this.checkpointTimer = undefined;
    const delay = this.clock.nextDelay({ failures: this.state.durable.failures, nowUs: ctx.now() });
    if (delay !== undefined) this.checkpointTimer = ctx.setTimer(delay, 'coord:checkpoint');
  }

  private begin(ctx: Context): void {
    const durable = this.state.durable;
    const id = durable.nextId++;
    assert(id > durable.completed, () => `checkpoint coordinator: checkpoint ids monotone, but starting ${id} after completing ${durable.completed}`);
    const active: ActiveCheckpoint = { id, epoch: durable.epoch, saved: new Set() };
    this.active = active;
    this.state.persist(ctx, () => {
      if (this.active !== active) return;
      active.triggeredUs = ctx.now();
      ctx.record('ckpt', { op: 'trigger', strategy: this.config.strategy, id, epoch: active.epoch });
      const targets = this.config.strategy === 'coordinated' ? this.config.instances : this.config.triggerTargets;
      for (const instance of targets) this.ask(ctx, instance, active);
      ctx.setTimer(this.config.checkpointTimeoutUs, 'coord:checkpoint-timeout', id);
      ctx.setTimer(this.config.requestTimeoutUs, 'coord:checkpoint-retry', id);
    });
  }

  /** Asks an operator for its part of a checkpoint: pause, trigger, or — for the others — its status. */
  private ask(ctx: Context, instance: string, active: ActiveCheckpoint): void {
    const { id, epoch } = active;
    const completed = this.state.durable.completed;
    if (this.config.strategy === 'coordinated') ctx.send<Pause>(instance, { type: 'ckpt:pause', id, epoch, completed });
    else if (this.config.triggerTargets.includes(instance)) ctx.send<Trigger>(instance, { type: 'ckpt:trigger', id, epoch, completed });
    else ctx.send<Status>(instance, { type: 'ckpt:status', id, epoch });
  }

  /** Messages get lost: asks again everyone whose `saved` has not arrived. */
  private retry(ctx: Context, id: number): void {
    const active = this.active;
    if (active === undefined || active.id !== id) return;
    for (const instance of this.config.instances) if (!active.saved.has(instance)) this.ask(ctx, instance, active);
    ctx.setTimer(this.config.requestTimeoutUs, 'coord:checkpoint-retry', id);
  }

  saved(ctx: Context, message: Saved, from: string): void {
    const active = this.current(ctx, message, from);
    if (active === undefined) return;
    // Every part is in and its write waits: an operator that says it again (no `continue` yet) changes nothing.
    if (active.completingAfter !== undefined) return;
    const durable = this.state.durable;
    active.saved.add(from);
    if (active.saved.size < this.config.instances.length) return;
    assert(active.id > durable.completed && active.epoch === durable.epoch, () => `checkpoint coordinator: completed ids monotone within the current epoch, but completing ${active.id} (epoch ${active.epoch}) after ${durable.completed} (epoch ${durable.epoch})`);
    active.completingAfter = durable.completed;
    durable.completed = active.id;
    this.state.persist(ctx, () => {
      if (this.active !== active) return;
      this.active = undefined;
      ctx.record('ckpt', { op: 'complete', strategy: this.config.strategy, id: active.id, epoch: active.epoch, participants: this.config.instances.length });
      // The adaptive interval's δ: what this global checkpoint took, trigger to completion.
      this.clock.observeCost(ctx.now() - active.triggeredUs!);
      this.keepClock();
      this.release(ctx, active.id);
      this.schedule(ctx);
    });
  }

  /** An operator could not save its part: the checkpoint can no longer complete, abandon it now. */
  declined(ctx: Context, message: Declined, from: string): void {
    if (this.current(ctx, message, from) !== undefined) this.abort(ctx, 'declined');
  }

  /** The checkpoint in progress an operator's answer is about; none if it is over (answered with `continue`). */
  private current(ctx: Context, message: Saved | Declined, from: string): ActiveCheckpoint | undefined {
    const active = this.active;
    if (active !== undefined && active.id === message.id && active.epoch === message.epoch) return active;
    // Its `continue` was lost, or the checkpoint was abandoned: let the operator carry on.
    if (this.config.strategy === 'coordinated' && message.id < this.state.durable.nextId) ctx.send<Continue>(from, { type: 'ckpt:continue', id: message.id });
    return undefined;
  }

  /**
   * Abandons the checkpoint in progress, if any; after a timeout or a decline the next one is
   * scheduled (a rollback round schedules it once it closes). One every operator has saved is only
   * waiting for its write: a timeout or a decline leaves it to complete; a rollback round abandons
   * it and takes the completed id back, so that the round does not restore a checkpoint the trace
   * calls aborted (its write, refused meanwhile, is then tried with the id taken back).
   */
  abort(ctx: Context, reason: 'timeout' | 'declined' | 'rollback'): void {
    const active = this.active;
    if (active === undefined) return;
    if (active.completingAfter !== undefined) {
      if (reason !== 'rollback') return;
      this.state.durable.completed = active.completingAfter;
    }
    this.active = undefined;
    ctx.record('ckpt', { op: 'aborted', strategy: this.config.strategy, id: active.id, reason });
    // Cut short by a failure or a timeout, it would have taken longer than it ran (a decline says
    // only that a store refused): the adaptive interval's δ is at least that — up to the time the
    // failure took to reach the coordinator, which it cannot tell apart.
    if (reason !== 'declined' && active.triggeredUs !== undefined) {
      this.clock.observeIncomplete(ctx.now() - active.triggeredUs);
      this.keepClock();
    }
    if (reason !== 'rollback') {
      for (const instance of this.config.instances) ctx.send<Aborted>(instance, { type: 'ckpt:aborted', id: active.id });
      this.schedule(ctx);
    }
  }

  private release(ctx: Context, id: number): void {
    if (this.config.strategy !== 'coordinated') return;
    for (const instance of this.config.instances) ctx.send<Continue>(instance, { type: 'ckpt:continue', id });
  }
}

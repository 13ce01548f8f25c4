/**
 * Barrier snapshots: Chandy–Lamport markers and Flink's asynchronous barrier snapshots, as an
 * operator takes part in them.
 *
 * The coordinator triggers checkpoint `id` at the pure sources (or, in a pipeline without one, at a
 * single initiator); each snapshots and sends a barrier on every output channel, in-band, behind
 * everything it sent before. Downstream, by `alignment`:
 * - `aligned` (exactly-once): a barrier is taken in order with the data; the channel it came on is
 *   blocked until barriers have come on every input, then the operator snapshots its state,
 *   forwards the barrier and unblocks. Nothing after the cut is in the state, nothing before it is
 *   missing, and no channel state is needed. Blocked channels delay the pipeline (alignment time).
 * - `unaligned` (exactly-once, Chandy–Lamport): the first barrier is acted on as soon as it
 *   arrives — snapshot now, input queue and the event in service included, forward barriers at
 *   once — and every other input is recorded until its own barrier comes. Nothing is blocked; the
 *   checkpoint carries the in-flight events. It is also the only mode that works on cyclic
 *   pipelines (the bank drill).
 * - `none` (at-least-once): barriers in order, but nothing is blocked: events that overtake a
 *   late barrier land in the state although they are after the cut, and are processed again after
 *   a restore. The cut is not consistent, and the consistent-cut checker says so.
 * The write is asynchronous; the operator reports `saved(id)` when it is durable, and again when
 * the coordinator, missing it, asks (`status`) or re-sends the trigger. A write its store refused
 * (a full disk) is reported as `declined(id)` (Flink's `declineCheckpoint`), answered again the
 * same way: the coordinator aborts that checkpoint at once, tells every operator (`aborted(id)`,
 * Flink's `notifyCheckpointAborted`: a write of it still under way is cancelled, writer.ts) and
 * starts the next an interval later.
 *
 * Guarantee (aligned, unaligned): the images of one id form a consistent cut whose channel state is
 * complete, so a global rollback to them is exactly-once. How it breaks: `none` double-counts;
 * `aligned` on a cycle would wait forever for a barrier that waits for it (the scenario schema
 * refuses it); a barrier lost with a crashed operator leaves the checkpoint incomplete, and the
 * coordinator abandons it at its timeout. A store that keeps refusing aborts every checkpoint until
 * it has room. The other operators' writes of an aborted checkpoint are cancelled as far as their
 * tier can (a store stops at the piece it is writing; node-local and log-topic saves run on, and so
 * does every write when the `aborted` is lost), and the next save of that operator queues behind
 * what still runs; an operator whose barriers come after the abort never begins its write. An
 * alignment in progress for an aborted id is not cut short: it ends when its barriers have come,
 * or when a newer id's barrier arrives. Before the decline, a refused save said nothing and its checkpoint lasted until
 * `checkpoint-timeout` (10 min), none starting meanwhile. Shown by
 * test/features/checkpoint/barrier-decline.test.ts.
 */
import type { Context, Message } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { Alignment, CheckpointConfig } from './config.ts';
import type { Capture, Marker, OperatorHost } from './host.ts';
import { withRecorded, type PendingItem } from './image.ts';
import type { Aborted, Declined, Saved, Status, Trigger } from './messages.ts';
import type { Part } from './participant.ts';
import type { EpochCell } from './recovery.ts';
import type { CheckpointWriter } from './writer.ts';

interface ActiveBarrier {
  readonly id: number;
  readonly epoch: number;
  /** The last complete checkpoint when this one began: its chain must stay in the tier. */
  readonly completed: number;
  readonly startedUs: number;
  readonly received: Set<string>;
  capture?: Capture;
  readonly recorded: PendingItem[];
}

export class BarrierCheckpoints implements Part {
  private active: ActiveBarrier | undefined;
  private lastDone = 0;
  /** The last checkpoint whose write is over, and how it went, to answer the coordinator's `status` or trigger again. */
  private answered: { id: number; epoch: number; ok: boolean } | undefined;

  constructor(
    private readonly host: OperatorHost,
    private readonly config: CheckpointConfig,
    private readonly writer: CheckpointWriter,
    private readonly cell: EpochCell,
    private readonly alignment: Alignment,
  ) {}

  onMessage(ctx: Context, message: Message): boolean {
    if (message.type === 'ckpt:status') {
      const status = message as Status;
      if (this.answered?.id === status.id && this.answered.epoch === status.epoch) this.report(ctx);
      return true;
    }
    if (message.type === 'ckpt:aborted') {
      // Flink's notifyCheckpointAborted: its write, if still under way, is given up (never answered).
      this.writer.cancel(ctx, (message as Aborted).id);
      return true;
    }
    if (message.type !== 'ckpt:trigger') return false;
    const trigger = message as Trigger;
    if (trigger.epoch !== this.cell.epoch || this.host.isHeld('recovery')) return true;
    if (this.answered?.id === trigger.id && this.answered.epoch === trigger.epoch) {
      this.report(ctx);
      return true;
    }
    this.host.whenIdle(ctx, () => {
      const active = this.activate(ctx, trigger.id, trigger.completed, true);
      if (active === undefined || active.capture !== undefined) return;
      this.snapshot(ctx, active);
      this.maybeFinish(ctx, active);
    });
    return true;
  }

  onMarker(ctx: Context, channel: string, marker: Marker): void {
    if (marker.kind !== 'barrier') return;
    // Aligned and at-least-once barriers are handed over by the operator's pump loop, which takes
    // the next item once this returns: inputs are unblocked for it, not pumped from here. Pumping
    // here would take a barrier queued right behind this one (a source that stopped while its
    // checkpoints queue behind a backlog) before this one is finished, once per such barrier.
    const active = this.activate(ctx, marker.id, marker.completed, false);
    if (active === undefined) return;
    active.received.add(channel);
    if (this.alignment === 'unaligned') {
      if (active.capture === undefined) this.snapshot(ctx, active);
    } else if (this.allReceived(active)) {
      this.snapshot(ctx, active);
      if (this.alignment === 'aligned') ctx.record('ckpt', { op: 'aligned', id: active.id, us: ctx.now() - active.startedUs });
    } else if (this.alignment === 'aligned') {
      this.host.blockInput(channel);
    }
    this.maybeFinish(ctx, active);
    if (this.alignment === 'aligned' && this.active === undefined) this.host.unblockInputs(ctx, { pump: false });
  }

  onInput(_ctx: Context, channel: string, position: number, event: unknown): void {
    const active = this.active;
    // Chandy–Lamport: what arrives on a channel between our snapshot and that channel's marker
    // was in flight at the cut, and belongs to the checkpoint.
    if (this.alignment !== 'unaligned' || active?.capture === undefined || active.received.has(channel)) return;
    active.recorded.push({ channel, position, event });
  }

  onRollback(ctx: Context): void {
    if (this.active !== undefined && this.alignment === 'aligned') this.host.unblockInputs(ctx);
    this.active = undefined;
  }

  /**
   * The checkpoint `id` is about: a newer id abandons an older one, an older id is stale. `pump`:
   * whether inputs an abandoned alignment blocked are pumped from here (false when the pump loop
   * handed over the marker; only aligned barriers block, and they come from the pump loop).
   */
  private activate(ctx: Context, id: number, completed: number, pump: boolean): ActiveBarrier | undefined {
    if (id <= this.lastDone) return undefined;
    if (this.active !== undefined && this.active.id > id) return undefined;
    if (this.active === undefined || this.active.id < id) {
      if (this.active !== undefined && this.alignment === 'aligned') this.host.unblockInputs(ctx, { pump });
      assert(completed < id, () => `${this.host.instance}: the last complete checkpoint precedes barrier #${id}, but it is #${completed}`);
      this.active = { id, epoch: this.cell.epoch, completed, startedUs: ctx.now(), received: new Set(), recorded: [] };
    }
    return this.active;
  }

  private snapshot(ctx: Context, active: ActiveBarrier): void {
    active.capture = this.host.capture({ pending: this.alignment === 'unaligned' });
    this.host.sendMarker(ctx, { kind: 'barrier', id: active.id, completed: active.completed });
  }

  private allReceived(active: ActiveBarrier): boolean {
    return this.host.markerInputs.every((channel) => active.received.has(channel));
  }

  private maybeFinish(ctx: Context, active: ActiveBarrier): void {
    if (active.capture === undefined || !this.allReceived(active)) return;
    // `activate` refuses ids at or below the last done: each id is written once, in order.
    assert(active.id > this.lastDone, () => `${this.host.instance}: barrier checkpoints done in id order, but #${active.id} after #${this.lastDone}`);
    this.active = undefined;
    this.lastDone = active.id;
    const capture = { ...active.capture, image: withRecorded(active.capture.image, active.recorded) };
    this.writer.write(ctx, active.id, capture, { cut: active.id, keep: active.completed, recorded: active.recorded }, (result) => {
      if (this.cell.epoch !== active.epoch) return;
      this.answered = { id: active.id, epoch: active.epoch, ok: result.ok };
      this.report(ctx);
    });
  }

  private report(ctx: Context): void {
    const { id, epoch, ok } = this.answered!;
    if (ok) ctx.send<Saved>(this.config.coordinator, { type: 'ckpt:saved', id, epoch });
    else ctx.send<Declined>(this.config.coordinator, { type: 'ckpt:declined', id, epoch });
  }
}

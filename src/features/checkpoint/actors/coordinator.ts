/**
 * The checkpoint coordinator (Flink's JobManager, an HPC job's checkpoint/restart driver): it
 * starts global checkpoints, declares them complete, and drives every global rollback. An actor
 * made of parts, one concept each:
 * - global-checkpoints.ts: `coordinated` and `barrier-snapshot` checkpoints, one at a time;
 * - rollback-rounds.ts: the rounds a restarted operator's `hello` opens, to the start, the last
 *   complete checkpoint or the recovery line;
 * - line-histories.ts: `uncoordinated`, each operator's reported checkpoints (`ckpt:meta`), the
 *   candidates of the line;
 * - coordinator-state.ts: what it keeps on disk, and the writes every message waits for.
 *
 * Guarantee: the epoch, the checkpoint counter, the last complete checkpoint and the reported
 * histories are fsynced before any message depends on them — nothing of an epoch leaves before the
 * epoch is durable — so a coordinator that crashes and restarts never reuses an epoch or an id,
 * and reopens an interrupted round. A checkpoint reported late (its report still travelling when a
 * round opened) is still a candidate unless a line of a newer epoch than its own abandoned it —
 * each report carries the epoch its operator captured it in (line-histories.ts). How it
 * breaks: while the coordinator is down nothing is checkpointed and nobody recovers — it is the
 * single point of failure of every global strategy — and so while its disk is full, since every
 * message that depends on a write waits for the write (coordinator-state.ts).
 */
import type { Actor, Context, Message, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import { CoordinatorState, type CoordinatorConfig } from './coordinator-state.ts';
import { GlobalCheckpoints } from './global-checkpoints.ts';
import { addReported } from './line-histories.ts';
import type { Current, Declined, Meta, MetaAck, Restored, Saved } from './messages.ts';
import { RollbackRounds } from './rollback-rounds.ts';

export type { CoordinatorConfig } from './coordinator-state.ts';

export class CheckpointCoordinator implements Actor<Message> {
  private readonly state: CoordinatorState;
  private readonly checkpoints: GlobalCheckpoints;
  private readonly rounds: RollbackRounds;

  constructor(private readonly config: CoordinatorConfig) {
    this.state = new CoordinatorState(config.instances);
    this.checkpoints = new GlobalCheckpoints(config, this.state, () => this.rounds.recovering());
    this.rounds = new RollbackRounds(config, this.state, {
      opened: (ctx) => this.checkpoints.abort(ctx, 'rollback'),
      closed: (ctx) => this.checkpoints.schedule(ctx),
      checkpoints: this.checkpoints.enabled,
    });
  }

  start(ctx: Context): void {
    this.checkpoints.schedule(ctx);
  }

  recover(ctx: Context): void {
    this.state.load(ctx);
    const durable = this.state.durable;
    // What was written together comes back together: the last complete checkpoint is one that was issued.
    assert(durable.completed < durable.nextId, () => `checkpoint coordinator: restored last complete id < next id, but ${durable.completed} ≥ ${durable.nextId}`);
    this.checkpoints.recovered();
    if (durable.roundOpen) this.rounds.open(ctx, 'coordinator restarted during a rollback', 'coordinator');
    this.checkpoints.schedule(ctx);
  }

  onMessage(ctx: Context, message: Message, from: string): void {
    switch (message.type) {
      case 'ckpt:hello':
        return this.rounds.hello(ctx, from);
      case 'ckpt:restored':
        return this.rounds.restored(ctx, message as Restored, from);
      case 'ckpt:saved':
        return this.checkpoints.saved(ctx, message as Saved, from);
      case 'ckpt:declined':
        return this.checkpoints.declined(ctx, message as Declined, from);
      case 'ckpt:meta':
        return this.meta(ctx, message as Meta, from);
      case 'ckpt:current':
        return this.rounds.current(ctx, message as Current, from);
      case 'ckpt:due':
        return this.checkpoints.due(ctx);
    }
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (this.state.onTimer(ctx, wakeup)) return;
    if (wakeup.name === 'coord:rollback-retry') return this.rounds.retry(ctx, wakeup.data as number);
    this.checkpoints.onTimer(ctx, wakeup);
  }

  /** Uncoordinated: a durable checkpoint's report; acknowledged once the history holding it is on disk. */
  private meta(ctx: Context, message: Meta, from: string): void {
    const durable = this.state.durable;
    // An epoch reaches an operator only in a rollback, which leaves after the epoch is on disk.
    assert(message.epoch <= durable.epoch, () => `checkpoint coordinator: a checkpoint's epoch was issued, but ${from} reports #${message.id} of epoch ${message.epoch} > ${durable.epoch}`);
    addReported(durable, from, message);
    this.state.persist(ctx, () => ctx.send<MetaAck>(from, { type: 'ckpt:meta-ack', id: message.id }));
  }
}

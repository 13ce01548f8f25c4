/**
 * How an operator recovers, the two ways strategies choose from.
 *
 * `LocalRecovery` (stream-replay, multilevel): after a restart the operator restores its own
 * latest checkpoint and resumes; its input positions come back with the image, so the persistent
 * streams replay exactly what it had not yet processed. Nobody else is disturbed. With several
 * levels (multilevel) it first asks each for the id of its newest whole checkpoint (an index
 * read, as SCR scans its cache and the PFS index) and reads the newest that survived on any level
 * — the faster level on a tie, the next newest if a level lost it meanwhile: a node-local copy
 * older than a flushed one is never restored. With no checkpoint left anywhere it starts from the
 * initial state and replays its streams from the beginning.
 *
 * `GlobalRecovery` (none, coordinated, barrier-snapshot, uncoordinated): a restarted operator
 * says `hello` to the coordinator (re-sent until answered) and waits. The coordinator answers
 * every operator — survivors too — with `rollback(epoch, target)`; each abandons what it was doing,
 * restores `target` (0: the initial state), enters the new epoch (data of older epochs is
 * discarded by the transport), reports `restored`, and stays held until `resume(epoch)`.
 *
 * Restart cost: every restore first waits the configured `restartUs` (relaunching the process,
 * rejoining the job) and then reads its checkpoint (the tier's cost). Under global recovery every
 * operator pays it, survivors too (the whole job is restarted, as in HPC checkpoint/restart or a
 * Flink global failover), and so does a rollback to the start, which reads nothing. The `restore`
 * record's `us` is the whole of it.
 *
 * Guarantee: an operator under global recovery never processes an event of the new epoch before
 * every operator has restored into it. How it breaks: if the coordinator is down, restarted
 * operators wait for it (the coordinator is the single point of failure of global strategies);
 * a target the tier lost (node-local memory after a node crash) is reported `ok: false`, and the
 * coordinator falls back to the initial state for everyone.
 */
import type { Context, Message, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { CheckpointConfig } from './config.ts';
import type { OperatorHost } from './host.ts';
import { materialize, type OperatorImage, type StoredCheckpoint } from './image.ts';
import type { Hello, Restored, Rollback } from './messages.ts';
import type { Part } from './participant.ts';
import type { TierClient } from './tiers.ts';
import type { CheckpointWriter } from './writer.ts';

/** The epoch an operator is in, shared by its parts (checkpoint messages of other epochs are stale). */
export interface EpochCell {
  epoch: number;
}

function recordRestore(ctx: Context, host: OperatorHost, fields: { strategy: string; id: number; tier: string; image: OperatorImage | undefined; startedUs: number; epoch?: number }): void {
  ctx.record('ckpt', {
    op: 'restore',
    strategy: fields.strategy,
    id: fields.image === undefined ? 0 : fields.id,
    toStart: fields.image === undefined,
    tier: fields.tier,
    us: ctx.now() - fields.startedUs,
    ...(fields.epoch === undefined ? {} : { epoch: fields.epoch }),
    digest: host.digest(fields.image?.state),
  });
}

export class LocalRecovery implements Part {
  constructor(
    private readonly host: OperatorHost,
    private readonly strategy: string,
    /** Tiers to try, most preferred (fastest) first. */
    private readonly tiers: readonly TierClient[],
    private readonly writers: readonly CheckpointWriter[],
    /** The fixed cost of a restart, before the read. */
    private readonly restartUs = 0,
  ) {}

  recover(ctx: Context): void {
    this.host.hold(ctx, 'restore');
    if (this.restartUs === 0) this.locate(ctx, ctx.now());
    else ctx.setTimer(this.restartUs, 'ckpt:restart', ctx.now());
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name !== 'ckpt:restart') return false;
    this.locate(ctx, wakeup.data as number);
    return true;
  }

  private locate(ctx: Context, startedUs: number): void {
    // One level: its latest is the newest there is.
    if (this.tiers.length === 1) this.tryCandidates(ctx, [{ tier: this.tiers[0], id: 'latest' }], startedUs);
    else this.probe(ctx, startedUs);
  }

  /** Asks every level for its newest id; reads the newest first, the faster level first on a tie. */
  private probe(ctx: Context, startedUs: number): void {
    const newest: (number | undefined)[] = [];
    let answered = 0;
    this.tiers.forEach((tier, index) =>
      tier.newest(ctx, (id) => {
        newest[index] = id;
        if (++answered < this.tiers.length) return;
        const candidates = this.tiers
          .map((candidate, i) => ({ tier: candidate, id: newest[i], i }))
          .filter((c): c is { tier: TierClient; id: number; i: number } => c.id !== undefined)
          .sort((a, b) => b.id - a.id || a.i - b.i);
        this.tryCandidates(ctx, candidates, startedUs);
      }),
    );
  }

  private tryCandidates(ctx: Context, candidates: readonly { tier: TierClient; id: number | 'latest' }[], startedUs: number): void {
    const [first, ...rest] = candidates;
    if (first === undefined) return this.finish(ctx, undefined, 0, 'none', startedUs);
    first.tier.load(ctx, first.id, (chain) => {
      const image = chain === undefined ? undefined : materialize(chain);
      // Independent checkpoint ids are capture times: the restored one is in the past, so the
      // checkpoints taken after the restore get larger ids than it (ids stay monotone per key).
      const id = chain?.[chain.length - 1]?.id ?? 0;
      if (image !== undefined) assert(id > 0 && id <= ctx.now(), () => `${this.host.instance}: a restored checkpoint was captured before now, but #${id} at ${ctx.now()}`);
      // A level that lost its copy between the probe and the read: the next newest.
      if (image === undefined) this.tryCandidates(ctx, rest, startedUs);
      else this.finish(ctx, image, id, first.tier.tier, startedUs);
    });
  }

  private finish(ctx: Context, image: OperatorImage | undefined, id: number, tier: string, startedUs: number): void {
    this.host.restore(ctx, image, 0);
    for (const writer of this.writers) writer.restart();
    recordRestore(ctx, this.host, { strategy: this.strategy, id, tier, image, startedUs });
    this.host.release(ctx, 'restore');
  }
}

type GlobalState = 'running' | 'awaiting-rollback' | 'restoring' | 'restored';

export class GlobalRecovery implements Part {
  private state: GlobalState = 'running';
  /** The read a rollback starts once its restart time has passed. */
  private restarting: (() => void) | undefined;

  constructor(
    private readonly host: OperatorHost,
    private readonly strategy: string,
    private readonly config: CheckpointConfig,
    private readonly tier: TierClient,
    private readonly writer: CheckpointWriter | undefined,
    private readonly cell: EpochCell,
    /** Tells the other parts to abandon what they had in progress. */
    private readonly abandon: (ctx: Context) => void,
  ) {}

  recover(ctx: Context): void {
    this.host.hold(ctx, 'recovery');
    this.state = 'awaiting-rollback';
    this.hello(ctx);
  }

  onMessage(ctx: Context, message: Message): boolean {
    if (message.type === 'ckpt:rollback') {
      this.rollback(ctx, message as Rollback);
      return true;
    }
    if (message.type === 'ckpt:resume') {
      const { epoch } = message as Message & { epoch: number };
      if (epoch === this.cell.epoch && this.state === 'restored') {
        this.state = 'running';
        this.host.release(ctx, 'recovery');
      }
      return true;
    }
    return false;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === 'ckpt:hello') {
      if (this.state === 'awaiting-rollback') this.hello(ctx);
      return true;
    }
    if (wakeup.name === 'ckpt:restored') {
      if (this.state === 'restored' && wakeup.data === this.cell.epoch) this.reportRestored(ctx, true);
      return true;
    }
    if (wakeup.name === 'ckpt:restart') {
      // The restart of a rollback a newer one has overtaken is void.
      const read = this.restarting;
      if (read !== undefined && this.state === 'restoring' && wakeup.data === this.cell.epoch) {
        this.restarting = undefined;
        read();
      }
      return true;
    }
    return false;
  }

  private hello(ctx: Context): void {
    ctx.send<Hello>(this.config.coordinator, { type: 'ckpt:hello' });
    ctx.setTimer(this.config.requestTimeoutUs, 'ckpt:hello');
  }

  private rollback(ctx: Context, message: Rollback): void {
    if (message.epoch <= this.cell.epoch) {
      // A repeated rollback of the epoch we are in: our `restored` was lost.
      if (message.epoch === this.cell.epoch && this.state === 'restored') this.reportRestored(ctx, true);
      return;
    }
    if (this.state === 'running') this.host.hold(ctx, 'recovery');
    this.abandon(ctx);
    this.cell.epoch = message.epoch;
    this.state = 'restoring';
    const epoch = message.epoch;
    const startedUs = ctx.now();
    const restore = (chain: readonly StoredCheckpoint[] | undefined) => {
      if (epoch !== this.cell.epoch) return; // a newer rollback overtook this one
      const image = chain === undefined ? undefined : materialize(chain);
      if (message.target !== 0 && image === undefined) {
        this.reportRestored(ctx, false);
        return;
      }
      // The tier answered for the asked id: every operator restores the same cut.
      const restoredId = chain?.[chain.length - 1]?.id ?? 0;
      assert(restoredId === message.target, () => `${this.host.instance}: restores the rollback's target, but got #${restoredId} for target #${message.target} (epoch ${epoch})`);
      this.host.restore(ctx, image, epoch);
      this.writer?.restart();
      recordRestore(ctx, this.host, { strategy: this.strategy, id: message.target, tier: this.tier.tier, image, startedUs, epoch });
      this.state = 'restored';
      this.reportRestored(ctx, true);
    };
    const read = () => (message.target === 0 ? restore(undefined) : this.tier.load(ctx, message.target, restore));
    if (this.config.restartUs === 0) read();
    else {
      this.restarting = read;
      ctx.setTimer(this.config.restartUs, 'ckpt:restart', epoch);
    }
  }

  private reportRestored(ctx: Context, ok: boolean): void {
    ctx.send<Restored>(this.config.coordinator, { type: 'ckpt:restored', epoch: this.cell.epoch, ok });
    if (ok) ctx.setTimer(this.config.requestTimeoutUs, 'ckpt:restored', this.cell.epoch);
  }
}

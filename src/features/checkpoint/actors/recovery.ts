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
 * initial state and replays its streams from the beginning. Guarantee: it restores the newest
 * checkpoint that survived on any level, never one older than another that survived. How it
 * breaks: it is right only where what the operator had in flight can come again — persistent
 * streams, or a message log (message-log.ts); over plain direct channels only a global rollback is.
 *
 * `GlobalRecovery` (none, coordinated, barrier-snapshot, uncoordinated): every operator back to one
 * consistent cut, as a coordinator says (global-recovery.ts).
 *
 * Restart cost: a process that crashed pays the configured `restartUs` (relaunching the process,
 * rejoining the job) once per crash, and then reads its checkpoint (the tier's cost): under local
 * recovery as soon as it is back, under global recovery when its rollback comes (a rollback to the
 * start reads nothing). A survivor rolled back by a global rollback — to a checkpoint, to the
 * recovery line, or to the start — did not reboot: it only reloads, paying the read and no
 * restart (Elnozahy et al. 2002: the surviving processes roll back, only the failed one restarts;
 * Daly's restart time R is the failed job's, once per failure). An operator that keeps its present
 * state pays nothing. The `restore` record's `us` is the whole of what it paid, from its rollback.
 * A restarted process whose rollback is overtaken by a newer one does not pay its restart twice:
 * the newer rollback waits only for what is left of it. How it breaks: a survivor whose state is
 * lost anyway (it is reset by the restart of the whole job, as an MPI job that aborts every rank on
 * one rank's failure) would pay the restart too — not modelled: model it as a crash of every rank.
 */
import type { Context, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { OperatorHost } from './host.ts';
import { materialize, type OperatorImage } from './image.ts';
import type { Part } from './participant.ts';
import type { TierClient } from './tiers.ts';
import type { CheckpointWriter } from './writer.ts';

/** The epoch an operator is in, shared by its parts (checkpoint messages of other epochs are stale). */
export interface EpochCell {
  epoch: number;
}

/** The `restore` record: what was restored (0: the initial state), from which tier, and all it cost since the rollback or restart. */
export function recordRestore(ctx: Context, host: OperatorHost, fields: { strategy: string; id: number; tier: string; image: OperatorImage | undefined; startedUs: number; epoch?: number }): void {
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

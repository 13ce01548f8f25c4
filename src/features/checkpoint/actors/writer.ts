/**
 * Turns an operator's captured image into a stored checkpoint: full or incremental, sized,
 * recorded in the trace, written to a tier. Every strategy that checkpoints writes through it.
 *
 * Guarantee: an incremental entry always applies to an entry this writer saved successfully
 * (its `base`); the patches of a capture whose save failed are carried into the next capture, and
 * after a failure or a restore, or while another write is still in flight, the next entry is
 * full, so a chain in a store is always whole.
 * Trace: `ckpt` `snapshot` when the image is complete (the instant of the local cut, with the
 * channel counters the consistent-cut checker reads), `saved` when it is durable (tier, bytes,
 * how long the write took), `failed` when the tier refused it, `cancelled` when it was given up
 * under way (its global checkpoint aborted; `cancel`) — then nothing more of it, whatever the tier
 * answers later.
 */
import type { Patch } from 'immer';
import type { Context, Micros } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { StrategyName } from './config.ts';
import type { Capture, OperatorHost } from './host.ts';
import { channelStateBytes, incrementalBytes, type OperatorImage, type PendingItem, type StoredCheckpoint } from './image.ts';
import type { TierClient } from './tiers.ts';

export interface WriteOptions {
  /** The global checkpoint (cut) this image belongs to, if any. */
  readonly cut?: number;
  /** Keep the whole history in the tier (uncoordinated checkpointing searches it). */
  readonly retainAll?: boolean;
  /** A checkpoint whose chain the tier must keep (the last complete global one). */
  readonly keep?: number;
  /**
   * The channel state a marker algorithm recorded: what arrived on each input between the
   * snapshot and that channel's marker. The snapshot record's `inFlight` counts only these; the
   * input queue at the snapshot and the unsent outbox are the participant's own. Without it (a
   * coordinated pause, whose flushed queue is its channel state) queue and outbox count.
   */
  readonly recorded?: readonly PendingItem[];
}

export interface WriteResult {
  readonly ok: boolean;
  readonly entry: StoredCheckpoint;
  readonly image: OperatorImage;
  readonly durationUs: Micros;
}

export class CheckpointWriter {
  private lastSaved: number | undefined;
  private sinceFull = 0;
  private carried: Patch[] = [];
  /** Writes issued and not yet answered, by id, with the patches they carry; an incremental entry needs its base to be settled. */
  private readonly inFlight = new Map<number, Patch[]>();
  /** The newest global checkpoint the coordinator said it aborted: no write of it or an older one begins. */
  private aborted = 0;

  constructor(
    private readonly host: OperatorHost,
    private readonly strategy: StrategyName,
    private readonly tier: TierClient,
    private readonly incremental: { readonly enabled: boolean; readonly fullEvery: number },
  ) {}

  /** The ids of the saves an earlier incarnation left unfinished, which its tier gave up as it started (`TierClient.cutShort`). */
  get cutShort(): readonly number[] {
    return this.tier.cutShort ?? [];
  }

  /** After a restore the operator's state no longer follows from the last saved entry. */
  restart(): void {
    this.lastSaved = undefined;
    this.carried = [];
  }

  /**
   * Records the snapshot, builds the entry and saves it; `done` gets the outcome — unless the
   * checkpoint was aborted already (`cancel`): then nothing is written and `done` never comes.
   */
  write(ctx: Context, id: number, capture: Capture, options: WriteOptions, done: (result: WriteResult) => void): void {
    const { image } = capture;
    this.carried.push(...capture.patches);
    if (this.isAborted(id)) {
      ctx.record('ckpt', { op: 'cancelled', strategy: this.strategy, id });
      return;
    }
    this.recordSnapshot(ctx, id, image, options);
    const entry = this.entryFor(id, image);
    const patches = this.carried;
    this.carried = [];
    const started = ctx.now();
    assert(!this.inFlight.has(id), () => `checkpoint writer ${this.host.instance}: each id written once at a time, but #${id} is already in flight`);
    this.inFlight.set(id, patches);
    ctx.record('ckpt', { op: 'begin', strategy: this.strategy, id, tier: this.tier.tier, kind: entry.kind, bytes: entry.bytes });
    const retention = options.retainAll === true ? ({ all: true } as const) : { all: false as const, ...(options.keep === undefined ? {} : { keep: options.keep }) };
    this.tier.save(ctx, entry, retention, (ok) => {
      const durationUs = ctx.now() - started;
      // A tier answers a save once, and never one it has cancelled.
      assert(this.inFlight.delete(id), () => `checkpoint writer ${this.host.instance}: a write is answered while in flight, but #${id} is not`);
      if (ok) {
        // Writes may complete out of order; only the newest can be a base.
        if (this.lastSaved === undefined || id > this.lastSaved) {
          this.lastSaved = id;
          this.sinceFull = entry.kind === 'full' ? 1 : this.sinceFull + 1;
        }
        ctx.record('ckpt', { op: 'saved', strategy: this.strategy, id, tier: this.tier.tier, kind: entry.kind, bytes: entry.bytes, us: durationUs });
      } else {
        this.unsaved(patches);
        ctx.record('ckpt', { op: 'failed', strategy: this.strategy, id, tier: this.tier.tier });
      }
      done({ ok, entry, image, durationUs });
    });
  }

  /**
   * Global checkpoint `id` was aborted, as were all before it that are not complete (one runs at a
   * time): a write of it in flight is given up if its tier can stop it (Flink cancels an aborted
   * checkpoint's asynchronous part; its `done` never comes), and one not begun yet is never begun
   * (Flink's `abortedCheckpointIds`: a barrier that comes after the abort is not acted on).
   */
  cancel(ctx: Context, id: number): void {
    this.aborted = Math.max(this.aborted, id);
    const patches = this.inFlight.get(id);
    if (patches === undefined || this.tier.cancel?.(ctx, id) !== true) return;
    this.inFlight.delete(id);
    this.unsaved(patches);
    ctx.record('ckpt', { op: 'cancelled', strategy: this.strategy, id, tier: this.tier.tier });
  }

  /** Whether the coordinator said global checkpoint `id` was aborted (or a newer one: see `cancel`). */
  isAborted(id: number): boolean {
    return id <= this.aborted;
  }

  /** A write that did not save: the next entry cannot build on it; its patches are kept for a later full one anyway. */
  private unsaved(patches: Patch[]): void {
    this.carried = [...patches, ...this.carried];
    this.lastSaved = undefined;
  }

  private entryFor(id: number, image: OperatorImage): StoredCheckpoint {
    const channelBytes = channelStateBytes(image, (event) => this.host.eventBytes(event));
    const useIncremental = this.incremental.enabled && this.inFlight.size === 0 && this.lastSaved !== undefined && this.sinceFull < this.incremental.fullEvery;
    if (!useIncremental || this.lastSaved === undefined) {
      return { id, kind: 'full', bytes: this.host.stateBytes + channelBytes, image };
    }
    // An incremental entry applies to the newest entry saved before it (writes settled, ids grow).
    assert(this.lastSaved < id, () => `checkpoint writer ${this.host.instance}: an incremental entry builds on an older one, but #${id} on #${this.lastSaved}`);
    const { state, ...rest } = image;
    const bytes = incrementalBytes(this.host.stateBytes, state, this.carried) + channelBytes;
    return { id, kind: 'incremental', bytes, base: this.lastSaved, patches: this.carried, image: rest };
  }

  private recordSnapshot(ctx: Context, id: number, image: OperatorImage, options: WriteOptions): void {
    const conserved = this.host.conserved(image);
    // The part of it in recorded channel state, so a timeline can show state + in flight = total.
    const bare = conserved === undefined ? undefined : this.host.conserved({ ...image, pending: [], outbox: [] });
    const recorded = options.recorded === undefined || bare === undefined ? undefined : this.host.conserved({ ...image, pending: options.recorded, outbox: [] });
    const inFlight = conserved === undefined || bare === undefined ? undefined : recorded === undefined ? conserved - bare : recorded - bare;
    ctx.record('ckpt', {
      op: 'snapshot',
      strategy: this.strategy,
      id,
      ...(options.cut === undefined ? {} : { cut: options.cut }),
      inputs: image.inputs,
      outputs: image.outputs,
      generated: image.generated,
      pending: image.pending.length,
      ...(conserved === undefined || inFlight === undefined ? {} : { conserved, inFlight }),
      digest: this.host.digest(image.state),
    });
  }
}

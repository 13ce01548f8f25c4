/**
 * Independent checkpoints: each operator checkpoints on its own clock, never waiting for anyone.
 * Used by `stream-replay`, `multilevel` and `uncoordinated`; they differ in what the image includes
 * and what happens afterwards.
 *
 * A checkpoint captures the image between two events (a copy of the small state), and the write then
 * proceeds while the operator goes on processing — the operator is never blocked. At most one
 * checkpoint is in flight per operator; one that falls due meanwhile is skipped, not queued.
 * Each operator's first checkpoint is placed at a uniform phase of its interval, U·I after its start
 * (its own `ckpt` stream), so independent checkpoints really are independent and do not fire in
 * lockstep; after a restart the next is one interval after the restart, as in Daly's model
 * (interval.ts, "Phase"). So operators restarted together (a node crash) are due together from
 * then on, and with a fixed interval they stay in lockstep until an adaptive one separates them.
 *
 * Options:
 * - `pending`: include the unprocessed input queue in the image. Needed when inputs are direct
 *   channels (uncoordinated): nobody can send those events again. Over persistent streams the
 *   positions of processed events suffice: the rest is re-read.
 * - `flush` (multilevel): every `every`-th successful checkpoint is then copied, whole, to a second
 *   tier, asynchronously (SCR and VeloC flush their node-local cache to the PFS this way); one
 *   falling due while a flush is still running goes at the next checkpoint after it. The count
 *   since the last flush is kept beside the node-local checkpoints (a RAM-disk file for the
 *   `memory` medium), as SCR keeps its cache index: it outlives a process crash — a restart goes
 *   on counting, so crashes more frequent than `every` intervals do not postpone every flush —
 *   and dies with the checkpoints it counts.
 * - `report` (uncoordinated): each durable checkpoint's channel counters are sent to the
 *   coordinator (re-sent until acknowledged), which needs them to compute a recovery line, with the
 *   epoch the operator was in when it captured the checkpoint (the shared epoch cell).
 * - `stable` (uncoordinated with message logging): each saved checkpoint is handed to the host,
 *   whose message log discards what it covers; only when the tier survives the node's disk.
 *
 * An operator that has finished (`OperatorHost.finished`) is checkpointed until one image of its
 * final state is saved, then the clock stops: on a time or adaptive interval it would otherwise
 * store the same image again until the run ends. On the events interval nothing falls due after
 * the last event, so a final state between two due checkpoints is not saved.
 *
 * On an adaptive interval (interval.ts) the clock learns the cost from every write: a saved one's
 * duration, even if a rollback abandoned it meanwhile; a refused one's as a lower bound; and, after
 * a restart, each save the tier gave up as unfinished (`CheckpointWriter.cutShort`), which ran from
 * its capture — its id is its capture time — until the restarted tier deleted it. What it learnt is
 * in `ckpt-clock` (written, not fsynced, at each write's end; a process crash keeps it, a node-local
 * save's fsync or the restart's makes it durable). Other intervals write no such file.
 * Guarantee: at δ ≥ 2M on node-local disk, one save cut short by a crash after running 2M, or one
 * completed, is enough: from then on τ = M in every later incarnation (test:
 * independent-adaptive.test.ts) — unless a node crash comes before an fsync covered what it learnt. It breaks where the restarted participant cannot see what its crash
 * cut (a store or log-topic tier, a RAM-disk save) and no save ever completes.
 *
 * How it breaks: without persistent inputs (uncoordinated) independent checkpoints rarely form a
 * consistent recovery line, and recovery rolls back further and further (the domino effect).
 */
import type { Context, Message, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, RAM_DISK_DIR } from '../../../kernel/contract/index.ts';
import type { CheckpointConfig } from './config.ts';
import type { OperatorHost } from './host.ts';
import { CheckpointClock, type ClockMemory } from './interval.ts';
import { channelStateBytes, type StoredCheckpoint } from './image.ts';
import type { Meta, MetaAck } from './messages.ts';
import type { Part } from './participant.ts';
import type { EpochCell } from './recovery.ts';
import type { TierClient } from './tiers.ts';
import type { CheckpointWriter, WriteResult } from './writer.ts';

export interface IndependentOptions {
  readonly pending: boolean;
  readonly retainAll: boolean;
  readonly flush?: { readonly tier: TierClient; readonly every: number };
  /** Report durable checkpoints to the coordinator, each with the epoch of this cell at its capture. */
  readonly report?: EpochCell;
  /** Tell the host each saved checkpoint is stable (`OperatorHost.checkpointStable`): the tier outlives the operator's disk. */
  readonly stable?: boolean;
}

const FAILURES_FILE = 'ckpt-failures';
/** The adaptive clock's memory of the checkpoint cost (`ClockMemory`): three numbers. */
const CLOCK_FILE = 'ckpt-clock';
const CLOCK_BYTES = 24;
/** Multilevel: node-local checkpoints saved since the last flush. */
const SINCE_FLUSH_FILE = 'ckpt-since-flush';

export class IndependentCheckpoints implements Part {
  private readonly clock: CheckpointClock;
  private inProgress = false;
  private flushing = false;
  private sinceFlush = 0;
  private lastId = 0;
  private failures = 0;
  /** A checkpoint of the finished operator's final state is durable: no more are due. */
  private finalSaved = false;
  /** Bumped by a rollback, so a write that was in flight is ignored when it completes. */
  private generation = 0;
  private readonly unacked = new Map<number, Meta>();

  constructor(
    private readonly host: OperatorHost,
    private readonly config: CheckpointConfig,
    private readonly writer: CheckpointWriter,
    private readonly options: IndependentOptions,
  ) {
    this.clock = new CheckpointClock(config.interval);
  }

  start(ctx: Context): void {
    this.scheduleFirst(ctx);
  }

  recover(ctx: Context): void {
    // The failure count feeds the adaptive interval; it must outlive the process.
    this.failures = ((ctx.disk.get(FAILURES_FILE) as number | undefined) ?? 0) + 1;
    ctx.disk.put(FAILURES_FILE, this.failures, 8);
    if (this.adaptive) {
      // What the last incarnation learnt of the cost, and the saves its crash cut short (their ids
      // are their capture times: each ran from then until its file was deleted now, unfinished).
      const memory = ctx.disk.get(CLOCK_FILE) as ClockMemory | undefined;
      if (memory !== undefined) this.clock.remember(memory);
      for (const id of this.writer.cutShort) this.clock.observeIncomplete(ctx.now() - id);
      ctx.disk.put(CLOCK_FILE, this.clock.memory(), CLOCK_BYTES);
    }
    ctx.disk.fsync();
    if (this.options.flush !== undefined) this.sinceFlush = (ctx.disk.get(this.sinceFlushFile) as number | undefined) ?? 0;
    // A new renewal (Daly): one whole interval after the restart, not a new random phase.
    this.scheduleNext(ctx);
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === 'ckpt:due') {
      // Not re-arming the timer ends the clock's chain.
      if (this.finalSaved) return true;
      this.due(ctx);
      this.scheduleNext(ctx);
      return true;
    }
    if (wakeup.name === 'ckpt:meta') {
      const meta = this.unacked.get(wakeup.data as number);
      if (meta !== undefined) this.sendMeta(ctx, meta);
      return true;
    }
    return false;
  }

  onMessage(_ctx: Context, message: Message): boolean {
    if (message.type !== 'ckpt:meta-ack') return false;
    this.unacked.delete((message as MetaAck).id);
    return true;
  }

  afterEvent(ctx: Context): void {
    if (this.clock.countEvent()) this.due(ctx);
  }

  onRollback(): void {
    this.generation++;
    this.inProgress = false;
    // Checkpoints of the abandoned history must not reach the coordinator's recovery line.
    this.unacked.clear();
  }

  private scheduleFirst(ctx: Context): void {
    const phase = ctx.rng('ckpt').next();
    const delay = this.clock.firstDelay({ failures: this.failures, nowUs: ctx.now() }, phase);
    if (delay !== undefined) ctx.setTimer(delay, 'ckpt:due');
  }

  private scheduleNext(ctx: Context): void {
    const delay = this.clock.nextDelay({ failures: this.failures, nowUs: ctx.now() });
    if (delay !== undefined) ctx.setTimer(delay, 'ckpt:due');
  }

  private due(ctx: Context): void {
    // Not while the operator is being restored: its image is not yet its own.
    if (this.inProgress || this.host.isHeld('restore') || this.host.isHeld('recovery')) return;
    this.inProgress = true;
    const generation = this.generation;
    this.host.whenIdle(ctx, () => {
      if (generation !== this.generation) return;
      const id = Math.max(this.lastId + 1, ctx.now());
      this.lastId = id;
      const final = this.host.finished?.() === true;
      // A rollback between now and the write's end bumps the generation: the epoch stays the capture's.
      const epoch = this.options.report?.epoch ?? 0;
      const capture = this.host.capture({ pending: this.options.pending });
      this.writer.write(ctx, id, capture, { retainAll: this.options.retainAll }, (result) => {
        // What it cost is known even of a write a rollback abandoned.
        this.learn(ctx, result);
        if (generation !== this.generation) return;
        this.inProgress = false;
        if (!result.ok) return;
        if (final) this.finalSaved = true;
        this.saved(ctx, id, epoch, result);
      });
    });
  }

  private saved(ctx: Context, id: number, epoch: number, result: WriteResult): void {
    // Writes of an abandoned history were dropped by generation: what completes is this part's newest id.
    assert(id === this.lastId, () => `${this.host.instance}: the saved checkpoint is the last one taken, but #${id} while the last is #${this.lastId}`);
    if (this.options.stable === true) this.host.checkpointStable?.(ctx, result.image);
    if (this.options.report !== undefined) {
      const meta: Meta = { type: 'ckpt:meta', id, epoch, inputs: result.image.inputs, outputs: result.image.outputs };
      this.unacked.set(id, meta);
      this.sendMeta(ctx, meta);
    }
    const flush = this.options.flush;
    if (flush === undefined) return;
    this.sinceFlush++;
    if (this.sinceFlush >= flush.every && !this.flushing) {
      this.sinceFlush = 0;
      this.flushWhole(ctx, id, result, flush.tier);
    }
    ctx.disk.put(this.sinceFlushFile, this.sinceFlush, 8);
  }

  private get adaptive(): boolean {
    return this.config.interval.kind === 'adaptive';
  }

  /**
   * A write ended: saved, its duration is a cost; refused, the cost is more than it ran. The
   * adaptive clock keeps what it learnt in a file, unsynced: a process crash keeps the page cache,
   * and the next fsync (a node-local save's, a restart's) makes it durable.
   */
  private learn(ctx: Context, result: WriteResult): void {
    if (result.ok) this.clock.observeCost(result.durationUs);
    else this.clock.observeIncomplete(result.durationUs);
    if (this.adaptive) ctx.disk.put(CLOCK_FILE, this.clock.memory(), CLOCK_BYTES);
  }

  /** Where the count since the last flush lives: with the node-local checkpoints it counts. */
  private get sinceFlushFile(): string {
    return `${this.config.nodeLocal === 'memory' ? RAM_DISK_DIR : ''}${SINCE_FLUSH_FILE}`;
  }

  /** Copies a checkpoint, materialized as a full one, to the slower tier. */
  private flushWhole(ctx: Context, id: number, result: WriteResult, tier: TierClient): void {
    this.flushing = true;
    const bytes = this.host.stateBytes + channelStateBytes(result.image, (event) => this.host.eventBytes(event));
    const entry: StoredCheckpoint = { id, kind: 'full', bytes, image: result.image };
    const started = ctx.now();
    tier.save(ctx, entry, { all: false }, (ok) => {
      this.flushing = false;
      ctx.record('ckpt', { op: ok ? 'flushed' : 'failed', strategy: this.config.strategy, id, tier: tier.tier, bytes, us: ctx.now() - started });
    });
  }

  private sendMeta(ctx: Context, meta: Meta): void {
    ctx.send(this.config.coordinator, meta);
    ctx.setTimer(this.config.requestTimeoutUs, 'ckpt:meta', meta.id);
  }
}

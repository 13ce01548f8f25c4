/**
 * The checkpoint coordinator's configuration and what it keeps on disk (coordinator.ts): the epoch,
 * the checkpoint counter, the last complete checkpoint, whether a rollback round is open, what the
 * adaptive interval has learnt of the checkpoint cost, and — uncoordinated — the reported checkpoint
 * histories and the lines that cut them.
 *
 * Guarantee: `persist` writes the whole state and runs its continuation only once the fsync has
 * completed, so whatever a message depends on is durable before the message leaves. The image
 * written is plain JSON data (emulation writes it as a JSON line), a copy of the state's structure
 * — its maps as entry lists, its history arrays sliced — so later changes in memory never reach an
 * image already written; it shares the history entries and cuts, which are frozen or replaced,
 * never changed. A restarted coordinator reads back exactly what was last written
 * together. A write the disk refuses (full) is tried again every `RETRY_US`, and it and every
 * later one hold their continuations, in order, until a write of the whole state is taken and
 * fsynced — as the message log holds its appends (message-log.ts). How it breaks: a power loss
 * before the fsync completes loses the write (the continuation never runs: nothing depended on it
 * yet); while its disk is full the coordinator stalls — no checkpoint is triggered or completed,
 * no rollback round moves on, no report is acknowledged — until the disk has room, as Kafka's
 * controller halts on a refused append (test/features/checkpoint/coordinated-pause.test.ts: ids
 * stay unique across a restart during the stall). The trace says so: `ckpt` `coordinator-stalled`
 * at the first refused write, `coordinator-resumed` (`us`: how long, `writes`: the continuations
 * held) once a write is taken; the checkpoint metrics sum the spans (checkpoint-cost.ts). Before, the continuation ran after an fsync that
 * made nothing durable, and a restart reused checkpoint ids.
 */
import type { Context, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import { MS } from '../../../kernel/contract/index.ts';
import type { IntervalPolicy, StrategyName } from './config.ts';
import type { ClockMemory } from './interval.ts';
import type { LineCut, LineHistoryStore } from './line-histories.ts';
import type { ChannelLink, CheckpointCounters } from './recovery-line.ts';

export interface CoordinatorConfig {
  readonly strategy: StrategyName;
  /** Every operator instance, in pipeline order. */
  readonly instances: readonly string[];
  /** Where `barrier-snapshot` injects barriers: the pure sources, or one initiator. */
  readonly triggerTargets: readonly string[];
  /** The direct channels between instances (for the uncoordinated recovery line). */
  readonly channels: readonly ChannelLink[];
  readonly interval: IntervalPolicy;
  readonly requestTimeoutUs: Micros;
  readonly checkpointTimeoutUs: Micros;
}

/** What the coordinator keeps on disk: its counters, and (uncoordinated) the histories the line is chosen from. */
export interface Durable extends LineHistoryStore {
  epoch: number;
  nextId: number;
  completed: number;
  roundOpen: boolean;
  failures: number;
  /** What the adaptive interval has learnt of the checkpoint cost, written with the next write after it learnt it. */
  clock: ClockMemory;
}

/**
 * The durable state as written: plain JSON data, its maps as entry lists — in emulation a record
 * is a JSON line on a real disk (exec/emulate/real-disk.ts), where a Map would come back empty.
 */
interface DurableImage {
  readonly epoch: number;
  readonly nextId: number;
  readonly completed: number;
  readonly roundOpen: boolean;
  readonly failures: number;
  readonly clock: ClockMemory;
  readonly cuts: readonly (readonly [string, readonly LineCut[]])[];
  readonly histories: readonly (readonly [string, CheckpointCounters[]])[];
}

const STATE_FILE = 'coordinator';
const PERSISTED = 'coord:persisted';
const RETRY = 'coord:persist-retry';
/** How long a refused write (disk full) waits before it is tried again. */
const RETRY_US: Micros = 100 * MS;

/** The durable state and its writes, shared by the coordinator's parts. */
export class CoordinatorState {
  durable: Durable = { epoch: 0, nextId: 1, completed: 0, roundOpen: false, failures: 0, clock: { costSumUs: 0, costCount: 0, longestIncompleteUs: 0 }, cuts: new Map(), histories: new Map() };
  /** The continuations of each write in flight, by the number its fsync carries. */
  private readonly persisted = new Map<number, readonly (() => void)[]>();
  private persistSeq = 0;
  /** The continuations of the writes the disk refused, in order: they wait for the next write it takes. */
  private readonly refused: (() => void)[] = [];
  /** When the first of them was refused: the coordinator has stalled since. */
  private stalledSinceUs = 0;

  constructor(private readonly instances: readonly string[]) {
    this.addInstances();
  }

  /** After a restart: what was last written, if anything. */
  load(ctx: Context): void {
    const saved = ctx.disk.get(STATE_FILE) as DurableImage | undefined;
    if (saved !== undefined) {
      const { epoch, nextId, completed, roundOpen, failures, clock, cuts, histories } = structuredClone(saved);
      this.durable = { epoch, nextId, completed, roundOpen, failures, clock, cuts: new Map(cuts), histories: new Map(histories) };
    }
    this.addInstances();
  }

  private addInstances(): void {
    for (const instance of this.instances) if (!this.durable.histories.has(instance)) this.durable.histories.set(instance, []);
  }

  /**
   * Writes the durable state and runs `then` once it is on disk. The image written is a copy of
   * the state's structure but shares the history entries, which are frozen when reported: a deep
   * copy of every history at every report grew with the square of the run's length. While an
   * earlier write waits to be tried again, `then` waits behind it (a later write would carry this
   * state too, but its continuation must not overtake the earlier one's).
   */
  persist(ctx: Context, then: () => void): void {
    if (this.refused.length > 0) {
      this.refused.push(then);
      return;
    }
    if (this.write(ctx)) return this.sync(ctx, [then]);
    this.refused.push(then);
    this.stalledSinceUs = ctx.now();
    ctx.record('ckpt', { op: 'coordinator-stalled', cause: 'disk-full' });
    ctx.setTimer(RETRY_US, RETRY);
  }

  /** Its fsync completed (the continuations of that write run), or a refused write is due again; false for another timer. */
  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === PERSISTED) {
      const thens = this.persisted.get(wakeup.data as number) ?? [];
      this.persisted.delete(wakeup.data as number);
      for (const then of thens) then();
      return true;
    }
    if (wakeup.name !== RETRY) return false;
    if (!this.write(ctx)) {
      ctx.setTimer(RETRY_US, RETRY);
      return true;
    }
    ctx.record('ckpt', { op: 'coordinator-resumed', us: ctx.now() - this.stalledSinceUs, writes: this.refused.length });
    this.sync(ctx, this.refused.splice(0));
    return true;
  }

  /** Puts the whole state in the file; false when the disk refused it (full). */
  private write(ctx: Context): boolean {
    const { epoch, nextId, completed, roundOpen, failures, clock, cuts, histories } = this.durable;
    const image: DurableImage = { epoch, nextId, completed, roundOpen, failures, clock, cuts: [...cuts], histories: [...histories].map(([instance, history]) => [instance, history.slice()] as const) };
    return ctx.disk.put(STATE_FILE, image, 256);
  }

  /** Makes the write durable; `thens` run, in order, once it is. */
  private sync(ctx: Context, thens: readonly (() => void)[]): void {
    const seq = this.persistSeq++;
    this.persisted.set(seq, thens);
    ctx.disk.fsync({ name: PERSISTED, data: seq });
  }
}

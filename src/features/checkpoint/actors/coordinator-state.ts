/**
 * The checkpoint coordinator's configuration and what it keeps on disk (coordinator.ts): the epoch,
 * the checkpoint counter, the last complete checkpoint, whether a rollback round is open, and —
 * uncoordinated — the reported checkpoint histories and the lines that cut them.
 *
 * Guarantee: `persist` writes the whole state and runs its continuation only once the fsync has
 * completed, so whatever a message depends on is durable before the message leaves. The image
 * written is plain JSON data (emulation writes it as a JSON line), a copy of the state's structure
 * — its maps as entry lists, its history arrays sliced — so later changes in memory never reach an
 * image already written; it shares the history entries and cuts, which are frozen or replaced,
 * never changed. A restarted coordinator reads back exactly what was last written
 * together. How it breaks: a power loss before the fsync completes loses the write (the
 * continuation never runs: nothing depended on it yet); a full disk refuses it and the state stays
 * as last written — the coordinator then runs on with what only its memory holds (the continuation
 * still runs, after an fsync that made nothing durable), and a restart goes back to that state:
 * test/features/checkpoint/coordinated-pause.test.ts shows checkpoint ids used twice.
 */
import type { Context, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import type { IntervalPolicy, StrategyName } from './config.ts';
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
  readonly cuts: readonly (readonly [string, readonly LineCut[]])[];
  readonly histories: readonly (readonly [string, CheckpointCounters[]])[];
}

const STATE_FILE = 'coordinator';

/** The durable state and its writes, shared by the coordinator's parts. */
export class CoordinatorState {
  durable: Durable = { epoch: 0, nextId: 1, completed: 0, roundOpen: false, failures: 0, cuts: new Map(), histories: new Map() };
  private readonly persisted = new Map<number, () => void>();
  private persistSeq = 0;

  constructor(private readonly instances: readonly string[]) {
    this.addInstances();
  }

  /** After a restart: what was last written, if anything. */
  load(ctx: Context): void {
    const saved = ctx.disk.get(STATE_FILE) as DurableImage | undefined;
    if (saved !== undefined) {
      const { epoch, nextId, completed, roundOpen, failures, cuts, histories } = structuredClone(saved);
      this.durable = { epoch, nextId, completed, roundOpen, failures, cuts: new Map(cuts), histories: new Map(histories) };
    }
    this.addInstances();
  }

  private addInstances(): void {
    for (const instance of this.instances) if (!this.durable.histories.has(instance)) this.durable.histories.set(instance, []);
  }

  /**
   * Writes the durable state and runs `then` once it is on disk. The image written is a copy of
   * the state's structure but shares the history entries, which are frozen when reported: a deep
   * copy of every history at every report grew with the square of the run's length.
   */
  persist(ctx: Context, then: () => void): void {
    const seq = this.persistSeq++;
    this.persisted.set(seq, then);
    const { epoch, nextId, completed, roundOpen, failures, cuts, histories } = this.durable;
    const image: DurableImage = { epoch, nextId, completed, roundOpen, failures, cuts: [...cuts], histories: [...histories].map(([instance, history]) => [instance, history.slice()] as const) };
    ctx.disk.put(STATE_FILE, image, 256);
    ctx.disk.fsync({ name: 'coord:persisted', data: seq });
  }

  /** The fsync of a `persist` completed: runs its continuation. */
  onPersisted(wakeup: Wakeup): void {
    const then = this.persisted.get(wakeup.data as number);
    this.persisted.delete(wakeup.data as number);
    then?.();
  }
}

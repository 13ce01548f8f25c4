/**
 * The uncoordinated strategy's checkpoint histories at the coordinator: each instance's reported
 * checkpoints (`ckpt:meta`, their channel counters), oldest first — the candidates the recovery
 * line is chosen from (recovery-line.ts) — and the last line that cut each history.
 *
 * A line rolls an instance back to its target: the checkpoints after it belong to a history that
 * no longer happened, and are pruned. Independent checkpoint ids are their capture times, so a
 * report still travelling when a round opened is placed by its id: one taken after the last line's
 * target and before that line was chosen is of the abandoned history (its rollback was still to
 * come) and is refused; any other is still the instance's own, and a candidate of the next line.
 *
 * Guarantee: a history holds ids in increasing order, none above the target of the last line that
 * cut it among those reported before that line was chosen. How it breaks: a checkpoint captured
 * after the line was chosen but before its rollback reached the operator (a `toStart` round
 * issues its rollback at once, and the operator goes on checkpointing until it arrives) has an id
 * above the line's time and is accepted, though its history was abandoned.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { Meta } from './messages.ts';
import type { CheckpointCounters } from './recovery-line.ts';

/** The last line that cut an instance's history: its target, and when the line was chosen. */
export interface LineCut {
  readonly target: number;
  readonly atUs: Micros;
}

/** What the coordinator keeps on disk of the histories (part of its durable state). */
export interface LineHistoryStore {
  /** Per instance, the last line that cut its history. */
  cuts: Map<string, LineCut>;
  /** Each instance's reported checkpoints, oldest first. */
  histories: Map<string, CheckpointCounters[]>;
}

/** Takes a reported checkpoint into its instance's history, unless the last line abandoned it or it is not newer than the newest. */
export function addReported(store: LineHistoryStore, from: string, message: Meta): void {
  let history = store.histories.get(from);
  if (history === undefined) store.histories.set(from, (history = []));
  const cut = store.cuts.get(from);
  const abandoned = cut !== undefined && message.id > cut.target && message.id < cut.atUs;
  if (!abandoned && (history.length === 0 || history[history.length - 1].id < message.id)) {
    // Frozen and owned: the images on disk share the entries (see `CoordinatorState.persist`).
    history.push(Object.freeze({ id: message.id, inputs: { ...message.inputs }, outputs: { ...message.outputs } }));
  }
}

/** After rolling back to the line, checkpoints beyond it belong to a history that no longer happened. */
export function cutHistories(store: LineHistoryStore, targets: ReadonlyMap<string, number>, nowUs: Micros): void {
  for (const [instance, target] of targets) {
    store.histories.set(instance, (store.histories.get(instance) ?? []).filter((meta) => meta.id <= target));
    store.cuts.set(instance, Object.freeze({ target, atUs: nowUs }));
  }
}

/** The histories of `instances`, in that order, for the line. */
export function historiesOf(store: LineHistoryStore, instances: readonly string[]): Map<string, readonly CheckpointCounters[]> {
  return new Map(instances.map((instance) => [instance, store.histories.get(instance) ?? []] as const));
}

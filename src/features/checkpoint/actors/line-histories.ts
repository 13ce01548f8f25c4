/**
 * The uncoordinated strategy's checkpoint histories at the coordinator: each instance's reported
 * checkpoints (`ckpt:meta`, their channel counters), oldest first — the candidates the recovery
 * line is chosen from (recovery-line.ts) — and the lines that cut each history.
 *
 * A line of epoch e rolls an instance back to its target: the checkpoints after it belong to a
 * history that no longer happened, and are pruned. A report arrives late (still travelling when a
 * round opened, or when a line was chosen), so each carries the epoch its operator was in when it
 * captured the checkpoint (the last rollback it had entered). A checkpoint of epoch E is the
 * instance's own, and a candidate, unless a line of a newer epoch than E cut the instance's history
 * below it: its operator captured it before that line's rollback reached it, in the history the
 * rollback abandons — also when it captured it after the line was chosen, which a rule by capture
 * time let through (a `toStart` round issues its rollback at once; an operator not held would go on
 * checkpointing until it arrived — global-recovery.ts holds each from its `stop` to its `resume`,
 * but the coordinator no longer relies on that). Any other late report — taken at or before the
 * target of every newer line — is still a candidate.
 *
 * Guarantee: a history holds ids in increasing order, and only checkpoints of histories no line has
 * abandoned: for every line of an epoch newer than a checkpoint's, its id is at most that line's
 * target (Elnozahy et al. 2002: a recovery line is built from checkpoints of one history per
 * process). Exact under reordered and duplicated reports across any number of rounds: each
 * instance keeps, per line that cut it, the epoch and the target, dropping a line whose target a
 * newer one does not exceed (the newer one refuses all it would). Cost: that list grows by one per
 * round whose target for the instance is above the last one's — about the number of rounds, beside
 * histories that grow with every checkpoint. How it breaks: a report of an operator that does not
 * know the epoch it is in (a restarted process before its rollback) would be misplaced — such an
 * operator is held and takes no checkpoint until its rollback sets its epoch (recovery.ts).
 */
import type { Meta } from './messages.ts';
import type { CheckpointCounters } from './recovery-line.ts';

/** A line that cut an instance's history: its epoch and the instance's target in it. */
export interface LineCut {
  readonly epoch: number;
  readonly target: number;
}

/** What the coordinator keeps on disk of the histories (part of its durable state). */
export interface LineHistoryStore {
  /**
   * Per instance, the lines that cut its history, oldest first, their targets increasing: a line's
   * smallest target among those newer than an epoch is the first one newer than it. Arrays are
   * replaced, never changed (the images on disk share them).
   */
  cuts: Map<string, readonly LineCut[]>;
  /** Each instance's reported checkpoints, oldest first. */
  histories: Map<string, CheckpointCounters[]>;
}

/** Whether a checkpoint of `epoch` with `id` belongs to a history a newer line abandoned. */
export function abandoned(cuts: readonly LineCut[], epoch: number, id: number): boolean {
  const newer = cuts.find((cut) => cut.epoch > epoch);
  return newer !== undefined && id > newer.target;
}

/** Takes a reported checkpoint into its instance's history, unless a newer line abandoned it or it is not newer than the newest. */
export function addReported(store: LineHistoryStore, from: string, message: Meta): void {
  let history = store.histories.get(from);
  if (history === undefined) store.histories.set(from, (history = []));
  if (abandoned(store.cuts.get(from) ?? [], message.epoch, message.id)) return;
  if (history.length === 0 || history[history.length - 1].id < message.id) {
    // Frozen and owned: the images on disk share the entries (see `CoordinatorState.persist`).
    history.push(Object.freeze({ id: message.id, inputs: { ...message.inputs }, outputs: { ...message.outputs } }));
  }
}

/** The line of `epoch` rolls each instance back to its target: checkpoints beyond it belong to a history that no longer happened. */
export function cutHistories(store: LineHistoryStore, epoch: number, targets: ReadonlyMap<string, number>): void {
  for (const [instance, target] of targets) {
    store.histories.set(instance, (store.histories.get(instance) ?? []).filter((meta) => meta.id <= target));
    // An older line whose target is not below this one's refuses nothing this one does not.
    const kept = (store.cuts.get(instance) ?? []).filter((cut) => cut.target < target && cut.epoch < epoch);
    store.cuts.set(instance, Object.freeze([...kept, Object.freeze({ epoch, target })]));
  }
}

/** The histories of `instances`, in that order, for the line. */
export function historiesOf(store: LineHistoryStore, instances: readonly string[]): Map<string, readonly CheckpointCounters[]> {
  return new Map(instances.map((instance) => [instance, store.histories.get(instance) ?? []] as const));
}

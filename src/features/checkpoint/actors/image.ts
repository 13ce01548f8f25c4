/**
 * What a checkpoint holds: an operator's image (a copy of its state plus the stream positions that
 * make the state meaningful), stored either whole or as the immer patches since the previous one.
 *
 * Guarantee: `materialize(chain)` of the entries a store returns for a checkpoint id gives back
 * exactly the image that was captured for that id: a full entry carries the captured state (the
 * image's own copy, which nobody changes: the operator restores from a copy of it); an incremental
 * entry carries the patches `produceWithPatches` recorded since its base, and applying them in
 * order to the base's state rebuilds the state (immer's `applyPatches`).
 *
 * How it breaks: a chain whose base is missing (a node-local tier lost with its node, an entry
 * trimmed by retention) cannot be materialized; `materialize` returns undefined and the caller
 * falls back (to another tier, or to the initial state). A patch list captured out of order would
 * rebuild a wrong state; the operator runtime hands patches over exactly once per capture, and a
 * participant whose save failed forces the next checkpoint to be full.
 *
 * Sizes are modelled, not measured: a full checkpoint costs the operator's declared state size
 * (the reconstruction volume, not the handful of numbers that stand for it); an incremental one
 * costs that size times the fraction of state cells its patches touched. Pending input and
 * unacknowledged output (channel state) cost their events' own bytes.
 */
import { applyPatches, enablePatches, type Patch } from 'immer';
import { assert } from '../../../kernel/contract/index.ts';

enablePatches();

/** One unprocessed input item kept in a checkpoint (Chandy–Lamport channel state). */
export interface PendingItem {
  /** The input channel it arrived on. */
  readonly channel: string;
  /** The transport's position of the item on that channel. */
  readonly position: number;
  readonly event: unknown;
}

/** An output the operator emitted but whose delivery was not yet acknowledged. */
export interface OutboxItem {
  readonly stream: string;
  readonly event: unknown;
  /** A direct channel's receiver and the item's sequence number on it (kept under message logging). */
  readonly to?: string;
  readonly seq?: number;
}

/** Everything an operator instance needs to resume: state, positions, channel state. */
export interface OperatorImage {
  /** The operator's state as captured: the image's own copy, never changed. */
  readonly state: unknown;
  /** Per input channel, how many of its items the image includes (processed or pending). */
  readonly inputs: Readonly<Record<string, number>>;
  /** Per output channel, how many items the operator had sent on it. */
  readonly outputs: Readonly<Record<string, number>>;
  /** The generator's position: how many source events it had produced (the source offset). */
  readonly generated: number;
  /** Input received but not yet processed, included in the image (channel state). */
  readonly pending: readonly PendingItem[];
  /** Output not yet acknowledged by its stream, re-sent after a restore. */
  readonly outbox: readonly OutboxItem[];
  /** Under message logging: the log entry this image resumes from (entries before it are in the image). */
  readonly logSeq?: number;
}

export type StoredCheckpoint =
  | { readonly id: number; readonly kind: 'full'; readonly bytes: number; readonly image: OperatorImage }
  | {
      readonly id: number;
      readonly kind: 'incremental';
      readonly bytes: number;
      /** The id of the checkpoint whose state the patches apply to. */
      readonly base: number;
      readonly patches: readonly Patch[];
      /** The image without its state (positions and channel state are small and kept whole). */
      readonly image: Omit<OperatorImage, 'state'>;
    };

/** Rebuilds the image of the last entry of a chain that starts with a full entry; undefined if it does not. */
export function materialize(chain: readonly StoredCheckpoint[]): OperatorImage | undefined {
  const first = chain[0];
  if (first === undefined || first.kind !== 'full') return undefined;
  let state = first.image.state;
  for (let i = 1; i < chain.length; i++) {
    const entry = chain[i];
    if (entry.kind !== 'incremental' || entry.base !== chain[i - 1].id) return undefined;
    state = applyPatches(state as object, entry.patches as Patch[]);
  }
  const last = chain[chain.length - 1];
  return last.kind === 'full' ? last.image : { ...last.image, state };
}

/** The chain ending at `id`: that entry and its bases back to a full one, oldest first. */
export function chainTo(entries: ReadonlyMap<number, StoredCheckpoint>, id: number): StoredCheckpoint[] | undefined {
  const chain: StoredCheckpoint[] = [];
  let entry = entries.get(id);
  while (entry !== undefined) {
    chain.push(entry);
    if (entry.kind === 'full') return chain.reverse();
    // Bases are older: the walk ends (and cannot cycle).
    assert(entry.base < entry.id, () => `checkpoint chain: an incremental entry's base is older, but #${entry!.id} builds on #${entry!.kind === 'incremental' ? entry!.base : ''}`);
    entry = entries.get(entry.base);
  }
  return undefined;
}

/** Number of leaf values in a state: the unit incremental sizes are measured in. */
export function cellCount(state: unknown): number {
  if (state === null || typeof state !== 'object') return 1;
  let cells = 0;
  for (const value of Object.values(state as Record<string, unknown>)) cells += cellCount(value);
  return Math.max(1, cells);
}

/**
 * Modelled bytes of an incremental checkpoint: the state size times the share of cells touched.
 * A patch that replaces a whole subtree touches every cell of the value it writes.
 */
export function incrementalBytes(stateBytes: number, state: unknown, patches: readonly Patch[]): number {
  const total = cellCount(state);
  const touched = new Set<string>();
  let cells = 0;
  for (const patch of patches) {
    const path = patch.path.join('/');
    if (touched.has(path)) continue;
    touched.add(path);
    cells += patch.op === 'remove' ? 1 : cellCount(patch.value);
  }
  return Math.min(stateBytes, Math.ceil((stateBytes * Math.min(cells, total)) / total));
}

/** Bytes of the channel state an image carries: its pending input and unacknowledged output. */
export function channelStateBytes(image: Pick<OperatorImage, 'pending' | 'outbox'>, bytesOf: (event: unknown) => number): number {
  let bytes = 0;
  for (const item of image.pending) bytes += bytesOf(item.event);
  for (const item of image.outbox) bytes += bytesOf(item.event);
  return bytes;
}

/** An image plus channel items recorded after it was captured: they join `pending` and advance `inputs`. */
export function withRecorded(image: OperatorImage, recorded: readonly PendingItem[]): OperatorImage {
  if (recorded.length === 0) return image;
  const inputs: Record<string, number> = { ...image.inputs };
  for (const item of recorded) inputs[item.channel] = Math.max(inputs[item.channel] ?? 0, item.position + 1);
  return { ...image, inputs, pending: [...image.pending, ...recorded] };
}

/**
 * The checkpoint protocols' wire messages: between operators and the coordinator, and between
 * operators and checkpoint stores. Every type starts with `ckpt:` so that checkers and timelines
 * can tell control traffic from data. Plain data, structured-cloneable.
 */
import type { StoredCheckpoint } from './image.ts';

// --- operator ⇄ coordinator -------------------------------------------------------------------

/** A restarted operator announces itself and asks what to restore (re-sent until answered). */
export interface Hello { readonly type: 'ckpt:hello' }
/**
 * Restore this checkpoint (0: the initial state) and enter `epoch`. `current` (uncoordinated): the
 * target is the present state the operator reported for this epoch (`Current`): keep it.
 */
export interface Rollback { readonly type: 'ckpt:rollback'; readonly epoch: number; readonly target: number; readonly current?: true }
/**
 * Uncoordinated: a recovery round of `epoch` asks for the operators' present states, in two phases
 * (each re-sent until answered): `stop` — stop, and answer once everything you sent has arrived;
 * then, once every operator has, `capture` — capture your present state and send its counters.
 */
export interface Report {
  readonly type: 'ckpt:report';
  readonly epoch: number;
  readonly phase: 'stop' | 'capture';
  /** `stop`: operators known to have restarted: what they were sent is lost with them, nobody waits for it to arrive. */
  readonly restarted?: readonly string[];
}
/**
 * The answer to `Report`. `none`: the operator has no present state — it restarted and its
 * volatile state is gone, or it was restoring a checkpoint. Otherwise `stop`: it is stopped and
 * its outputs delivered; `capture`: its present state, held until the rollback, as a recovery-line
 * candidate (`id`, its channel counters).
 */
export interface Current {
  readonly type: 'ckpt:current';
  readonly epoch: number;
  readonly phase: 'stop' | 'capture';
  readonly none?: true;
  readonly id?: number;
  readonly inputs?: Readonly<Record<string, number>>;
  readonly outputs?: Readonly<Record<string, number>>;
}
/** `ok: false`: the target checkpoint could not be read (its tier lost it). */
export interface Restored { readonly type: 'ckpt:restored'; readonly epoch: number; readonly ok: boolean }
export interface Resume { readonly type: 'ckpt:resume'; readonly epoch: number }
/** Coordinated: stop, flush the channels, save, and wait. */
export interface Pause { readonly type: 'ckpt:pause'; readonly id: number; readonly epoch: number; readonly completed: number }
/** Coordinated: the global checkpoint is complete (or is over for the coordinator): carry on. */
export interface Continue { readonly type: 'ckpt:continue'; readonly id: number }
/**
 * Global checkpoint `id` was abandoned (a timeout or a decline), Flink's `notifyCheckpointAborted`:
 * cancel your write of it if it is still under way; `coordinated`: carry on (it ends the pause as
 * `continue` does). Sent once, not re-sent: lost, the write runs to its end (global-checkpoints.ts).
 */
export interface Aborted { readonly type: 'ckpt:aborted'; readonly id: number }
/** Barrier snapshot: a source (or the initiator of a cyclic pipeline) starts checkpoint `id`. */
export interface Trigger { readonly type: 'ckpt:trigger'; readonly id: number; readonly epoch: number; readonly completed: number }
/** Has your part of checkpoint `id` been saved? (Answered with `saved`, re-sent by the coordinator until it is.) */
export interface Status { readonly type: 'ckpt:status'; readonly id: number; readonly epoch: number }
/** An operator's part of global checkpoint `id` is durable. */
export interface Saved { readonly type: 'ckpt:saved'; readonly id: number; readonly epoch: number }
/** An operator's part of global checkpoint `id` could not be saved (its store refused it): abort it. */
export interface Declined { readonly type: 'ckpt:declined'; readonly id: number; readonly epoch: number }
/**
 * Uncoordinated: a local checkpoint is durable; its channel counters feed the recovery line.
 * `epoch`: the epoch the operator was in when it captured it (the last rollback it had entered), so
 * the coordinator can tell a checkpoint of a history a newer line abandoned (line-histories.ts).
 */
export interface Meta {
  readonly type: 'ckpt:meta';
  readonly id: number;
  readonly epoch: number;
  readonly inputs: Readonly<Record<string, number>>;
  readonly outputs: Readonly<Record<string, number>>;
}
export interface MetaAck { readonly type: 'ckpt:meta-ack'; readonly id: number }
/** Global strategies with an events interval: a source says a checkpoint is due. */
export interface Due { readonly type: 'ckpt:due' }

export type ToCoordinator = Hello | Restored | Saved | Declined | Meta | Due | Current;
export type FromCoordinator = Rollback | Resume | Pause | Continue | Aborted | Trigger | MetaAck | Status | Report;

// --- operator ⇄ store ------------------------------------------------------------------------

/** `keep`: a checkpoint whose chain retention must not drop (the last complete global checkpoint). */
export interface Put { readonly type: 'ckpt:put'; readonly req: number; readonly key: string; readonly entry: StoredCheckpoint; readonly retention: Retention }

/** What a store may drop when it takes a new entry: nothing (`all`), or what the default rule allows except `keep`'s chain. */
export type Retention = { readonly all: true } | { readonly all: false; readonly keep?: number };
export interface PutAck { readonly type: 'ckpt:put-ack'; readonly req: number; readonly ok: boolean }
/**
 * Stop writing the upload of checkpoint `id` of `key` (its checkpoint was aborted): a store drops
 * what it has written of it, unless its last piece is written already. Not answered; an answer to
 * the put it cancels changes nothing (its sender has forgotten that put).
 */
export interface Cancel { readonly type: 'ckpt:cancel'; readonly key: string; readonly id: number }
/** Fetch the chain ending at `id` (or at the latest entry). */
export interface Get { readonly type: 'ckpt:get'; readonly req: number; readonly key: string; readonly id: number | 'latest' }
export interface GetReply { readonly type: 'ckpt:get-reply'; readonly req: number; readonly chain: readonly StoredCheckpoint[] | undefined }

/** Which checkpoint of `key` is the newest with a whole chain: its id only, not its data (SCR's index). */
export interface Head { readonly type: 'ckpt:head'; readonly req: number; readonly key: string }
export interface HeadReply { readonly type: 'ckpt:head-reply'; readonly req: number; readonly newest: number | undefined }

export type ToStore = Put | Cancel | Get | Head;
export type FromStore = PutAck | GetReply | HeadReply;

/** Bytes on the wire of a small control message. */
export const CONTROL_BYTES = 64;

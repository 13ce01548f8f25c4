/**
 * What the checkpoint protocols did, derived from a run's `ckpt` records (and the encoder's replay
 * spans) for drawing: each checkpoint written (where, how big, how long, whether it failed), each
 * global snapshot cut through its participants' local snapshots, each recovery line a rollback
 * chose, and per restore the work lost and the span replayed.
 *
 * A local snapshot sits where its state was captured, not where its record was written: in a
 * marker algorithm (Chandy–Lamport, barriers) a participant captures its state and sends its
 * markers in the same step, then writes the `snapshot` record only when every input channel's
 * marker has come (its channel state is complete). So a snapshot's instant is its participant's
 * first marker sent since its previous snapshot record (or crash), else the record's own time.
 *
 * Guarantee: a pure function of the payload; one entry per checkpoint, cut, rollback and restore
 * (few, whatever the run's length). How it fails: a record missing a field it needs is left out
 * rather than guessed — a `saved` without `bytes` has no mark, a cut with no snapshots no line; a
 * restore whose checkpoint's snapshot is not in the trace loses work from the beginning of the run,
 * which is what a restart from nothing means.
 */
import { extraField, type RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';
import { MARKER_TYPE } from './snapshots.ts';

export interface CheckpointMark {
  actor: number;
  id: number;
  tier: string;
  /** `full` or `incremental`; empty when the record does not say. */
  kind: string;
  bytes: number;
  /** When the write began (its `begin` or `snapshot`), and when it was saved or failed (µs). */
  start: number;
  end: number;
  failed: boolean;
  /** A copy to a slower tier (`flushed`, multilevel) rather than a checkpoint of its own. */
  flush: boolean;
  row: number;
}

/** A line across lanes through one instant per actor: a snapshot cut, or a recovery line. */
export interface CutLine {
  kind: 'cut' | 'recovery';
  /** What hovering says, e.g. "cut 3" or "recovery line of rollback epoch 1". */
  label: string;
  points: Array<{ actor: number; t: number }>;
  /** The `complete` or `rollback` record. */
  row: number;
}

/** Work an operator did and lost: from its restored checkpoint's snapshot to the failure. */
export interface LostSpan {
  actor: number;
  from: number;
  to: number;
  /** The checkpoint restored; `toStart` when the operator started over from its initial state. */
  checkpoint: number;
  toStart: boolean;
  row: number;
}

export interface ReplayRegion {
  actor: number;
  from: number;
  to: number;
  events: number;
}

export interface Recovery {
  checkpoints: CheckpointMark[];
  cuts: CutLine[];
  lost: LostSpan[];
  replays: ReplayRegion[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function deriveRecovery(data: RunData, kind: Uint8Array): Recovery {
  const actorIndex = new Map(data.header.actors.map((info, i) => [info.id, i]));
  /** Snapshot instants per actor and checkpoint id, and per cut id the participants' snapshots. */
  const snapshots = new Map<string, number>();
  const cutSnapshots = new Map<number, Array<{ actor: number; t: number }>>();
  /** When each write began, and its size (a `failed` record does not repeat it). */
  const begun = new Map<string, { t: number; bytes?: number }>();
  const lastCrash = new Map<number, number>();
  const recovery: Recovery = { checkpoints: [], cuts: [], lost: [], replays: [] };
  const markerType = data.header.strings.map((s) => MARKER_TYPE.test(s));
  /** Per actor: its first marker sent since its last snapshot record, the capture instant. */
  const captured = new Map<number, number>();
  for (let i = 0; i < data.length; i++) {
    if (kind[i] === K.crash) {
      lastCrash.set(data.a[i], data.t[i]);
      captured.delete(data.a[i]);
    }
    if (kind[i] === K.send && data.msg[i] >= 0 && markerType[data.msg[i]] && !captured.has(data.a[i])) captured.set(data.a[i], data.t[i]);
    if (kind[i] !== K.ckpt || data.op[i] < 0) continue;
    const op = data.header.strings[data.op[i]];
    const actor = data.a[i];
    const recordedAt = data.t[i];
    const t = op === 'snapshot' ? captured.get(actor) ?? recordedAt : recordedAt;
    if (op === 'snapshot') captured.delete(actor);
    const id = num(extraField(data, i, 'id'));
    const key = `${actor}/${id}`;
    if (op === 'snapshot' && id !== undefined) {
      snapshots.set(key, t);
      if (!begun.has(key)) begun.set(key, { t: recordedAt });
      const cut = num(extraField(data, i, 'cut'));
      if (cut !== undefined) {
        const list = cutSnapshots.get(cut) ?? [];
        list.push({ actor, t });
        cutSnapshots.set(cut, list);
      }
    } else if (op === 'current' && id !== undefined) {
      // A survivor's present state, which an uncoordinated recovery line may keep: the line runs through it.
      snapshots.set(key, t);
    } else if (op === 'begin' && id !== undefined) {
      begun.set(key, { t: begun.get(key)?.t ?? t, bytes: num(extraField(data, i, 'bytes')) });
    } else if ((op === 'saved' || op === 'failed' || op === 'flushed') && id !== undefined) {
      const us = num(extraField(data, i, 'us'));
      const bytes = num(extraField(data, i, 'bytes')) ?? begun.get(key)?.bytes ?? 0;
      const start = op === 'flushed' ? t - (us ?? 0) : begun.get(key)?.t ?? t - (us ?? 0);
      recovery.checkpoints.push({
        actor, id, tier: String(extraField(data, i, 'tier') ?? '?'), kind: String(extraField(data, i, 'kind') ?? ''),
        bytes, start, end: t, failed: op === 'failed', flush: op === 'flushed', row: i,
      });
    } else if (op === 'complete' && id !== undefined) {
      const points = cutSnapshots.get(id) ?? [];
      if (points.length > 0) recovery.cuts.push({ kind: 'cut', label: `cut ${id} (checkpoint ${id} complete)`, points, row: i });
    } else if (op === 'rollback') {
      const targets = extraField(data, i, 'targets');
      if (typeof targets !== 'object' || targets === null) continue;
      const points: CutLine['points'] = [];
      for (const [name, target] of Object.entries(targets as Record<string, unknown>)) {
        const a = actorIndex.get(name);
        // Checkpoint 0 is the initial state: the recovery line runs through the start of the run.
        if (a !== undefined) points.push({ actor: a, t: target === 0 ? 0 : snapshots.get(`${a}/${String(target)}`) ?? 0 });
      }
      const epoch = num(extraField(data, i, 'epoch'));
      recovery.cuts.push({ kind: 'recovery', label: `recovery line of rollback${epoch === undefined ? '' : ` epoch ${epoch}`}`, points, row: i });
    } else if (op === 'restore') {
      const toStart = extraField(data, i, 'toStart') === true || id === 0 || id === undefined;
      const from = toStart ? 0 : snapshots.get(key) ?? 0;
      // A crashed operator lost what it did up to the crash; one rolled back alive, up to the restore.
      const crash = lastCrash.get(actor);
      const to = crash !== undefined && crash > from ? crash : t;
      lastCrash.delete(actor);
      if (to > from) recovery.lost.push({ actor, from, to, checkpoint: id ?? 0, toStart, row: i });
    }
  }
  for (const span of data.header.annotations?.replays ?? []) {
    const actor = actorIndex.get(span.actor);
    if (actor !== undefined) recovery.replays.push({ actor, from: span.from, to: span.to, events: span.events });
  }
  return recovery;
}

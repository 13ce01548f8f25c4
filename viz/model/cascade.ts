/**
 * A rollback cascade as a sequence of steps — the domino effect explained: which orphan message
 * forced which process back to which checkpoint. Derived from a `rollback` record (its cause and
 * the recovery line the coordinator chose), the participants' `snapshot` records (their
 * checkpoints) and the messages between them.
 *
 * The steps replay the classic algorithm: every survivor starts at its present state (the `current`
 * record it reported for the round; its latest checkpoint when it reported none), the failed
 * process at the checkpoint the coordinator gave it (its own checkpoints may have been lost with
 * its node); then, while some
 * process's current checkpoint recorded the receipt of a message that its sender, at its own
 * current checkpoint, had not yet sent (an orphan), that process moves back to its latest
 * checkpoint before the orphan's receipt. One step per move, citing the latest such orphan.
 *
 * Guarantee: a pure function of the trace; the cascade ends where no orphan is left, and
 * `matches` says whether that is the line the coordinator chose. How it fails: a rollback whose
 * participants recorded no snapshots (or a log-based recovery, which has no `rollback` record)
 * gives no cascade; messages of another epoch than the one rolled back are not considered.
 */
import { extraField, type RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';
import type { Snapshots } from './snapshots.ts';

/** A checkpoint a step moves from or to: time 0 and id 0 for the initial state. */
export interface Point {
  id: number;
  t: number;
}

export interface CascadeStep {
  actor: number;
  from: Point;
  to: Point;
  /** The orphan: rows of its send and receipt; -1 for the first step (the failed process itself). */
  sendRow: number;
  recvRow: number;
}

export interface Cascade {
  /** The `rollback` record's row and time. */
  row: number;
  t: number;
  cause: number;
  steps: CascadeStep[];
  /** Whether the steps end on the coordinator's recovery line. */
  matches: boolean;
}

const INITIAL: Point = { id: 0, t: 0 };

export function deriveCascades(data: RunData, kind: Uint8Array, snapshots: Snapshots): Cascade[] {
  const strings = data.header.strings;
  const ids = data.header.actors.map((a) => a.id);
  const actorOf = new Map(ids.map((id, i) => [id, i]));
  const checkpoints = new Map<number, Point[]>();
  /** Per actor, the present state it reported to the round being collected (uncoordinated). */
  const present = new Map<number, Point>();
  const cascades: Cascade[] = [];
  let epochStart = 0;
  for (let i = 0; i < data.length; i++) {
    if (kind[i] !== K.ckpt || data.op[i] < 0) continue;
    const op = strings[data.op[i]];
    if (op === 'snapshot') {
      const id = extraField(data, i, 'id');
      if (typeof id !== 'number') continue;
      const list = checkpoints.get(data.a[i]) ?? [];
      list.push({ id, t: data.t[i] });
      checkpoints.set(data.a[i], list);
    } else if (op === 'current') {
      const id = extraField(data, i, 'id');
      if (typeof id === 'number') present.set(data.a[i], { id, t: data.t[i] });
    } else if (op === 'rollback') {
      const cascade = replay(data, kind, snapshots, i, epochStart, checkpoints, present, actorOf);
      if (cascade !== null) cascades.push(cascade);
      epochStart = data.t[i];
      checkpoints.clear();
      present.clear();
    }
  }
  return cascades;
}

function replay(data: RunData, kind: Uint8Array, snapshots: Snapshots, row: number, epochStart: number, checkpoints: Map<number, Point[]>, present: ReadonlyMap<number, Point>, actorOf: Map<string, number>): Cascade | null {
  const targets = extraField(data, row, 'targets');
  const causeId = extraField(data, row, 'cause');
  if (typeof targets !== 'object' || targets === null || typeof causeId !== 'string') return null;
  const cause = actorOf.get(causeId);
  if (cause === undefined) return null;
  const pointOf = (actor: number, id: unknown): Point => (id === 0 ? INITIAL : (present.get(actor)?.id === id ? present.get(actor) : checkpoints.get(actor)?.find((c) => c.id === id)) ?? INITIAL);
  const chosen = new Map<number, Point>();
  for (const [name, target] of Object.entries(targets as Record<string, unknown>)) {
    const actor = actorOf.get(name);
    if (actor !== undefined) chosen.set(actor, pointOf(actor, target));
  }
  // Survivors start at their present state, or their latest checkpoint; the failed process at the one it was given.
  const line = new Map<number, Point>();
  for (const actor of chosen.keys()) {
    const list = checkpoints.get(actor) ?? [];
    line.set(actor, present.get(actor) ?? (list.length > 0 ? list[list.length - 1] : INITIAL));
  }
  const steps: CascadeStep[] = [];
  const latest = line.get(cause) ?? INITIAL;
  const given = chosen.get(cause) ?? INITIAL;
  steps.push({ actor: cause, from: latest, to: given, sendRow: -1, recvRow: -1 });
  line.set(cause, given);
  // Application messages between participants in the rolled-back epoch, as (send row, recv row).
  const messages: Array<[number, number]> = [];
  for (let i = 0; i < row; i++) {
    if (kind[i] !== K.recv || data.link[i] < 0 || data.t[i] < epochStart) continue;
    const m = data.msg[i];
    if (m >= 0 && snapshots.markerType[m] === 1) continue;
    if (!line.has(data.a[i]) || !line.has(data.a[data.link[i]]) || data.a[i] === data.a[data.link[i]]) continue;
    if (m >= 0 && /ack|probe|ckpt/i.test(data.header.strings[m])) continue;
    messages.push([data.link[i], i]);
  }
  for (let guard = 0; guard < 10_000; guard++) {
    let found: [number, number] | null = null;
    for (const [send, recv] of messages) {
      const q = data.a[recv];
      const p = data.a[send];
      if (data.t[recv] < line.get(q)!.t && data.t[send] > line.get(p)!.t && (found === null || data.t[recv] > data.t[found[1]])) found = [send, recv];
    }
    if (found === null) break;
    const q = data.a[found[1]];
    const before = (checkpoints.get(q) ?? []).filter((c) => c.t < data.t[found![1]]);
    const to = before.length > 0 ? before[before.length - 1] : INITIAL;
    steps.push({ actor: q, from: line.get(q)!, to, sendRow: found[0], recvRow: found[1] });
    line.set(q, to);
  }
  const matches = [...chosen].every(([actor, point]) => line.get(actor)?.t === point.t);
  return { row, t: data.t[row], cause, steps, matches };
}

/**
 * A rollback cascade as a sequence of steps — the domino effect explained: which message forced
 * which process back to which checkpoint. Derived from a `rollback` record (its cause and the
 * recovery line the coordinator chose), the participants' `snapshot` records (their checkpoints)
 * and the messages between them.
 *
 * The steps replay the line's rule (Randell 1975; the rollback-dependency computation of Elnozahy
 * et al. 2002, as recovery-line.ts applies it): every survivor starts at its present state (the
 * `current` record it reported for the round; its latest checkpoint when it reported none), the
 * failed process at the checkpoint the coordinator gave it (its own checkpoints may have been lost
 * with its node). A point holds what its record follows in the trace (rows, not times: a checkpoint
 * taken at the instant of a send holds it). Then, while a process's point records the receipt of a message its sender, at its
 * own point, had not yet sent (an *orphan*), that process moves back to its latest checkpoint
 * before the receipt — the latest such orphan first; and once no orphan is left, while a process's
 * point records sending a message its receiver's point does not hold (received after it, or never:
 * *in transit* — over direct channels no log can send it again, so the line sends the sender
 * back), the sender moves back to its latest checkpoint before the send — the earliest such send
 * first. One step per move, citing its message. The result does not depend on the order: every
 * move is forced, so the steps end on the newest consistent line, the coordinator's.
 *
 * Guarantee: a pure function of the trace; the cascade ends where neither orphan nor message in
 * transit is left, and `matches` says whether that is the line the coordinator chose. How it fails:
 * a rollback whose participants recorded no snapshots (or a log-based recovery, which has no
 * `rollback` record) gives no cascade; messages of another epoch than the one rolled back are not
 * considered; receipts are arrivals, so a copy lost and sent again counts as received when a later
 * message of its channel arrived inside the receiver's point (FIFO channels deliver in order), and a
 * message that arrived out of order and was held back is taken as received at its arrival. The
 * cascade knows only the rolled-back epoch's checkpoints: a line that reaches into an older epoch
 * (rounds in quick succession) or a second process restarted in the round (started here at its
 * latest checkpoint, which the coordinator may not have heard of) can end elsewhere — `matches`
 * is then false (measured: 14 of 69 lines under a nemesis of instant crashes on six accounts).
 */
import { extraField, type RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';
import type { Snapshots } from './snapshots.ts';

/** A checkpoint a step moves from or to: time 0 and id 0 for the initial state. */
export interface Point {
  id: number;
  t: number;
  /** Its record's row: what came before it in the trace is in the state (-1 for the initial state). */
  row: number;
}

export interface CascadeStep {
  actor: number;
  from: Point;
  to: Point;
  /** `failed`: the first step, the failed process itself; else what forced the move. */
  cause: 'failed' | 'orphan' | 'in-transit';
  /** The message: rows of its send and receipt (-1: never received); -1 both for the first step. */
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

const INITIAL: Point = { id: 0, t: 0, row: -1 };

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
      list.push({ id, t: data.t[i], row: i });
      checkpoints.set(data.a[i], list);
    } else if (op === 'current') {
      const id = extraField(data, i, 'id');
      if (typeof id === 'number') present.set(data.a[i], { id, t: data.t[i], row: i });
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
  steps.push({ actor: cause, from: latest, to: given, cause: 'failed', sendRow: -1, recvRow: -1 });
  line.set(cause, given);
  const messages = epochMessages(data, kind, snapshots, row, epochStart, line);
  /** The latest checkpoint of `actor` before row `i` (the initial state if none). */
  const before = (actor: number, i: number): Point => {
    const earlier = (checkpoints.get(actor) ?? []).filter((c) => c.row < i);
    return earlier.length > 0 ? earlier[earlier.length - 1] : INITIAL;
  };
  for (let guard = 0; guard < 10_000; guard++) {
    const orphan = findOrphan(data, messages, line);
    if (orphan !== null) {
      const q = data.a[orphan.recv];
      steps.push({ actor: q, from: line.get(q)!, to: before(q, orphan.recv), cause: 'orphan', sendRow: orphan.send, recvRow: orphan.recv });
      line.set(q, steps[steps.length - 1].to);
      continue;
    }
    const lost = findInTransit(data, messages, line);
    if (lost === null) break;
    const p = data.a[lost.send];
    steps.push({ actor: p, from: line.get(p)!, to: before(p, lost.send), cause: 'in-transit', sendRow: lost.send, recvRow: lost.recv });
    line.set(p, steps[steps.length - 1].to);
  }
  const matches = [...chosen].every(([actor, point]) => line.get(actor)?.row === point.row);
  return { row, t: data.t[row], cause, steps, matches };
}

/** An application message between two participants: its send row, its receipt row (-1: none), and for an unreceived one the receipt of the next message on its channel that arrived (-1: none). */
interface Exchange {
  send: number;
  recv: number;
  nextRecv: number;
}

/** Control traffic is no part of the line: acknowledgements, probes, checkpoint messages. */
const CONTROL = /ack|probe|ckpt/i;

/** The application messages between participants sent or received in the rolled-back epoch, before the rollback. */
function epochMessages(data: RunData, kind: Uint8Array, snapshots: Snapshots, row: number, epochStart: number, line: ReadonlyMap<number, Point>): Exchange[] {
  const strings = data.header.strings;
  const between = (i: number, p: number, q: number): boolean => {
    const m = data.msg[i];
    if (m >= 0 && (snapshots.markerType[m] === 1 || CONTROL.test(strings[m]))) return false;
    return p !== q && line.has(p) && line.has(q);
  };
  const recvOf = new Map<number, number>();
  const exchanges: Exchange[] = [];
  for (let i = 0; i < row; i++) {
    if (kind[i] !== K.recv || data.link[i] < 0 || data.t[i] < epochStart) continue;
    if (!between(i, data.a[data.link[i]], data.a[i])) continue;
    recvOf.set(data.link[i], i);
  }
  for (let i = 0; i < row; i++) {
    if (kind[i] === K.send && data.t[i] >= epochStart && data.peer[i] >= 0 && !recvOf.has(i) && between(i, data.a[i], data.peer[i])) exchanges.push({ send: i, recv: -1, nextRecv: -1 });
  }
  for (const [send, recv] of recvOf) exchanges.push({ send, recv, nextRecv: -1 });
  exchanges.sort((x, y) => x.send - y.send);
  // Backwards per channel (sender, receiver): the receipt of the next message that did arrive.
  const next = new Map<string, number>();
  for (let j = exchanges.length - 1; j >= 0; j--) {
    const e = exchanges[j];
    const p = data.a[e.send];
    const q = e.recv >= 0 ? data.a[e.recv] : data.peer[e.send];
    const key = `${p}>${q}`;
    if (e.recv >= 0) next.set(key, e.recv);
    else e.nextRecv = next.get(key) ?? -1;
  }
  return exchanges;
}

/** The orphan received last: received inside its receiver's point, sent after its sender's. */
function findOrphan(data: RunData, messages: readonly Exchange[], line: ReadonlyMap<number, Point>): Exchange | null {
  let found: Exchange | null = null;
  for (const e of messages) {
    if (e.recv < 0) continue;
    if (e.recv < line.get(data.a[e.recv])!.row && e.send > line.get(data.a[e.send])!.row && (found === null || e.recv > found.recv)) found = e;
  }
  return found;
}

/** The message in transit sent first: sent inside its sender's point, and not received inside its receiver's. */
function findInTransit(data: RunData, messages: readonly Exchange[], line: ReadonlyMap<number, Point>): Exchange | null {
  for (const e of messages) {
    if (e.send > line.get(data.a[e.send])!.row) continue;
    const q = e.recv >= 0 ? data.a[e.recv] : data.peer[e.send];
    // Lost and sent again: a later message of its channel arrived inside the receiver's point, so this one did too (FIFO).
    const arrived = e.recv >= 0 ? e.recv : e.nextRecv >= 0 ? e.nextRecv : Number.POSITIVE_INFINITY;
    if (arrived > line.get(q)!.row) return e;
  }
  return null;
}

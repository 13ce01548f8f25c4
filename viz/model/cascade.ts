/**
 * A rollback cascade as a sequence of steps — the domino effect explained: which message forced
 * which process back to which checkpoint. Derived from a `rollback` record (its cause and the
 * recovery line the coordinator chose), the participants' `snapshot` records (their checkpoints)
 * and the messages between them.
 *
 * The steps replay the line's rule (Randell 1975; the rollback-dependency computation of Elnozahy
 * et al. 2002, as recovery-line.ts applies it) over the whole history the line needs. Each process's
 * candidates are the checkpoints its state still descends from, across epochs and restarts (a
 * restore keeps those up to its target and drops the abandoned rest; a kept present state keeps
 * all), that were saved and whose report reached the coordinator before it chose the line (its last
 * received answer), then its present state — the `current` record it reported to the round, unless
 * its hello reached the coordinator after it (it restarted and lost it). A candidate holds its
 * process's rows along its lineage: from each restore to the next state it descends from. Every
 * survivor starts at its newest candidate, the failed process at the checkpoint the coordinator
 * gave it. Then, while a process's point holds the receipt of a message its sender's point does not
 * hold the send of (an *orphan*), that process moves back to its newest candidate without the
 * receipt — the latest such orphan first; and once no orphan is left, while a process's point holds
 * sending a message its receiver's point does not hold (received outside it, or never: *in
 * transit* — over direct channels no log can send it again, so the line sends the sender back), the
 * sender moves back to its newest candidate without the send — the earliest such send first. A
 * receipt counts only in the epoch the message was sent in (the transport drops older epochs'
 * data). One step per move, citing its message; every move is forced, so the steps end on the
 * newest consistent line, the coordinator's.
 *
 * Guarantee: a pure function of the trace; the cascade ends where neither orphan nor message in
 * transit is left, and `matches` says whether that is the line the coordinator chose — measured:
 * every one of 701 cascades of 40 seeds of instant process and node crashes on six accounts, 159 on
 * the domino ring under process crashes, packet loss and node crashes (test/viz/cascade.test.ts).
 * A send that answers an acknowledgement or a probe's reply is a copy sent again, not a message of
 * its own (the sender counted it once); its arrival counts for the copies before it.
 * How it fails: a rollback whose participants recorded no snapshots (or a log-based recovery, which
 * has no `rollback` record) gives no cascade; receipts are arrivals, so a copy lost and sent again
 * counts as received when a later message of its channel arrived inside the receiver's point, and a
 * message that arrived out of order and was held back is taken as received at its arrival; an
 * application that sends new data when an acknowledgement arrives would have it taken for a copy;
 * a report the coordinator got during the instant it wrote the line (after its last answer) is
 * taken as unknown to it.
 * Cost: each channel's messages are indexed once by send and by arrival; a point's spans, and the
 * gaps between them, are found in them by bisection (kept per point, which serves many rollbacks),
 * and each check looks at the fewer side — for an orphan, the sends in the sender's gaps or the
 * arrivals in the receiver's spans. CPU side by side in one process (six accounts uncoordinated,
 * instant crashes): 300 s at 2/s, 1.42 M rows, 198 rollbacks, 4.0 s → 0.37 s; 900 s at 0.3/s,
 * 181 k rows, 651 rollbacks, 0.6 s → 0.5–0.6 s.
 */
import { extraField, type RunData } from '../wire/codec.ts';
import { INITIAL, lastAtOrBefore, type Held, type Span } from './cascade-points.ts';
import { byChannel, exchanges } from './cascade-channels.ts';
import { replay, type Cascade, type Round } from './cascade-replay.ts';
import { K } from './kinds.ts';
import type { Snapshots } from './snapshots.ts';

export type { Point } from './cascade-points.ts';
export type { Cascade, CascadeStep } from './cascade-replay.ts';

/** One actor's history as the scan reaches it. */
interface Lineage {
  /** The spans the actor's state holds up to the start of its current stretch. */
  base: readonly Span[];
  /** Where the current stretch began: the row of its last restore (-1: the run's start). */
  from: number;
  /** Its checkpoints that the present state descends from, oldest first: the coordinator's history of it. */
  chain: Held[];
  /** The epoch it is in: its last restore's. */
  epoch: number;
}

export function deriveCascades(data: RunData, kind: Uint8Array, snapshots: Snapshots): Cascade[] {
  const strings = data.header.strings;
  const ids = data.header.actors.map((a) => a.id);
  const actorOf = new Map(ids.map((id, i) => [id, i]));
  const lineages = ids.map((): Lineage => ({ base: [], from: -1, chain: [], epoch: 0 }));
  /** Each actor's epoch at each of its rows, for the messages' epochs (the transport drops data of another epoch). */
  const epochAt = new Int32Array(data.length);
  /** Snapshots whose write is not yet saved, by actor and id. */
  const taken = new Map<string, Held>();
  /** The present states reported, by actor and epoch of the round. */
  const present = new Map<string, Held>();
  const rounds: Round[] = [];
  const stateAt = (lineage: Lineage, id: number, row: number): Held => ({ id, t: data.t[row], row, spans: [...lineage.base, { from: lineage.from, to: row }], reported: -1 });
  const metaType = strings.indexOf('ckpt:meta');
  const receiptOf = new Map<number, number>();
  const helloType = strings.indexOf('ckpt:hello');
  const currentType = strings.indexOf('ckpt:current');
  const coordinator: Coordinator = { hellos: ids.map(() => []), answers: [] };
  for (let i = 0; i < data.length; i++) {
    if (kind[i] !== K.recv || data.link[i] < 0) continue;
    if (data.msg[i] === metaType) receiptOf.set(data.link[i], i);
    else if (data.msg[i] === helloType) coordinator.hellos[data.a[data.link[i]]]?.push(i);
    else if (data.msg[i] === currentType) coordinator.answers.push(i);
  }
  /**
   * Where the report sent with the `saved` record at row `i` (same event, same actor) reached the
   * coordinator: Infinity if it never did; the saved row itself where checkpoints are not reported
   * one by one (a global checkpoint's parts: the coordinator names the complete one).
   */
  const reportedAt = (i: number): number => {
    for (let j = i + 1; j < data.length && data.t[j] === data.t[i] && data.a[j] === data.a[i]; j++) {
      if (kind[j] === K.send && data.msg[j] === metaType) return receiptOf.get(j) ?? Number.POSITIVE_INFINITY;
    }
    return i;
  };
  for (let i = 0; i < data.length; i++) {
    const lineage = lineages[data.a[i]];
    epochAt[i] = lineage?.epoch ?? 0;
    if (kind[i] !== K.ckpt || data.op[i] < 0 || lineage === undefined) continue;
    const op = strings[data.op[i]];
    const id = extraField(data, i, 'id');
    if (op === 'rollback') {
      const round = lineUp(data, i, lineages, present, coordinator, actorOf);
      if (round !== null) rounds.push(round);
      continue;
    }
    if (typeof id !== 'number') continue;
    if (op === 'snapshot') taken.set(`${data.a[i]}:${id}`, stateAt(lineage, id, i));
    else if (op === 'saved') {
      // Durable, and reported to the coordinator: a candidate from now on, if its history is still the actor's.
      const point = taken.get(`${data.a[i]}:${id}`);
      taken.delete(`${data.a[i]}:${id}`);
      const last = lineage.chain[lineage.chain.length - 1];
      if (point !== undefined && point.row > lineage.from && (last === undefined || last.id < id)) lineage.chain.push({ ...point, reported: reportedAt(i) });
    } else if (op === 'current') present.set(`${data.a[i]}:${extraField(data, i, 'epoch')}`, stateAt(lineage, id, i));
    else if (op === 'restore' || op === 'keep') {
      const epoch = extraField(data, i, 'epoch');
      if (typeof epoch !== 'number') continue;
      // The state now descends from the checkpoint restored (or the present state kept); checkpoints after it are of a history that no longer happened.
      const kept = op === 'keep' ? present.get(`${data.a[i]}:${epoch}`) : undefined;
      const at = lineage.chain.findIndex((c) => c.id === id);
      const base = kept ?? (at >= 0 ? lineage.chain[at] : INITIAL);
      lineage.chain = id === 0 ? [] : kept !== undefined ? lineage.chain.filter((c) => c.id <= id) : lineage.chain.slice(0, at + 1);
      lineage.base = base.spans;
      lineage.from = i;
      lineage.epoch = epoch;
      epochAt[i] = epoch;
    }
  }
  // Every message of the run, once, by channel: each rollback replays those sent before it.
  const channels = byChannel(data, exchanges(data, kind, snapshots, epochAt));
  return rounds.map((round) => replay(data, round, channels));
}

/** What the coordinator heard, by row: each actor's hellos, and every answer to a round's `report`. */
interface Coordinator {
  hellos: number[][];
  answers: number[];
}

/** The candidates of a rollback's participants as the scan reached its record. */
function lineUp(data: RunData, row: number, lineages: readonly Lineage[], present: ReadonlyMap<string, Held>, coordinator: Coordinator, actorOf: Map<string, number>): Round | null {
  const targets = extraField(data, row, 'targets');
  const causeId = extraField(data, row, 'cause');
  const epoch = extraField(data, row, 'epoch');
  if (typeof targets !== 'object' || targets === null || typeof causeId !== 'string') return null;
  const cause = actorOf.get(causeId);
  if (cause === undefined) return null;
  // The coordinator chose the line at the last answer it received (a restore-less round has none: then at the rollback).
  const lastAnswer = lastAtOrBefore(coordinator.answers, row);
  const decided = lastAnswer >= 0 ? lastAnswer : row;
  // Each actor's candidates, oldest first: the checkpoints its state descends from, then its present
  // state if it reported one and the coordinator did not hear it restart since (its hello voids the answer).
  const candidates = new Map<number, Held[]>();
  const chosen = new Map<number, number>();
  for (const [name, target] of Object.entries(targets as Record<string, unknown>)) {
    const actor = actorOf.get(name);
    if (actor === undefined) continue;
    const reported = present.get(`${actor}:${epoch}`);
    const mine = reported !== undefined && lastAtOrBefore(coordinator.hellos[actor] ?? [], decided) < reported.row ? reported : undefined;
    // A checkpoint the coordinator had not heard of when it chose the line is none of its candidates.
    const known = lineages[actor].chain.filter((c) => c.reported < decided);
    const list = [INITIAL, ...known, ...(mine === undefined ? [] : [mine])];
    candidates.set(actor, list);
    chosen.set(actor, Math.max(0, list.findIndex((c) => c.id === target)));
  }
  // A failure of an actor the line does not name (a coordinator's own restart) has no cascade to replay.
  if (!candidates.has(cause)) return null;
  return { row, cause, candidates, chosen };
}

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
import { K } from './kinds.ts';
import type { Snapshots } from './snapshots.ts';

/** A checkpoint a step moves from or to: time 0 and id 0 for the initial state. */
export interface Point {
  id: number;
  t: number;
  /** Its record's row (-1 for the initial state). */
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

/** A stretch of one actor's rows, (from, to], that a state holds. */
interface Span {
  from: number;
  to: number;
}

/** A point and the history it holds: its actor's rows in `spans`, oldest first — one per restore it went through. */
interface Held extends Point {
  spans: readonly Span[];
  /** The row where the coordinator received its report (-1: the initial state, known from the start; a present state is reported to the round). */
  reported: number;
}

const INITIAL: Held = { id: 0, t: 0, row: -1, spans: [], reported: -1 };

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

/** Whether `point` holds row `row` of its actor: the spans are disjoint and ascending, so the last span starting before it decides. */
function holds(point: Held, row: number): boolean {
  const spans = point.spans;
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].from < row) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && row <= spans[lo - 1].to;
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

/** The index of the first row > `row` in the ascending `rows` (their length: none). */
function firstAfter(rows: ArrayLike<number>, row: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] <= row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last row ≤ `row` in the ascending `rows` (-1: none). */
function lastAtOrBefore(rows: readonly number[], row: number): number {
  const next = firstAfter(rows, row);
  return next > 0 ? rows[next - 1] : -1;
}

/** A rollback to replay: its row, the failed process, and per participant its candidates (oldest first) and the index of the one the coordinator chose. */
interface Round {
  row: number;
  cause: number;
  candidates: Map<number, Held[]>;
  chosen: Map<number, number>;
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

function replay(data: RunData, round: Round, all: readonly Channel[]): Cascade {
  const { row, cause, candidates, chosen } = round;
  // Survivors start at their present state, or their latest checkpoint; the failed process at the one it was given.
  const line = new Map<number, number>();
  for (const [actor, list] of candidates) line.set(actor, list.length - 1);
  const at = (actor: number): Held => candidates.get(actor)![line.get(actor)!];
  const steps: CascadeStep[] = [];
  const move = (actor: number, to: number, cause: CascadeStep['cause'], sendRow: number, recvRow: number) => {
    steps.push({ actor, from: point(at(actor)), to: point(candidates.get(actor)![to]), cause, sendRow, recvRow });
    line.set(actor, to);
  };
  move(cause, chosen.get(cause) ?? 0, 'failed', -1, -1);
  // The channels between participants, and the orphan and the message in transit each holds: a move
  // changes only the mover's channels. Every point precedes the rollback, so what it holds was sent
  // (and received) before it: no message after it need be left out.
  const channels = all.filter((c) => line.has(c.p) && line.has(c.q)).map((c): Watched => ({ channel: c, orphan: null, lost: null }));
  const refresh = (actor: number) => {
    for (const c of channels) {
      if (c.channel.p !== actor && c.channel.q !== actor && actor >= 0) continue;
      c.orphan = findOrphan(c.channel, at(c.channel.p), at(c.channel.q));
      c.lost = findInTransit(c.channel, at(c.channel.p), at(c.channel.q), row);
    }
  };
  refresh(-1);
  /** The newest candidate of `actor`, at or below its point on the line, that does not hold row `i`. */
  const without = (actor: number, i: number): number => {
    const list = candidates.get(actor)!;
    let index = line.get(actor)!;
    while (index > 0 && holds(list[index], i)) index--;
    return index;
  };
  for (let guard = 0; guard < 10_000; guard++) {
    let orphan: Exchange | null = null;
    let lost: Exchange | null = null;
    for (const c of channels) {
      if (c.orphan !== null && (orphan === null || c.orphan.recv > orphan.recv)) orphan = c.orphan;
      if (c.lost !== null && (lost === null || c.lost.send < lost.send)) lost = c.lost;
    }
    if (orphan !== null) {
      const q = data.a[orphan.recv];
      move(q, without(q, orphan.recv), 'orphan', orphan.send, orphan.recv);
      refresh(q);
      continue;
    }
    if (lost === null) break;
    const p = data.a[lost.send];
    move(p, without(p, lost.send), 'in-transit', lost.send, lost.recv);
    refresh(p);
  }
  const matches = [...chosen].every(([actor, index]) => line.get(actor) === index);
  return { row, t: data.t[row], cause, steps, matches };
}

/** The public face of a candidate: what the steps show. */
const point = (held: Held): Point => ({ id: held.id, t: held.t, row: held.row });

/** An application message between two participants: its send row, its receipt row (-1: none), and for an unreceived one the receipt of the next message on its channel that arrived (-1: none). */
interface Exchange {
  send: number;
  recv: number;
  nextRecv: number;
}

/** Control traffic is no part of the line: acknowledgements, probes, checkpoint messages. */
const CONTROL = /ack|probe|ckpt/i;

/** The application messages between two actors, in the order sent; a receipt counts only in the epoch the message was sent in. */
function exchanges(data: RunData, kind: Uint8Array, snapshots: Snapshots, epochAt: Int32Array): Exchange[] {
  const strings = data.header.strings;
  const control = (i: number): boolean => {
    const m = data.msg[i];
    return m >= 0 && (snapshots.markerType[m] === 1 || CONTROL.test(strings[m]));
  };
  const between = (i: number, p: number, q: number): boolean => !control(i) && p !== q;
  const recvOf = new Map<number, number>();
  const list: (Exchange & { copy: boolean })[] = [];
  for (let i = 0; i < data.length; i++) {
    if (kind[i] !== K.recv || data.link[i] < 0 || epochAt[i] !== epochAt[data.link[i]]) continue;
    if (!between(i, data.a[data.link[i]], data.a[i])) continue;
    recvOf.set(data.link[i], i);
  }
  for (let i = 0; i < data.length; i++) {
    if (kind[i] !== K.send || data.peer[i] < 0 || !between(i, data.a[i], data.peer[i])) continue;
    list.push({ send: i, recv: recvOf.get(i) ?? -1, nextRecv: -1, copy: resent(data, kind, i, control) });
  }
  // Backwards per channel (sender, receiver) and epoch: the arrival of the next message, or copy, that did arrive.
  const next = new Map<string, number>();
  for (let j = list.length - 1; j >= 0; j--) {
    const e = list[j];
    const key = `${data.a[e.send]}>${data.peer[e.send]}@${epochAt[e.send]}`;
    if (e.recv >= 0) next.set(key, e.recv);
    else e.nextRecv = next.get(key) ?? -1;
  }
  // A copy sent again is no message of its own: the sender counted it once, when it first sent it.
  return list.filter((e) => !e.copy);
}

/**
 * Whether the send at row `i` sends again what its sender sent before: the event that made it was
 * the receipt of control traffic (an acknowledgement or a probe's reply showing it missing) — an
 * application makes new data from data and timers, never from an acknowledgement.
 */
function resent(data: RunData, kind: Uint8Array, i: number, control: (i: number) => boolean): boolean {
  // An event's rows follow the record of what started it: the receipt or timer it handles.
  for (let j = i - 1; j >= 0 && data.t[j] === data.t[i]; j--) {
    if (data.a[j] !== data.a[i]) continue;
    if (kind[j] === K.recv) return control(j);
    if (kind[j] === K.timer) return false;
  }
  return false;
}

/** One direct channel, sender to receiver: its messages in the order sent, and indexed by the row where they or a later one arrived. */
interface Channel {
  p: number;
  q: number;
  messages: Exchange[];
  /** Each message's send row, ascending. */
  sends: number[];
  /** The messages that arrived, or a later one of their channel did, by that arrival, ascending, and those rows. */
  arrived: Exchange[];
  arrivals: number[];
  /** The messages of which nothing arrived. */
  unarrived: Exchange[];
}

/** A channel in a rollback's replay: what it holds against the line. */
interface Watched {
  channel: Channel;
  orphan: Exchange | null;
  lost: Exchange | null;
}

/** Where a message, or a later one of its channel, arrived (-1: none). */
const arrival = (e: Exchange): number => (e.recv >= 0 ? e.recv : e.nextRecv);

/** The messages by channel, each indexed by its sends and its arrivals, so a point's gaps are found by bisection. */
function byChannel(data: RunData, messages: readonly Exchange[]): Channel[] {
  const channels = new Map<string, Channel>();
  for (const e of messages) {
    const key = `${data.a[e.send]}>${data.peer[e.send]}`;
    let c = channels.get(key);
    if (c === undefined) channels.set(key, (c = { p: data.a[e.send], q: data.peer[e.send], messages: [], sends: [], arrived: [], arrivals: [], unarrived: [] }));
    c.messages.push(e);
    c.sends.push(e.send);
  }
  for (const c of channels.values()) {
    c.arrived = c.messages.filter((e) => arrival(e) >= 0).sort((x, y) => arrival(x) - arrival(y));
    c.arrivals = c.arrived.map(arrival);
    c.unarrived = c.messages.filter((e) => arrival(e) < 0);
  }
  return [...channels.values()];
}

interface Split {
  inside: number[];
  outside: number[];
  insideSize: number;
  outsideSize: number;
}

/** The splits made, by rows and point: a point is a candidate of many rollbacks, and its spans never change. */
const splits = new WeakMap<readonly number[], WeakMap<Held, Split>>();

/**
 * Where the ascending `rows` fall against a point: `inside`, the index ranges [start, end) (flat
 * pairs) of those in each of its spans, oldest first, found by bisection; `outside`, those in the
 * gaps before, between and after them; and how many each holds.
 */
function split(rows: readonly number[], point: Held): Split {
  let known = splits.get(rows);
  if (known === undefined) splits.set(rows, (known = new WeakMap()));
  const found = known.get(point);
  if (found !== undefined) return found;
  const inside: number[] = [];
  const outside: number[] = [];
  let last = 0;
  let insideSize = 0;
  for (const span of point.spans) {
    const start = firstAfter(rows, span.from);
    const end = firstAfter(rows, span.to);
    if (start > last) outside.push(last, start);
    if (end > start) inside.push(start, end);
    insideSize += end - start;
    last = end;
  }
  if (rows.length > last) outside.push(last, rows.length);
  const made = { inside, outside, insideSize, outsideSize: rows.length - insideSize };
  known.set(point, made);
  return made;
}

/**
 * The orphan received last: received inside the receiver's point `atQ`, sent outside the sender's
 * `atP`. Whichever is fewer is looked at: the messages sent in the sender's gaps, or those received
 * in the receiver's spans (latest first: the first orphan found is the one).
 */
function findOrphan(c: Channel, atP: Held, atQ: Held): Exchange | null {
  const sent = split(c.sends, atP);
  const received = split(c.arrivals, atQ);
  if (received.insideSize <= sent.outsideSize) {
    for (let k = received.inside.length - 2; k >= 0; k -= 2) {
      for (let i = received.inside[k + 1] - 1; i >= received.inside[k]; i--) {
        const e = c.arrived[i];
        if (e.recv >= 0 && !holds(atP, e.send)) return e;
      }
    }
    return null;
  }
  let found: Exchange | null = null;
  for (let k = 0; k < sent.outside.length; k += 2) {
    for (let i = sent.outside[k]; i < sent.outside[k + 1]; i++) {
      const e = c.messages[i];
      if (e.recv >= 0 && (found === null || e.recv > found.recv) && holds(atQ, e.recv)) found = e;
    }
  }
  return found;
}

/**
 * The message in transit sent first: sent inside the sender's point `atP`, and not received inside
 * the receiver's `atQ` — lost and sent again, it counts as received if a later message of its
 * channel arrived inside the receiver's point (FIFO). Whichever is fewer is looked at: the messages
 * sent in the sender's spans (in the order sent: the first found is the one), or those that arrived
 * in the receiver's gaps or never. A receipt after the rollback `row` is none.
 */
function findInTransit(c: Channel, atP: Held, atQ: Held, row: number): Exchange | null {
  const sent = split(c.sends, atP);
  const arrived = split(c.arrivals, atQ);
  let found: Exchange | null = null;
  if (sent.insideSize <= arrived.outsideSize + c.unarrived.length) {
    found = firstInTransit(c, sent.inside, atQ);
  } else {
    const consider = (e: Exchange): void => {
      if ((found === null || e.send < found.send) && holds(atP, e.send)) found = e;
    };
    c.unarrived.forEach(consider);
    for (let k = 0; k < arrived.outside.length; k += 2) {
      for (let i = arrived.outside[k]; i < arrived.outside[k + 1]; i++) consider(c.arrived[i]);
    }
  }
  const e = found as Exchange | null;
  if (e === null || (e.recv < row && e.nextRecv < row)) return e;
  return { send: e.send, recv: e.recv < row ? e.recv : -1, nextRecv: e.nextRecv < row ? e.nextRecv : -1 };
}

/** The first message, of those at the index ranges [start, end) in `parts` (in the order sent), whose arrival `atQ` does not hold. */
function firstInTransit(c: Channel, parts: readonly number[], atQ: Held): Exchange | null {
  for (let k = 0; k < parts.length; k += 2) {
    for (let i = parts[k]; i < parts[k + 1]; i++) {
      const arrived = arrival(c.messages[i]);
      if (arrived < 0 || !holds(atQ, arrived)) return c.messages[i];
    }
  }
  return null;
}

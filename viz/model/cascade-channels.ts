/**
 * The messages of a rollback cascade (cascade.ts), by direct channel, and the two searches the
 * replay makes in them: the *orphan* a pair of points holds (received inside the receiver's point,
 * sent outside the sender's) and the message *in transit* (sent inside the sender's point, not
 * received inside the receiver's). Control traffic — acknowledgements, probes, checkpoint
 * messages — is no part of the line, and a copy sent again is no message of its own.
 *
 * Guarantee: each search returns the one the replay's rule names (the orphan received last, the
 * message in transit sent first), looking at whichever side of the channel is smaller. Cost: each
 * channel's messages are indexed once by send and by arrival; a point's spans, and the gaps between
 * them, are found in them by bisection, kept per point, which serves many rollbacks. How it fails:
 * receipts are arrivals, so a copy lost and sent again counts as received when a later message of
 * its channel arrived inside the receiver's point (FIFO), and a message that arrived out of order
 * and was held back is taken as received at its arrival; an application that sends new data when
 * an acknowledgement arrives would have it taken for a copy.
 */
import type { RunData } from '../wire/codec.ts';
import { firstAfter, holds, type Held } from './cascade-points.ts';
import { K } from './kinds.ts';
import type { Snapshots } from './snapshots.ts';

/** An application message between two participants: its send row, its receipt row (-1: none), and for an unreceived one the receipt of the next message on its channel that arrived (-1: none). */
export interface Exchange {
  send: number;
  recv: number;
  nextRecv: number;
}

/** Control traffic is no part of the line: acknowledgements, probes, checkpoint messages. */
const CONTROL = /ack|probe|ckpt/i;

/** The application messages between two actors, in the order sent; a receipt counts only in the epoch the message was sent in. */
export function exchanges(data: RunData, kind: Uint8Array, snapshots: Snapshots, epochAt: Int32Array): Exchange[] {
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
export interface Channel {
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

/** Where a message, or a later one of its channel, arrived (-1: none). */
const arrival = (e: Exchange): number => (e.recv >= 0 ? e.recv : e.nextRecv);

/** The messages by channel, each indexed by its sends and its arrivals, so a point's gaps are found by bisection. */
export function byChannel(data: RunData, messages: readonly Exchange[]): Channel[] {
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
export function findOrphan(c: Channel, atP: Held, atQ: Held): Exchange | null {
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
export function findInTransit(c: Channel, atP: Held, atQ: Held, row: number): Exchange | null {
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

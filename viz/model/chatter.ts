/**
 * Idle protocol chatter: the messages that keep a protocol alive but carry nothing a student needs
 * to follow — heartbeats (their timers, the messages and their replies), and long-poll fetches whose
 * reply brought nothing (a follower or consumer asking a leader that had nothing new). The page
 * folds them into faint aggregate lines unless the window is zoomed in far enough or the reader
 * asks for them.
 *
 * The trace does not say what a reply carried, so it is read from the two things it does say. What
 * came on the wire: a reply that carried records is larger than a bare control message
 * (`CONTROL_BYTES`, the simulators' size of a message without payload; every batch adds its data
 * and a header). And what the reply did: the step that received it did nothing but ask the same
 * server again — no records appended, no high watermark moved, nothing consumed, no error handled
 * (an error reply, as small as an empty one, makes the client back off, refresh its metadata or
 * truncate: other records, or none, in that step). Only a reply that is both — no records, no
 * error — is idle, with the request it answers. That request is found by pairing, per (server,
 * client), the requests the server received with the replies it sent, in order (a server answers
 * a client's fetches in the order they came; a crash of the server forgets the ones it held).
 *
 * Guarantee: a pure function of the rows; every send, receipt and drop of an idle message, and
 * every heartbeat timer, is flagged, and nothing else. The configuration that misleads it: a reply
 * whose meaning shows only in a later step (an out-of-range reply a consumer answers by fetching
 * again at once from another offset) is folded too; zoomed in, it is drawn as usual. A reply that
 * never arrived (dropped, or its receiver crashed) is drawn.
 */
import type { RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';

/** Wire size of a message without payload (the log feature's CONTROL_BYTES, the kernel's default). */
export const CONTROL_BYTES = 64;

const HEARTBEAT = /heartbeat|keep-?alive/i;
const READ_REPLY = /(^|[:/])(fetch|poll)-reply$/;
/** Kinds that begin an actor's step: what follows them at the same instant is that step's doing. */
const STEP_STARTS: ReadonlySet<number> = new Set([K.recv, K.timer, K.crash, K.restart, K.fault, K.meta]);

export interface Chatter {
  /** Per row: 1 when the record is the send, receipt or drop of an idle message, or a heartbeat timer. */
  idle: Uint8Array;
  /** Idle messages (sends) in the run. */
  messages: number;
}

export function deriveChatter(data: RunData, kind: Uint8Array): Chatter {
  const { strings, shapes, actors } = data.header;
  const { t, a, msg, peer, link, shape, valueStart, values, length } = data;
  const idle = new Uint8Array(length);
  const heartbeat = strings.map((s) => HEARTBEAT.test(s));
  const readReply = strings.map((s) => READ_REPLY.test(s));
  // The request type whose replies a read reply answers: `fetch-reply` answers `fetch`.
  const requestOf = new Map<number, number>();
  strings.forEach((s, i) => {
    if (!readReply[i]) return;
    const request = strings.indexOf(s.slice(0, -'-reply'.length));
    if (request >= 0) requestOf.set(request, i);
  });
  const requestTypeOf = new Map([...requestOf].map(([request, reply]) => [reply, request]));
  if (!heartbeat.some(Boolean) && requestOf.size === 0) return { idle, messages: 0 };
  const fieldAt = (field: string) => shapes.map((fields) => fields.findIndex(([name]) => name === field));
  const nameAt = fieldAt('name');
  const bytesAt = fieldAt('bytes');
  const bytesOf = (i: number) => (shape[i] >= 0 && bytesAt[shape[i]] >= 0 ? values[valueStart[i] + bytesAt[shape[i]]] : NaN);
  const timerHeartbeat = (i: number) => shape[i] >= 0 && nameAt[shape[i]] >= 0 && heartbeat[values[valueStart[i] + nameAt[shape[i]]]] === true;
  /** Per (server, client): send rows of the requests the server received and has not answered. */
  const waiting = new Map<number, number[]>();
  /** Per reply send row: the send row of the request it answers. */
  const answers = new Map<number, number>();
  let messages = 0;
  const fold = (row: number) => {
    idle[row] = 1;
    messages++;
  };
  for (let i = 0; i < length; i++) {
    const k = kind[i];
    const m = msg[i];
    if (k === K.crash) {
      for (const key of waiting.keys()) if (Math.floor(key / actors.length) === a[i]) waiting.delete(key);
      continue;
    }
    if (k === K.timer) {
      if (timerHeartbeat(i)) idle[i] = 1;
      continue;
    }
    if (m < 0) continue;
    if (k === K.recv && link[i] >= 0) {
      if (requestOf.has(m)) {
        const key = a[i] * actors.length + a[link[i]];
        const queue = waiting.get(key);
        if (queue === undefined) waiting.set(key, [link[i]]);
        else queue.push(link[i]);
      } else if (readReply[m] && bytesOf(link[i]) <= CONTROL_BYTES && changedNothing(i, requestTypeOf.get(m))) {
        fold(link[i]);
        const request = answers.get(link[i]);
        if (request !== undefined) fold(request);
      }
      continue;
    }
    if (k !== K.send) continue;
    if (heartbeat[m]) fold(i);
    else if (readReply[m] && peer[i] >= 0) {
      const request = waiting.get(a[i] * actors.length + peer[i])?.shift();
      if (request !== undefined) answers.set(i, request);
    }
  }
  // Receipts and drops follow their send.
  for (let i = 0; i < length; i++) if (link[i] >= 0 && idle[link[i]] === 1) idle[i] = 1;
  return { idle, messages };

  /**
   * Whether the step that received reply `at` did nothing but send the request again to the
   * replying server (at least once: a step that did nothing at all backed off after an error).
   */
  function changedNothing(at: number, request: number | undefined): boolean {
    if (request === undefined) return false;
    const server = a[link[at]];
    let asked = false;
    for (let j = at + 1; j < length && a[j] === a[at] && t[j] === t[at] && !STEP_STARTS.has(kind[j]); j++) {
      if (kind[j] !== K.send || msg[j] !== request || peer[j] !== server) return false;
      asked = true;
    }
    return asked;
  }
}

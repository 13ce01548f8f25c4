/**
 * Idle protocol chatter: the messages that keep a protocol alive but carry nothing a student needs
 * to follow — heartbeats (and their replies), and long-poll fetches whose reply came back empty
 * (a follower or consumer asking a leader that had nothing new). The page folds them into faint
 * aggregate lines unless the window is zoomed in far enough or the reader asks for them.
 *
 * The trace does not say that a reply was empty, so it is derived from what the reply carries: its
 * wire size. A fetch-style reply (`fetch-reply`, `poll-reply`, with any `prefix:`) no larger than
 * a bare control message (`CONTROL_BYTES`, the simulators' size of a message without payload)
 * carried no records. The request it answers is found by pairing, per (server, client), the
 * requests the server received with the replies it sent, in order (a server answers a client's
 * fetches in the order they came; a crash of the server forgets the ones it held).
 *
 * Guarantee: a pure function of the rows; every send, receipt and drop of an idle message is
 * flagged, and nothing else. The configuration that misleads it: a protocol whose empty-looking
 * reply carries meaning in 64 bytes (an error code) is folded too; zoomed in it is drawn as usual.
 */
import type { RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';

/** Wire size of a message without payload (the log feature's CONTROL_BYTES, the kernel's default). */
export const CONTROL_BYTES = 64;

const HEARTBEAT = /heartbeat|keep-?alive/i;
const READ_REPLY = /(^|[:/])(fetch|poll)-reply$/;

export interface Chatter {
  /** Per row: 1 when the record is the send, receipt or drop of an idle message. */
  idle: Uint8Array;
  /** Idle messages (sends) in the run. */
  messages: number;
}

export function deriveChatter(data: RunData, kind: Uint8Array): Chatter {
  const { strings, shapes, actors } = data.header;
  const { a, msg, peer, link, shape, valueStart, values, length } = data;
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
  if (!heartbeat.some(Boolean) && requestOf.size === 0) return { idle, messages: 0 };
  const bytesAt = shapes.map((fields) => fields.findIndex(([name]) => name === 'bytes'));
  const bytesOf = (i: number) => (shape[i] >= 0 && bytesAt[shape[i]] >= 0 ? values[valueStart[i] + bytesAt[shape[i]]] : NaN);
  /** Per (server, client): send rows of the requests the server received and has not answered. */
  const waiting = new Map<number, number[]>();
  let messages = 0;
  for (let i = 0; i < length; i++) {
    const k = kind[i];
    const m = msg[i];
    if (k === K.crash) {
      for (const key of waiting.keys()) if (Math.floor(key / actors.length) === a[i]) waiting.delete(key);
      continue;
    }
    if (m < 0) continue;
    if (k === K.recv && link[i] >= 0 && requestOf.has(m)) {
      const key = a[i] * actors.length + a[link[i]];
      const queue = waiting.get(key);
      if (queue === undefined) waiting.set(key, [link[i]]);
      else queue.push(link[i]);
      continue;
    }
    if (k !== K.send) continue;
    if (heartbeat[m]) {
      idle[i] = 1;
      messages++;
    } else if (readReply[m] && peer[i] >= 0) {
      const request = waiting.get(a[i] * actors.length + peer[i])?.shift();
      if (bytesOf(i) <= CONTROL_BYTES) {
        idle[i] = 1;
        messages++;
        if (request !== undefined) {
          idle[request] = 1;
          messages++;
        }
      }
    }
  }
  // Receipts and drops follow their send.
  for (let i = 0; i < length; i++) if (link[i] >= 0 && idle[link[i]] === 1) idle[i] = 1;
  return { idle, messages };
}

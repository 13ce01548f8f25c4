/**
 * The arrows a checker's verdict names: for each event a verdict of the run lists (lost,
 * duplicated …), the produce that carried it and the acknowledgement that promised it, as (send,
 * answer) rows for the diagram to outline.
 *
 * Guarantee: a pure function of the run's model and its `summary.json` verdicts (see
 * `wire/annotations.ts`); each arrow is labelled with the first verdict naming one of its events.
 * How it fails: the client layer records `produce` just before its send and `ack` just after the
 * reply arrives, at the same instant and actor — an arrow is found only when a record sits there,
 * so a client that recorded elsewhere gets no outline.
 */
import { extraField } from '../wire/codec.ts';
import { K } from './kinds.ts';
import type { RunModel } from './model.ts';

/** An arrow to outline: a send row and the row answering it (recv or drop). */
export interface FlaggedArrow {
  send: number;
  answer: number;
  /** The verdict that names it, for the tooltip. */
  label: string;
}

/** The produce and ack arrows of every event a verdict of `model`'s run names. */
export function flaggedArrows(model: RunModel): FlaggedArrow[] {
  const verdicts = model.data.header.annotations?.verdicts ?? [];
  const named = new Map<string, string>();
  for (const v of verdicts) for (const id of v.events) if (!named.has(id)) named.set(id, `${v.check}: ${v.anomaly}`);
  if (named.size === 0) return [];
  const { data, kind } = model;
  const arrows: FlaggedArrow[] = [];
  for (let i = 0; i < data.length; i++) {
    if (kind[i] !== K.client || data.op[i] < 0) continue;
    const op = data.header.strings[data.op[i]];
    if (op !== 'produce' && op !== 'ack') continue;
    const events = extraField(data, i, 'events');
    const label = Array.isArray(events) ? events.map((e) => named.get(String(e))).find((l) => l !== undefined) : undefined;
    if (label === undefined) continue;
    const arrow = op === 'produce' ? sendAfter(model, i) : replyBefore(model, i);
    if (arrow !== null) arrows.push({ ...arrow, label });
  }
  return arrows;
}

function sendAfter({ data, kind, fwd }: RunModel, row: number): Omit<FlaggedArrow, 'label'> | null {
  for (let j = row + 1; j < data.length && data.t[j] === data.t[row]; j++) {
    if (data.a[j] === data.a[row] && kind[j] === K.send) return fwd[j] >= 0 ? { send: j, answer: fwd[j] } : null;
  }
  return null;
}

function replyBefore({ data, kind }: RunModel, row: number): Omit<FlaggedArrow, 'label'> | null {
  for (let j = row - 1; j >= 0 && data.t[j] === data.t[row]; j--) {
    if (data.a[j] === data.a[row] && kind[j] === K.recv) return data.link[j] >= 0 ? { send: data.link[j], answer: j } : null;
  }
  return null;
}

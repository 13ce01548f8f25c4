/**
 * The arrows a checker's verdict names: for each event a verdict of the run lists (lost,
 * duplicated …), the produce that carried it and the acknowledgement that promised it, as (send,
 * answer) rows for the diagram to outline.
 *
 * Guarantee: a pure function of the run's model and its `summary.json` verdicts (see
 * `wire/annotations.ts`, whose `flagged` rows the encoder found); each arrow is labelled with the
 * first verdict naming one of its events.
 * How it fails: the client layer records `produce` just before its send and `ack` just after the
 * reply arrives, at the same instant and actor — an arrow is found only when a record sits there,
 * so a client that recorded elsewhere gets no outline.
 */
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
  const { verdicts, flagged } = model.data.header.annotations ?? { verdicts: null, flagged: [] };
  const { data } = model;
  const arrows: FlaggedArrow[] = [];
  for (const [i, verdict] of flagged) {
    const v = verdicts?.[verdict];
    if (v === undefined) continue;
    const arrow = data.header.strings[data.op[i]] === 'produce' ? sendAfter(model, i) : replyBefore(model, i);
    if (arrow !== null) arrows.push({ ...arrow, label: `${v.check}: ${v.anomaly}` });
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

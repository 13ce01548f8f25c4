/**
 * Snapshots as the algorithm draws them (Chandy–Lamport, barrier snapshots): which messages are
 * markers, the channel state each participant recorded — the messages that arrived on a channel
 * after the participant took its snapshot and before that channel's marker came — and, for an
 * application that declares a conserved quantity, the amount each participant held at each cut,
 * split into its state and what it recorded in flight.
 *
 * Derivation: a participant's snapshot instant for a cut is its first marker sent after its
 * previous `snapshot` record (an initiator snapshots on the trigger, the others on a marker, and
 * both forward markers at once); a marker received belongs to the participant's next `snapshot`
 * record, which it writes once every input channel's marker has come. Markers are messages whose
 * type names a marker or barrier.
 *
 * Guarantee: a pure function of the trace. How it fails: a trace whose markers share a message
 * type with application data has no markers to find, and gets no channel state (the cut lines are
 * still drawn from the snapshot records); a snapshot abandoned by a crash leaves its partial
 * channel state with the next completed snapshot of that participant.
 */
import { extraField, type RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';

export const MARKER_TYPE = /marker|barrier/i;
/** Transport and protocol chatter, never channel state of the application. */
const CONTROL_TYPE = /ack|probe|ckpt|checkpoint|heartbeat|marker|barrier/i;

/** Messages one participant recorded as the state of one input channel for one cut. */
export interface RecordedChannel {
  cut: number;
  from: number;
  to: number;
  /** The receiver's snapshot instant, and when the channel's marker arrived (µs). */
  snapshotAt: number;
  markerAt: number;
  /** Rows of the recorded messages' receipts. */
  rows: number[];
}

export interface CutPart {
  actor: number;
  /** The conserved quantity in the image (state plus recorded channel state) and its in-flight part. */
  conserved: number;
  inFlight: number | null;
}

export interface CutTotal {
  cut: number;
  /** When the last participant's snapshot record was written (µs). */
  t: number;
  parts: CutPart[];
  total: number;
}

export interface Snapshots {
  /** Per string index: 1 for a marker message type. */
  markerType: Uint8Array;
  channels: RecordedChannel[];
  totals: CutTotal[];
}

interface Pending {
  snapshotAt: number | null;
  markers: Map<number, number>;
  recorded: Map<number, number[]>;
}

export function deriveSnapshots(data: RunData, kind: Uint8Array): Snapshots {
  const strings = data.header.strings;
  const markerType = new Uint8Array(strings.length);
  const controlType = new Uint8Array(strings.length);
  strings.forEach((s, i) => {
    markerType[i] = MARKER_TYPE.test(s) ? 1 : 0;
    controlType[i] = CONTROL_TYPE.test(s) ? 1 : 0;
  });
  const result: Snapshots = { markerType, channels: [], totals: [] };
  if (!markerType.includes(1)) return result;
  const pending = new Map<number, Pending>();
  const of = (actor: number) => {
    let p = pending.get(actor);
    if (p === undefined) pending.set(actor, (p = { snapshotAt: null, markers: new Map(), recorded: new Map() }));
    return p;
  };
  const totals = new Map<number, CutTotal>();
  for (let i = 0; i < data.length; i++) {
    const k = kind[i];
    const m = data.msg[i];
    if (k === K.send && m >= 0 && markerType[m] === 1) {
      const p = of(data.a[i]);
      if (p.snapshotAt === null) p.snapshotAt = data.t[i];
    } else if (k === K.recv && m >= 0 && data.link[i] >= 0) {
      const p = of(data.a[i]);
      const from = data.a[data.link[i]];
      if (markerType[m] === 1) {
        if (!p.markers.has(from)) p.markers.set(from, data.t[i]);
      } else if (controlType[m] === 0 && p.snapshotAt !== null && !p.markers.has(from)) {
        const list = p.recorded.get(from) ?? [];
        list.push(i);
        p.recorded.set(from, list);
      }
    } else if (k === K.ckpt && data.op[i] >= 0 && strings[data.op[i]] === 'snapshot') {
      const actor = data.a[i];
      const cut = extraField(data, i, 'cut') ?? extraField(data, i, 'id');
      if (typeof cut !== 'number') continue;
      const p = of(actor);
      for (const [from, rows] of p.recorded) {
        result.channels.push({ cut, from, to: actor, snapshotAt: p.snapshotAt ?? data.t[i], markerAt: p.markers.get(from) ?? data.t[i], rows });
      }
      pending.delete(actor);
      const conserved = extraField(data, i, 'conserved');
      if (typeof conserved !== 'number') continue;
      const inFlight = extraField(data, i, 'inFlight');
      const total = totals.get(cut) ?? { cut, t: data.t[i], parts: [], total: 0 };
      total.parts.push({ actor, conserved, inFlight: typeof inFlight === 'number' ? inFlight : null });
      total.total += conserved;
      total.t = data.t[i];
      totals.set(cut, total);
    }
  }
  result.totals = [...totals.values()].sort((x, y) => x.t - y.t);
  return result;
}

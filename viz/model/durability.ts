/**
 * Durability per disk, derived from `disk` records: which writes an fsync made durable, which a
 * power loss destroyed, and for each loss the last fsync that had completed before it — the
 * "why" of lost data on a disk with a flush interval.
 *
 * The rule is the one the simulated disk follows: an fsync issued at `t` covers every write its
 * actor made before `t`; they are durable once the matching `fsync-done` arrives. A `lost` record
 * (power loss) destroys every write not yet durable, including those an fsync was still syncing.
 *
 * Guarantee: a pure function of the trace; one entry per fsync and per loss, and write spans
 * merged so that their number is bounded by the number of fsyncs and losses (an fsync-per-write
 * disk gives one durable span, not one per write). How it fails: a disk whose records name no
 * fsync or loss gets no entry (nothing to explain), and an fsync that never completes leaves its
 * writes "never synced" at the end of the trace.
 */
import { extraField, type RunData } from '../wire/codec.ts';
import { K } from './kinds.ts';

export type WriteFate = 'durable' | 'lost' | 'unsynced';

/** Writes of one actor between two instants (write times, µs) that shared one fate. */
export interface WriteSpan {
  actor: number;
  from: number;
  to: number;
  writes: number;
  fate: WriteFate;
}

/** One fsync: issued at `issued`, completed at `done` (NaN if it never completed). */
export interface FsyncMark {
  actor: number;
  issued: number;
  done: number;
  row: number;
}

/** A power loss on a disk, and what caused the lost suffix. */
export interface DiskLoss {
  actor: number;
  t: number;
  row: number;
  /** Writes destroyed (from the `lost` record when it says, else counted), and their write times. */
  writes: number;
  from: number;
  to: number;
  /** The last completed fsync before the loss: everything written before `issued` survived. Null if none. */
  lastFsync: FsyncMark | null;
}

export interface Durability {
  /** Actors whose disk records show fsyncs or losses. */
  disks: number[];
  spans: WriteSpan[];
  fsyncs: FsyncMark[];
  losses: DiskLoss[];
}

const WRITE_OPS = new Set(['append', 'put', 'write']);

interface DiskState {
  /** Writes not yet covered by an issued fsync: count and first/last time. */
  open: { n: number; from: number; to: number };
  /** Writes covered by an issued, not yet completed fsync. */
  syncing: Array<{ fsync: FsyncMark; n: number; from: number; to: number }>;
  lastDone: FsyncMark | null;
}

export function deriveDurability(data: RunData, kind: Uint8Array): Durability {
  const strings = data.header.strings;
  const states = new Map<number, DiskState>();
  const result: Durability = { disks: [], spans: [], fsyncs: [], losses: [] };
  const touched = new Set<number>();
  const emit = (actor: number, n: number, from: number, to: number, fate: WriteFate) => {
    if (n === 0) return;
    // Merge with the actor's previous span of the same fate: spans stay few on busy disks.
    for (let j = result.spans.length - 1; j >= 0; j--) {
      const last = result.spans[j];
      if (last.actor !== actor) continue;
      if (last.fate === fate && last.to <= from) {
        last.to = to;
        last.writes += n;
        return;
      }
      break;
    }
    result.spans.push({ actor, from, to, writes: n, fate });
  };
  for (let i = 0; i < data.length; i++) {
    if (kind[i] !== K.disk || data.op[i] < 0) continue;
    const op = strings[data.op[i]];
    const actor = data.a[i];
    const t = data.t[i];
    let s = states.get(actor);
    if (s === undefined) {
      s = { open: { n: 0, from: t, to: t }, syncing: [], lastDone: null };
      states.set(actor, s);
    }
    if (WRITE_OPS.has(op)) {
      if (s.open.n === 0) s.open.from = t;
      s.open.n++;
      s.open.to = t;
    } else if (op === 'fsync') {
      const fsync: FsyncMark = { actor, issued: t, done: NaN, row: i };
      result.fsyncs.push(fsync);
      touched.add(actor);
      s.syncing.push({ fsync, ...s.open });
      s.open = { n: 0, from: t, to: t };
    } else if (op === 'fsync-done') {
      const batch = s.syncing.shift();
      if (batch === undefined) continue;
      batch.fsync.done = t;
      s.lastDone = batch.fsync;
      emit(actor, batch.n, batch.from, batch.to, 'durable');
    } else if (op === 'lost') {
      touched.add(actor);
      const batches = [...s.syncing, s.open].filter((b) => b.n > 0);
      const counted = batches.reduce((n, b) => n + b.n, 0);
      const recorded = extraField(data, i, 'records');
      const from = batches.length > 0 ? batches[0].from : t;
      const to = batches.length > 0 ? batches[batches.length - 1].to : t;
      for (const b of batches) emit(actor, b.n, b.from, b.to, 'lost');
      const writes = typeof recorded === 'number' ? recorded : counted;
      const previous = result.losses[result.losses.length - 1];
      // A power loss writes one `lost` record per file of the actor: one loss, the sum of their writes.
      if (previous?.actor === actor && previous.t === t) previous.writes += writes;
      else result.losses.push({ actor, t, row: i, writes, from, to, lastFsync: s.lastDone });
      s.syncing = [];
      s.open = { n: 0, from: t, to: t };
    }
  }
  for (const [actor, s] of states) {
    if (!touched.has(actor)) continue;
    for (const b of [...s.syncing, s.open]) emit(actor, b.n, b.from, b.to, 'unsynced');
  }
  result.disks = [...touched].sort((x, y) => x - y);
  result.spans.sort((x, y) => x.actor - y.actor || x.from - y.from);
  return result;
}

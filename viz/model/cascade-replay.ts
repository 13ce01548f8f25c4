/**
 * The replay of one rollback (cascade.ts): from each survivor's newest candidate and the failed
 * process's given checkpoint, while some process's point holds an orphan it moves back to its newest
 * candidate without the receipt — the latest such orphan first; then, while a sender's point holds a
 * message in transit, the sender moves back to its newest candidate without the send — the earliest
 * first. One step per move, citing its message.
 *
 * Guarantee: every move is forced, so the steps end on the newest consistent line over the
 * candidates; `matches` says whether that is the coordinator's. A move changes only the mover's
 * channels, so only they are searched again. How it fails: it stops after 10,000 moves (more than
 * any run's candidates allow; a bug would show as `matches: false`).
 */
import { holds, point, type Held, type Point } from './cascade-points.ts';
import { findInTransit, findOrphan, type Channel, type Exchange } from './cascade-channels.ts';
import type { RunData } from '../wire/codec.ts';

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

/** A rollback to replay: its row, the failed process, and per participant its candidates (oldest first) and the index of the one the coordinator chose. */
export interface Round {
  row: number;
  cause: number;
  candidates: Map<number, Held[]>;
  chosen: Map<number, number>;
}

/** A channel in a rollback's replay: what it holds against the line. */
interface Watched {
  channel: Channel;
  orphan: Exchange | null;
  lost: Exchange | null;
}

export function replay(data: RunData, round: Round, all: readonly Channel[]): Cascade {
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

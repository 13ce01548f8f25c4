/**
 * The causal past and future of one record (Lamport's happened-before): through each actor's own
 * order and through messages (a send happens before its recv or drop).
 *
 * Because an actor's records are totally ordered, the past is "every record of actor A up to row
 * past[A]" and the future "every record of A from row future[A]": one threshold per actor, which is
 * also the consistent cut drawn across the lanes. Each is found by one sweep over the rows between
 * the record and the end (or start) of the trace — O(rows), no graph search.
 */

export interface CausalColumns {
  length: number;
  /** Actor index per row. */
  a: Int32Array;
  /** Row of the send a recv or drop answers, or -1. */
  link: Int32Array;
  /** Row of the recv or drop answering a send, or -1. */
  fwd: Int32Array;
}

export interface Cone {
  row: number;
  /** Per actor: the last row in the causal past, or -1. */
  past: Float64Array;
  /** Per actor: the first row in the causal future, or Infinity. */
  future: Float64Array;
}

export function causalCone(run: CausalColumns, row: number, actors: number): Cone {
  const past = new Float64Array(actors).fill(-1);
  const future = new Float64Array(actors).fill(Infinity);
  past[run.a[row]] = row;
  for (let j = row; j >= 0; j--) {
    const link = run.link[j];
    if (j <= past[run.a[j]] && link >= 0 && link < j) {
      const sender = run.a[link];
      if (link > past[sender]) past[sender] = link;
    }
  }
  future[run.a[row]] = row;
  for (let j = row; j < run.length; j++) {
    const fwd = run.fwd[j];
    if (j >= future[run.a[j]] && fwd > j) {
      const receiver = run.a[fwd];
      if (fwd < future[receiver]) future[receiver] = fwd;
    }
  }
  return { row, past, future };
}

export const inPast = (cone: Cone, run: { a: Int32Array }, i: number): boolean => i <= cone.past[run.a[i]];
export const inFuture = (cone: Cone, run: { a: Int32Array }, i: number): boolean => i >= cone.future[run.a[i]];

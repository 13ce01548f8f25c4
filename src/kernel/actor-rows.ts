/**
 * The numbers a message reads about each of its two actors, one row per actor in one Int32Array:
 * the actor's id digest (the trace's hot records name actors by it, trace-hash.ts) and its place
 * (its node's and its site's indices, which the environment gives and reads to time a message,
 * world/world.ts). Rows are numbered by the simulator's actor index.
 *
 * Why one table: a send reads both for both of its actors, a receive the digests again. Kept in
 * two tables, that was four cache lines per message where it is two now, and with many actors
 * those lines miss: PHOLD with 10^4 actors spent ≈ 12 % of its CPU time per delivery more on the
 * two tables than on this one (bench/README.md, "Session 13 — kernel").
 *
 * Guarantee: a row keeps what was put in it for the run; a place not set reads -1. How it fails:
 * reading a row past `count` reads zeros (a caller's bug; the simulator numbers actors densely).
 */

/** Words per row. */
export const ROW = 4;
/** Word of a row: the low, then the high 32 bits of the actor id's 64-bit digest. */
export const DIGEST_LOW = 0;
export const DIGEST_HIGH = 1;
/** Word of a row: the network index of the actor's node, then of that node's site (-1: not placed). */
export const NODE = 2;
export const SITE = 3;

export class ActorRows {
  /** The rows, `ROW` words each; replaced when it grows, so read it afresh rather than keep it. */
  words = new Int32Array(ROW * 256);
  /** Rows added so far. */
  count = 0;

  /** Adds the next actor's row with its id's digest, its place not set yet; returns its number. */
  add(digestLow: number, digestHigh: number): number {
    const row = this.count++;
    if (ROW * this.count > this.words.length) {
      const grown = new Int32Array(2 * this.words.length);
      grown.set(this.words);
      this.words = grown;
    }
    const at = ROW * row;
    this.words[at + DIGEST_LOW] = digestLow;
    this.words[at + DIGEST_HIGH] = digestHigh;
    this.words[at + NODE] = -1;
    this.words[at + SITE] = -1;
    return row;
  }

  /** Sets the place of actor `row`: its node's and its site's network indices. */
  place(row: number, node: number, site: number): void {
    if (!(row >= 0 && row < this.count)) throw new Error(`no actor row ${row} to place (${this.count} rows)`);
    this.words[ROW * row + NODE] = node;
    this.words[ROW * row + SITE] = site;
  }
}

/**
 * A hash table from a pair of small non-negative integers (two node indices) to a slot of state
 * kept in typed arrays: the two times of one LAN channel direction (network.ts), and an optional
 * object for the rare channel that draws random numbers.
 *
 * Why not a `Map` keyed by a string: a key string per message was the largest cost of a send
 * (building it, hashing it) and every pair ever used kept an object alive. Here a lookup hashes
 * two integers and allocates nothing, and entries that no longer say anything (a channel that is
 * idle again, whose state equals a fresh one's) are dropped when the table would grow, so its size
 * follows the channels busy at once, not the pairs ever used.
 *
 * Guarantee: `find` returns the slot `insert` gave the pair until `compact` drops it; `compact`
 * keeps every slot `keep` accepts (their slots change). How it fails: a pair of negative indices
 * is a bug (asserted).
 */
const EMPTY = -1;
const MIN_CAPACITY = 64;

export class PairTable<Extra> {
  // Set by `use` (from the constructor and `compact`).
  private firsts!: Int32Array;
  private seconds!: Int32Array;
  /** When the channel finishes transmitting what it has already accepted. */
  busyUntil!: Float64Array;
  /** Latest arrival scheduled so far on the channel (FIFO). */
  lastArrival!: Float64Array;
  /** Per slot, what few channels also need (their random streams), else undefined. */
  extra!: (Extra | undefined)[];
  private count = 0;
  private mask = 0;
  /**
   * Arrays of the live ones' size from before the last `compact`, to rebuild into at the next: a
   * table that is compacted at a steady size — most, since entries last only while a channel is
   * busy — allocates nothing. Making five fresh arrays per compaction was half of a 64-byte
   * message's `transmit` (bench/README, "Session 9: kernel").
   */
  private spare: Columns<Extra> | undefined;
  /** The slots a `compact` keeps (reused). */
  private readonly kept: number[] = [];

  constructor(capacity = MIN_CAPACITY) {
    this.use(columns<Extra>(powerOfTwoAtLeast(Math.max(capacity, MIN_CAPACITY))));
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** The slot of `(a, b)`, or -1. */
  find(a: number, b: number): number {
    const firsts = this.firsts;
    const seconds = this.seconds;
    for (let i = hash(a, b) & this.mask; ; i = (i + 1) & this.mask) {
      const first = firsts[i];
      if (first === EMPTY) return -1;
      if (first === a && seconds[i] === b) return i;
    }
  }

  /**
   * A fresh slot for `(a, b)`, which must not be in the table, with its times at 0. When the table
   * is half full it first calls `compact(keep)`, so `keep` decides which entries survive a growth.
   */
  insert(a: number, b: number, keep: (table: this, slot: number) => boolean): number {
    if (!(a >= 0 && b >= 0)) throw new Error(`pair table: negative index (${a}, ${b})`);
    if (2 * (this.count + 1) > this.firsts.length) this.compact(keep);
    const slot = this.place(a, b);
    this.count++;
    return slot;
  }

  /** Rebuilds the table with only the entries `keep` accepts, at a capacity of four times their number. */
  compact(keep: (table: this, slot: number) => boolean): void {
    const old: Columns<Extra> = { firsts: this.firsts, seconds: this.seconds, busyUntil: this.busyUntil, lastArrival: this.lastArrival, extra: this.extra };
    const kept = this.kept;
    kept.length = 0;
    for (let i = 0; i < old.firsts.length; i++) if (old.firsts[i] !== EMPTY && keep(this, i)) kept.push(i);
    const size = powerOfTwoAtLeast(Math.max(MIN_CAPACITY, 4 * (kept.length + 1)));
    const spare = this.spare;
    if (spare !== undefined && spare.firsts.length === size) {
      spare.firsts.fill(EMPTY);
      spare.extra.fill(undefined);
      this.use(spare);
    } else this.use(columns<Extra>(size));
    this.spare = old.firsts.length === size ? old : undefined;
    this.count = kept.length;
    for (const at of kept) {
      const slot = this.place(old.firsts[at], old.seconds[at]);
      this.busyUntil[slot] = old.busyUntil[at];
      this.lastArrival[slot] = old.lastArrival[at];
      this.extra[slot] = old.extra[at];
    }
  }

  /** The first of the pair held in a slot. */
  firstOf(slot: number): number {
    return this.firsts[slot];
  }

  /** Makes `table` (empty, or being refilled by `compact`) the live arrays. */
  private use(table: Columns<Extra>): void {
    this.firsts = table.firsts;
    this.seconds = table.seconds;
    this.busyUntil = table.busyUntil;
    this.lastArrival = table.lastArrival;
    this.extra = table.extra;
    this.mask = table.firsts.length - 1;
  }

  /** Writes the key in the first free slot of its probe sequence; the caller counts it. */
  private place(a: number, b: number): number {
    for (let i = hash(a, b) & this.mask; ; i = (i + 1) & this.mask) {
      if (this.firsts[i] === EMPTY) {
        this.firsts[i] = a;
        this.seconds[i] = b;
        this.busyUntil[i] = 0;
        this.lastArrival[i] = 0;
        this.extra[i] = undefined;
        return i;
      }
    }
  }
}

/** A table's arrays. */
interface Columns<Extra> {
  firsts: Int32Array;
  seconds: Int32Array;
  busyUntil: Float64Array;
  lastArrival: Float64Array;
  extra: (Extra | undefined)[];
}

/** Empty arrays of `size` slots (a power of two). */
function columns<Extra>(size: number): Columns<Extra> {
  return {
    firsts: new Int32Array(size).fill(EMPTY),
    seconds: new Int32Array(size),
    busyUntil: new Float64Array(size),
    lastArrival: new Float64Array(size),
    extra: new Array<Extra | undefined>(size).fill(undefined),
  };
}

/** Mixes two 32-bit integers (multiplicative hashing, then a final avalanche of the high bits). */
function hash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

function powerOfTwoAtLeast(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

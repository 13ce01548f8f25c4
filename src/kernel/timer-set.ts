/**
 * A set of (actor index, timer id) pairs: the simulator's timers cancelled while their events may
 * still be queued (simulator.ts), which lets `cancelTimer` stop a timer whose event is queued.
 *
 * Why not a `Set` per actor: adding and deleting a timer id there cost more than the rest of a
 * timer event (bench/kernel.ts), and every actor carried one. This is one open-addressing table
 * for the whole simulator in typed arrays (linear probing, deletion by backward shift, so no
 * tombstones): a pair costs an insert and a removal of two numbers, no allocation.
 *
 * Guarantee: `remove` returns true exactly once for a pair `add`ed before and not removed since;
 * `has` says whether it would. How it fails: it does not; it grows as needed (to twice the pairs
 * held at once).
 */

const EMPTY = -1;
const MIN_CAPACITY = 1024;

export class TimerSet {
  private actors: Int32Array;
  private ids: Float64Array;
  private mask: number;
  private count = 0;

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY;
    while (size < capacity) size *= 2;
    this.actors = new Int32Array(size).fill(EMPTY);
    this.ids = new Float64Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds a pair; it must not be in the set. */
  add(actor: number, id: number): void {
    if (2 * (this.count + 1) > this.actors.length) this.rehash(this.actors.length * 2);
    this.place(actor, id);
    this.count++;
  }

  has(actor: number, id: number): boolean {
    return this.find(actor, id) >= 0;
  }

  /** Removes a pair; false if it was not in the set. */
  remove(actor: number, id: number): boolean {
    const i = this.find(actor, id);
    if (i < 0) return false;
    const actors = this.actors;
    const ids = this.ids;
    const mask = this.mask;
    // Backward shift: pull later entries of the probe run into the hole unless their home lies
    // cyclically after the hole (then they are already where a lookup from home would stop).
    let hole = i;
    for (let j = (i + 1) & mask; actors[j] !== EMPTY; j = (j + 1) & mask) {
      const home = hash(actors[j], ids[j]) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        actors[hole] = actors[j];
        ids[hole] = ids[j];
        hole = j;
      }
    }
    actors[hole] = EMPTY;
    this.count--;
    return true;
  }

  /** Where a pair sits, or -1. */
  private find(actor: number, id: number): number {
    const actors = this.actors;
    const ids = this.ids;
    const mask = this.mask;
    for (let i = hash(actor, id) & mask; ; i = (i + 1) & mask) {
      const a = actors[i];
      if (a === EMPTY) return -1;
      if (a === actor && ids[i] === id) return i;
    }
  }

  private place(actor: number, id: number): void {
    const actors = this.actors;
    let i = hash(actor, id) & this.mask;
    while (actors[i] !== EMPTY) i = (i + 1) & this.mask;
    actors[i] = actor;
    this.ids[i] = id;
  }

  private rehash(capacity: number): void {
    const { actors, ids } = this;
    this.actors = new Int32Array(capacity).fill(EMPTY);
    this.ids = new Float64Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < actors.length; i++) if (actors[i] !== EMPTY) this.place(actors[i], ids[i]);
  }
}

/** Mixes an actor index and a timer id (its low 32 bits; ids count per actor from 1). */
function hash(actor: number, id: number): number {
  let h = Math.imul(actor, 0x9e3779b1) ^ Math.imul(id | 0, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

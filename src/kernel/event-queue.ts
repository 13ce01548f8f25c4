/**
 * The event queue: a min-heap ordered by the total key `(time, origin, seq)`.
 *
 * `origin` is the index of the actor whose action caused the event and `seq` that actor's own
 * counter, so no two events share a key and the pop order is the same whichever way events were
 * pushed — in particular it does not depend on a global counter, which is what lets a run split
 * over worker threads reproduce the single-thread order.
 *
 * The heap is binary (children of i at 2i+1, 2i+2), the arity of the bare loop the benchmarks
 * compare the kernel with (bench/harness.ts), so that their ratios compare like with like. Until
 * session 8 it was 4-ary; in a queue-only microbenchmark its variable-length child loop cost more
 * than the levels it saved (pop + push 134 → 121 ns at 10^3 pending, 262 → 215 ns at 10^5), while
 * in the kernel benchmarks the two read the same within the noise (bench/README.md, "Session 8:
 * phold"). It is a struct of arrays: keys live in two growable Float64Arrays (time, and origin·2^32 + seq packed into one
 * exact double) and a slot index in an Int32Array. What an event carries stays
 * put under its slot, written once on push: in this class's payload table (`push`/`pop`), or in the
 * caller's own typed arrays (`pushKey`/`popKey`, which the simulator uses, so that an event is no
 * object at all). Sifting moves only numbers — no object pointers, so no garbage-collector write
 * barriers — which is what keeps it fast with 10^5 pending events (bench/kernel.ts).
 *
 * Limits, asserted on push: origin < 2^21 actors, seq < 2^32 events per actor.
 */
import type { Micros } from './contract/time.ts';

/** Packed orders (`origin * SEQ_SPAN + seq`) at or above this have an actor, not the world, as origin. */
export const SEQ_SPAN = 2 ** 32;
const ORIGIN_LIMIT = 2 ** 21;

export class EventQueue<P = never> {
  private times: Float64Array;
  private keys: Float64Array;
  /** Heap position → slot. */
  private slots: Int32Array;
  /** Slots freed by pops, reused by pushes (a stack of `freeCount`). */
  private free: Int32Array;
  private freeCount = 0;
  /** Slots below this have been handed out at least once. */
  private fresh = 0;
  /** Slot → payload, for the payload form (`push`/`pop`); the kernel keeps its own per-slot fields. */
  private payloads: (P | undefined)[] = [];
  private count = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(1, initialCapacity);
    this.times = new Float64Array(capacity);
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Every slot handed out is below this (it grows with the queue). */
  get slotCapacity(): number {
    return this.times.length;
  }

  /** The slot of the event at heap position `position` (< `size`): a way to visit every queued event, in no particular order. */
  slotAt(position: number): number {
    return this.slots[position];
  }

  /** Time of the earliest event; only meaningful when `size > 0`. */
  peekTime(): Micros {
    return this.times[0];
  }

  /** Packed `(origin, seq)` of the earliest event; only meaningful when `size > 0`. */
  peekOrder(): number {
    return this.keys[0];
  }

  /** The time of the event at a heap position (0 ≤ position < size), as `slotAt` gives its slot. */
  timeAt(position: number): Micros {
    return this.times[position];
  }

  /** Queues an event with its payload. */
  push(time: Micros, origin: number, seq: number, payload: P): void {
    this.payloads[this.pushKey(time, origin, seq)] = payload;
  }

  /** Removes and returns the earliest event's payload. The queue must not be empty. */
  pop(): P {
    const slot = this.popKey();
    const top = this.payloads[slot] as P;
    this.payloads[slot] = undefined;
    return top;
  }

  /**
   * Queues an event key and returns the slot it holds until it is popped: the caller keeps what
   * the event carries in its own arrays under that slot (no object per event).
   */
  pushKey(time: Micros, origin: number, seq: number): number {
    if (!(Number.isSafeInteger(time) && time >= 0)) throw new Error(`event time must be a non-negative integer µs, got ${time}`);
    if (origin >= ORIGIN_LIMIT || seq >= SEQ_SPAN) throw new Error(`event key out of range: origin ${origin}, seq ${seq}`);
    if (this.count === this.times.length) this.grow();
    const key = origin * SEQ_SPAN + seq;
    const slot = this.freeCount > 0 ? this.free[--this.freeCount] : this.fresh++;
    // Sift up: move parents down until the place for the new key is found.
    let i = this.count++;
    const times = this.times;
    const keys = this.keys;
    const slots = this.slots;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && keys[parent] < key)) break;
      times[i] = pt;
      keys[i] = keys[parent];
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    keys[i] = key;
    slots[i] = slot;
    return slot;
  }

  /**
   * Removes the earliest event and returns its slot, which is free again from now: the caller reads
   * what it keeps under the slot before its next push. The queue must not be empty.
   */
  popKey(): number {
    const times = this.times;
    const keys = this.keys;
    const slots = this.slots;
    const topSlot = slots[0];
    this.free[this.freeCount++] = topSlot;
    const last = --this.count;
    if (last > 0) {
      const time = times[last];
      const key = keys[last];
      const slot = slots[last];
      // Sift down the former last element from the root.
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        // The earlier of the two children.
        let ct = times[child];
        const right = child + 1;
        if (right < last) {
          const t = times[right];
          if (t < ct || (t === ct && keys[right] < keys[child])) {
            child = right;
            ct = t;
          }
        }
        if (time < ct || (time === ct && key < keys[child])) break;
        times[i] = ct;
        keys[i] = keys[child];
        slots[i] = slots[child];
        i = child;
      }
      times[i] = time;
      keys[i] = key;
      slots[i] = slot;
    }
    return topSlot;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    const keys = new Float64Array(capacity);
    keys.set(this.keys);
    const slots = new Int32Array(capacity);
    slots.set(this.slots);
    const free = new Int32Array(capacity);
    free.set(this.free);
    this.times = times;
    this.keys = keys;
    this.slots = slots;
    this.free = free;
  }
}

/** Splits a packed order key back into `(origin, seq)`, for error messages and tests. */
export function unpackOrder(order: number): { origin: number; seq: number } {
  return { origin: Math.floor(order / SEQ_SPAN), seq: order % SEQ_SPAN };
}

/**
 * The event queue: a binary min-heap ordered by the total key `(time, origin, seq)`.
 *
 * `origin` is the index of the actor whose action caused the event and `seq` that actor's own
 * counter, so no two events share a key and the pop order is the same whichever way events were
 * pushed — in particular it does not depend on a global counter, which is what lets a run split
 * over worker threads reproduce the single-thread order.
 *
 * The heap is a struct of arrays: keys live in two growable Float64Arrays (time, and origin·2^32 +
 * seq packed into one exact double) and a slot index in an Int32Array; the payload objects stay put
 * in a slot table, written once on push and cleared on pop. Sifting therefore moves only numbers —
 * no object pointers, so no garbage-collector write barriers — which is what keeps it fast with
 * 10^5 pending events (bench/kernel.ts measures it against a bare heap).
 *
 * Limits, asserted on push: origin < 2^21 actors, seq < 2^32 events per actor.
 */
import type { Micros } from './contract/time.ts';

/** Packed orders (`origin * SEQ_SPAN + seq`) at or above this have an actor, not the world, as origin. */
export const SEQ_SPAN = 2 ** 32;
const ORIGIN_LIMIT = 2 ** 21;

export class EventQueue<P> {
  private times: Float64Array;
  private keys: Float64Array;
  /** Heap position → payload slot. */
  private slots: Int32Array;
  /** Slot → payload; a slot is written once on push and cleared on pop. */
  private payloads: (P | undefined)[] = [];
  /** Slots freed by pops, reused by pushes. */
  private free: number[] = [];
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.keys = new Float64Array(initialCapacity);
    this.slots = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the earliest event; only meaningful when `size > 0`. */
  peekTime(): Micros {
    return this.times[0];
  }

  /** Packed `(origin, seq)` of the earliest event; only meaningful when `size > 0`. */
  peekOrder(): number {
    return this.keys[0];
  }

  push(time: Micros, origin: number, seq: number, payload: P): void {
    if (!(Number.isSafeInteger(time) && time >= 0)) throw new Error(`event time must be a non-negative integer µs, got ${time}`);
    if (origin >= ORIGIN_LIMIT || seq >= SEQ_SPAN) throw new Error(`event key out of range: origin ${origin}, seq ${seq}`);
    if (this.count === this.times.length) this.grow();
    const key = origin * SEQ_SPAN + seq;
    const slot = this.free.length > 0 ? this.free.pop()! : this.payloads.length;
    this.payloads[slot] = payload;
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
  }

  /** Removes and returns the earliest event's payload. The queue must not be empty. */
  pop(): P {
    const times = this.times;
    const keys = this.keys;
    const slots = this.slots;
    const topSlot = slots[0];
    const top = this.payloads[topSlot] as P;
    this.payloads[topSlot] = undefined;
    this.free.push(topSlot);
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
        const right = child + 1;
        if (right < last && (times[right] < times[child] || (times[right] === times[child] && keys[right] < keys[child]))) {
          child = right;
        }
        const ct = times[child];
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
    return top;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    const keys = new Float64Array(capacity);
    keys.set(this.keys);
    const slots = new Int32Array(capacity);
    slots.set(this.slots);
    this.times = times;
    this.keys = keys;
    this.slots = slots;
  }
}

/** Splits a packed order key back into `(origin, seq)`, for error messages and tests. */
export function unpackOrder(order: number): { origin: number; seq: number } {
  return { origin: Math.floor(order / SEQ_SPAN), seq: order % SEQ_SPAN };
}

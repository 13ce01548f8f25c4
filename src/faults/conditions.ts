/**
 * How overlapping faults compose on one node, actor or link.
 *
 * `Holds`: a thing is down while any fault holds it (a node in a power loss of its site and in its
 * own crash restarts only when both have ended). `Layers`: faults that adjust a value stack, and
 * the value is recomputed from the base and the layers still active, in the order they began (two
 * latency spikes add up; ending the first leaves the second).
 *
 * Guarantee: the outcome depends only on which faults are active and the order they started, so
 * it is deterministic and independent of the order they end in. Iteration uses `Map`s in
 * insertion order, which the (deterministic) order of fault events fixes.
 */

export class Holds {
  private readonly holders = new Map<string, Set<string>>();

  /** Adds a holder; true when the thing was free until now (the caller takes it down). */
  hold(key: string, fault: string): boolean {
    let set = this.holders.get(key);
    if (set === undefined) {
      set = new Set();
      this.holders.set(key, set);
    }
    set.add(fault);
    return set.size === 1;
  }

  /** Removes a holder; true when the thing is free now (the caller brings it back). */
  release(key: string, fault: string): boolean {
    const set = this.holders.get(key);
    if (set === undefined || !set.delete(fault)) return false;
    return set.size === 0;
  }

  held(key: string): boolean {
    return (this.holders.get(key)?.size ?? 0) > 0;
  }

  /** Every key some fault holds now. */
  heldKeys(): Set<string> {
    const keys = new Set<string>();
    for (const [key, set] of this.holders) if (set.size > 0) keys.add(key);
    return keys;
  }
}

export class Layers<V> {
  private readonly layers = new Map<string, Map<string, V>>();

  /** Adds a fault's layer; returns the active layers of `key`, oldest first. */
  add(key: string, fault: string, value: V): V[] {
    let map = this.layers.get(key);
    if (map === undefined) {
      map = new Map();
      this.layers.set(key, map);
    }
    map.set(fault, value);
    return [...map.values()];
  }

  /** Removes a fault's layer; returns the layers left. */
  remove(key: string, fault: string): V[] {
    const map = this.layers.get(key);
    map?.delete(fault);
    return map === undefined ? [] : [...map.values()];
  }
}

/** The product of factors (1 with none): slowdowns compound. */
export function product(factors: readonly number[]): number {
  return factors.reduce((a, b) => a * b, 1);
}

/** The sum of offsets (0 with none): clock skews add. */
export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

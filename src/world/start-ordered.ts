/**
 * Entries by actor id, listed in the order the actors started in whatever order they were added
 * in. A node's disk and RAM disk make an actor's entry at its first use (most actors of a large run
 * never write: no entry, and no Map until the first), yet their loops over the actors (power loss,
 * writeback) must write records in the order they had when every actor's entry was made as it
 * started — so an entry is placed by its `order` (`ActorHandle.startOrder`, or the mount order in
 * emulation).
 *
 * Cost: an entry whose order is below the largest so far re-sorts the Map (rare: actors mostly
 * first write in the order they started).
 *
 * Guarantee: `entries` lists by `order` whatever order they were added in, and entries of equal
 * order in the order added (the re-sort is stable). How it fails: only as slowly — many entries
 * added out of order re-sort the map each time. Shown by test/world/start-ordered.test.ts.
 */
export class StartOrdered<T extends { readonly order: number }> {
  private map: Map<string, T> | undefined;
  /** The largest order among the entries. */
  private lastOrder = -1;

  get(id: string): T | undefined {
    return this.map?.get(id);
  }

  /** Adds `entry` for `id` (which has none), placed by its order; returns it. */
  add(id: string, entry: T): T {
    const map = (this.map ??= new Map());
    map.set(id, entry);
    if (entry.order < this.lastOrder) this.map = new Map([...map].sort((a, b) => a[1].order - b[1].order));
    else this.lastOrder = entry.order;
    return entry;
  }

  /** The entries, by actor id, in start order. */
  entries(): Iterable<[string, T]> {
    return this.map ?? [];
  }
}

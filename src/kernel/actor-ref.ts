/**
 * The kernel's `ActorRef`: an actor's id, plus — visible only to the simulator that made it — the
 * actor's index, so that a send through it goes straight to the actor's entries in the simulator's
 * per-actor arrays instead of looking the id up (a string hash, a Map probe, the entry and the
 * handle: a chain of dependent cache misses with many actors).
 *
 * Guarantee: a send through a ref is a send to `ref.id`. An index names the actor's bookkeeping
 * for the whole run (it outlives incarnations), so a ref never goes stale: after a crash and
 * restart it reaches the new incarnation, exactly as the id does. The index and its simulator are
 * private fields, which structured cloning and JSON leave out: a ref copied into another thread
 * (each partition of a parallel run has its own simulator), into a snapshot, or built by hand is
 * `{ id }`, and `indexIn` gives nothing for it, so the send looks the id up. A ref of another
 * simulator (another world in the same thread) is treated the same way.
 */
import type { ActorRef } from './contract/actor.ts';

export class KernelRef implements ActorRef {
  readonly #owner: object;
  readonly #index: number;

  /** @param index the actor's index in `owner`; -1 for a ref to an actor that did not exist when it was made. */
  constructor(
    readonly id: string,
    owner: object,
    index: number,
  ) {
    this.#owner = owner;
    this.#index = index;
  }

  /** The actor index `ref` resolves to in `owner`'s run, or -1 when the id must be looked up. */
  static indexIn(ref: ActorRef, owner: object): number {
    return #owner in ref && ref.#owner === owner ? ref.#index : -1;
  }
}

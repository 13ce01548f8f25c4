/**
 * The kernel's `ActorRef`: an actor's id, plus — visible only to the simulator that made it — the
 * actor's handle, so that a send through it goes straight to the handle instead of looking the id
 * up (a string hash, a Map probe and the entry: a chain of dependent cache misses with many actors).
 *
 * Guarantee: a send through a ref is a send to `ref.id`. The handle is the actor's bookkeeping for
 * the whole run (it outlives incarnations), so a ref never goes stale: after a crash and restart
 * it reaches the new incarnation, exactly as the id does. The handle and its simulator are
 * private fields, which structured cloning and JSON leave out: a ref copied into another thread
 * (each partition of a parallel run has its own handles), into a snapshot, or built by hand is
 * `{ id }`, and `handleIn` gives nothing for it, so the send looks the id up. A ref of another
 * simulator (another world in the same thread) is treated the same way.
 */
import type { ActorHandle } from './actor-handle.ts';
import type { ActorRef } from './contract/actor.ts';

export class KernelRef implements ActorRef {
  readonly #owner: object;
  readonly #handle: ActorHandle | undefined;

  /** @param handle the actor's handle; undefined for a ref to an actor that did not exist when it was made. */
  constructor(
    readonly id: string,
    owner: object,
    handle: ActorHandle | undefined,
  ) {
    this.#owner = owner;
    this.#handle = handle;
  }

  /** The handle `ref` resolves to in `owner`'s run, or undefined when the id must be looked up. */
  static handleIn(ref: ActorRef, owner: object): ActorHandle | undefined {
    return #owner in ref && ref.#owner === owner ? ref.#handle : undefined;
  }
}

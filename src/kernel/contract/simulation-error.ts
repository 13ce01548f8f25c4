/**
 * An exception thrown by an actor (a bug in it, or a broken `assert`), as the bug report that
 * reproduces it: the seed, the simulated time, the actor and the event it was handling. The
 * simulator throws it; emulation rebuilds it from a node thread's report.
 */
import type { Micros } from './time.ts';

export class SimulationError extends Error {
  constructor(
    readonly seed: number | string,
    readonly time: Micros,
    readonly actor: string,
    readonly event: string,
    override readonly cause: unknown,
  ) {
    super(`actor ${actor} threw at t=${time}us (seed ${seed}) while handling ${event}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SimulationError';
  }
}

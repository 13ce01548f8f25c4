/**
 * How time and I/O come back to an actor: a timer firing or a disk completing is a `Wakeup` handed
 * to `onTimer`. Plain data, so that it crosses worker threads unchanged.
 */

/** A timer or I/O completion as an actor receives it. */
export interface Wakeup {
  readonly name: string;
  readonly data?: unknown;
}

/** A timer's id, counted per actor (so it never depends on what other actors did). */
export type TimerId = number;

/**
 * `assert` for invariants inside actors and the kernel (STYLE.md habit 9).
 *
 * Guarantee: when `condition` is falsy, throws an `InvariantViolation` whose message states the
 * broken invariant and the values involved; when it holds, costs one branch (a message given as a
 * function is only built on failure). Thrown inside an actor handler, the simulator wraps it in a
 * `SimulationError` naming the seed, the simulated time and the actor, so the failure is a
 * reproducible bug report.
 * How it fails: only by throwing. Protocol code must never catch and swallow an
 * `InvariantViolation`; a `catch` that handles expected errors rethrows it (see `isInvariantViolation`).
 */

/** A broken invariant: a bug in the simulator or in a protocol, never an expected condition. */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

/** Throws an `InvariantViolation` with `message` unless `condition` holds. */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (condition) return;
  throw new InvariantViolation(typeof message === 'string' ? message : message());
}

/** True for a broken invariant, which a `catch` for expected errors must rethrow. */
export function isInvariantViolation(error: unknown): error is InvariantViolation {
  return error instanceof InvariantViolation;
}

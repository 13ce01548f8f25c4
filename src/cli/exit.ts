/**
 * Exit codes and the one place errors are turned into what the user reads.
 *
 * 0: the run completed and every check held. 1: a check failed. 2: bad input (scenario, flag,
 * trace) — one readable line per problem, no stack. 3: a bug of ours or of a protocol — the
 * message, the seed and simulated time when known, and the command that reproduces it.
 */
import { InputError, SimulationError } from '../kernel/index.ts';
import { locateInFile } from '../scenario/index.ts';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 3;

/** An input error found while building the world carries no file: place it in the scenario's. */
export function inScenario(error: unknown, file: string): unknown {
  return error instanceof InputError ? new InputError(locateInFile(file, error.message)) : error;
}

/** Prints an error the right way for its kind and returns the exit code to use. */
export function reportError(error: unknown, reproduce?: string): number {
  if (error instanceof InputError) {
    process.stderr.write(`${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof SimulationError) {
    process.stderr.write(`internal error: ${error.message}\n`);
    const cause = error.cause;
    if (cause instanceof Error && cause.stack) process.stderr.write(`${cause.stack}\n`);
  } else {
    process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  if (reproduce !== undefined) process.stderr.write(`reproduce with: ${reproduce}\n`);
  process.stderr.write('this is a bug in diaspora-sim or in a protocol; please report it with the command above.\n');
  return EXIT_INTERNAL;
}

/**
 * Exit codes (exit-codes.ts) and the one place errors are turned into what the user reads.
 *
 * 2: bad input (scenario, flag, trace, or a file-system error on a path the user gave or owns)
 * — one readable line per problem, no stack. 3: a bug of
 * ours or of a protocol — the message, the seed and simulated time when known, and the command
 * that reproduces it.
 */
import { cutText, InputError, SimulationError } from '../kernel/contract/index.ts';
import { locateInFile } from '../scenario/load.ts';
import { EXIT_BAD_INPUT, EXIT_INTERNAL } from './exit-codes.ts';
import { fileProblem } from './file-problem.ts';

export { EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL } from './exit-codes.ts';

/**
 * An input error found while building the world carries no file: place it in the scenario's (`text`:
 * as already read), or at the `--set` of `sets` that wrote its field.
 */
export function inScenario(error: unknown, file: string, text?: string, sets: readonly string[] = []): unknown {
  return error instanceof InputError ? new InputError(locateInFile(file, error.message, text, sets), error.options) : error;
}

/** Problems shown at once; `--all-errors` shows them all. A file with many has one cause, mostly. */
const SHOWN = 4;
/** A line longer than this (after its `file:line`, however long the path) is cut: a message quotes a value, never a whole file. */
const LINE_CHARS = 300;

/**
 * An input error as the user reads it: the first problems (only the first when the rest are its
 * echoes), then "and N more (--all-errors lists them)"; every line cut to a readable length.
 */
export function inputErrorText(error: InputError, all = process.argv.includes('--all-errors')): string {
  const lines = error.message.split('\n').map((text) => {
    // A control character echoed from the input (a path, a --set) is shown, not obeyed by the terminal;
    // so are the invisible ones that reorder or hide text (bidi overrides, zero-width marks, a BOM).
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const line = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const limit = LINE_CHARS + (/^\S*:\d+ /.exec(line)?.[0].length ?? 0);
    return cutText(line, limit);
  });
  const shown = all ? lines.length : error.options.cascade === true ? 1 : SHOWN;
  // "and 1 more" would take the line the problem itself takes.
  if (lines.length <= shown || (lines.length === shown + 1 && error.options.cascade !== true)) return lines.join('\n');
  const more = lines.length - shown;
  return [...lines.slice(0, shown), `and ${more} more problem${more === 1 ? '' : 's'} (--all-errors lists them)`].join('\n');
}

/** Prints an error the right way for its kind and returns the exit code to use. */
export function reportError(error: unknown, reproduce?: string): number {
  if (error instanceof InputError) {
    process.stderr.write(`${inputErrorText(error)}\n`);
    return EXIT_BAD_INPUT;
  }
  // A file the run could not write (its trace on a full disk) fails the actor writing at that
  // moment: the user's disk, not a bug of the actor.
  const file = fileProblem(error) ?? (error instanceof SimulationError ? fileProblem(error.cause) : undefined);
  if (file !== undefined) {
    process.stderr.write(`${inputErrorText(new InputError(file))}\n`);
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

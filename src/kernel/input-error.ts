/**
 * An error in what a user gave us (a scenario, a flag, a trace), as opposed to a bug of ours.
 * The CLI prints its message alone, without a stack, and exits with code 2.
 */
export class InputError extends Error {
  /** @param message one line per problem, each starting with where it is (`file:line field:`). */
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * An error in what a user gave us (a scenario, a flag, a trace), as opposed to a bug of ours.
 * The CLI prints its message without a stack — the first few problems, then how many more — and
 * exits with code 2.
 */
export class InputError extends Error {
  /**
   * @param message one line per problem, each starting with where it is (`file:line field:`).
   * @param options.cascade the later lines are likely echoes of the first (a YAML syntax error
   *   confuses the parser for the rest of the file), so only the first is worth showing at once.
   */
  constructor(
    message: string,
    readonly options: { cascade?: boolean } = {},
  ) {
    super(message);
    this.name = 'InputError';
  }
}

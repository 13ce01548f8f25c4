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

/**
 * `text` as a message quotes it: whole when it has at most `limit` characters, otherwise its first
 * `keep` (through `quote`, e.g. JSON.stringify) and how long it was — a 10,000-character name or a
 * whole file read as one value would bury the message.
 */
export function cutText(text: string, keep: number, limit = keep, quote: (shown: string) => string = (shown) => shown): string {
  return text.length > limit ? `${quote(text.slice(0, keep))}… (${text.length} characters)` : quote(text);
}

/**
 * A whole number with its digits grouped by three (`200,000,000`), as `toLocaleString('en-US')`
 * writes it but without ICU, whose set-up (≈ 20 ms) a refused start would otherwise pay for
 * (test/cli/bundle.test.ts "a start that refuses its input formats no number through ICU").
 */
export function groupedDigits(whole: number): string {
  return String(whole).replace(/\B(?=(\d{3})+$)/g, ',');
}

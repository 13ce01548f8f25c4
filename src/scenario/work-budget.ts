/**
 * The default work budget (`--max-events`), apart from work-estimate.ts, which sums every feature's
 * shares: a command's options state it in their help without loading the features.
 */

/** The default `--max-events`: forty times the largest shipped scenario, about an hour on one core. */
export const DEFAULT_MAX_EVENTS = 200_000_000;

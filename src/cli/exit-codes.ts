/**
 * The exit codes of every `diaspora` command, apart from exit.ts so that the command line can
 * name them without loading what reporting an error needs (the kernel and the scenario loader).
 *
 * 0: the run completed and every check held. 1: a check failed. 2: bad input (scenario, flag,
 * trace). 3: a bug of ours or of a protocol.
 */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 3;

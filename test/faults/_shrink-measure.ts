/** The shrinker's measure, for the shrink tests (unit and end to end). */
import type { RealisedFault } from '../../src/faults/index.ts';

/**
 * The shrinker's measure: a result is no larger than its input when it keeps a sub-list of the
 * input's faults (matched one to one by everything but their timing), none lasting longer than the
 * fault it came from. Returns why not, or undefined.
 */
export function largerThan(result: readonly RealisedFault[], input: readonly RealisedFault[]): string | undefined {
  const shape = ({ atUs: _a, forUs: _f, endUs: _e, id: _i, source: _s, ...rest }: RealisedFault) => JSON.stringify(rest);
  const length = (f: RealisedFault) => (f.endUs === undefined ? Infinity : f.endUs - f.atUs);
  if (result.length > input.length) return `${result.length} faults from ${input.length}`;
  // Longest first, each taking the shortest unused input fault of its shape that is at least as long.
  const shorter = (a: RealisedFault, b: RealisedFault) => (length(a) === length(b) ? 0 : length(a) < length(b) ? -1 : 1);
  const unused = [...input].sort(shorter);
  for (const fault of [...result].sort((a, b) => shorter(b, a))) {
    const i = unused.findIndex((f) => shape(f) === shape(fault) && length(f) >= length(fault));
    if (i === -1) return `${shape(fault)} for ${length(fault)}us matches no input fault as long`;
    unused.splice(i, 1);
  }
  return undefined;
}


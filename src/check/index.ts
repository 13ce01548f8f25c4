/**
 * Invariant checkers: pure folds over a trace, each returning a verdict with cited evidence.
 */
import { InputError } from '../kernel/index.ts';
import type { CheckerDefinition } from './checker.ts';
import { noAckedLoss } from './no-acked-loss.ts';

export * from './checker.ts';
export { noAckedLoss } from './no-acked-loss.ts';

/** Every checker a scenario can name in `checks:`. */
export const CHECKERS: ReadonlyMap<string, CheckerDefinition> = new Map([[noAckedLoss.name, noAckedLoss]]);

export function checkerNamed(name: string): CheckerDefinition {
  const checker = CHECKERS.get(name);
  if (checker === undefined) throw new InputError(`unknown check "${name}"; known checks: ${[...CHECKERS.keys()].join(', ')}`);
  return checker;
}

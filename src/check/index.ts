/**
 * Invariant checkers: pure folds over a trace, each returning a verdict with cited evidence.
 */
import { InputError } from '../kernel/index.ts';
import type { CheckerDefinition } from './checker.ts';
import { divergence } from './divergence.ts';
import { duplicate } from './duplicate.ts';
import { liveness } from './liveness.ts';
import { noAckedLoss } from './no-acked-loss.ts';
import { nonmonotonic } from './nonmonotonic.ts';
import { skip } from './skip.ts';
import { unobserved } from './unobserved.ts';
import { stateEqualsReference } from './state-equals-reference.ts';
import { consistentCuts } from './consistent-cuts.ts';
import { conservation } from './conservation.ts';
import { forwardedOnce } from './forwarded-once.ts';
import { flConverges } from './fl-converges.ts';
import { alertsExactlyOnce } from './alerts-exactly-once.ts';

export * from './checker.ts';
export { noAckedLoss } from './no-acked-loss.ts';
export { liveness, DEFAULT_LIVENESS_BOUND_US } from './liveness.ts';
export { duplicate } from './duplicate.ts';
export { unobserved } from './unobserved.ts';
export { nonmonotonic } from './nonmonotonic.ts';
export { skip } from './skip.ts';
export { divergence } from './divergence.ts';
export { stateEqualsReference } from './state-equals-reference.ts';
export { consistentCuts } from './consistent-cuts.ts';
export { conservation } from './conservation.ts';
export { forwardedOnce } from './forwarded-once.ts';
export { flConverges } from './fl-converges.ts';
export { alertsExactlyOnce } from './alerts-exactly-once.ts';

/** Every checker a scenario can name in `checks:`. */
export const CHECKERS: ReadonlyMap<string, CheckerDefinition> = new Map([
  [noAckedLoss.name, noAckedLoss],
  [liveness.name, liveness],
  [duplicate.name, duplicate],
  [unobserved.name, unobserved],
  [nonmonotonic.name, nonmonotonic],
  [skip.name, skip],
  [divergence.name, divergence],
  [stateEqualsReference.name, stateEqualsReference],
  [consistentCuts.name, consistentCuts],
  [conservation.name, conservation],
  [forwardedOnce.name, forwardedOnce],
  [flConverges.name, flConverges],
  [alertsExactlyOnce.name, alertsExactlyOnce],
]);

export function checkerNamed(name: string): CheckerDefinition {
  const checker = CHECKERS.get(name);
  if (checker === undefined) throw new InputError(`unknown check "${name}"; known checks: ${[...CHECKERS.keys()].join(', ')}`);
  return checker;
}

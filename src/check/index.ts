/**
 * Invariant checkers: pure folds over a trace, each returning a verdict with cited evidence.
 */
import { InputError } from '../kernel/index.ts';
import type { CheckerDefinition } from './checker.ts';
import { divergence } from '../features/log/checks/divergence.ts';
import { duplicate } from './duplicate.ts';
import { liveness } from './liveness.ts';
import { noAckedLoss } from './no-acked-loss.ts';
import { nonmonotonic } from '../features/log/checks/nonmonotonic.ts';
import { skip } from '../features/log/checks/skip.ts';
import { unobserved } from '../features/log/checks/unobserved.ts';
import { stateEqualsReference } from '../features/pipeline/checks/state-equals-reference.ts';
import { consistentCuts } from '../features/checkpoint/checks/consistent-cuts.ts';
import { conservation } from '../features/checkpoint/checks/conservation.ts';
import { forwardedOnce } from '../features/forward/checks/forwarded-once.ts';
import { flConverges } from '../features/federated/checks/fl-converges.ts';
import { alertsExactlyOnce } from '../features/alerts/checks/alerts-exactly-once.ts';

export * from './checker.ts';
export { noAckedLoss } from './no-acked-loss.ts';
export { liveness, DEFAULT_LIVENESS_BOUND_US } from './liveness.ts';
export { duplicate } from './duplicate.ts';
export { unobserved } from '../features/log/checks/unobserved.ts';
export { nonmonotonic } from '../features/log/checks/nonmonotonic.ts';
export { skip } from '../features/log/checks/skip.ts';
export { divergence } from '../features/log/checks/divergence.ts';
export { stateEqualsReference } from '../features/pipeline/checks/state-equals-reference.ts';
export { consistentCuts } from '../features/checkpoint/checks/consistent-cuts.ts';
export { conservation } from '../features/checkpoint/checks/conservation.ts';
export { forwardedOnce } from '../features/forward/checks/forwarded-once.ts';
export { flConverges } from '../features/federated/checks/fl-converges.ts';
export { alertsExactlyOnce } from '../features/alerts/checks/alerts-exactly-once.ts';

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

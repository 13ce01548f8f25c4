/**
 * Invariant checkers: pure folds over a trace, each returning a verdict with cited evidence.
 */
import type { CheckerDefinition } from './checker.ts';
import { duplicate } from './duplicate.ts';
import { liveness } from './liveness.ts';
import { noAckedLoss } from './no-acked-loss.ts';

export * from './checker.ts';
export type { RunResult } from './run-result.ts';
export { noAckedLoss } from './no-acked-loss.ts';
export { liveness, DEFAULT_LIVENESS_BOUND_US } from './liveness.ts';
export { duplicate } from './duplicate.ts';


/**
 * The checkers that hold for any feature: no acknowledged event lost, no duplicates, progress after
 * faults heal. Features bring their own (`defineFeature({ checkers })`); `scenario/registry.ts`
 * lists them all.
 */
export const CORE_CHECKERS: readonly CheckerDefinition[] = [noAckedLoss, liveness, duplicate];

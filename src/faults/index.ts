/**
 * Faults: the fault kinds as data (`spec.ts`), their effects on the world (`effects.ts`), their
 * injection as `fault` trace records (`inject.ts`), the seeded nemesis that plans random faults
 * (`nemesis.ts`), and delta debugging of a failing fault list (`shrink.ts`).
 */
export * from './spec.ts';
export { injectFaults } from './inject.ts';
export { planNemesis, checkNemesisUnits, type NemesisOptions } from './nemesis.ts';
export { drawDuration, gamma } from './distributions.ts';
export { splitGroup, shuffled, MIN_GROUP, type Sides } from './partition-shapes.ts';
export { shrinkFaults, type ShrinkOptions, type ShrinkProgress, type ShrinkResult } from './shrink.ts';

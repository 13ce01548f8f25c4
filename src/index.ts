/**
 * diaspora-sim's programmatic API: everything the CLI does, as functions.
 *
 * Define an actor (`Actor`, `Context`), build a `World` (sites, nodes, links), place actors, schedule
 * faults, `execute` it with a seed and read the summary — or load a scenario file and run that.
 * See examples/heartbeat for a protocol of your own in about a hundred lines.
 */
export * from './kernel/index.ts';
export { readTrace, type NumberedRecord } from './kernel/trace-reader.ts';
export * from './world/index.ts';
export * from './faults/index.ts';
export * from './check/index.ts';
export * from './metrics/index.ts';
export * as store from './features/store/actors/index.ts';
export { execute, type PreparedRun, type RunSummary, type ExecuteOptions } from './exec/run.ts';
export { checkDeterminism, type DeterminismReport, type Divergence } from './exec/determinism.ts';
export { checkTraceFile } from './exec/check-trace.ts';
export { VERSION } from './exec/version.ts';
// Plug-ins (a scenario's `plugins:`): a feature descriptor, the types its hooks see, the sections
// it augments (`declare module 'diaspora-sim' { interface FeatureSections { … } }`), the scenario's
// field types (written units and names) and zod itself for its section's schema — the copy the
// scenario schema is made with, so a plug-in needs no dependency of its own.
export { defineFeature, type Feature, type BuildContext, type ResolveContext, type Report } from './scenario/feature.ts';
export type { Scenario, FeatureSections } from './scenario/types.ts';
export type { ScenarioFields, WrittenSections } from './scenario/written-types.ts';
export * as fields from './scenario/fields.ts';
export * as z from 'zod';

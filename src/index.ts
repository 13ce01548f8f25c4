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

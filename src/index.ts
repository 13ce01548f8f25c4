/**
 * diaspora-sim's public API.
 *
 * Write actors against the contract (`Actor`, `Context`, `Message`, `Disk`, time units, `assert`),
 * build a `World` (sites, nodes, links) and place them on it — which actor runs where is the
 * world's `deployment`, the same value emulation starts them from — schedule faults with
 * `world.at`, then `execute` it and read the summary; or wrap a protocol as a feature with
 * `defineFeature` and name it in a scenario file (`plugins:`), so every command works on it. The
 * seed is given once, to the `World`. See examples/heartbeat and examples/token-ring.
 *
 * The kernel's engine — the simulator, its event queue, actor handles, the parallel partition role
 * — is not exported, so it can change without breaking a protocol.
 */
// The actor contract: what an actor is, and all it sees.
export * from './kernel/contract/index.ts';
// The trace: where records go (a file, listeners) with its hash, and reading a trace file back.
export { TraceWriter, TRACE_FORMAT_VERSION, type TraceListener, type TraceSink } from './kernel/trace.ts';
export { traceFile } from './kernel/trace-file.ts';
export { readTrace, type NumberedRecord } from './kernel/trace-reader.ts';
// The world, and the deployment: which actor runs on which node, built by which factory.
export { World, DEFAULT_DISK, DEFAULT_LAN, type RunResult, type SiteInfo, type SiteOptions, type SiteRole, type WorldOptions } from './world/world.ts';
export { LOOPBACK_LATENCY_US, type LinkParams } from './world/network.ts';
export type { DiskParams } from './world/disk.ts';
export * from './deploy/index.ts';
// Faults as data, injected into a world (what a scenario's `faults:` becomes).
export { injectFaults, type FaultKind, type FaultSpec, type RealisedFault } from './faults/index.ts';
// Checker and metric definitions, with typed results, and the checkers that hold for any feature.
export { cite, eventsOf, verdictOf, MAX_LISTED, CORE_CHECKERS, type CheckerDefinition, type CheckStats, type Citation, type TraceChecker, type Verdict, type Violation } from './check/index.ts';
export { LatencyHistogram, type MetricResult, type Percentiles, type TraceMetric } from './metrics/index.ts';
// Running: one world to its summary, a determinism check, checking a trace file.
export { execute, type PreparedRun, type RunSummary, type ExecuteOptions } from './exec/run.ts';
export { checkDeterminism, type DeterminismReport, type Divergence } from './exec/determinism.ts';
export { checkTraceFile } from './exec/check-trace.ts';
export { VERSION } from './exec/version.ts';
// Plug-ins (a scenario's `plugins:`): a feature descriptor, the types its hooks see, the sections
// it augments (`declare module 'diaspora-sim' { interface FeatureSections { … } }`), the scenario's
// field types (written units and names) and zod itself for its section's schema — the copy the
// scenario schema is made with, so a plug-in needs no dependency of its own.
export { defineFeature, type Feature, type BuildContext, type ResolveContext, type Report, type ServiceClient } from './scenario/feature.ts';
// The cross-check messages the built-in features use, so a plug-in's errors read like theirs.
export { checkPlacement, unknownNode, unknownSite, type Names } from './scenario/name-messages.ts';
export { suggestion } from './scenario/suggest.ts';
export type { Path } from './scenario/paths.ts';
export type { Scenario, FeatureSections } from './scenario/types.ts';
export type { ScenarioFields, WrittenSections } from './scenario/written-types.ts';
export * as fields from './scenario/fields.ts';
export * as z from 'zod';

/**
 * The scenario layer: YAML scenario files in, validated and resolved `Scenario` values out, and
 * the resolution of a scenario into a runnable world.
 *
 * Guarantee: a `Scenario` obtained here satisfies every documented rule (units converted to
 * integers, defaults applied, every reference resolved); see `types.ts` for its shape.
 * Failure: anything wrong with what the user wrote surfaces as an `InputError` with one located
 * line per problem (`load.ts`).
 */
export { loadScenario, loadScenarioAsync, loadScenarioFile, loadScenarioFileAsync, loadScenarioPlugins, locateInFile, readScenarioText } from './load.ts';
export { scenarioSchema, DISK_PRESETS, type ScenarioInput } from './schema.ts';
export { renderScenarioJsonSchema, scenarioJsonSchema, SCHEMA_FILE } from './json-schema.ts';
export { buildRun, type BuildOptions, type PreparedRun } from './build.ts';
export { prepareRun, type PrepareOptions } from './prepare.ts';
export { checkerNamed, checkers, features } from './registry.ts';
export { fileKindOf, loadPlugins, namesPluginModule, PLUGIN_ENDINGS } from './plugin-load.ts';
export { defineFeature, type Feature, type BuildContext, type ResolveContext, type Report, type ServiceClient } from './feature.ts';
export { renderScenarioYaml, writtenScenario } from './written.ts';
export { checkSetsOnce, normaliseSet, setOfField, shownSet } from './overrides.ts';
export { writtenFault } from './faults/render.ts';
export {
  type UnitResult,
  formatBandwidth,
  formatDuration,
  formatSize,
  parseBandwidth,
  parseDuration,
  parseProbability,
  parseRate,
  parseSize,
  tryReadBandwidth,
  tryReadDuration,
  tryReadProbability,
  tryReadRate,
  tryReadSize,
} from './units.ts';
export {
  DISK_KINDS,
  PARTITION_DIRECTIONS,
  SITE_ROLES,
  type CheckName,
  type DiskKind,
  type DiskSpec,
  type FaultSpec,
  type FlushPolicy,
  type LanSpec,
  type LinkSpec,
  type NodeCrashSpec,
  type NodeSpec,
  type PartitionDirection,
  type PartitionSpec,
  type ProducerSpec,
  type Scenario,
  type ServiceSpec,
  type SiteRole,
  type SiteSpec,
} from './types.ts';
export { checkWorkBudget, DEFAULT_MAX_EVENTS, estimateWork, type WorkEstimate } from './work-estimate.ts';

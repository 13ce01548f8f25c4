/**
 * The built-in features' build sides (scenario/feature.ts `FeatureBuild`), by feature name: the
 * part of each that imports its actors. Only building a world imports this list
 * (scenario/build.ts), so reading and validating a scenario — the registry, the schema, the
 * cross-checks and resolution, which see the descriptors in features/index.ts — does not load them.
 * (Validation loads only the light actor modules — settings, names, message sizes — that scenario
 * sides take from other features through those features' index.ts; test/cli/bundle.test.ts lists them.)
 *
 * Guarantee: every built-in feature that spawns anything is here under its own name
 * (test/scenario/feature-builds.test.ts), and its descriptor carries none of the build side, so a
 * feature is built from here or not at all. How it breaks: a build side listed under another name
 * is never called — its actors are missing from every run, which that test and every scenario's
 * trace hash show.
 */
import type { FeatureBuild } from '../scenario/feature.ts';
import { ALERTS_BUILD } from './alerts/scenario/build.ts';
import { FEDERATED_BUILD } from './federated/scenario/build.ts';
import { FORWARD_BUILD } from './forward/scenario/build.ts';
import { LOG_BUILD } from './log/scenario/build.ts';
import { PIPELINE_BUILD } from './pipeline/scenario/build.ts';
import { RAFT_BUILD } from './raft/scenario/build.ts';
import { STORE_BUILD } from './store/scenario/build.ts';

export const BUILTIN_BUILDS: ReadonlyMap<string, FeatureBuild> = new Map([
  ['store', STORE_BUILD],
  ['log', LOG_BUILD],
  ['forward', FORWARD_BUILD],
  ['federated', FEDERATED_BUILD],
  ['alerts', ALERTS_BUILD],
  ['pipeline', PIPELINE_BUILD],
  ['raft', RAFT_BUILD],
]);

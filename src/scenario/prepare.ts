/**
 * `prepareRun`: a scenario's world for a seed (build.ts), with the fault-free references its
 * features measure recalled from the cache on disk (reference-cache.ts) — what every Node command
 * builds a run with. The lab, in a browser, calls `buildRun` directly and measures them.
 *
 * Guarantee: the world and its trace hash are `buildRun`'s; the cache only saves time.
 */
import { buildRun, type BuildOptions, type PreparedRun } from './build.ts';
import { defaultCacheDir, recallReference, type ReferenceCacheMode } from './reference-cache.ts';
import { anyPluginLoaded } from './registry.ts';
import type { Scenario } from './types.ts';

export interface PrepareOptions extends Omit<BuildOptions, 'recall'> {
  /**
   * How the fault-free reference a feature measures is cached (reference-cache.ts): `use` by
   * default, in the directory the environment names; `refresh` recomputes it (a determinism check
   * must run it, not recall it).
   */
  referenceCache?: { readonly mode: ReferenceCacheMode; readonly dir?: string };
}

export function prepareRun(scenario: Scenario, options: PrepareOptions): PreparedRun {
  const { referenceCache, ...rest } = options;
  // A plug-in's code is not in the cache key (code-stamp.ts): with one loaded, nothing is recalled.
  const mode = (): ReferenceCacheMode => (anyPluginLoaded() ? 'off' : (referenceCache?.mode ?? 'use'));
  return buildRun(scenario, {
    ...rest,
    recall: (request, measure) => recallReference({ ...request, mode: mode(), dir: referenceCache?.dir ?? defaultCacheDir() }, measure),
  });
}

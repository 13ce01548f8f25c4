/**
 * The fault-free reference of a scenario, without the cache: what a reference run runs, and how a
 * measured value is handed back (through JSON, as a cached one would be — reference-cache.ts).
 * Pure, so that a build in a browser (the lab) measures references as the CLI does.
 *
 * Guarantee: `computeReference` returns what `recallReference` would recall, byte for byte. How it
 * fails: a measured value that is not JSON data throws (a feature's bug).
 */
import type { Scenario } from './types.ts';

/** The scenario without any fault, schedule or nemesis, and without checks: what the reference run runs. */
export function faultFree(scenario: Scenario): Scenario {
  const { nemesis: _nemesis, ...rest } = scenario;
  return { ...rest, faults: [], checks: [] };
}

/** How a build uses the cache: `use` recalls and stores; `refresh` computes, then stores (a determinism check); `off` neither. */
export type ReferenceCacheMode = 'use' | 'refresh' | 'off';

/** What a feature asks of a build: `measure` run on the reference of this scenario and seed, for `purpose`. */
export type ReferenceRecall = <T>(request: { readonly scenario: Scenario; readonly seed: number; readonly purpose: string }, measure: () => T) => T;

/** Measures every time, without a cache. */
export function computeReference<T>(measure: () => T): T {
  const json = JSON.stringify(measure());
  if (json === undefined) throw new Error('reference: the measured value is not JSON data');
  return JSON.parse(json) as T;
}

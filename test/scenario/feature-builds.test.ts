/**
 * The built-in features' build sides (features/builds.ts) and their descriptors (features/index.ts)
 * split a feature in two, joined by name when a world is built (scenario/build.ts). These tests
 * hold the split together: a build side listed under a name no built-in has would never run, a
 * feature with sections but no build side would build nothing, and a descriptor that kept a part
 * of its build side would be shadowed by the listed one.
 */
import test from 'ava';
import { BUILTIN_BUILDS } from '../../src/features/builds.ts';
import { BUILTIN_FEATURES } from '../../src/features/index.ts';

test('every build side is listed under the name of a built-in feature', (t) => {
  const names = BUILTIN_FEATURES.map((feature) => feature.name);
  t.deepEqual([...BUILTIN_BUILDS.keys()].filter((name) => !names.includes(name)), []);
});

test('every built-in feature that adds sections or services has a build side', (t) => {
  const adding = BUILTIN_FEATURES.filter((feature) => Object.keys(feature.sections ?? {}).length > 0 || (feature.services ?? []).length > 0);
  t.deepEqual(adding.map((feature) => feature.name).filter((name) => BUILTIN_BUILDS.get(name)?.build === undefined), []);
});

test("no built-in descriptor keeps a part of its build side (the listed one would shadow it)", (t) => {
  const kept = BUILTIN_FEATURES.flatMap((feature) => (['build', 'serviceClients', 'coveragePaths'] as const).filter((key) => feature[key] !== undefined).map((key) => `${feature.name}.${key}`));
  t.deepEqual(kept, []);
});

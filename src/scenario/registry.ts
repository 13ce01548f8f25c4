/**
 * The features a scenario may use: the built-in ones, then plug-ins loaded from the modules a
 * scenario file names (`plugins: [./token-ring.ts]`), in load order. Everything that reads a
 * scenario — the schema, cross-checks, resolution, the world builder, the checker list — folds over
 * `features()`, so a plug-in is a feature like any other.
 *
 * Guarantee: registration order is fixed (built-ins in `BUILTIN_FEATURES` order, then plug-ins in
 * the order they were first loaded), so the world a scenario builds — and its trace hash — does not
 * depend on which process loads it. Loading the same module twice registers it once.
 *
 * How it fails: a plug-in module that cannot be imported, whose default export is not a feature,
 * or that reuses a feature name, section key, service kind or checker name is an `InputError`
 * naming the module and the clash.
 */
import { CORE_CHECKERS, type CheckerDefinition } from '../check/index.ts';
import { BUILTIN_FEATURES } from '../features/index.ts';
import { InputError } from '../kernel/contract/index.ts';
import type { Feature } from './feature.ts';
import { suggestion } from './suggest.ts';

const registered: Feature[] = [];
/** Plug-in module path → its feature. */
const plugins = new Map<string, Feature>();
let version = 0;

for (const feature of BUILTIN_FEATURES) register(feature, 'built-in');

/** Every registered feature, built-ins first. */
export function features(): readonly Feature[] {
  return registered;
}

/** Bumped at every registration: memoised assemblies (the schema) rebuild when it changes. */
export function registryVersion(): number {
  return version;
}

/** Every checker a scenario can name in `checks:`, core ones first. */
export function checkers(): ReadonlyMap<string, CheckerDefinition> {
  return new Map([...CORE_CHECKERS, ...registered.flatMap((feature) => feature.checkers ?? [])].map((checker) => [checker.name, checker]));
}

/** The checker of that name; `flag` (e.g. `--check`) names where an unknown one was given. */
export function checkerNamed(name: string, flag?: string): CheckerDefinition {
  const known = checkers();
  const checker = known.get(name);
  if (checker === undefined) throw new InputError(`${flag === undefined ? '' : `${flag} ${name}: `}unknown check "${name}"${suggestion(name, [...known.keys()], '', 'known checks')}`);
  return checker;
}

/** Whether any plug-in is registered in this process (its code is outside the package's). */
export function anyPluginLoaded(): boolean {
  return plugins.size > 0;
}

/** Whether every given plug-in module is loaded. */
export function pluginsLoaded(paths: readonly string[]): boolean {
  return paths.every((path) => plugins.has(path));
}

/** Registers a plug-in module's feature (plugin-load.ts imports it); a path already loaded is ignored. */
export function registerPlugin(path: string, feature: Feature): void {
  if (plugins.has(path)) return;
  register(feature, path);
  plugins.set(path, feature);
}

function register(feature: Feature, source: string): void {
  const clash = (what: string, name: string, owner: Feature) =>
    new InputError(`${source === 'built-in' ? 'feature' : `plugin ${source}:`} ${feature.name} adds ${what} "${name}", which feature "${owner.name}" already has`);
  for (const other of registered) {
    if (other.name === feature.name) throw clash('the feature name', feature.name, other);
    for (const key of Object.keys(feature.sections ?? {})) if (key in (other.sections ?? {})) throw clash('the section', key, other);
    for (const kind of serviceKinds(feature)) if (serviceKinds(other).includes(kind)) throw clash('the service kind', kind, other);
    for (const checker of feature.checkers ?? []) if ((other.checkers ?? []).some((c) => c.name === checker.name)) throw clash('the check', checker.name, other);
  }
  for (const checker of feature.checkers ?? []) if (CORE_CHECKERS.some((c) => c.name === checker.name)) throw new InputError(`feature ${feature.name} adds the check "${checker.name}", which is a core check`);
  registered.push(feature);
  version++;
}

/** The `kind` literals of a feature's service schemas. */
export function serviceKinds(feature: Feature): string[] {
  return (feature.services ?? []).map((schema) => String((schema.shape as { kind: { value: unknown } }).kind.value));
}

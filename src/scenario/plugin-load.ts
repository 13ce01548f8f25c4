/**
 * Loading plug-in modules (`plugins: [./token-ring.ts]`): imports each file and registers its
 * default export as a feature (registry.ts). Node only — a browser bundle (the lab) uses the
 * registry without this module, with the built-in features.
 *
 * How it fails: a module that cannot be imported, or whose default export is not a feature, is an
 * `InputError` naming the module; a clash with a registered feature is the registry's.
 */
import { statSync } from 'node:fs';
import { extname, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../kernel/contract/index.ts';
import type { Feature } from './feature.ts';
import { preparePluginImports } from './plugin-imports.ts';
import { pluginsLoaded, registerPlugin } from './registry.ts';

/**
 * The endings a plug-in module's file may have: TypeScript or JavaScript, as an ES module. Not
 * `.cjs` / `.cts`, though Node and tsx import them: a CommonJS module cannot `require` diaspora-sim
 * (an ES module in TypeScript; Node 20 fails with "request for './kernel/contract/index.ts' is not
 * in cache"), so it could not call `defineFeature` nor build an actor with the package's helpers,
 * and a compiled `.cts`'s `export default` arrives as `module.exports.default`. Such a file is
 * refused by its ending, saying so (`fileKindOf`).
 */
export const PLUGIN_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

const COMMONJS = /^\.c[jt]s$/i;

/** `.ts, .mts, .js or .mjs`, for messages. */
export const PLUGIN_ENDINGS = `${PLUGIN_EXTENSIONS.slice(0, -1).join(', ')} or ${PLUGIN_EXTENSIONS.at(-1)}`;

/** Whether `path` is named as a plug-in module is (a `.yaml` is a scenario, not a plug-in). */
export function namesPluginModule(path: string): boolean {
  return (PLUGIN_EXTENSIONS as readonly string[]).includes(extname(path));
}

/** What a file seems to be by its name, for a message: `a scenario file`, `a .json file`. */
export function fileKindOf(path: string): string {
  const extension = extname(path);
  if (/^\.ya?ml$/i.test(extension)) return 'a scenario file';
  if (COMMONJS.test(extension)) return `a CommonJS module (${extension})`;
  return extension === '' ? 'a file without an ending' : `a ${extension} file`;
}

/**
 * Imports plug-in modules (absolute paths of `.ts` or `.js` files) and registers their default
 * export. TypeScript plug-ins need a TypeScript loader in the process: from source the `diaspora`
 * command and its workers have one; compiled, `preparePluginImports` adds it. A refusal names a
 * plug-in as `named` says (`plugin <absolute path>`; a command whose user typed the path names it so).
 */
export async function loadPlugins(paths: readonly string[], named: (path: string) => string = (path) => `plugin ${path}`): Promise<void> {
  for (const path of paths) {
    if (pluginsLoaded([path])) continue;
    if (!isAbsolute(path)) throw new Error(`loadPlugins: "${path}" is not an absolute path`);
    const plugin = named(path);
    const kind = statSync(path, { throwIfNoEntry: false });
    if (kind === undefined) throw new InputError(`${plugin}: no such file`);
    if (kind.isDirectory()) throw new InputError(`${plugin}: a directory; name the plug-in's module file (${PLUGIN_ENDINGS})`);
    // Node's own refusal ("Unknown file extension") would not say what a plug-in is.
    if (!namesPluginModule(path)) throw new InputError(`${plugin}: ${fileKindOf(path)}, not a plug-in module${whatAPluginIs(extname(path))}`);
    let module: { default?: unknown };
    try {
      await preparePluginImports();
      module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (error) {
      throw new InputError(`${plugin}: cannot be loaded${loadedAsCommonJs(error) ? ESM_HINT : ''}: ${firstLine(error)}${lineIn(error, path)}`);
    }
    const feature = module.default;
    if (!isFeature(feature)) throw new InputError(`${plugin}: its default export must be a feature made with defineFeature({ name, … }) from 'diaspora-sim'`);
    registerPlugin(path, feature);
  }
}

/** What a plug-in module is, said to one who named another file; to a CommonJS one, why it is not. */
function whatAPluginIs(extension: string): string {
  return COMMONJS.test(extension) ? `: it could not import diaspora-sim, an ES module; write it as one (.m${extension.slice(2)})` : ` (a ${PLUGIN_ENDINGS} file exporting defineFeature({ … }))`;
}

function isFeature(value: unknown): value is Feature {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}

/**
 * Node (and tsx after it) loads a `.ts` or `.js` file outside an ES-module package as CommonJS,
 * which cannot import `diaspora-sim`: its error then speaks of `require`, never of the cause.
 */
function loadedAsCommonJs(error: unknown): boolean {
  return error instanceof Error && /\brequire\b/.test(error.message);
}

const ESM_HINT = ' as an ES module (name it .mts or .mjs, or put a package.json saying "type": "module" beside it)';

/** ` (line N of the plug-in)` when the error's stack points into the plug-in's file, else nothing. */
function lineIn(error: unknown, path: string): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const name of [pathToFileURL(path).href, path]) {
    const at = stack.indexOf(`${name}:`);
    const line = at === -1 ? undefined : /^:(\d+)/.exec(stack.slice(at + name.length))?.[1];
    if (line !== undefined) return ` (line ${line} of the plug-in)`;
  }
  return '';
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

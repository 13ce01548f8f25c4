/**
 * The file a worker thread starts from, in both forms of the package (see package-layout.ts).
 *
 * From source, Node 20 does not apply its creator's module hooks to a worker thread, so a worker
 * starts from a plain-JS shim (worker-shim.mjs) that installs a TypeScript loader (tsx, or the
 * hooks its creator names: source-hooks.mjs) and then imports the TypeScript entry named in
 * `workerData.entry` (a piscina pool loads a shim that re-exports its module). Bundled, a worker
 * starts from its entry module in dist/ directly and loads no TypeScript loader.
 *
 * How it fails: an entry missing from the running form (a module the build does not list as an
 * entry) fails the worker with ERR_MODULE_NOT_FOUND naming it, reported by the worker's `error` event.
 */
import { packageFile, packageModule, RUNS_COMPILED } from '../package-layout.ts';

/** The file to start a worker with whose entry module is `entry` (also passed as `workerData.entry`). */
export function workerFile(entry: URL): URL {
  return RUNS_COMPILED ? entry : packageFile('src/exec/worker-shim.mjs');
}

/**
 * The module a piscina pool's workers load, by source paths from the package root: `source`'s
 * entry when bundled; from source, `shim` (a plain-JS file that installs the TypeScript loader and
 * re-exports what `source` exports).
 */
export function poolModule(source: string, shim: string): URL {
  return RUNS_COMPILED ? packageModule(source) : packageFile(shim);
}

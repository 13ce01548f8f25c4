/**
 * The file a worker thread starts from, in both forms of the package (see package-layout.ts).
 *
 * From source, Node 20 does not apply tsx's hooks to worker threads, so a worker starts from a
 * plain-JS shim (worker-shim.mjs) that registers tsx and then imports the TypeScript entry named
 * in `workerData.entry` (a piscina pool loads a shim that re-exports its module). Compiled, a
 * worker starts from its entry module in dist/ directly and never loads tsx.
 *
 * How it fails: an entry missing from the running form (a `.ts` file not compiled) fails the
 * worker with ERR_MODULE_NOT_FOUND naming it, reported by the worker's `error` event.
 */
import { RUNS_COMPILED } from '../package-layout.ts';

/** A module beside `moduleUrl` named by its source file (`./x.ts`): `./x.js` when compiled. */
export function siblingModule(source: string, moduleUrl: string): URL {
  return new URL(RUNS_COMPILED ? source.replace(/\.ts$/, '.js') : source, moduleUrl);
}

/** The file to start a worker with whose entry module is `entry` (also passed as `workerData.entry`). */
export function workerFile(entry: URL): URL {
  return RUNS_COMPILED ? entry : new URL('./worker-shim.mjs', import.meta.url);
}

/**
 * The module a piscina pool's workers load: `source` itself when compiled; from source, `shim`
 * (a plain-JS file beside it that registers tsx and re-exports what `source` exports).
 */
export function poolModule(source: string, shim: string, moduleUrl: string): URL {
  return RUNS_COMPILED ? siblingModule(source, moduleUrl) : new URL(shim, moduleUrl);
}

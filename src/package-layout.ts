/**
 * Where this package's files are, whichever form of it is running: the TypeScript sources
 * (`<root>/src/**.ts`, through tsx — development, tests, benchmarks) or the bundled JavaScript
 * (`<root>/dist/` — the installed CLI; `npm run build`, scripts/build.mjs).
 *
 * Bundled, a module's code lands in whichever output file the bundler chose (an entry or a shared
 * chunk), so its own `import.meta.url` says nothing about where its source was. Every file the
 * package reads at run time (package.json, viz/, scenarios/, a browser script in src/) is
 * therefore named from the package root (`packageFile`), and every module started by URL — a
 * worker's entry, a world recipe, a loader hook, the index plug-ins import — by its source path
 * (`packageModule`), which the bundle keeps as an entry of its own at the same path in dist/.
 *
 * Guarantee: from source, `packageFile(p)` and `packageModule(p)` are `<root>/p`. Bundled, the root
 * is the folder holding `dist/`. How it fails: bundled code outside a `dist/` folder (copied
 * elsewhere) throws when this module loads, naming where it runs; a module named to
 * `packageModule` that the build does not make an entry of fails its import with
 * ERR_MODULE_NOT_FOUND naming it (test/cli/bundle.test.ts checks every one is built).
 */

/** True when this module runs bundled (dist/), false when it runs from its TypeScript source. */
export const RUNS_COMPILED = !new URL(import.meta.url).pathname.endsWith('.ts');

/** The package root (a folder URL, ending in `/`). */
export const PACKAGE_ROOT: URL = RUNS_COMPILED ? bundleRoot(import.meta.url) : new URL('../', import.meta.url);

/** The folder that holds the `dist/` this bundled file lies in. */
function bundleRoot(url: string): URL {
  const at = url.lastIndexOf('/dist/');
  if (at < 0) throw new Error(`${url} runs bundled but is not under a dist/ folder`);
  return new URL(url.slice(0, at + 1));
}

/** A file (or, ending in `/`, a folder) of the package as shipped, by its path from the root: `viz/`, `package.json`. */
export function packageFile(path: string): URL {
  return new URL(path, PACKAGE_ROOT);
}

/**
 * The module that runs for the source module at `source` (`src/exec/sweep-cell.ts`): the source
 * itself, or bundled its entry `dist/src/exec/sweep-cell.js` (scripts/build.mjs lists the entries).
 */
export function packageModule(source: string): URL {
  return packageFile(RUNS_COMPILED ? `dist/${source.replace(/\.ts$/, '.js')}` : source);
}

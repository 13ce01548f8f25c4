/**
 * Where this package's files are, whichever form of it is running: the TypeScript sources
 * (`<root>/src/**.ts`, through tsx — development, tests, benchmarks) or the compiled JavaScript
 * (`<root>/dist/src/**.js` — the installed CLI; `npm run build`, see tsconfig.build.json).
 *
 * dist/ mirrors the package root, so a compiled module sits one folder deeper than its source.
 * Files a module reads at run time — package.json, the timeline page's sources in viz/, a browser
 * script beside the module — are not compiled; `besideSource` finds them where they are.
 *
 * Guarantee: from source, `besideSource(path, import.meta.url)` is exactly
 * `new URL(path, import.meta.url)`. How it fails: a compiled module outside `<root>/dist/` (copied
 * elsewhere) throws at the first lookup, naming the module.
 */

/** True when this module runs compiled (dist/), false when it runs from its TypeScript source. */
export const RUNS_COMPILED = !new URL(import.meta.url).pathname.endsWith('.ts');

/** `<root>/dist/` when compiled; unused from source. */
const DIST = new URL('../', import.meta.url).href;

/**
 * `path` resolved against the source location of the module at `moduleUrl` (pass
 * `import.meta.url`): the same file from source and from dist/.
 */
export function besideSource(path: string, moduleUrl: string): URL {
  if (!RUNS_COMPILED) return new URL(path, moduleUrl);
  if (!moduleUrl.startsWith(DIST)) throw new Error(`${moduleUrl} runs compiled but is not under ${DIST}`);
  return new URL(path, new URL(moduleUrl.slice(DIST.length), new URL('../', DIST)));
}

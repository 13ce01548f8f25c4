/**
 * Builds the lab's two scripts with esbuild, for the browser: the worker (src/lab/worker.ts — the
 * kernel, world, faults, features and checkers, the same modules `diaspora run` uses) and the page
 * (viz/lab/app.ts, on the timeline's viz/ modules). `platform: 'browser'` with no Node shims: a
 * module on the way that imports `node:*` fails the build, naming the importer — the seams that
 * keep files, hashes and plug-in loading out of the run's path are what lets it pass.
 *
 * Guarantee: each script is built once per process and is self-contained (an IIFE, no import).
 */
import { fileURLToPath } from 'node:url';
import { packageFile } from '../package-layout.ts';

const WORKER_ENTRY = fileURLToPath(packageFile('src/lab/worker.ts'));
const PAGE_ENTRY = fileURLToPath(packageFile('viz/lab/app.ts'));

const built = new Map<string, Promise<string>>();

/** The worker script. */
export function bundleWorker(): Promise<string> {
  return once(WORKER_ENTRY);
}

/** The page script (d3 is a global of the page, as in the timeline). */
export function bundlePage(): Promise<string> {
  return once(PAGE_ENTRY);
}

function once(entry: string): Promise<string> {
  let bundle = built.get(entry);
  if (bundle === undefined) {
    bundle = build(entry).catch((error: unknown) => {
      built.delete(entry);
      throw error;
    });
    built.set(entry, bundle);
  }
  return bundle;
}

async function build(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    // The scenario's zod schema is large; minifying whitespace keeps the worker quick to load.
    minifyWhitespace: true,
  });
  return result.outputFiles[0]!.text;
}

/**
 * Turns the page's TypeScript modules (`viz/**.ts`) into classic scripts to inline in the HTML —
 * the page (entry `viz/ui/app.ts`), the script that starts decoding (`viz/ui/start-load.ts`) and
 * the decoder Worker's source (`viz/wire/decode-worker.ts`) — with esbuild: types stripped (no type checking — `tsc` does that for the
 * repository), modules joined into one immediately-invoked function, so there is no `import` that
 * a page opened from disk could not load.
 *
 * Guarantee: only modules reachable from the entry are included, each once, in the order ES module
 * evaluation gives. How it fails: an import that would make the page load something from outside
 * `viz/` (a package, a file elsewhere in the repository) fails the build with the importing file
 * named, since the page must carry everything it runs; d3 is a global of the page, imported for
 * types only.
 */
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { packageFile } from '../../package-layout.ts';

// viz/ is read at run time, from the package root, also when this module runs compiled (dist/).
export const VIZ_DIR = fileURLToPath(packageFile('viz/'));

/** The scripts a page carries, by entry module under `viz/`. */
export const ENTRIES = { app: 'ui/app.ts', startLoad: 'ui/start-load.ts', decoder: 'wire/decode-worker.ts' } as const;
export type Entry = keyof typeof ENTRIES;

/** Rejects every import that does not resolve to a file inside `viz/`. */
const insideViz: Plugin = {
  name: 'inside-viz',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const target = resolve(args.resolveDir, args.path);
      const local = (args.path.startsWith('./') || args.path.startsWith('../')) && target.startsWith(VIZ_DIR);
      if (local) return undefined;
      const from = relative(VIZ_DIR, args.importer).split(sep).join('/');
      return { errors: [{ text: `viz/${from} imports "${args.path}"; the page can only load modules inside viz/` }] };
    });
  },
};

const bundles = new Map<Entry, Promise<string>>();

/** One of the page's scripts (the page script itself by default); each built once per process. */
export function bundleViz(entry: Entry = 'app'): Promise<string> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = build(ENTRIES[entry]).catch((error: unknown) => {
      bundles.delete(entry);
      throw error;
    });
    bundles.set(entry, bundle);
  }
  return bundle;
}

async function build(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [resolve(VIZ_DIR, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'silent',
    plugins: [insideViz],
  });
  return result.outputFiles[0].text;
}

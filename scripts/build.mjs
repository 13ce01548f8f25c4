// `npm run build` (run by `prepare`, so `npm install`, `npm ci` and `npm pack` build too): bundles
// src/ into dist/ with esbuild (type checking is `npm run typecheck`), from a clean dist/.
//
// Why a bundle: every `diaspora` start loaded ≈ 450 modules one by one (our ≈ 290, zod's ≈ 95,
// yaml's, yargs') — most of a start's CPU, paid hundreds of times by a sweep's cell timelines or
// the test suite. Bundled, a command loads a few files. Each command module stays a chunk loaded
// only when that command runs (code splitting: `--version` and `--help` load none of the
// simulator). Every module started by URL rather than imported — a worker thread's entry, a world
// recipe, the plug-in loader hook, the index plug-ins import as `diaspora-sim` — is an entry of its
// own, at its source path in dist/ (`src/exec/sweep-cell.ts` → `dist/src/exec/sweep-cell.js`), so
// package-layout.ts's `packageModule` finds it; entries share chunks, so a plug-in gets the very
// modules the command runs. Files read at run time (viz/, scenarios/) are found from the package
// root, never beside a module (package-layout.ts).
//
// The entries and the packages left outside are listed in build-entries.mjs. Left outside the
// bundle, imported from node_modules as they are: tsx (a loader, registered by plug-in loading), esbuild (a native binary; the viz and lab pages are bundled at run time),
// piscina (starts its own worker file from beside itself), playwright-core (the gallery's browser).
// The other dependencies are bundled as installed when the build ran: `npm install` and `npm ci`
// build again.
//
// Last, it writes dist/BUILT: the fingerprint of its inputs (src/, the viz/ files src/ imports,
// this script and its entry list, the lock files) as they were when the build started, and that
// start as its date. bin/diaspora.mjs runs dist/ only while it matches them (see
// bin/dist-current.mjs), so an input edited during or after the build is never hidden behind
// stale JavaScript. A build that fails, or that bundled a file outside those inputs and
// node_modules/ (esbuild's metafile), leaves no dist/BUILT, so dist/ is not used.
//
// `--if-stale` (run by `npm test`) builds only when dist/ is not current: the tests start the real
// `diaspora` command hundreds of times, and through tsx each start costs several times the CPU it
// costs from dist/; the build costs a second or two.
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUILT, distIsCurrent, isInput, sourceFingerprint } from '../bin/dist-current.mjs';
import { ENTRIES, EXTERNAL } from './build-entries.mjs';

await main();

async function main() {
  if (process.argv.includes('--if-stale') && distIsCurrent()) {
    process.stdout.write('build: dist/ is current, not built again\n');
    return;
  }
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const started = new Date();
  const fingerprint = sourceFingerprint();
  rmSync(dist, { recursive: true, force: true });
  const esbuild = await import('esbuild');
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      outbase: '.',
      outdir: dist,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      // The CommonJS packages bundled (cli-progress, hdr-histogram-js) call `require` for Node's
      // own modules, which an ES module does not have.
      banner: { js: "import { createRequire as __diasporaRequire } from 'node:module';\nconst require = __diasporaRequire(import.meta.url);" },
      logLevel: 'warning',
      metafile: true,
    });
  } catch (error) {
    process.stderr.write(`build: esbuild failed (${error.message.split('\n')[0]}); dist/ is incomplete and will not be used\n`);
    process.exit(1);
  }
  // dist/ counts as current while the fingerprinted inputs are unchanged: every other file bundled must be a dependency.
  const unwatched = Object.keys(result.metafile.inputs).filter((input) => !isInput(input) && !/(^|\/)node_modules\//.test(input));
  if (unwatched.length > 0) {
    process.stderr.write(`build: ${unwatched.join(', ')} bundled but not among bin/dist-current.mjs INPUTS, so an edit to it would leave dist/ "current"; add it there. dist/ will not be used\n`);
    process.exit(1);
  }
  writeFileSync(BUILT, `${fingerprint}\nbuilt from its inputs (bin/dist-current.mjs) as they were at ${started.toISOString()}\n`);
  utimesSync(BUILT, started, started);
}

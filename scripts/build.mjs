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
// build again — zod without its translations (englishOnlyZod below), string-width evaluated on
// first use (lazyStringWidth below).
//
// Last, it writes dist/BUILT: the digest of every input (bin/dist-current.mjs) as the build read
// it — each file esbuild loaded outside node_modules/ (its metafile's inputs), taken from the
// bytes handed to esbuild, and the settings and the build's own files, read when the build
// started — dated to that start. bin/diaspora.mjs runs dist/ only while they match (see
// bin/dist-current.mjs), so an input edited during or after the build is never hidden behind stale
// JavaScript. A build that fails leaves no dist/BUILT, so dist/ is not used.
//
// `--if-stale` (run by `npm test`) builds only when dist/ is not current: the tests start the real
// `diaspora` command hundreds of times, and through tsx each start costs several times the CPU it
// costs from dist/; the build costs a second or two.
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILT, builtRecord, digestOf, distIsCurrent, settingsDigests } from '../bin/dist-current.mjs';
import { ENTRIES, EXTERNAL } from './build-entries.mjs';

/**
 * esbuild's loader for each kind of source file the bundle holds outside node_modules/ (its defaults for them).
 * @type {Record<string, import('esbuild').Loader | undefined>}
 */
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };

await main();

async function main() {
  if (process.argv.includes('--if-stale') && distIsCurrent()) {
    process.stdout.write('build: dist/ is current, not built again\n');
    return;
  }
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const started = new Date();
  const settings = settingsDigests();
  const read = new Map();
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
      plugins: [englishOnlyZod(), lazyStringWidth(), fingerprint(root, read)],
    });
  } catch (error) {
    process.stderr.write(`build: esbuild failed (${/** @type {Error} */ (error).message.split('\n')[0]}); dist/ is incomplete and will not be used\n`);
    process.exit(1);
  }
  // Every file esbuild bundled from outside node_modules/ came through the plug-in, so BUILT lists its digest.
  const unread = Object.keys(result.metafile.inputs).filter((input) => !read.has(input) && !isDependency(input));
  if (unread.length > 0) {
    process.stderr.write(`build: ${unread.join(', ')} bundled without its digest (scripts/build.mjs LOADERS has no loader for it), so an edit to it would leave dist/ "current"; dist/ will not be used\n`);
    process.exit(1);
  }
  writeFileSync(BUILT, builtRecord(new Map([...settings, ...read]), started));
  utimesSync(BUILT, started, started);
}

/**
 * A path (from the root, as the metafile names it) of an installed package's file.
 * @param {string} path
 */
function isDependency(path) {
  return /(^|[\\/])node_modules[\\/]/.test(path);
}

/**
 * A plug-in that bundles zod with its English messages only. zod exports all its translations
 * (`z.locales`, `z.core.locales`: 60 of them, 370 KB, a quarter of the JavaScript every `diaspora
 * run` loaded), and src/index.ts hands plug-ins the whole `z`, so esbuild, which splits by file,
 * put them all in the chunk every command loads. zod speaks English unless told otherwise
 * (`config(en())` in its schemas.js, which imports en.js itself), and so do our messages: the
 * bundle's `locales` hold `en` alone. A plug-in that sets another language (`z.config(z.locales.fr())`)
 * works only from source; none of ours does.
 * @returns {import('esbuild').Plugin}
 */
function englishOnlyZod() {
  return {
    name: 'english-only-zod',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer }) =>
        isDependency(importer) && /[\\/]zod[\\/]/.test(importer) ? { path: join(dirname(importer), '..', 'locales', 'index.js'), namespace: 'zod-english' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'zod-english' }, ({ path }) => ({ contents: "export { default as en } from './en.js';\n", resolveDir: dirname(path), loader: 'js' }));
    },
  };
}

/**
 * A plug-in that defers string-width's evaluation to its first call. yargs, cliui and wrap-ansi
 * import it (two versions) to lay out help text, and at load each copy builds an
 * `Intl.Segmenter` and Unicode-set regular expressions (`/^\p{RGI_Emoji}$/v`): 20–30 ms of every
 * start, `--version` and a one-line input error included, that only `--help` uses. Each of their
 * `import stringWidth from 'string-width'` gets a module whose `stringWidth` requires the real
 * one when first called, which esbuild bundles as a module evaluated on its first `require`.
 * The same function, called with the same arguments; only when its module is evaluated changes.
 * @returns {import('esbuild').Plugin}
 */
function lazyStringWidth() {
  return {
    name: 'lazy-string-width',
    setup(build) {
      build.onResolve({ filter: /^string-width$/ }, async ({ importer, kind, resolveDir, pluginData }) => {
        // CommonJS importers (cli-progress) already evaluate it when they are first required.
        if (kind !== 'import-statement' || !isDependency(importer) || pluginData === 'real') return undefined;
        const real = await build.resolve('string-width', { kind, importer, resolveDir, pluginData: 'real' });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: 'lazy-string-width' };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, ({ path }) => ({
        contents: `let width;\nexport default function stringWidth(string, options) {\n  width ??= require(${JSON.stringify(path)}).default;\n  return width(string, options);\n}\n`,
        resolveDir: dirname(path),
        loader: 'js',
      }));
    },
  };
}

/**
 * A plug-in that reads each file outside node_modules/ itself and records the digest of the very
 * bytes esbuild bundles (`read`: path from the root → digest): a file edited while the build runs
 * is then recorded as bundled, not as it is afterwards.
 * @param {string} root
 * @param {Map<string, string>} read
 * @returns {import('esbuild').Plugin}
 */
function fingerprint(root, read) {
  return {
    name: 'fingerprint',
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: 'file' }, ({ path }) => {
        const loader = LOADERS[extname(path)];
        if (isDependency(path) || loader === undefined) return undefined;
        const contents = readFileSync(path);
        read.set(relative(root, path).split(sep).join('/'), digestOf(contents));
        return { contents, loader };
      });
    },
  };
}

// The module hooks that load the project's TypeScript in a test file's thread (registered by
// test/_register-ts.mjs). Only `load`, and only for a `.ts` file of this checkout outside
// node_modules: esbuild strips its types as tsx would (the same options: tsx's own, plus
// tsconfig.json's compilerOptions, so `verbatimModuleSyntax` keeps a value import that is never
// used, and its module still runs). Resolving is Node's own: every relative import names its `.ts`.
//
// Why not tsx: registering tsx in a thread costs ≈ 0.3 s of CPU (its loader and esbuild's API,
// loaded into the hooks thread of every test file's thread), and ava starts one thread per test
// file (bench/README.md "Session 18 — start"). Here esbuild loads only when a file is not yet in
// the cache.
//
// The cache: node_modules/.cache/diaspora-test-ts/<sha1 of esbuild's version, the options (the
// file's path among them: its source map names it) and the source>, written whole under a
// temporary name and renamed, so threads filling it at once never read half a file. A changed
// source or option is another key: a stale entry is never read.
//
// How it breaks: a `.ts` file outside this checkout (a plug-in in a temporary folder), or a
// `.mts`/`.cts`/`.tsx` file, is not ours: Node refuses its extension (ERR_UNKNOWN_FILE_EXTENSION).
// The CLI's own starts load plug-ins through tsx (src/scenario/plugin-imports.ts), not through this.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url).href;
const CACHE = fileURLToPath(new URL('node_modules/.cache/diaspora-test-ts/', ROOT));
const { compilerOptions } = JSON.parse(readFileSync(new URL('tsconfig.json', ROOT), 'utf8'));
const ESBUILD_VERSION = JSON.parse(readFileSync(new URL('node_modules/esbuild/package.json', ROOT), 'utf8')).version;

/** @type {import('esbuild') | undefined} */
let esbuild;

const ours = (url) => url.startsWith(ROOT) && url.endsWith('.ts') && !url.includes('/node_modules/');

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (!ours(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = readFileSync(file, 'utf8');
  /** @type {import('esbuild').TransformOptions} */
  const options = {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    sourcefile: file,
    sourcemap: 'inline',
    sourcesContent: false,
    minifyWhitespace: true,
    keepNames: true,
    tsconfigRaw: { compilerOptions },
  };
  const key = createHash('sha1').update(`${ESBUILD_VERSION}\0${JSON.stringify(options)}\0${source}`).digest('hex');
  const cached = `${CACHE}${key}.js`;
  let code;
  try {
    code = readFileSync(cached, 'utf8');
  } catch {
    esbuild ??= await import('esbuild');
    code = (await esbuild.transform(source, options)).code;
    mkdirSync(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, cached);
  }
  return { format: 'module', source: code, shortCircuit: true };
}

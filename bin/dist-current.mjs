// Whether dist/ holds the bundle of its inputs as they are now (scripts/build.mjs): bin/diaspora.mjs
// runs dist/ only then, and the TypeScript sources through tsx otherwise, so an edited input is
// never hidden behind stale JavaScript. scripts/build.mjs writes dist/BUILT last, dated to when the
// build started: the digest of every input as the build read it, one line each.
//
// The inputs: every file esbuild read outside node_modules/ (its metafile's inputs: src/ and what
// src/ imports from viz/), with the bytes esbuild was given; package.json (esbuild reads its `type`
// and `sideEffects`; npm pack ships it unchanged); and, only in a checkout (CHECKOUT), tsconfig.json
// (esbuild reads its compiler options), the build script and its entry list, and the lock files
// that stand for the dependencies bundled — package-lock.json and node_modules/.package-lock.json,
// which npm rewrites whenever it installs (and `npm install` builds again). npm pack ships none of
// CHECKOUT, so an installed package is judged by the rest alone. Only what the build read is
// listed: a file npm pack drops (`.DS_Store`, `*.orig`) or a source nothing imports is not an input,
// so the package made from a checkout holding one is current once installed.
//
// How it fails: a file under node_modules/ edited by hand, without npm, is not seen; nor is a new
// file that changes what an unchanged import resolves to (an import without its extension, `./x`,
// finding a new `x.ts` before `x/index.ts`) — src/ names every import with its extension.
//
// Cheap first: when no input is newer than dist/BUILT (a checkout built after its last edit),
// dist/ is current — ≈ 300 stats. When some are newer, they were edited, or only re-dated
// (`npm install` writes every file of a package anew; so do copies): then their digests decide —
// reading and hashing them. A failed build leaves no dist/BUILT, and nothing is current without it.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
export const BUILT = join(root, 'dist', 'BUILT');

/** What shapes the bundle besides the files esbuild reads, and is published with it. */
const SETTINGS = ['package.json'];
/** The build's own inputs, only in a checkout (not in package.json `files`): an installed package has none of them. */
const CHECKOUT = ['tsconfig.json', 'scripts/build.mjs', 'scripts/build-entries.mjs', 'package-lock.json', 'node_modules/.package-lock.json'];

/** How dist/BUILT begins; a BUILT of another form (an older build's) is never current. */
const HEAD = 'diaspora-sim bundle: its inputs (bin/dist-current.mjs) as the build started at';

/**
 * The digest of a file's bytes, as dist/BUILT lists it.
 * @param {string | Buffer} bytes
 */
export function digestOf(bytes) {
  // Loaded when first needed: node:crypto costs a start ≈ 20 ms of CPU under load (bench/README,
  // Session 14 — CLI start), and a start whose inputs are all older than dist/BUILT (a checkout
  // built since its last edit) decides on dates alone.
  return require('node:crypto').createHash('sha1').update(bytes).digest('hex');
}

/**
 * The digest of the file at `path` (from the package root, `/`-separated), or `-` when it is missing (it may appear).
 * @param {string} path
 */
function digestOfFile(path) {
  try {
    return digestOf(readFileSync(join(root, path)));
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return '-';
    throw error;
  }
}

/** The digests of the settings and of the build's own inputs, read when a build starts: path → digest. */
export function settingsDigests() {
  return new Map([...SETTINGS, ...CHECKOUT].map((path) => [path, digestOfFile(path)]));
}

/**
 * The text of dist/BUILT for a build started at `started` from `digests` (path from the package root → digest).
 * @param {Map<string, string>} digests
 * @param {Date} started
 */
export function builtRecord(digests, started) {
  const lines = [...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, digest]) => `${digest} ${path}\n`);
  return `${HEAD} ${started.toISOString()}\n${lines.join('')}`;
}

/** A checkout (it has the build script), not an installed package. */
function isCheckout() {
  return statSync(join(root, 'scripts', 'build.mjs'), { throwIfNoEntry: false }) !== undefined;
}

/**
 * The inputs dist/BUILT lists, without the checkout's own in an installed package; undefined for a BUILT of another form.
 * @returns {{ path: string, digest: string }[] | undefined}
 */
function builtInputs() {
  const [head, ...lines] = readFileSync(BUILT, 'utf8').split('\n');
  if (!head.startsWith(HEAD)) return undefined;
  const checkout = isCheckout();
  const inputs = lines.filter((line) => line !== '').map((line) => ({ digest: line.slice(0, line.indexOf(' ')), path: line.slice(line.indexOf(' ') + 1) }));
  return inputs.filter(({ path }) => checkout || !CHECKOUT.includes(path));
}

export function distIsCurrent() {
  const built = statSync(BUILT, { throwIfNoEntry: false });
  if (built === undefined) return false;
  const inputs = builtInputs();
  if (inputs === undefined || !inputs.some(({ path }) => path.startsWith('src/'))) return false;
  /** @param {{ path: string, digest: string }} input */
  const unchanged = ({ path, digest }) => {
    // `root` ends with a separator and `path` is relative: joined by hand, since path.join's
    // normalising, run cold on ≈ 400 paths, was half of this check's CPU (≈ 30 -> 12 ms per start under load).
    const stat = statSync(root + path, { throwIfNoEntry: false });
    return stat === undefined ? digest === '-' : digest !== '-' && stat.mtimeMs <= built.mtimeMs;
  };
  if (inputs.every(unchanged)) return true;
  return inputs.every(({ path, digest }) => digestOfFile(path) === digest);
}

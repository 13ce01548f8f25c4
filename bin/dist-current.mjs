// Whether dist/ holds the bundle of its inputs as they are now (scripts/build.mjs): bin/diaspora.mjs
// runs dist/ only then, and the TypeScript sources through tsx otherwise, so an edited input is
// never hidden behind stale JavaScript. scripts/build.mjs writes dist/BUILT last, dated to when the
// build started, with a fingerprint of the inputs it bundled.
//
// The inputs (INPUTS): src/; what src/ imports from viz/ (the wire format, the lab's protocol);
// the build script and its entry list; and the dependencies bundled, through the lock files —
// package-lock.json and node_modules/.package-lock.json, which npm rewrites whenever it installs
// (and `npm install` builds again). The last four exist only in a checkout: an installed package
// (npm pack ships neither scripts/ nor the lock files) is judged by the shipped inputs alone. The build refuses to finish when esbuild reports an input
// outside INPUTS and node_modules/, so a new import from elsewhere cannot go unwatched. How it
// fails: a file under node_modules/ edited by hand, without npm, is not seen.
//
// Cheap first: when no input is newer than dist/BUILT (a checkout built after its last edit),
// dist/ is current — ≈ 380 stats, ≈ 7 ms of CPU. When some are newer, they were edited, or only
// re-dated (`npm install` writes every file of a package anew; so do copies): then the inputs'
// fingerprint decides — reading and hashing them, ≈ 11 ms more. A failed build leaves no
// dist/BUILT, and nothing is current without it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const BUILT = join(root, 'dist', 'BUILT');

/** What the bundle is made of apart from node_modules/ and is published with it: folders and files, from the package root. */
const SHIPPED = ['src/', 'viz/wire/', 'viz/lab/protocol.ts'];
/** The build's own inputs, only in a checkout (not in package.json `files`): an installed package has none of them. */
const CHECKOUT = ['scripts/build.mjs', 'scripts/build-entries.mjs', 'package-lock.json', 'node_modules/.package-lock.json'];
export const INPUTS = [...SHIPPED, ...CHECKOUT];

/** Whether a path from the package root (`/`-separated) is one of INPUTS or lies in one. */
export function isInput(path) {
  return INPUTS.some((input) => (input.endsWith('/') ? path.startsWith(input) : path === input));
}

/** A checkout (it has the build script), not an installed package. */
function isCheckout() {
  return statSync(join(root, CHECKOUT[0]), { throwIfNoEntry: false }) !== undefined;
}

/** Every input file, by its path from the root, in name order (a missing one as itself: it may appear). */
function inputFiles(inputs = isCheckout() ? INPUTS : SHIPPED) {
  const files = [];
  const walk = (dir) => {
    const entries = readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.isDirectory()) walk(`${dir}${entry.name}/`);
      else files.push(`${dir}${entry.name}`);
    }
  };
  for (const input of inputs) {
    if (input.endsWith('/')) walk(input);
    else files.push(input);
  }
  return files;
}

/** SHA-1 over each file of `inputs` — its path and its bytes, or that it is missing. */
function fingerprintOf(inputs) {
  const hash = createHash('sha1');
  for (const file of inputFiles(inputs)) {
    const bytes = statSync(join(root, file), { throwIfNoEntry: false }) === undefined ? '\0missing' : readFileSync(join(root, file));
    hash.update(`${file}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/**
 * The first line of dist/BUILT: `inputs <shipped> <checkout>`, the fingerprints of the shipped
 * inputs and of the build's own (`-` in an installed package, which is compared by the first only).
 */
export function sourceFingerprint() {
  return `inputs ${fingerprintOf(SHIPPED)} ${isCheckout() ? fingerprintOf(CHECKOUT) : '-'}`;
}

export function distIsCurrent() {
  const built = statSync(BUILT, { throwIfNoEntry: false });
  if (built === undefined) return false;
  const fresh = inputFiles().every((file) => (statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0) <= built.mtimeMs);
  if (fresh) return true;
  const [, shipped, checkout] = readFileSync(BUILT, 'utf8').split('\n')[0].split(' ');
  const [, nowShipped, nowCheckout] = sourceFingerprint().split(' ');
  return shipped === nowShipped && (nowCheckout === '-' || checkout === nowCheckout);
}

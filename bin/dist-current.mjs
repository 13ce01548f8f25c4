// Whether dist/ holds the bundle of src/ as it is now (scripts/build.mjs): bin/diaspora.mjs runs dist/ only
// then, and the TypeScript sources through tsx otherwise, so an edited source is never hidden
// behind stale JavaScript. scripts/build.mjs writes dist/BUILT last, dated to when the build
// started, with a fingerprint of the sources it bundled.
//
// Cheap first: when no file under src/ is newer than dist/BUILT (a checkout built after its last
// edit), dist/ is current — ≈ 360 stats, ≈ 7 ms of CPU. When some are newer, they were edited, or
// only re-dated (`npm install` writes every file of a package anew; so do copies): then the
// sources' fingerprint decides — reading and hashing them, ≈ 11 ms more. A failed build leaves no
// dist/BUILT, and nothing is current without it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(root, 'src');
export const BUILT = join(root, 'dist', 'BUILT');

/** Latest modification time (ms) of the files below a folder (folders are dated by whoever made them). */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** SHA-1 over every file under src/ — its path and its bytes — in name order: the first line of dist/BUILT. */
export function sourceFingerprint() {
  const hash = createHash('sha1');
  const walk = (dir, prefix) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else hash.update(`${prefix}${entry.name}\0`).update(readFileSync(path));
    }
  };
  walk(SRC, 'src/');
  return `src ${hash.digest('hex')}`;
}

export function distIsCurrent() {
  const built = statSync(BUILT, { throwIfNoEntry: false });
  if (built === undefined) return false;
  if (newest(SRC) <= built.mtimeMs) return true;
  return readFileSync(BUILT, 'utf8').split('\n')[0] === sourceFingerprint();
}

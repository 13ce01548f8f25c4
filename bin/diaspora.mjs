#!/usr/bin/env node
// The `diaspora` command. It runs the compiled JavaScript in dist/ (`npm run build`, which
// `npm install` and `npm ci` run) while dist/ is current: built (dist/BUILT exists) from the
// sources as they are now (no file under src/ is newer than dist/BUILT). Otherwise — no build, or
// a source edited or added since — it runs the TypeScript sources through tsx, so an edit is never
// silently ignored. Folders are not compared: an installed package's folders are dated by the
// install, its files by the tarball. The check stats every file under src/: a few ms (≈ 360 files: ≈ 7 ms of CPU).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Latest modification time (ms) of the files below a folder. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function distIsCurrent() {
  const built = statSync(join(root, 'dist', 'BUILT'), { throwIfNoEntry: false });
  return built !== undefined && newest(join(root, 'src')) <= built.mtimeMs;
}

if (distIsCurrent()) {
  await import('../dist/src/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

// `npm run build` (run by `prepare`, so `npm install`, `npm ci` and `npm pack` build too): compiles
// src/ to dist/ with tsc, emit only (type checking is `npm run typecheck`), from a clean dist/.
//
// Last, it writes dist/BUILT: the fingerprint of the sources as they were when the build started,
// and that start as its date. bin/diaspora.mjs runs dist/ only while it matches src/ (see
// bin/dist-current.mjs), so a source edited during or after the build is never hidden behind
// stale JavaScript. A build that fails leaves no dist/BUILT, so dist/ is not used.
//
// `--if-stale` (run by `npm test`) builds only when dist/ is not current: the tests start the real
// `diaspora` command hundreds of times, and through tsx each start costs about twice the CPU it
// costs from dist/ (test/cli/damaged-runs: 61 s of CPU against 27 s); the build costs seconds.
import { spawnSync } from 'node:child_process';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BUILT, distIsCurrent, sourceFingerprint } from '../bin/dist-current.mjs';

if (process.argv.includes('--if-stale') && distIsCurrent()) process.exit(0);

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const started = new Date();
const fingerprint = sourceFingerprint();
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(`build: tsc failed (${result.status ?? result.signal}); dist/ is incomplete and will not be used\n`);
  process.exit(1);
}
writeFileSync(BUILT, `${fingerprint}\nbuilt from src/ as it was at ${started.toISOString()}\n`);
utimesSync(BUILT, started, started);

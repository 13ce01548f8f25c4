/**
 * The identity of the code that is running, as a hex digest: what a cached result computed by
 * this code must be keyed by (reference-cache.ts), so that no edit, build, upgrade or runtime
 * change can ever bring back a result another code computed.
 *
 * It hashes every file of the TypeScript sources (`src/` beside the package, whichever form runs:
 * from source through tsx, or bundled in `dist/`), the package's own package.json, the installed
 * version of each runtime dependency (the bundler, esbuild, among them), and the Node version and
 * architecture (V8's `Math` is promised bit-identical per Node version only). Both forms stamp
 * alike, so they share cache entries: that is exact because the CLI runs dist/ only while it is the
 * build of src/ as it is (bin/dist-current.mjs), and the build is a function of src/, the build
 * script and the installed dependencies (the bundled ones included: `npm install` builds again).
 *
 * Guarantee: equal stamps mean byte-identical sources, dependency versions and runtime. It errs
 * on the side of change: an edited comment is a new stamp. How it fails: a file that cannot be
 * read throws (the caller then does without the cache); a dependency that cannot be resolved is
 * stamped as such, which is still a stamp of its own. A bundled copy run without its sources
 * beside it (or imported directly while they are edited), or a bundle left from before a
 * dependency was upgraded without `npm install` building, is the configuration it cannot see.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../package-layout.ts';

/** The TypeScript sources, `<root>/src/`, from source and from dist/ alike. */
const TREE = fileURLToPath(packageFile('src/'));

let stamp: string | undefined;

/** The running code's digest, computed once per process (≈ 300 files, a few tens of ms). */
export function codeStamp(): string {
  stamp ??= computeStamp();
  return stamp;
}

function computeStamp(): string {
  const hash = createHash('sha256');
  const add = (label: string, bytes: string | Buffer) => {
    hash.update(`${label}\u0000${bytes.length}\u0000`);
    hash.update(bytes);
  };
  for (const file of filesUnder(TREE)) add(relative(TREE, file), readFileSync(file));
  const packageJson = findPackageJson(TREE);
  const manifest = readFileSync(packageJson);
  add('package.json', manifest);
  const dependencies = Object.keys((JSON.parse(manifest.toString('utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {}).sort();
  for (const name of dependencies) add(`dependency ${name}`, installedVersion(name));
  add('runtime', `${process.version} ${process.arch}`);
  return hash.digest('hex');
}

/** Every file below `dir`, in a fixed order (sorted names at each level). */
function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** The nearest package.json at or above `dir`. */
function findPackageJson(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(at) === at) throw new Error(`code stamp: no package.json above ${dir}`);
  }
}

/** `name@version` of a dependency as this module resolves it, or a mark that it does not resolve. */
function installedVersion(name: string): string {
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve(name));
  } catch {
    return `${name} unresolved`;
  }
  // Walk up from the entry point to the dependency's own package.json (not a nested one without a name).
  for (let at = dirname(entry); dirname(at) !== at; at = dirname(at)) {
    const candidate = join(at, 'package.json');
    if (!existsSync(candidate)) continue;
    const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === name) return `${name}@${manifest.version ?? 'unversioned'}`;
  }
  return `${name} without package.json`;
}

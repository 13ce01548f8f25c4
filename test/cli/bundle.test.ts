/**
 * The bundled command (scripts/build.mjs) finds what it starts and reads. Bundled, a module's code
 * lands in an output file the bundler chose, so nothing in src/ may locate a file from its own
 * `import.meta.url` (only package-layout.ts, which finds the package root); every module started
 * by path must be an entry of the bundle; every file read from the package must be shipped.
 * That the bundle then runs — workers, recipes, plug-ins — is what the CLI tests check, as
 * `npm test` builds dist/ before them.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ENTRIES } from '../../scripts/build-entries.mjs';
import { ROOT } from './cli.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const code = sources(join(ROOT, 'src')).map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
const named = (pattern: RegExp) => [...new Set(code.flatMap(({ text }) => [...text.matchAll(pattern)].map((m) => m[1]!)))].sort();

test('no module but package-layout.ts locates anything from its own import.meta.url', (t) => {
  const users = code.filter(({ file, text }) => file !== join('src', 'package-layout.ts') && /import\.meta\.(url|dirname|filename)|__dirname|__filename/.test(text));
  t.deepEqual(users.map(({ file }) => file), []);
});

test('every module started by path (packageModule, poolModule) is an entry of the bundle', (t) => {
  const modules = named(/(?:packageModule|poolModule)\('([^']+)'/g);
  t.true(modules.length >= 6, modules.join(' '));
  for (const module of modules) {
    t.true(existsSync(join(ROOT, module)), `${module} exists`);
    t.true(ENTRIES.includes(module), `${module} is in scripts/build-entries.mjs ENTRIES`);
  }
});

test('every file read from the package (packageFile) exists and is in the published files', (t) => {
  const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const read = named(/packageFile\('([^']+)'/g);
  t.true(read.length >= 5, read.join(' '));
  for (const file of read) {
    t.true(existsSync(join(ROOT, file)), `${file} exists`);
    // npm always packs package.json; the rest must lie under a folder of `files`.
    t.true(file === 'package.json' || files.some((f) => file.startsWith(f)), `${file} is published (package.json files)`);
  }
});

test('the build runs when started through a symlinked path to the checkout', (t) => {
  // Node resolves the link in import.meta.url but not in process.argv[1]: a guard comparing the two did nothing, and exited 0.
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-build-link-'));
  try {
    const link = join(dir, 'checkout');
    symlinkSync(ROOT, link, 'dir');
    const started = Date.now();
    const out = execFileSync(process.execPath, [join(link, 'scripts', 'build.mjs'), '--if-stale'], { encoding: 'utf8' });
    const built = statSync(join(ROOT, 'dist', 'BUILT'), { throwIfNoEntry: false });
    // Either dist/ was current (and the build says so) or it was built now.
    t.true(out.includes('dist/ is current') || (built !== undefined && built.mtimeMs >= started - 1000), out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

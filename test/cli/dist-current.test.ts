/**
 * dist/ counts as current only while every input of the bundle is as it was built
 * (bin/dist-current.mjs): src/, the viz/ files src/ imports (wire format, lab protocol), the build
 * script and its entry list, and the lock files that stand for the bundled dependencies. Run on a
 * copy of bin/dist-current.mjs in a small package tree of its own, so nothing of the checkout is touched.
 */
import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './cli.ts';

interface DistCurrent {
  BUILT: string;
  isInput(path: string): boolean;
  sourceFingerprint(): string;
  distIsCurrent(): boolean;
}

const FILES = ['src/cli/main.ts', 'viz/wire/wire.ts', 'viz/lab/protocol.ts', 'scripts/build.mjs', 'scripts/build-entries.mjs', 'package-lock.json', 'node_modules/.package-lock.json'];

test('an edit to any input of the bundle, in src/ or not, makes dist/ stale; the same bytes re-dated do not', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'diaspora-dist-current-'));
  try {
    const write = (file: string, text: string, atSeconds: number) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
      utimesSync(join(root, file), atSeconds, atSeconds);
    };
    for (const file of FILES) write(file, `// ${file}\n`, 1_000);
    mkdirSync(join(root, 'bin'));
    copyFileSync(join(ROOT, 'bin', 'dist-current.mjs'), join(root, 'bin', 'dist-current.mjs'));
    const check = (await import(pathToFileURL(join(root, 'bin', 'dist-current.mjs')).href)) as DistCurrent;
    mkdirSync(dirname(check.BUILT), { recursive: true });
    writeFileSync(check.BUILT, `${check.sourceFingerprint()}\n`);
    utimesSync(check.BUILT, 2_000, 2_000);
    t.true(check.distIsCurrent(), 'as built');
    let at = 3_000;
    for (const file of FILES) {
      write(file, `// ${file}, edited\n`, at++);
      t.false(check.distIsCurrent(), `${file} edited`);
      // Back to the built bytes, dated after the build (a copy, a checkout): the fingerprint decides.
      write(file, `// ${file}\n`, at++);
      t.true(check.distIsCurrent(), `${file} re-dated only`);
    }
    write('viz/wire/new-codec.ts', '// new\n', at++);
    t.false(check.distIsCurrent(), 'a file added to viz/wire');
    rmSync(join(root, 'viz/wire/new-codec.ts'));
    t.true(check.distIsCurrent(), 'and removed');
    // Installed from npm pack's tarball: no scripts/, no lock files, every file re-dated. Still current; an edit is not.
    for (const file of ['scripts/build.mjs', 'scripts/build-entries.mjs', 'package-lock.json', 'node_modules/.package-lock.json']) rmSync(join(root, file));
    write('src/cli/main.ts', '// src/cli/main.ts\n', at++);
    t.true(check.distIsCurrent(), 'an installed package, re-dated');
    write('viz/lab/protocol.ts', '// edited\n', at++);
    t.false(check.distIsCurrent(), 'an installed package, edited');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('every file src/ imports from outside src/ (not a package) is an input of the fingerprint', async (t) => {
  const check = (await import(pathToFileURL(join(ROOT, 'bin', 'dist-current.mjs')).href)) as DistCurrent;
  const outside = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/\bfrom '(\.[^']+)'/g)) {
          const target = relative(ROOT, join(dirname(path), m[1]!)).split(sep).join('/');
          if (!target.startsWith('src/')) outside.add(target);
        }
      }
    }
  };
  walk(join(ROOT, 'src'));
  t.true([...outside].some((file) => file.startsWith('viz/wire/')), [...outside].join(' '));
  for (const file of outside) t.true(check.isInput(file), `${file} is fingerprinted`);
});

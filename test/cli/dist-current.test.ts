/**
 * dist/ counts as current only while every input of the bundle is as the build read it
 * (bin/dist-current.mjs): the files esbuild bundled, package.json, and in a checkout tsconfig.json,
 * the build script and its entry list, and the lock files that stand for the bundled dependencies.
 * Run on a copy of bin/dist-current.mjs in a small package tree of its own, so nothing of the
 * checkout is touched. That a real build records what it read, and that the package npm pack makes
 * of it is current once installed, is test/cli/bundle.test.ts's.
 */
import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runCommand } from './cli.ts';

interface DistCurrent {
  BUILT: string;
  digestOf(bytes: string | Buffer): string;
  settingsDigests(): Map<string, string>;
  builtRecord(digests: Map<string, string>, started: Date): string;
  distIsCurrent(): boolean;
}

/** What the build read: two bundled files (as its esbuild plug-in records them), then the settings and the checkout's own files. */
const BUNDLED = ['src/cli/main.ts', 'viz/wire/wire.ts'];
const CHECKOUT = ['tsconfig.json', 'scripts/build.mjs', 'scripts/build-entries.mjs', 'package-lock.json', 'node_modules/.package-lock.json'];
const FILES = [...BUNDLED, 'package.json', ...CHECKOUT];

/** A package tree of FILES dated 1,000 s with a copy of bin/dist-current.mjs, and its dist/BUILT as a build at 2,000 s records it. */
async function builtTree() {
  const root = mkdtempSync(join(tmpdir(), 'diaspora-dist-current-'));
  const write = (file: string, text: string, atSeconds: number) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
    utimesSync(join(root, file), atSeconds, atSeconds);
  };
  for (const file of FILES) write(file, `// ${file}\n`, 1_000);
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'dist-current.mjs'), join(root, 'bin', 'dist-current.mjs'));
  const check = (await import(pathToFileURL(join(root, 'bin', 'dist-current.mjs')).href)) as DistCurrent;
  const digests = check.settingsDigests();
  // What settingsDigests gave, before the bundled files' digests join it.
  const settings = [...digests.keys()];
  for (const file of BUNDLED) digests.set(file, check.digestOf(readFileSync(join(root, file))));
  mkdirSync(dirname(check.BUILT), { recursive: true });
  writeFileSync(check.BUILT, check.builtRecord(digests, new Date(2_000_000)));
  utimesSync(check.BUILT, 2_000, 2_000);
  return { root, write, check, settings };
}

test('an edit to any input of the bundle, settings included, makes dist/ stale; the same bytes re-dated, or a file the build did not read, do not', async (t) => {
  const { root, write, check, settings } = await builtTree();
  try {
    t.deepEqual(settings.sort(), ['package.json', ...CHECKOUT].sort(), 'the settings and the build’s own files');
    t.true(check.distIsCurrent(), 'as built');
    let at = 3_000;
    for (const file of FILES) {
      write(file, `// ${file}, edited\n`, at++);
      t.false(check.distIsCurrent(), `${file} edited`);
      // Back to the built bytes, dated after the build (a copy, a checkout): the digests decide.
      write(file, `// ${file}\n`, at++);
      t.true(check.distIsCurrent(), `${file} re-dated only`);
    }
    // Files the build did not read: what npm pack drops, a source nothing imports. Neither is an input.
    for (const file of ['src/.DS_Store', 'src/cli/main.ts.orig', 'viz/wire/new-codec.ts']) write(file, '// not bundled\n', at++);
    t.true(check.distIsCurrent(), 'files the build did not read');
    // A bundled file removed, though older than BUILT, is not as built.
    rmSync(join(root, 'viz/wire/wire.ts'));
    t.false(check.distIsCurrent(), 'a bundled file removed');
    write('viz/wire/wire.ts', '// viz/wire/wire.ts\n', 1_000);
    t.true(check.distIsCurrent(), 'and back');
    // Installed from npm pack's tarball: none of the checkout's files, every file re-dated. Still current; an edit is not.
    for (const file of CHECKOUT) rmSync(join(root, file));
    write('src/cli/main.ts', '// src/cli/main.ts\n', at++);
    t.true(check.distIsCurrent(), 'an installed package, re-dated');
    write('package.json', '{}\n', at++);
    t.false(check.distIsCurrent(), 'an installed package, package.json edited');
    // A BUILT of another form (an older build's) is never current.
    writeFileSync(check.BUILT, 'inputs 3d24c33e 48b22e5f\n');
    t.false(check.distIsCurrent(), 'an older form of BUILT');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a start whose inputs are all older than dist/BUILT decides on dates alone, without loading node:crypto', async (t) => {
  const { root, write } = await builtTree();
  try {
    const probe = "const { distIsCurrent } = await import('./bin/dist-current.mjs'); console.log(JSON.stringify([distIsCurrent(), process.moduleLoadList.some((m) => /\\bcrypto\\b/.test(m))]));";
    const start = async () => JSON.parse((await runCommand(process.execPath, ['--input-type=module', '-e', probe], root)).stdout) as [boolean, boolean];
    t.deepEqual(await start(), [true, false], 'dates decide');
    write('src/cli/main.ts', '// src/cli/main.ts\n', 3_000);
    t.deepEqual(await start(), [true, true], 'an input re-dated: its digest decides (and the probe sees node:crypto)');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

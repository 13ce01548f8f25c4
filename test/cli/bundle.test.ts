/**
 * The bundled command (scripts/build.mjs) finds what it starts and reads. Bundled, a module's code
 * lands in an output file the bundler chose, so nothing in src/ may locate a file from its own
 * `import.meta.url` (only package-layout.ts, which finds the package root); every module started
 * by path must be an entry of the bundle; every file read from the package must be shipped (a
 * pool's from-source shim too). Those paths are read from the calls' text, so every argument must
 * be a literal (or a `const` of one): a computed one would escape the checks. The wire format and
 * the lab protocol (viz/wire, viz/lab) are bundled too, so they may not use import.meta either.
 * That the bundle then runs — workers, recipes, plug-ins — is what the CLI tests check, as
 * `npm test` builds dist/ before them; that the package npm pack makes of a checkout runs from its
 * dist/ once installed, the last test here (on a copy of the checkout, built there).
 */
import test from 'ava';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { ENTRIES } from '../../scripts/build-entries.mjs';
import { ROOT, runCommand } from './cli.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const code = sources(join(ROOT, 'src')).map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
/** Bundled with src/ as well: the wire format and the lab's protocol (the CLI imports them), and the pages beside them. */
const bundledViz = ['wire', 'lab'].flatMap((dir) => sources(join(ROOT, 'viz', dir))).map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

/** `const NAME = '<text>'` anywhere in src/: a path named through a constant is checked as its text. */
const constants = new Map(code.flatMap(({ text }) => [...text.matchAll(/\bconst ([A-Z][A-Z0-9_]*) = '([^']*)'/g)].map((m) => [m[1]!, m[2]!] as const)));

/**
 * The helpers' own bodies, which pass their parameters on: package-layout.ts's packageModule, and
 * worker-entry.ts's poolModule. Every other argument must be a literal (or a constant of one).
 */
const PASSED_ON = new Set(['src/package-layout.ts: RUNS_COMPILED ? `dist/${source.replace(/\\.ts$/, \'.js\')}` : source', 'src/exec/worker-entry.ts: source', 'src/exec/worker-entry.ts: shim']);

interface Call {
  readonly where: string;
  /** Each argument's path, or undefined for one that is neither a literal nor a constant of one. */
  readonly paths: (string | undefined)[];
}

/** Every call of `name(...)` in src/ (not its declaration), with its arguments split at top-level commas. */
function calls(name: string): Call[] {
  const found: Call[] = [];
  for (const { file, text: source } of code) {
    // Comments name the helpers too (`packageFile(p)`); only code counts.
    const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
    for (const match of text.matchAll(new RegExp(`(?<!function )\\b${name}\\(`, 'g'))) {
      const args: string[] = [];
      let depth = 0;
      let from = match.index + match[0].length;
      let at = from;
      for (; at < text.length; at++) {
        const c = text[at];
        if (c === '(' || c === '[' || c === '{') depth++;
        else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
        else if (c === ')' || (c === ',' && depth === 0)) {
          args.push(text.slice(from, at).trim());
          from = at + 1;
          if (c === ')') break;
        }
      }
      const where = `${file.split(sep).join('/')}: ${args.join(', ')}`;
      if (args.length === 1 && PASSED_ON.has(where)) continue;
      const paths = args.map((arg) => /^'([^']*)'$/.exec(arg)?.[1] ?? constants.get(arg));
      found.push({ where, paths });
    }
  }
  return found;
}

test('no module but package-layout.ts locates anything from its own import.meta.url', (t) => {
  const users = [...code, ...bundledViz].filter(({ file, text }) => file !== join('src', 'package-layout.ts') && /import\.meta\.(url|dirname|filename)|__dirname|__filename/.test(text));
  t.deepEqual(users.map(({ file }) => file), []);
  t.true(bundledViz.some(({ file }) => file.endsWith('protocol.ts')) && bundledViz.some(({ file }) => file.endsWith('wire.ts')), 'viz/wire and viz/lab are scanned');
});

test('every path given to packageModule, packageFile and poolModule is a literal (or a constant of one)', (t) => {
  const unnamed = ['packageModule', 'packageFile', 'poolModule'].flatMap(calls).filter(({ paths }) => paths.some((path) => path === undefined));
  t.deepEqual(unnamed.map(({ where }) => where), [], 'a computed path escapes the checks below: name it literally');
});

const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
/** npm always packs package.json; the rest must lie under a folder of `files`. */
const published = (file: string) => file === 'package.json' || files.some((f) => file.startsWith(f));

test('every module started by path (packageModule, poolModule) is an entry of the bundle', (t) => {
  const modules = [...new Set([...calls('packageModule'), ...calls('poolModule')].flatMap(({ paths }) => paths[0] ?? []))].sort();
  t.true(modules.length >= 6, modules.join(' '));
  for (const module of modules) {
    t.true(existsSync(join(ROOT, module)), `${module} exists`);
    t.true(ENTRIES.includes(module), `${module} is in scripts/build-entries.mjs ENTRIES`);
  }
});

test("a pool's shim (poolModule's second path), read from source, exists and is published", (t) => {
  const pools = calls('poolModule');
  t.true(pools.length >= 1);
  for (const { where, paths } of pools) {
    t.is(paths.length, 2, where);
    const shim = paths[1];
    if (shim === undefined) continue;
    t.true(existsSync(join(ROOT, shim)), `${shim} exists`);
    t.true(published(shim), `${shim} is published (package.json files)`);
  }
});

test('every file read from the package (packageFile) exists and is in the published files', (t) => {
  const read = [...new Set(calls('packageFile').flatMap(({ paths }) => paths[0] ?? []))].sort();
  t.true(read.length >= 5, read.join(' '));
  for (const file of read) {
    t.true(existsSync(join(ROOT, file)), `${file} exists`);
    t.true(published(file), `${file} is published (package.json files)`);
  }
});

/** What a build and npm pack need of the checkout, copied (dist/ is not: the copy builds its own). */
const CHECKOUT_COPIED = ['bin', 'src', 'viz', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'];

test('the package npm pack makes of a checkout, built through a symlink, runs its CLI from dist/ once installed, though the checkout held files npm pack drops', async (t) => {
  // On a copy of the checkout: a build here never replaces the dist/ other test processes are loading.
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-pack-'));
  const realBuilt = readIfAny(join(ROOT, 'dist', 'BUILT'));
  try {
    const checkout = join(dir, 'checkout');
    for (const entry of CHECKOUT_COPIED) cpSync(join(ROOT, entry), join(checkout, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    // npm pack leaves these out of the package: they must not be inputs of the bundle it ships.
    writeFileSync(join(checkout, 'src', '.DS_Store'), 'Bud1');
    writeFileSync(join(checkout, 'src', 'cli', 'main.ts.orig'), '// a merge leftover\n');
    // Through a symlinked path (Node resolves the link in import.meta.url but not in process.argv[1]: a guard comparing the two did nothing, and exited 0).
    const link = join(dir, 'link');
    symlinkSync(checkout, link, 'dir');
    const build = await runCommand(process.execPath, [join(link, 'scripts', 'build.mjs'), '--if-stale'], dir);
    t.is(build.code, 0, build.stderr);
    t.false(build.stdout.includes('dist/ is current'), build.stdout);
    t.true(existsSync(join(checkout, 'dist', 'BUILT')), 'the copy is built');
    t.is(readIfAny(join(ROOT, 'dist', 'BUILT')), realBuilt, "the checkout's own dist/ is untouched");

    const pack = await runCommand('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], checkout);
    t.is(pack.code, 0, pack.stderr);
    const installed = join(dir, 'installed');
    mkdirSync(installed);
    t.is((await runCommand('tar', ['xzf', join(dir, pack.stdout.trim()), '-C', installed], dir)).code, 0);
    const pkg = join(installed, 'package');
    t.false(existsSync(join(pkg, 'src', '.DS_Store')) || existsSync(join(pkg, 'src', 'cli', 'main.ts.orig')), 'npm pack dropped them');
    // npm install writes every file anew: dated before them, BUILT makes the digests decide.
    utimesSync(join(pkg, 'dist', 'BUILT'), 1_000, 1_000);
    // The dependencies, but not tsx: a start that fell back to the sources would fail to load it.
    mkdirSync(join(installed, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name !== 'tsx' && !name.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', name), join(installed, 'node_modules', name), 'dir');
    }
    const current = await runCommand(process.execPath, ['--input-type=module', '-e', "console.log((await import('./bin/dist-current.mjs')).distIsCurrent())"], pkg);
    t.is(current.stdout.trim(), 'true', current.stderr);
    const bin = join(pkg, 'bin', 'diaspora.mjs');
    const version = await runCommand(process.execPath, [bin, '--version'], dir);
    t.is(version.code, 0, version.stderr);
    const drill = await runCommand(process.execPath, [bin, 'run', join(ROOT, 'scenarios', 'drills', 'chandy-lamport-bank.yaml'), '--workers', '2', '-q', '-o', join(dir, 'run')], dir);
    t.is(drill.code, 0, drill.stderr);
    t.regex(drill.stdout, /PASS chandy-lamport-bank seed 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A file's text, or undefined when there is none. */
function readIfAny(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

// The two tests below read the bundle npm test built (dist/), started directly, not through bin/.

test("the bundle's zod speaks English alone: its other translations are left out (scripts/build.mjs englishOnlyZod)", async (t) => {
  const script = "const { z } = await import('./dist/src/index.js'); console.log(JSON.stringify([Object.keys(z.locales), Object.keys(z.core.locales), z.string().safeParse(1).error.issues[0].message]));";
  const probe = await runCommand(process.execPath, ['--input-type=module', '-e', script], ROOT);
  t.is(probe.code, 0, probe.stderr);
  t.deepEqual(JSON.parse(probe.stdout), [['en'], ['en'], 'Invalid input: expected string, received number']);
});

test('a start evaluates string-width (an Intl.Segmenter per copy) only when help text is laid out (scripts/build.mjs lazyStringWidth)', async (t) => {
  const counting = `data:text/javascript,${encodeURIComponent("let n = 0; const S = Intl.Segmenter; Intl.Segmenter = class extends S { constructor(...a) { super(...a); n++; } }; process.on('exit', () => process.stderr.write(`segmenters ${n}\\n`));")}`;
  const segmenters = async (args: string[]) => {
    const outcome = await runCommand(process.execPath, ['--import', counting, join(ROOT, 'dist', 'src', 'cli', 'main.js'), ...args], ROOT);
    return Number(/segmenters (\d+)/.exec(outcome.stderr)?.[1]);
  };
  t.is(await segmenters(['--version']), 0);
  t.is(await segmenters(['run', '/nonexistent/scenario.yaml']), 0);
  t.true((await segmenters(['run', '--help'])) > 0, 'the probe counts the segmenters help text builds');
});

test("a start that refuses its input formats no number through ICU (toLocaleString's first call sets up ICU's number formatting, ≈ 20 ms)", async (t) => {
  const counting = `data:text/javascript,${encodeURIComponent(
    "let n = 0; const f = Number.prototype.toLocaleString; Number.prototype.toLocaleString = function (...a) { n++; return f.apply(this, a); }; const N = Intl.NumberFormat; Intl.NumberFormat = function (...a) { n++; return new N(...a); }; process.on('exit', () => process.stderr.write(`icu numbers ${n}\\n`));",
  )}`;
  const formatted = async (args: string[]) => {
    const outcome = await runCommand(process.execPath, ['--import', counting, join(ROOT, 'dist', 'src', 'cli', 'main.js'), ...args], ROOT);
    return Number(/icu numbers (\d+)/.exec(outcome.stderr)?.[1]);
  };
  t.is(await formatted(['run', '/nonexistent/scenario.yaml']), 0);
  t.is(await formatted(['sweep', '/nonexistent/scenario.yaml']), 0);
  // Refusals that state a count (red before: both used toLocaleString, s22 review NIT-8).
  t.is(await formatted(['sweep', 'scenarios/beamline-store.yaml', '--param', 'quiesce=10s..1000s:1000', '--param', 'links[0].latency=1ms..100ms:200', '--seeds', '1']), 0, 'too many cells');
  t.is(await formatted(['emulate', 'scenarios/beamline-store.yaml', '--speed', '0.0000001']), 0, 'a --speed too slow');
  t.true((await formatted(['run', 'scenarios/beamline-store.yaml', '--max-events', '5'])) > 0, 'the probe counts a number formatted (the budget message)');
});

/** Each module a start loads, by URL: module hooks run in a thread of their own, so they append to a file. */
const LOADED_HOOKS = `data:text/javascript,${encodeURIComponent("import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { if (url.startsWith('file:')) appendFileSync(process.env.BUNDLE_LOADED, url + '\\n'); return next(url, context); }")}`;
const LOADED_REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(LOADED_HOOKS)});`)}`;

/** The source modules bundled into what `diaspora <args>` loaded (esbuild heads each with a `// path` line); `work` holds the log. */
async function bundledModules(args: string[], work: string) {
  const log = join(work, 'loaded');
  writeFileSync(log, '');
  const outcome = await runCommand(process.execPath, ['--import', LOADED_REGISTER, join(ROOT, 'dist', 'src', 'cli', 'main.js'), ...args], ROOT, { BUNDLE_LOADED: log });
  const urls = readFileSync(log, 'utf8').trim().split('\n');
  return { outcome, modules: urls.flatMap((url) => [...readFileSync(new URL(url), 'utf8').matchAll(/^\/\/ (src\/\S+)$/gm)].map((m) => m[1]!)) };
}

test('a run that refuses its scenario loads no world builder and no actor: the features\' build sides (features/builds.ts) and their actors load once the scenario is valid', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'bundle-loaded-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const bundled = (args: string[]) => bundledModules(args, work);
  const typo = join(work, 'typo.yaml');
  writeFileSync(typo, readFileSync(join(ROOT, 'scenarios', 'beamline-store.yaml'), 'utf8').replace(/latency: (\d+)us/, 'latency: $1uss'));
  /**
   * The actor modules a scenario's schema, cross-checks and names read: settings and their
   * defaults, actor names, message sizes, a strategy's needs — no protocol behaviour.
   */
  const READ_BY_SCHEMAS = new Set(
    ['checkpoint/actors/config', 'checkpoint/actors/strategy-info', 'federated/actors/config', 'forward/actors/config', 'log/actors/config', 'log/actors/messages', 'pipeline/actors/arrivals', 'pipeline/actors/event', 'pipeline/actors/kinds', 'pipeline/actors/service-time', 'pipeline/actors/stream/flow-control', 'pipeline/actors/topology'].map((m) => `src/features/${m}.ts`),
  );
  const builders = (modules: string[]) => modules.filter((m) => m === 'src/scenario/build.ts' || /^src\/features\/[^/]+\/(scenario\/build\.ts$|actors\/)/.test(m)).filter((m) => !READ_BY_SCHEMAS.has(m));
  const refused = await bundled(['run', typo]);
  t.is(refused.outcome.code, 2, refused.outcome.stderr);
  t.deepEqual(builders(refused.modules), []);
  t.deepEqual(builders((await bundled(['run', '/nonexistent/scenario.yaml'])).modules), []);
  const ran = await bundled(['run', 'scenarios/beamline-store.yaml', '--quiet', '--out', join(work, 'run')]);
  t.true(ran.outcome.code === 0 || ran.outcome.code === 1, ran.outcome.stderr); // it ran (the demo's checks fail by design)
  for (const module of ['src/scenario/build.ts', 'src/features/store/scenario/build.ts', 'src/features/store/actors/event-store.ts', 'src/features/log/actors/broker.ts']) t.true(builders(ran.modules).includes(module), `the probe sees ${module}, which a run loads`);
});

test('`run --help`, `sweep --help`, `compare --help` and a refused flag load the command\'s options alone: no scenario reader, no feature (they load when the command runs)', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'bundle-loaded-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  // The scenario reader, the feature registry and any feature (their schemas): what reading a scenario loads.
  const scenarioLayer = (modules: string[]) => modules.filter((m) => m === 'src/scenario/load.ts' || m === 'src/scenario/registry.ts' || m.startsWith('src/features/'));
  for (const command of ['run', 'sweep', 'compare']) {
    const help = await bundledModules([command, '--help'], work);
    t.is(help.outcome.code, 0, help.outcome.stderr);
    t.deepEqual(scenarioLayer(help.modules), [], `${command} --help`);
    const flag = await bundledModules([command, 'scenarios/beamline-store.yaml', '--sed', '3'], work);
    t.is(flag.outcome.code, 2, flag.outcome.stderr);
    t.deepEqual(scenarioLayer(flag.modules), [], `${command} --sed 3`);
  }
  t.true(scenarioLayer((await bundledModules(['run', '/nonexistent/scenario.yaml'], work)).modules).includes('src/scenario/load.ts'), 'the probe sees the scenario layer a run loads');
  t.true(scenarioLayer((await bundledModules(['sweep', '/nonexistent/scenario.yaml'], work)).modules).includes('src/scenario/load.ts'), 'and the one a sweep loads');
});

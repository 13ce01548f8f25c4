/**
 * What a `diaspora` start costs, old tree against new: the CPU time (user + system, from
 * /usr/bin/time) of the paths the test suite starts most — `--version`, `--help`, `run --help`, a missing
 * scenario, a scenario with a unit typo (one error line, exit 2) — and of a whole small run
 * (beamline-store), and the bytes of JavaScript each path loads. Each tree is a checkout built
 * with `npm run build` (a copy of main's, `git worktree add`); `diaspora` runs its dist/ when current.
 *
 *   node --import=tsx bench/cli-start.ts --old /tmp/main-copy [--new .] [--starts 20]
 *
 * The starts alternate old, new, old, new… so both see the same load; per path it prints each
 * tree's median and least CPU time and median wall time, the median over the pairs of new ÷ old,
 * and the ratio of the least CPU times (the least disturbed starts). Bytes loaded are counted once
 * per path and tree by a module hook (each file: URL's source length as Node read it).
 *
 * Wall-clock time is read here on purpose: this is a benchmark, outside the simulation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, table } from './harness.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const oldTree = flag('--old');
if (oldTree === undefined) {
  process.stderr.write('bench/cli-start: --old DIR (a built checkout to compare with) is required\n');
  process.exit(2);
}
const trees = { old: resolve(oldTree), new: resolve(flag('--new') ?? '.') };
const starts = Number(flag('--starts') ?? '20');

// beamline-store with one unit misspelt: the schema error every bad-input test provokes. Without
// the field to misspell, that path would time a whole run (every exit 0–2 is accepted below).
const store = readFileSync(join(trees.new, 'scenarios', 'beamline-store.yaml'), 'utf8');
if (!store.includes('latency: 500us')) {
  process.stderr.write('bench/cli-start: scenarios/beamline-store.yaml has no `latency: 500us` to misspell\n');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'cli-start-'));
const typo = join(work, 'typo.yaml');
writeFileSync(typo, store.replace('latency: 500us', 'latency: 500uss'));
let runs = 0;
const PATHS: Record<string, () => string[]> = {
  '--version': () => ['--version'],
  '--help': () => ['--help'],
  'run --help': () => ['run', '--help'],
  'run /nonexist.yaml': () => ['run', '/nonexist.yaml'],
  'run typo.yaml (unit typo)': () => ['run', typo],
  'run beamline-store.yaml': () => ['run', 'scenarios/beamline-store.yaml', '--quiet', '--out', join(work, `run-${runs++}`)],
};

/** Logs every file module's URL and source length to the file named by CLI_START_LOADED (module hooks run in their own thread). */
const HOOKS = `data:text/javascript,${encodeURIComponent(
  "import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { const r = await next(url, context); if (url.startsWith('file:') && r.source != null) appendFileSync(process.env.CLI_START_LOADED, r.source.length + '\\n'); return r; }",
)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(HOOKS)});`)}`;

function start(tree: string, args: string[], nodeFlags: string[] = [], env: NodeJS.ProcessEnv = process.env): { cpuS: number; wallS: number } {
  const times = join(work, 'times');
  const child = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', times, process.execPath, ...nodeFlags, join(tree, 'bin', 'diaspora.mjs'), ...args], { cwd: tree, env, stdio: 'ignore' });
  if (child.error !== undefined || (child.status !== 0 && child.status !== 1 && child.status !== 2)) {
    process.stderr.write(`bench/cli-start: ${tree}: diaspora ${args.join(' ')} failed (${child.error?.message ?? `exit ${child.status}`})\n`);
    rmSync(work, { recursive: true, force: true });
    process.exit(2);
  }
  const [wallS, userS, systemS] = readFileSync(times, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
  return { cpuS: userS + systemS, wallS };
}

function bytesLoaded(tree: string, args: string[]): number {
  const log = join(work, 'loaded');
  writeFileSync(log, '');
  start(tree, args, ['--import', REGISTER], { ...process.env, CLI_START_LOADED: log });
  return readFileSync(log, 'utf8').trim().split('\n').reduce((sum, line) => sum + Number(line), 0);
}

const rows: string[][] = [];
for (const [path, args] of Object.entries(PATHS)) {
  const cpu = { old: [] as number[], new: [] as number[] };
  const wall = { old: [] as number[], new: [] as number[] };
  for (let i = 0; i < starts; i++) {
    for (const side of ['old', 'new'] as const) {
      const m = start(trees[side], args());
      cpu[side].push(m.cpuS);
      wall[side].push(m.wallS);
    }
  }
  const kib = (side: 'old' | 'new') => `${Math.round(bytesLoaded(trees[side], args()) / 1024)} KiB`;
  const ms = (x: number) => `${Math.round(x * 1000)}`;
  const cpuOf = (side: 'old' | 'new') => `${ms(median(cpu[side]))} (${ms(Math.min(...cpu[side]))}) / ${ms(median(wall[side]))}`;
  const pairs = cpu.new.map((x, i) => x / cpu.old[i]!);
  rows.push([path, cpuOf('old'), cpuOf('new'), median(pairs).toFixed(2), (Math.min(...cpu.new) / Math.min(...cpu.old)).toFixed(2), kib('old'), kib('new')]);
}
rmSync(work, { recursive: true });
const header = ['path', 'old CPU (least) / wall, ms', 'new CPU (least) / wall, ms', 'CPU new ÷ old, median of pairs', 'least new ÷ least old', 'JS loaded old', 'JS loaded new'];
process.stdout.write(`${table(header, rows)}\n`);

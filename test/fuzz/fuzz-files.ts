/**
 * The fuzzer of what stands where a file or directory is expected: a directory passed as a
 * scenario, a run directory that is a file, a dangling symlink, a symlink loop, a path through a
 * file, a name too long for the file system, /dev/null, an empty file, a file without read
 * permission (when not root), a run whose trace.jsonl or summary.json is a directory, and `--out`
 * pointing at any of these — given to run, sweep, check, viz, replay, shrink and merge in this
 * process; plus flags given twice and misplaced `--`, and the cache directory variable
 * (DIASPORA_CACHE) pointing at a file or through one. Each must be refused in one line (exit 2)
 * with nothing written, or run (exit 0 or 1).
 *
 * Guarantee: the same seed gives the same cases. How it fails: it returns findings, one per problem.
 */
import { chmodSync, cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, judgeRefusal } from './harness.ts';
import { random } from './mutate-scenario.ts';
import { ROOT, type Finding } from './fuzz-scenarios.ts';

const DEMO = join(ROOT, 'scenarios/beamline-store.yaml');
const TINY = 'name: tiny\nduration: 1s\nsites:\n  a: { role: hpc, nodes: 1 }\n';

/** The odd things to put where a path is expected, made once under `scratch`. */
function oddPaths(scratch: string, run: string): Record<string, string> {
  mkdirSync(join(scratch, 'a-directory.yaml'), { recursive: true });
  writeFileSync(join(scratch, 'a-file'), TINY);
  writeFileSync(join(scratch, 'empty.yaml'), '');
  const link = (name: string, to: string) => {
    rmSync(join(scratch, name), { force: true });
    symlinkSync(to, join(scratch, name));
    return join(scratch, name);
  };
  const unreadable = join(scratch, 'unreadable.yaml');
  writeFileSync(unreadable, TINY);
  chmodSync(unreadable, 0);
  const traceDir = join(scratch, 'trace-is-a-directory');
  cpSync(run, traceDir, { recursive: true });
  rmSync(join(traceDir, 'trace.jsonl'));
  mkdirSync(join(traceDir, 'trace.jsonl'));
  const summaryDir = join(scratch, 'summary-is-a-directory');
  cpSync(run, summaryDir, { recursive: true });
  rmSync(join(summaryDir, 'summary.json'));
  mkdirSync(join(summaryDir, 'summary.json'));
  return {
    'a directory': join(scratch, 'a-directory.yaml'),
    'a file': join(scratch, 'a-file'),
    'a dangling symlink': link('dangling.yaml', join(scratch, 'nowhere')),
    'a symlink loop': link('loop.yaml', join(scratch, 'loop.yaml')),
    'a path through a file': join(scratch, 'a-file', 'below.yaml'),
    'a name too long': join(scratch, `${'n'.repeat(300)}.yaml`),
    '/dev/null': '/dev/null',
    'an empty file': join(scratch, 'empty.yaml'),
    'a file without read permission': unreadable,
    'a run whose trace.jsonl is a directory': traceDir,
    'a run whose summary.json is a directory': summaryDir,
    'a unicode name with spaces': (() => {
      const path = join(scratch, 'scé nario ✓.yaml');
      writeFileSync(path, TINY);
      return path;
    })(),
  };
}

/** Command lines with `path` where each command expects its file or directory, and as --out. */
function commandsFor(path: string, out: string, tiny: string): string[][] {
  return [
    ['run', path, '--max-events', '1', '--out', out, '--quiet'],
    ['sweep', path, '--param', 'quiesce=10s,20s', '--seeds', '1', '--jobs', '1', '--quiet', '--max-events', '1', '--out', out],
    ['check', path],
    ['viz', path, '-o', join(out, 'x.html')],
    ['viz', path, '--perfetto', '-o', join(out, 'x.json')],
    ['replay', path],
    ['shrink', path, '--out', join(out, 's.yaml')],
    ['merge', path, '--out', out],
    ['run', tiny, '--out', path, '--quiet'],
    ['run', tiny, '--out', join(path, 'below'), '--quiet'],
  ];
}

/** Flags given twice, and `--` where it does not belong. */
function repeatedFlags(out: string, tiny: string): string[][] {
  const study = ['--param', 'quiesce=10s,20s', '--seeds', '1', '--quiet'];
  return [
    ['run', tiny, '--out', out, '--out', `${out}-2`],
    ['run', tiny, '-o', out, '--out', `${out}-2`],
    ['run', tiny, '--seed', '1', '-s', '2', '--out', out],
    ['run', tiny, '--workers', '1', '--workers', '2', '--out', out],
    ['run', tiny, '--max-events', '10', '--max-events', '20', '--out', out],
    ['run', tiny, '--trace', '--trace', '--quiet', '--out', out],
    ['run', tiny, '--json', '--no-json', '--out', out],
    ['sweep', DEMO, ...study, '--jobs', '1', '--jobs', '2', '--out', out],
    ['sweep', DEMO, ...study, '--shard', '0/2', '--shard', '1/2', '--out', out],
    ['sweep', DEMO, ...study, '--seeds', '2', '--out', out],
    ['compare', DEMO, '--strategies', 'none,stream-replay', '--strategies', 'none', '--seeds', '1', '--out', out],
    ['compare', DEMO, '--variant', 'a:quiesce=20s', '--baseline', 'a', '--baseline', 'b', '--seeds', '1', '--out', out],
    ['viz', DEMO, '-o', join(out, 'a.html'), '-o', join(out, 'b.html')],
    ['shrink', out, '--check', 'no-acked-loss', '--check', 'liveness'],
    ['shrink', out, '--probes', '1', '--probes', '2'],
    ['emulate', tiny, '--speed', '10', '--speed', '20', '--out', out],
    ['run', '--', tiny, '--out', out],
    ['run', tiny, '--out', out, '--', '--seed', '3'],
    ['run', tiny, '--out', out, '--', tiny],
    ['run', tiny, '--', '--'],
    ['merge', '--', '-x'],
    ['--', 'run', tiny],
  ];
}

/** Runs `count` of these cases (all when `count` is at least their number); returns the findings. */
export async function fuzzFiles(seed: number, count: number, scratch: string, onCase?: (args: string[], code: number, stderr: string) => void): Promise<{ findings: Finding[]; cases: number; refused: number }> {
  const findings: Finding[] = [];
  mkdirSync(scratch, { recursive: true });
  const tiny = join(scratch, 'tiny.yaml');
  writeFileSync(tiny, TINY);
  const run = join(scratch, 'run');
  const made = await cli(['run', DEMO, '--out', run, '--trace', '--quiet']);
  if (made.code !== 1) return { findings: [{ file: 'setup', mutation: 'run the demo', kind: 'setup', problem: `exit ${made.code}`, message: made.stderr }], cases: 0, refused: 0 };
  const paths = oddPaths(join(scratch, 'odd'), run);
  const cases: { what: string; args: string[]; env?: Record<string, string> }[] = [];
  for (const [what, path] of Object.entries(paths)) for (const args of commandsFor(path, join(scratch, 'out'), tiny)) cases.push({ what, args });
  for (const args of repeatedFlags(join(scratch, 'out'), tiny)) cases.push({ what: 'flags', args });
  for (const cache of [join(scratch, 'tiny.yaml'), join(scratch, 'tiny.yaml', 'below'), '', 'off', join(scratch, 'odd', 'a-directory.yaml')]) {
    cases.push({ what: `DIASPORA_CACHE=${cache}`, args: ['run', join(ROOT, 'scenarios/drills/domino-stream-replay.yaml'), '--out', join(scratch, 'out'), '--quiet'], env: { DIASPORA_CACHE: cache } });
  }
  // A seeded sample in a seeded order, so that a small count still mixes the families.
  const rng = random(seed * 104_729);
  const order = cases.map((c) => ({ c, key: rng() })).sort((a, b) => a.key - b.key).map(({ c }) => c).slice(0, count);
  let refused = 0;
  for (const [i, { what, args, env }] of order.entries()) {
    const out = join(scratch, 'out');
    rmSync(out, { recursive: true, force: true });
    const saved = { ...process.env };
    Object.assign(process.env, env ?? {});
    const r = await cli(args);
    for (const key of Object.keys(env ?? {})) if (saved[key] === undefined) delete process.env[key];
    Object.assign(process.env, saved);
    onCase?.(args, r.code, r.stderr);
    const found = (problem: string) => findings.push({ file: `files#${i}`, mutation: `${what}: ${args.map((a) => a.replace(scratch, '…')).join(' ')}`, kind: args[0]!, problem, message: r.stderr.trimEnd() });
    if (r.code === 2) {
      refused++;
      for (const p of judgeRefusal(r, { input: args.join(' ') })) found(p);
    } else if (r.code !== 0 && r.code !== 1) found(`exit ${r.code}`);
  }
  return { findings, cases: order.length, refused };
}

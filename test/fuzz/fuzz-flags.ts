/**
 * The command-line fuzzer: bad and odd values for the flags users type most — `--set` paths and
 * values, `--seed(s)`, `--workers`, `--jobs`, `--strategies`, `--variant`, `--param`, `--shard`,
 * `--metrics` — and unknown or misplaced flags, each given to the CLI in this process. Every
 * case is judged as a refusal must look (harness.ts) unless the CLI accepts it; then it must have
 * run (exit 0 or 1) and written its directory whole.
 *
 * Guarantee: the cases for a seed are always the same. Cells are kept to one seed and one worker
 * so an accepted study stays small.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, judgeRefusal } from './harness.ts';
import { random } from './mutate-scenario.ts';
import { ROOT, type Finding } from './fuzz-scenarios.ts';

const DEMO = join(ROOT, 'scenarios/beamline-store.yaml');
const XRAY = join(ROOT, 'scenarios/aps-xray.yaml');

const PATHS = ['duration', 'quiesce', 'seed', 'name', 'links[0].latency', 'links[0].bandwidth', 'links[0].loss', 'links[1].latency', 'links[-1].latency', 'links[x].latency', 'sites.hpc.nodes', 'sites.hpc', 'sites.nosuch.nodes', 'services.store.flush', 'services.store.node', 'services.store', 'workload.detector.rate', 'workload.detector.size', 'workload.detector.retries', 'faults[0].at', 'faults[0].for', 'faults[0].target', 'faults[5].at', 'faults', 'checks', 'checks[0]', 'sites..hpc', 'sites.hpc.', '.duration', '__proto__.x', 'constructor.prototype.x', 'links[0]latency', 'links[0].latency.x', 'duration[0]'];
const VALUES = ['', '-1', '0', '1e400', 'NaN', 'abc', '10 ss', '5 min', '-3s', '[1, 2]', '{a: 1}', 'null', '~', '1.5', '[', '{', '"', '*a', '&a x', '!!binary x', '2', '10s', '1h', '9007199254740993', 'every-write', 'nosuch-1', '[no-acked-loss, nosuch]'];
const SEEDS = ['-1', '1.5', 'abc', '1e400', 'NaN', '', '0x10', '9007199254740992', ' 1', '１', '1 2', 'Infinity'];
const SEED_LISTS = ['0', '1..', '..3', '3..1', '1..1e9', 'a..b', '1,,2', '1,1', '1e400', '1..99999999', '', ',', '1..3..5', '5..5', '0..2'];
const COUNTS = ['0', '-1', '1.5', 'abc', '1e9', '', '1025', 'Infinity', '2x'];
const STRATEGIES = ['', ',', 'a', 'none,none', 'none,nosuch', 'stream-replay,', 'NONE,stream-replay', 'none', ' none , stream-replay'];
const VARIANTS = ['x', 'x:', ':a=1', 'a:b', 'a:links[0].latency=zz', 'a:nosuch=1', 'a:quiesce=1s', 'a:,', 'a:quiesce=20s,quiesce=30s', 'a:quiesce=20s'];
const PARAMS = ['x', 'x=', '=1', 'quiesce=', 'quiesce=1s..', 'quiesce=10s..1s', 'quiesce=1s..10s:log:0', 'quiesce=10s..20s:lin:2', 'nosuch=1,2', 'quiesce=10s,10s', 'quiesce=10s,10000ms', 'services.store.flush=1..1e9', 'quiesce=10s..20s:-1', 'quiesce=1e400s', 'seed=1,2', 'quiesce=10s,,20s'];
const SHARDS = ['1/1', '0/0', '-1/2', 'a/b', '2/2', '0/2/3', '0', '1/', '/2', '0.5/2'];
const METRICS = ['nosuch', '', ',', 'recovery,nosuch', 'produce'];

/** One command line for case `i` of `seed`. */
export function flagCase(seed: number, i: number, out: string): string[] {
  const rng = random(seed * 7919 + i);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const study = ['--seeds', '1', '--jobs', '1', '--quiet', '--out', out];
  switch (Math.floor(rng() * 12)) {
    case 0:
    case 1:
    case 2:
      return ['run', DEMO, '--set', `${pick(PATHS)}=${pick(VALUES)}`, '--out', out, '--quiet'];
    case 3:
      return ['run', DEMO, '--seed', pick(SEEDS), '--out', out, '--quiet'];
    case 4:
      return ['run', DEMO, '--workers', pick(COUNTS), '--out', out, '--quiet'];
    case 5:
      return ['compare', DEMO, '--strategies', pick(STRATEGIES), '--seeds', pick(SEED_LISTS), '--jobs', '1', '--quiet', '--out', out];
    case 6:
      return ['compare', XRAY, '--strategies', pick(STRATEGIES), ...study, '--max-events', '1'];
    case 7:
      return ['compare', DEMO, '--variant', pick(VARIANTS), '--variant', pick(VARIANTS), ...study];
    case 8:
      return ['sweep', DEMO, '--param', pick(PARAMS), ...study];
    case 9:
      return ['sweep', DEMO, '--param', 'quiesce=10s,20s', '--shard', pick(SHARDS), ...study];
    case 10:
      return ['compare', DEMO, '--strategies', 'none,stream-replay', '--metrics', pick(METRICS), ...study];
    default:
      return pick([
        ['run', DEMO, '--jobs', '2', '--out', out],
        ['run', DEMO, '--strategies', 'a,b', '--out', out],
        ['sweep', DEMO, '--out', out],
        ['compare', DEMO, '--out', out],
        ['run', DEMO, '--max-events', pick(COUNTS), '--out', out],
        ['run', DEMO, '--seed', '1', '--', '--out', out],
        ['run', `${DEMO}x`, '--out', out],
        ['run', DEMO, '--set', 'duration', '--out', out],
        ['run', DEMO, `--set=${pick(PATHS)}`, '--out', out],
        ['run', '', '--out', out],
        ['merge', '--out', out],
        ['merge', DEMO, '--out', out],
        ['replay', DEMO],
        ['check', DEMO],
        ['viz', DEMO, '-o', join(out, 'x.html')],
        ['compare', DEMO, '--strategies', 'none,stream-replay', '--baseline', 'nosuch', ...study],
        ['run', DEMO, '-x', '--out', out],
        ['run', DEMO, '---seed', '1', '--out', out],
      ]);
  }
}

/** Runs `count` flag cases; returns the findings (one per problem). */
export async function fuzzFlags(seed: number, count: number, scratch: string, onCase?: (args: string[], code: number, stderr: string) => void): Promise<{ findings: Finding[]; cases: number; refused: number }> {
  const findings: Finding[] = [];
  let refused = 0;
  for (let i = 0; i < count; i++) {
    const out = join(scratch, `flags${i}`);
    const args = flagCase(seed, i, out);
    const r = await cli(args);
    onCase?.(args, r.code, r.stderr);
    const what = args.map((a) => a.replace(ROOT, '')).join(' ');
    const found = (problem: string) => findings.push({ file: `flags#${i}`, mutation: what, kind: args[0]!, problem, message: r.stderr.trimEnd() });
    if (r.code === 2) {
      refused++;
      for (const p of judgeRefusal(r, { input: args.join(' '), out })) found(p);
    } else if (r.code === 0 || r.code === 1) {
      if (existsSync(out) && readdirSync(out).length === 0) found('an accepted command left an empty directory');
    } else found(`exit ${r.code}`);
  }
  return { findings, cases: count, refused };
}

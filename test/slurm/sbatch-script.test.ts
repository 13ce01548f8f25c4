/**
 * examples/slurm/sweep.sbatch without Slurm: the script run by bash with the environment Slurm
 * gives an array task, and DIASPORA=echo, so that the command it would run is printed. Each task
 * of an array must get its own slice of the right count (a stepped array too, a rerun of one
 * slice too); what cannot be numbered is refused in one line, exit 2, before anything runs.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../cli/cli.ts';

const SCRIPT = join(ROOT, 'examples/slurm/sweep.sbatch');
const ARGS = ['scenarios/beamline-store.yaml', '--param', 'services.store.flush=1s,5s'];

/** Runs the script as array task `env` would be; Slurm's own variables of this process are left out. */
function task(env: Record<string, string>, args: readonly string[] = ARGS) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SLURM_') && !name.startsWith('DIASPORA')));
  const result = spawnSync('bash', [SCRIPT, ...args], {
    env: { ...inherited, SLURM_ARRAY_JOB_ID: '77', DIASPORA: 'echo', ...env },
    encoding: 'utf8',
  });
  const command = result.stdout.split('\n').find((line) => line.startsWith('sweep '));
  return { status: result.status, stderr: result.stderr, command };
}

const array = (id: number, min: number, max: number, step: number, count: number) => ({
  SLURM_ARRAY_TASK_ID: String(id),
  SLURM_ARRAY_TASK_MIN: String(min),
  SLURM_ARRAY_TASK_MAX: String(max),
  SLURM_ARRAY_TASK_STEP: String(step),
  SLURM_ARRAY_TASK_COUNT: String(count),
});

test('every task of a range, from any first index and with any step, runs its own slice of the array', (t) => {
  const shards = (min: number, step: number, count: number) =>
    Array.from({ length: count }, (_, k) => task(array(min + k * step, min, min + (count - 1) * step, step, count)).command?.match(/--shard (\S+)/)?.[1]);
  t.deepEqual(shards(0, 1, 4), ['0/4', '1/4', '2/4', '3/4']);
  t.deepEqual(shards(1, 1, 3), ['0/3', '1/3', '2/3']);
  // --array=0-6:2 — before, task 6 asked for slice 6 of 4 (refused) and slices 1 and 3 never ran.
  t.deepEqual(shards(0, 2, 4), ['0/4', '1/4', '2/4', '3/4']);
  const { command } = task(array(4, 0, 6, 2, 4));
  t.is(command, `sweep ${ARGS.join(' ')} --shard 2/4 --jobs 1 --out results/sweeps/77/shard-2`);
});

test('a slice rerun alone names the number of slices, and its array index is the slice', (t) => {
  // --array=3 alone is an array of one task: without DIASPORA_SLICES it would be the whole sweep as slice 0 of 1.
  const rerun = task({ ...array(3, 3, 3, 1, 1), DIASPORA_SLICES: '8', DIASPORA_SWEEP_DIR: 'results/sweeps/12' });
  t.is(rerun.command, `sweep ${ARGS.join(' ')} --shard 3/8 --jobs 1 --out results/sweeps/12/shard-3`);
});

const refusals: [string, Record<string, string>, readonly string[], RegExp][] = [
  ['not an array task', {}, ARGS, /^sweep\.sbatch: not a job array task; submit it as one: sbatch --array=0-3 /],
  ['no sweep arguments', array(0, 0, 3, 1, 4), [], /^sweep\.sbatch: no sweep arguments; give them after the script's name/],
  ['--shard given', array(0, 0, 3, 1, 4), [...ARGS, '--shard', '1/2'], /^sweep\.sbatch: --shard is set by the script/],
  ['--out= given', array(0, 0, 3, 1, 4), [...ARGS, '--out=x'], /^sweep\.sbatch: --out=x is set by the script/],
  ['a list of indices (--array=1,3,8)', array(3, 1, 8, 1, 3), ARGS, /^sweep\.sbatch: the array's 3 indices from 1 to 8 are not evenly spaced, so task 3 has no slice number/],
  ['an index past DIASPORA_SLICES', { ...array(9, 9, 9, 1, 1), DIASPORA_SLICES: '8' }, ARGS, /^sweep\.sbatch: array index 9 is not a slice of DIASPORA_SLICES=8 \(slices are numbered 0 to 7\)/],
  ['a lone task with index 3 and no DIASPORA_SLICES (--array=3)', array(3, 3, 3, 1, 1), ARGS, /^sweep\.sbatch: array index 3 alone: to rerun slice 3 of a sweep, name its number of slices/],
  ['an index off the step (3 in --array=0-6:2)', array(3, 0, 6, 2, 4), ARGS, /^sweep\.sbatch: the array's 4 indices from 0 to 6 are not evenly spaced, so task 3 has no slice number/],
  ['an index past the range (8 in --array=0-6:2)', array(8, 0, 6, 2, 4), ARGS, /^sweep\.sbatch: the array's 4 indices from 0 to 6 are not evenly spaced, so task 8 has no slice number/],
  ['DIASPORA_SLICES=0', { ...array(0, 0, 0, 1, 1), DIASPORA_SLICES: '0' }, ARGS, /^sweep\.sbatch: DIASPORA_SLICES is 0/],
  ['an index that is not a number', { SLURM_ARRAY_TASK_ID: '3x' }, ARGS, /^sweep\.sbatch: SLURM_ARRAY_TASK_ID is "3x", not a whole number/],
];

for (const [what, env, args, message] of refusals) {
  test(`refused in one line, exit 2, nothing run: ${what}`, (t) => {
    const result = task(env, args);
    t.is(result.status, 2);
    t.is(result.command, undefined);
    t.regex(result.stderr, message);
    t.is(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  });
}

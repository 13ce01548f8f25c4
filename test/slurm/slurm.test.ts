/**
 * The cluster path against a real Slurm: `test/slurm/setup.sh` installs Debian's slurm-wlm and
 * munge and starts a one-node cluster on localhost; this test submits `examples/slurm/sweep.sbatch`
 * as a job array, waits for it, merges the slices and compares the result, byte for byte, with
 * the same sweep run here without Slurm.
 *
 * When Slurm is not there the test is skipped with the reason in its title — unless CI=true and
 * setup did not leave a working cluster, or setup found Slurm installed but broken: then it fails,
 * so that CI can never pass without having run it.
 */
import test from 'ava';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diaspora, ROOT } from '../cli/cli.ts';
import { scratchDirs } from '../exec/sweep-scratch.ts';

const STATE = process.env.DIASPORA_SLURM_DIR ?? '/tmp/diaspora-slurm';
const SLURM_CONF = join(STATE, 'slurm.conf');
const SETUP = 'test/slurm/setup.sh';
const JOB_TIMEOUT_MS = 150_000;

const SWEEP = [
  'scenarios/beamline-store.yaml',
  '--param', 'links[0].latency=500us,20ms',
  '--variant', 'fsync5s:services.store.flush=5s',
  '--variant', 'everywrite:services.store.flush=every-write',
  '--seeds', '2',
];
const COMPARED = ['report.html', 'report.md', 'results.csv', 'results.json', 'sweep.json'];

type Availability = { ready: true } | { ready: false; fail: boolean; why: string };

function availability(): Availability {
  const status = existsSync(join(STATE, 'status')) ? readFileSync(join(STATE, 'status'), 'utf8').trim() : undefined;
  const ci = process.env.CI === 'true';
  if (status === undefined) return { ready: false, fail: ci, why: `${SETUP} has not run (no ${STATE}/status)` };
  if (status.startsWith('unavailable')) return { ready: false, fail: false, why: status };
  if (status !== 'ready') return { ready: false, fail: true, why: `${SETUP} reported: ${status}` };
  // A status file can outlive its daemons (a reboot, a `setup.sh stop`).
  const ping = spawnSync('scontrol', ['ping'], { env: { ...process.env, SLURM_CONF }, encoding: 'utf8', timeout: 10_000 });
  if (ping.status !== 0 || !/UP/.test(ping.stdout)) return { ready: false, fail: ci, why: `the cluster of ${SETUP} does not answer (run ${SETUP} again)` };
  return { ready: true };
}

const scratch = scratchDirs('diaspora-slurm-');
const slurm = availability();
const TITLE = 'a sweep submitted as a Slurm job array and merged equals the sweep run locally';

if (slurm.ready) {
  test(TITLE, async (t) => {
    t.timeout(JOB_TIMEOUT_MS + 60_000);
    const dir = scratch();
    const sweepDir = join(dir, 'sweep');
    const started = performance.now();
    // Two array tasks of one CPU each, so both run at once on the one node; `--wait` returns when
    // every task has ended, with a non-zero status if one failed.
    const sbatch = await run('sbatch', [
      '--wait', '--array=0-1', '--cpus-per-task=1', `--chdir=${ROOT}`, `--output=${join(dir, 'slurm-%A_%a.out')}`,
      `--export=ALL,DIASPORA_SWEEP_DIR=${sweepDir},DIASPORA=${process.execPath} ${join(ROOT, 'bin/diaspora.mjs')}`,
      'examples/slurm/sweep.sbatch', ...SWEEP,
    ]);
    const logs = readdirSync(dir).filter((f) => f.startsWith('slurm-')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    t.is(sbatch.code, 0, `sbatch: ${sbatch.stdout}${sbatch.stderr}\n${logs}`);
    t.regex(sbatch.stdout, /Submitted batch job \d+/);
    t.regex(logs, /slice 0\/2 of job \d+/);
    t.regex(logs, /slice 1\/2: 4 cells/);
    t.log(`job array: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const merged = join(dir, 'merged');
    const m = await diaspora(['merge', join(sweepDir, 'shard-0'), join(sweepDir, 'shard-1'), '--out', merged]);
    t.is(m.code, 0, m.stderr);
    const local = join(dir, 'local');
    const l = await diaspora(['sweep', ...SWEEP, '--out', local]);
    t.is(l.code, 0, l.stderr);
    // A report names its own directory (in each cell's timeline command): compared without it.
    const placed = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8').replaceAll(dir, '<report dir>');
    for (const file of COMPARED) t.is(placed(merged, file), placed(local, file), file);
  });
} else if (slurm.fail) {
  test(TITLE, (t) => {
    t.fail(`Slurm is required here (CI=true or installed): ${slurm.why}`);
  });
} else {
  test.skip(`${TITLE} — skipped: ${slurm.why}`, () => {});
}

/** Runs a Slurm client against the test cluster; cancels the job if it outlives the timeout. */
function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, SLURM_CONF };
    execFile(command, args, { env, timeout: JOB_TIMEOUT_MS, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error?.killed) {
        const job = /Submitted batch job (\d+)/.exec(stdout)?.[1];
        if (job !== undefined) spawnSync('scancel', [job], { env });
      }
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

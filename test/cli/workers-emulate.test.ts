/** `diaspora run --workers` and `diaspora emulate`, as a user runs them. */
import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diaspora, ROOT } from './cli.ts';

const DEMO = join(ROOT, 'scenarios/beamline-store.yaml');
const DRILL = join(ROOT, 'test/fixtures/conformance/store-crash.yaml');

function scratch(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const hashOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { traceHash: string }).traceHash;

test('--workers 2 writes the same trace hash as one thread, and says how it split the run', async (t) => {
  const dir = scratch(t);
  const one = await diaspora(['run', DEMO, '--out', join(dir, 'one'), '--quiet']);
  const two = await diaspora(['run', DEMO, '--out', join(dir, 'two'), '--workers', '2']);
  t.is(two.code, one.code, two.stderr);
  t.is(hashOf(join(dir, 'two')), hashOf(join(dir, 'one')));
  t.regex(two.stdout, /parallel: 2 partition\(s\) \[beamline \| hpc\], lookahead 500us \(beamline↔hpc\), \d+ windows/);
});

test('a partitioning the world cannot run with is bad input (exit 2), one line, no run directory', async (t) => {
  const dir = scratch(t);
  const r = await diaspora(['run', DEMO, '--out', join(dir, 'run'), '--workers', '2', '--partition-by', 'node']);
  t.is(r.code, 2);
  t.regex(r.stderr, /^--workers 2 --partition-by node: site hpc is split over 2 partitions but has a WAN link/);
  t.is(r.stderr.trim().split('\n').length, 1);
  t.false(existsSync(join(dir, 'run')));
});

test('emulate: real crash, the same trace format, and diaspora check agrees with its verdict', async (t) => {
  const out = join(scratch(t), 'emulated');
  const r = await diaspora(['emulate', DRILL, '--speed', '10', '--out', out]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /emulated at 10× real time/);
  t.regex(r.stdout, /PASS no-acked-loss/);
  t.regex(r.stdout, /1 real crash\(es\) \(hpc-1 at [\d.]+s, back at [\d.]+s\)/);
  t.deepEqual(readdirSync(out).sort(), ['.diaspora-output', 'disk', 'scenario.resolved.json', 'summary.json', 'summary.md', 'trace.jsonl']);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  t.is(summary.emulation.crashes.length, 1);
  t.true(readdirSync(join(out, 'disk', 'hpc-1', 'store')).includes('events.jsonl'), 'the store kept its log in a real file');
  const check = await diaspora(['check', out]);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.regex(check.stdout, /PASS no-acked-loss/);
});

test('emulate rejects a bad --speed or --duration as bad input', async (t) => {
  const speed = await diaspora(['emulate', DRILL, '--speed', '0']);
  t.is(speed.code, 2);
  t.regex(speed.stderr, /--speed 0: expected a positive number/);
  const duration = await diaspora(['emulate', DRILL, '--duration', 'soon']);
  t.is(duration.code, 2);
  t.regex(duration.stderr, /--duration: expected a duration like "5ms"/);
});

/**
 * Replay: runs a recorded run again from its resolved scenario and seed, and verifies that it
 * reproduces the recorded trace hash.
 *
 * Guarantee: when the run directory kept its `trace.jsonl`, a mismatch names the first divergent
 * record (line, simulated time, both versions), found by streaming both files. Without a trace,
 * only the hashes can be compared; the replay then also runs twice more to tell a nondeterministic
 * build (the two new runs disagree, and their first divergence is reported) from a changed one
 * (they agree with each other but not with the record: a different version or a code change).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceWriter } from '../kernel/index.ts';
import { prepareRun } from '../scenario/index.ts';
import { type Divergence, checkDeterminism, firstDifference } from './determinism.ts';
import type { RunDirectory } from './run-dir.ts';
import { execute } from './run.ts';
import { VERSION } from './version.ts';

export interface ReplayReport {
  readonly recordedHash: string;
  readonly replayedHash: string;
  readonly matches: boolean;
  /** How the mismatch was located: against the recorded trace, or by two fresh runs. */
  readonly compared: 'trace' | 'hash';
  /** The first divergent record, when one could be found. */
  readonly divergence?: Divergence;
  /** Without a recorded trace: whether this build is itself deterministic (two runs agree). */
  readonly deterministicNow?: boolean;
  readonly recordedVersion: string;
  readonly version: string;
}

export async function replayRun(run: RunDirectory): Promise<ReplayReport> {
  const runOnce = (tracePath?: string) => execute(prepareRun(run.scenario, { seed: run.seed, trace: new TraceWriter(tracePath) })).traceHash;
  const base = { recordedHash: run.summary.traceHash, recordedVersion: run.summary.version, version: VERSION };
  if (run.tracePath !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'diaspora-replay-'));
    try {
      const replayed = join(dir, 'trace.jsonl');
      const replayedHash = runOnce(replayed);
      const matches = replayedHash === base.recordedHash;
      return { ...base, replayedHash, matches, compared: 'trace', ...(matches ? {} : { divergence: await firstDifference(run.tracePath, replayed) }) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const replayedHash = runOnce();
  if (replayedHash === base.recordedHash) return { ...base, replayedHash, matches: true, compared: 'hash' };
  const again = await checkDeterminism((path) => runOnce(path));
  return { ...base, replayedHash, matches: false, compared: 'hash', deterministicNow: again.deterministic, ...(again.divergence ? { divergence: again.divergence } : {}) };
}

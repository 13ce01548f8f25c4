/**
 * Replay: runs a recorded run again from its resolved scenario and seed, and verifies that it
 * reproduces the recorded trace hash.
 *
 * Guarantee: when the run directory kept its `trace.jsonl`, a mismatch names the first divergent
 * record (line, simulated time, both versions), found by streaming both files. Without a trace,
 * only the hashes can be compared; the replay then also runs twice more to tell a nondeterministic
 * build (the two new runs disagree, and their first divergence is reported) from a changed one
 * (they agree with each other but not with the record: a different version or a code change).
 *
 * How it fails: damage is an `InputError`, never a verdict — a recorded trace that does not match
 * its summary (cut, edited, another run's), or a recorded scenario no world can be built from.
 */
import { join } from 'node:path';
import { InputError, TraceWriter } from '../kernel/index.ts';
import { traceFile } from '../kernel/trace-file.ts';
import { loadPlugins, prepareRun } from '../scenario/index.ts';
import { checkTraceFile } from './check-trace.ts';
import { type Divergence, checkDeterminism, firstDifference, withScratchDirectory } from './determinism.ts';
import { type RunDirectory, recordedTraceOf } from './run-dir.ts';
import { executeInSlices, type PreparedRun } from './run.ts';
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
  await loadPlugins(run.scenario.plugins ?? []);
  // Sliced, so that Ctrl-C is served and the scratch trace removed.
  const runOnce = async (tracePath?: string) => (await executeInSlices(prepareRecorded(run, new TraceWriter(traceFile(tracePath))))).traceHash;
  const base = { recordedHash: run.summary.traceHash, recordedVersion: run.summary.version, version: VERSION };
  if (run.tracePath !== undefined) {
    const recorded = run.tracePath;
    // A damaged recorded trace would show up as a divergence of the code: it is named as damage instead.
    await checkTraceFile(recorded, [], recordedTraceOf(run));
    return withScratchDirectory('diaspora-replay-', async (dir) => {
      const replayed = join(dir, 'trace.jsonl');
      const replayedHash = await runOnce(replayed);
      const matches = replayedHash === base.recordedHash;
      return { ...base, replayedHash, matches, compared: 'trace', ...(matches ? {} : { divergence: await firstDifference(recorded, replayed) }) };
    });
  }
  const replayedHash = await runOnce();
  if (replayedHash === base.recordedHash) return { ...base, replayedHash, matches: true, compared: 'hash' };
  const again = await checkDeterminism((path) => runOnce(path));
  return { ...base, replayedHash, matches: false, compared: 'hash', deterministicNow: again.deterministic, ...(again.divergence ? { divergence: again.divergence } : {}) };
}

/**
 * The recorded scenario as a world. It was validated when the run was made, but the file has not
 * been since: a world that cannot be built from it means the file was damaged or edited (or is of
 * another version), which is the user's to know, not a bug to report.
 */
function prepareRecorded(run: RunDirectory, trace: TraceWriter): PreparedRun {
  try {
    return prepareRun(run.scenario, { seed: run.seed, trace });
  } catch (error) {
    trace.abort();
    if (error instanceof InputError) throw error;
    throw new InputError(`${join(run.dir, 'scenario.resolved.json')}: cannot be built into a world (${error instanceof Error ? error.message : String(error)}); it was edited, or written by another version`);
  }
}

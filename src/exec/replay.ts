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
 * A trace recorded in an older trace format (formats differ in the hash and the end record, not in
 * the records) cannot be compared by hash: its records are compared one by one with the replay's,
 * the header's format version and the end record aside, and the report says so (`compared:
 * 'records'`). Without a trace, a hash of another format simply differs: the version line says why.
 *
 * How it fails: damage is an `InputError`, never a verdict — a recorded trace that does not match
 * its summary (cut, edited, another run's), or a recorded scenario no world can be built from.
 */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { InputError, TRACE_FORMAT_VERSION, TraceWriter } from '../kernel/index.ts';
import { traceFile } from '../kernel/trace-file.ts';
import { loadPlugins, prepareRun } from '../scenario/index.ts';
import { checkTraceFile } from './check-trace.ts';
import { type Divergence, type LineComparison, checkDeterminism, firstDifference, withScratchDirectory } from './determinism.ts';
import { type RunDirectory, recordedTraceOf, traceHeader } from './run-dir.ts';
import { executeInSlices, type PreparedRun } from './run.ts';
import { VERSION } from './version.ts';

export interface ReplayReport {
  readonly recordedHash: string;
  readonly replayedHash: string;
  readonly matches: boolean;
  /**
   * What was compared: the hash and the recorded trace; the recorded trace's records alone (it is
   * of another trace format, whose hash this version does not compute); or the hash alone, a
   * mismatch located by two fresh runs.
   */
  readonly compared: 'trace' | 'records' | 'hash';
  /** The recorded trace's format version, when the run kept its trace. */
  readonly recordedFormat?: number;
  /** This version's trace format. */
  readonly format: number;
  /** With `compared: 'records'`, how many records were compared. */
  readonly records?: number;
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
  const base = { recordedHash: run.summary.traceHash, recordedVersion: run.summary.version, version: VERSION, format: TRACE_FORMAT_VERSION };
  if (run.tracePath !== undefined) {
    const recorded = run.tracePath;
    // A damaged recorded trace would show up as a divergence of the code: it is named as damage instead.
    await checkTraceFile(recorded, [], recordedTraceOf(run));
    const recordedFormat = traceHeader(recorded).format;
    return withScratchDirectory('diaspora-replay-', async (dir) => {
      const replayed = join(dir, 'trace.jsonl');
      const replayedHash = await runOnce(replayed);
      if (recordedFormat !== TRACE_FORMAT_VERSION) {
        const divergence = await firstDifference(recorded, replayed, ACROSS_FORMATS);
        const matches = divergence.first === undefined && divergence.second === undefined;
        return { ...base, replayedHash, matches, compared: 'records', recordedFormat, records: run.summary.records, ...(matches ? {} : { divergence }) };
      }
      const matches = replayedHash === base.recordedHash;
      return { ...base, replayedHash, matches, compared: 'trace', recordedFormat, ...(matches ? {} : { divergence: await firstDifference(recorded, replayed) }) };
    });
  }
  const replayedHash = await runOnce();
  if (replayedHash === base.recordedHash) return { ...base, replayedHash, matches: true, compared: 'hash' };
  const again = await checkDeterminism((path) => runOnce(path));
  return { ...base, replayedHash, matches: false, compared: 'hash', deterministicNow: again.deterministic, ...(again.divergence ? { divergence: again.divergence } : {}) };
}

/**
 * Records of two trace formats: the same lines, but for the header's format version `v` and the
 * end record (none before format 3; its hash is of the writer's format). A line that differs as
 * text is compared by value, so a format that orders a record's keys otherwise still compares.
 */
const ACROSS_FORMATS: LineComparison = {
  skip: (line) => line.startsWith('{"k":"end"'),
  same: (a, b) => a === b || isDeepStrictEqual(withoutVersion(a), withoutVersion(b)),
};

function withoutVersion(line: string): unknown {
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    if (value.k !== 'meta') return value;
    const { v: _format, ...rest } = value;
    return rest;
  } catch {
    return line;
  }
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

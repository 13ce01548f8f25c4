/**
 * Running a `scenarios/literature/` file in a test, for the literature checks: the summary, and the
 * trace records a test keeps; and what no-acked-loss says was lost.
 */
import { fileURLToPath } from 'node:url';
import { execute, type RunSummary } from '../../src/exec/run.ts';
import { TraceWriter, type TraceRecord } from '../../src/kernel/index.ts';
import { loadScenarioFile, prepareRun } from '../../src/scenario/index.ts';

const dir = fileURLToPath(new URL('../../scenarios/literature/', import.meta.url));

/** Runs `scenarios/literature/<name>.yaml` with `--set`s, keeping the records `keep` accepts. */
export function run(name: string, sets: string[] = [], keep?: (record: TraceRecord) => boolean): { summary: RunSummary; records: TraceRecord[] } {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  if (keep !== undefined) trace.listen((record) => void (keep(record) && records.push(record)));
  return { summary: execute(prepareRun(loadScenarioFile(`${dir}${name}.yaml`, sets), { trace })), records };
}

/** How many acknowledged events the final read lacks, and when the first and last were acknowledged. */
export function lost(summary: RunSummary): { count: number; from: number; to: number } {
  const verdict = summary.checks['no-acked-loss']!;
  // A lost-events violation cites its first and last acks, maybe a disk loss, then the final read.
  const times = verdict.violations.filter((v) => v.anomaly === 'lost').flatMap((v) => v.cites.slice(0, -1).filter((c) => c.k === 'client').map((c) => c.t));
  return { count: verdict.stats.lost!, from: Math.min(...times), to: Math.max(...times) };
}

/**
 * The numbers a run's timeline shows beside its verdicts: what recovery cost and what the run
 * delivered, picked from the metrics in the `summary.json` beside its trace and named plainly —
 * so that a run that passed its checks still shows its waste, and two stacked runs can be read
 * side by side.
 *
 * Guarantee: only metrics the summary has, of sections the run used (a run without operators has
 * no recovery numbers, one without producers no produce numbers), in a fixed order: lost work and
 * waste first. How it fails: a missing or unreadable summary gives no numbers (the verdict reader
 * reports a malformed one).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunNumber } from '../../../viz/wire/annotations.ts';

type Metrics = Record<string, Record<string, unknown> | undefined>;

/** [section, path within it, label, unit]; a section shows only when its gate (below) is non-zero. */
const PICKS: Array<[section: string, path: string, label: string, unit: RunNumber['unit']]> = [
  ['recovery', 'lostWorkEvents', 'lost work', 'events'],
  ['recovery', 'wasteFraction', 'waste', 'fraction'],
  ['recovery', 'recoveryUs.max', 'recovery time (max)', 'us'],
  ['recovery', 'rollbacks', 'rollbacks', 'count'],
  ['recovery', 'rolledBackToStart', 'operators rolled back to the start', 'count'],
  ['recovery', 'restores', 'checkpoint restores', 'count'],
  ['output', 'outputs', 'outputs', 'events'],
  ['output', 'duplicates', 'duplicate outputs', 'events'],
  ['output', 'latencyUs.p99', 'output latency p99', 'us'],
  ['produce', 'acked', 'events acknowledged', 'events'],
  ['produce', 'errors', 'produce errors', 'events'],
  ['produce', 'retries', 'produce retries', 'count'],
  ['produce', 'ackLatencyUs.p99', 'ack latency p99', 'us'],
  ['log', 'elections.total', 'leader elections', 'count'],
  ['checkpoint', 'saved', 'checkpoints saved', 'count'],
  ['checkpoint', 'bytesWritten', 'checkpoint bytes', 'bytes'],
];

/** Which field must be non-zero for a section's numbers to mean anything. */
const GATES: Record<string, string> = { recovery: 'operators', output: 'outputs', produce: 'produced', checkpoint: 'saved', log: 'elections.total' };

function at(section: Record<string, unknown> | undefined, path: string): number | undefined {
  let value: unknown = section;
  for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The run's numbers from the summary beside `tracePath`, or null when it has none. */
export async function readRunNumbers(tracePath: string): Promise<RunNumber[] | null> {
  const text = await readFile(join(dirname(tracePath), 'summary.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  let metrics: Metrics;
  try {
    metrics = (JSON.parse(text) as { metrics?: Metrics }).metrics ?? {};
  } catch {
    return null;
  }
  const numbers: RunNumber[] = [];
  for (const [section, path, label, unit] of PICKS) {
    if (!at(metrics[section], GATES[section])) continue;
    const value = at(metrics[section], path);
    if (value !== undefined) numbers.push({ key: `${section}.${path}`, label, value, unit });
  }
  return numbers;
}

/**
 * How much a scenario asks of the machine, estimated before it runs: kernel events (what takes
 * time) and memory. A run far beyond what can finish — `rate: 10/s` for a million hours, a
 * million partitions — is refused with the estimate and the field that causes it, instead of
 * running silently until someone kills it.
 *
 * The estimate is a sum of shares. The core counts what every scenario has (nodes, workload
 * producers); each feature adds the shares of its own sections through `Feature.estimate`, so a
 * plug-in's work is counted like a built-in's. The numbers are deliberately rough — an order of
 * magnitude, erring high — and calibrated on the shipped scenarios (each well inside the budget).
 * Work no share foresees is still bounded while the run goes: `--max-events` stops it (exec/run.ts).
 *
 * How it fails: `checkWorkBudget` throws an `InputError` `path: message` (placed in the file by
 * the caller) naming the estimate, the largest share and the flag that raises the budget.
 */
import { getHeapStatistics } from 'node:v8';
import { InputError } from '../kernel/index.ts';
import type { WorkShare } from './feature.ts';
import { formatPath } from './paths.ts';
import { features } from './registry.ts';
import type { Scenario } from './types.ts';
import { formatDuration } from './units.ts';

export interface WorkEstimate {
  readonly events: number;
  readonly bytes: number;
  readonly shares: readonly WorkShare[];
}

export { DEFAULT_MAX_EVENTS } from './work-budget.ts';

/** A node's share of the heap: its state, disk, links and network entries (measured: ~1 KiB). */
const NODE_BYTES = 2048;
/** Kernel events per produced event: the produce timer, the request and its delivery, the disk write, the ack and its delivery. */
const EVENTS_PER_PRODUCE = 6;

export function estimateWork(scenario: Scenario): WorkEstimate {
  const seconds = (scenario.durationUs + scenario.quiesceUs) / 1e6;
  const shares: WorkShare[] = [
    ...scenario.sites.map((site) => ({ path: ['sites', site.name, 'nodes'], what: `${site.nodes.length} nodes`, events: 0, bytes: site.nodes.length * NODE_BYTES })),
    ...scenario.workload.map((producer) => ({
      path: ['workload', producer.name, 'rate'],
      what: `${producer.ratePerSec}/s for ${formatDuration(scenario.durationUs)}`,
      events: producer.ratePerSec * (scenario.durationUs / 1e6) * EVENTS_PER_PRODUCE,
      bytes: 0,
    })),
    ...features().flatMap((feature) => feature.estimate?.(scenario, { seconds }) ?? []),
  ];
  return { events: sum(shares.map((s) => s.events)), bytes: sum(shares.map((s) => s.bytes)), shares };
}

/**
 * Refuses a scenario whose estimated events pass `maxEvents`, or whose memory passes `maxBytes`
 * (by default what this process's heap may hold); the message starts with the largest share's
 * field path.
 */
export function checkWorkBudget(scenario: Scenario, maxEvents: number, maxBytes = getHeapStatistics().heap_size_limit): WorkEstimate {
  const estimate = estimateWork(scenario);
  const largest = (key: 'events' | 'bytes') => estimate.shares.reduce((a, b) => (b[key] > a[key] ? b : a));
  if (estimate.events > maxEvents) {
    const share = largest('events');
    throw new InputError(
      `${formatPath(share.path)}: the run would take about ${approx(estimate.events)} events (${share.what}: ${approx(share.events)}), ` +
        `more than the budget of ${approx(maxEvents)} (--max-events); make the run smaller or raise --max-events`,
    );
  }
  if (estimate.bytes > maxBytes) {
    const share = largest('bytes');
    throw new InputError(
      `${formatPath(share.path)}: the run would need about ${bytes(estimate.bytes)} of memory (${share.what}: ${bytes(share.bytes)}), ` +
        `more than this process may use (${bytes(maxBytes)}; node --max-old-space-size raises it); make the run smaller`,
    );
  }
  return estimate;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** `3.6e10`, `2.9 million`: the size of a number, which is all an estimate knows. */
function approx(n: number): string {
  if (n >= 1e12 || !Number.isFinite(n)) return n.toExponential(1).replace('e+', 'e');
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} billion`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} million`;
  return Math.round(n).toLocaleString('en-US');
}

function bytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(n / 2 ** 20)} MiB`;
}

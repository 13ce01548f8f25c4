/**
 * Shrinking a failing fault list: the smallest, shortest, latest faults that still make the check
 * fail, by delta debugging (Zeller and Hildebrandt's ddmin) and then by bisection per fault.
 *
 *  1. drop: ddmin over the list — try halves, then complements, at ever finer granularity — until
 *     no single fault can be removed (1-minimal). The empty list is tried first: a failure that
 *     happens without any fault is not the faults' doing.
 *  2. shorten: for each fault that lasts, bisect the shortest duration (a multiple of
 *     `resolutionUs`) that still fails.
 *  3. later: for each fault, bisect the latest start (on the same grid) that still fails, so the
 *     witness sits as close as possible to the failure it causes.
 *
 * Guarantee: every list it returns was probed and failed (or is the input, which the caller has
 * already seen fail); probes are cached, so no list is run twice; at most `maxProbes` probes run,
 * and the result says whether shrinking finished or stopped at that budget. Bisection assumes
 * that failing is monotone in duration and start time; where it is not, the result is still a
 * verified failing list, only perhaps not the smallest one.
 *
 * Pure: the probe is the caller's (`exec/shrink.ts` runs the scenario in-process).
 */
import type { Micros } from '../kernel/index.ts';
import type { RealisedFault } from './spec.ts';

export interface ShrinkProgress {
  phase: 'verify' | 'drop' | 'shorten' | 'later';
  probes: number;
  /** Faults in the smallest failing list so far. */
  faults: number;
}

export interface ShrinkOptions {
  /** Runs the scenario with these faults; true when the check still fails. */
  fails: (faults: readonly RealisedFault[]) => boolean;
  /** End of the safety phase: no fault may end after it. */
  safetyEndUs: Micros;
  /** Grid for durations and start times, µs. Default 100 ms. */
  resolutionUs?: Micros;
  /** Stop after this many probes. Default 300. */
  maxProbes?: number;
  onProgress?: (progress: ShrinkProgress) => void;
}

export interface ShrinkResult {
  /** The smallest failing list found (the input if it did not fail). */
  faults: RealisedFault[];
  /** Whether the input failed when probed (if not, nothing was shrunk). */
  reproduced: boolean;
  /** Probes run (cache hits not counted). */
  probes: number;
  /** False when the probe budget ran out before shrinking finished. */
  complete: boolean;
}

class BudgetExhausted extends Error {}

export function shrinkFaults(input: readonly RealisedFault[], options: ShrinkOptions): ShrinkResult {
  const probe = new Prober(options);
  let best = [...input];
  try {
    probe.phase = 'verify';
    if (!probe.fails(best, best.length)) return { faults: best, reproduced: false, probes: probe.count, complete: true };
    probe.phase = 'drop';
    best = ddmin(best, (list) => probe.fails(list, list.length));
    probe.phase = 'shorten';
    best = perFault(best, (list, i) => shorten(list, i, probe, options.resolutionUs ?? DEFAULT_RESOLUTION_US));
    probe.phase = 'later';
    best = perFault(best, (list, i) => later(list, i, probe, options.resolutionUs ?? DEFAULT_RESOLUTION_US, options.safetyEndUs));
    return { faults: best, reproduced: true, probes: probe.count, complete: true };
  } catch (error) {
    if (!(error instanceof BudgetExhausted)) throw error;
    return { faults: probe.smallest ?? best, reproduced: true, probes: probe.count, complete: false };
  }
}

const DEFAULT_RESOLUTION_US = 100_000;
const DEFAULT_MAX_PROBES = 300;

/** Runs probes through a cache and a budget, and remembers the best failing list seen. */
class Prober {
  phase: ShrinkProgress['phase'] = 'verify';
  count = 0;
  /** The last failing list seen: every phase only ever moves to a smaller or equal one. */
  smallest: RealisedFault[] | undefined;
  private readonly cache = new Map<string, boolean>();

  constructor(private readonly options: ShrinkOptions) {}

  fails(list: readonly RealisedFault[], size: number): boolean {
    const key = JSON.stringify(list);
    let failed = this.cache.get(key);
    if (failed === undefined) {
      if (this.count >= (this.options.maxProbes ?? DEFAULT_MAX_PROBES)) throw new BudgetExhausted();
      this.count++;
      failed = this.options.fails(list);
      this.cache.set(key, failed);
      if (failed) this.smallest = [...list];
      this.options.onProgress?.({ phase: this.phase, probes: this.count, faults: failed ? size : (this.smallest?.length ?? size) });
    }
    return failed;
  }
}

/** ddmin: a 1-minimal failing sublist (removing any single element makes it pass). */
export function ddmin<T>(input: readonly T[], fails: (list: T[]) => boolean): T[] {
  if (input.length > 0 && fails([])) return [];
  let list = [...input];
  let n = 2;
  while (list.length >= 2) {
    const chunks = split(list, n);
    const subset = chunks.find((chunk) => fails(chunk));
    if (subset !== undefined) {
      list = subset;
      n = 2;
      continue;
    }
    const complement = n > 2 ? chunks.map((_, i) => chunks.filter((__, j) => j !== i).flat()).find((c) => fails(c)) : undefined;
    if (complement !== undefined) {
      list = complement;
      n = Math.max(n - 1, 2);
      continue;
    }
    if (n >= list.length) break;
    n = Math.min(2 * n, list.length);
  }
  return list;
}

/** `list` in `n` contiguous chunks of near-equal size, none empty. */
function split<T>(list: readonly T[], n: number): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((list.length - start) / (n - i));
    if (end > start) chunks.push(list.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Applies a per-fault minimisation to each fault in turn, keeping each improvement. */
function perFault(list: RealisedFault[], step: (list: RealisedFault[], index: number) => RealisedFault[]): RealisedFault[] {
  let current = list;
  for (let i = 0; i < current.length; i++) current = step(current, i);
  return current;
}

function replaced(list: readonly RealisedFault[], index: number, fault: RealisedFault): RealisedFault[] {
  return list.map((f, i) => (i === index ? fault : f));
}

function retimed(fault: RealisedFault, atUs: Micros, forUs: Micros): RealisedFault {
  return { ...fault, atUs, forUs, endUs: atUs + forUs } as RealisedFault;
}

/** The smallest `k` in (lo, hi] with `ok(k)`, given `ok(hi)`; by bisection. */
function bisect(lo: number, hi: number, ok: (k: number) => boolean): number {
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function shorten(list: RealisedFault[], i: number, probe: Prober, grid: Micros): RealisedFault[] {
  const fault = list[i];
  // Instants and crashes without restart have no duration to shorten.
  if (fault.endUs === undefined || fault.endUs - fault.atUs <= grid) return list;
  const at = (k: number) => replaced(list, i, retimed(fault, fault.atUs, k * grid));
  const steps = Math.ceil((fault.endUs - fault.atUs) / grid);
  // Only grid multiples below the original are tried; the original itself is known to fail.
  if (!probe.fails(at(steps - 1), list.length)) return list;
  const k = bisect(0, steps - 1, (k) => probe.fails(at(k), list.length));
  return at(k);
}

function later(list: RealisedFault[], i: number, probe: Prober, grid: Micros, safetyEndUs: Micros): RealisedFault[] {
  const fault = list[i];
  if (fault.endUs === undefined) return list;
  const length = fault.endUs - fault.atUs;
  const first = Math.ceil(fault.atUs / grid);
  const last = Math.floor((safetyEndUs - length - (length === 0 ? 1 : 0)) / grid);
  if (last <= first) return list;
  const at = (k: number) => replaced(list, i, length === 0 && fault.forUs === undefined ? { ...fault, atUs: k * grid, endUs: k * grid } : retimed(fault, k * grid, fault.forUs ?? length));
  // The latest start that fails: bisect on the mirrored axis (smallest distance from `last`).
  if (!probe.fails(at(first), list.length)) return list;
  const back = bisect(-1, last - first, (d) => probe.fails(at(last - d), list.length));
  return at(last - back);
}

/**
 * A per-lane and per-flow time index for the zoomed-out density view, so that a frame costs time
 * per pixel column rather than per record: with 10^6 records in the window, each wheel step would
 * otherwise walk every one of them.
 *
 * Per actor it keeps the times of the records a density band counts (crash, restart and fault
 * records are marks of their own); per message flow, the arrival times and the running sum of
 * the matching send times. `binCounts` then finds each bin's end by galloping search.
 *
 * Guarantee: `binCounts` puts every time in exactly the bin `min(bins - 1, ⌊(t − t0)·perBin⌋)` —
 * the very expression the linear pass uses, searched for rather than evaluated per record — so the
 * counts are identical; send-time sums are of integers below 2^53, so they are exact too.
 * The configuration that defeats it: a record filter (a per-row mask), which the index cannot
 * know; the caller then walks the rows.
 */
import { lowerBound, upperBound } from './frame.ts';
import { K } from '../model/kinds.ts';
import type { RunModel } from '../model/model.ts';

export interface DensityIndex {
  /** Per actor: times of the records its band counts, in order. */
  actorTimes: Float64Array[];
  /** Per flow: arrival times, in order, and `sendSum[j]` = sum of the send times of arrivals before j. */
  flowTimes: Float64Array[];
  flowSendSum: Float64Array[];
}

/** Keyed by the model's columns: a live model that grew has new ones, and a new index. */
const built = new WeakMap<object, DensityIndex>();

/** The model's index, built on first use (one pass over the rows). */
export function densityIndex(model: RunModel): DensityIndex {
  let index = built.get(model.data);
  if (index === undefined) {
    index = build(model);
    built.set(model.data, index);
  }
  return index;
}

function build(model: RunModel): DensityIndex {
  const { data, kind, flowOf, flows } = model;
  const { t, a, link, length } = data;
  const actors = data.header.actors.length;
  const counted = (i: number) => kind[i] !== K.fault && kind[i] !== K.crash && kind[i] !== K.restart;
  const actorCount = new Int32Array(actors);
  const flowCount = new Int32Array(flows.length);
  for (let i = 0; i < length; i++) {
    if (!counted(i)) continue;
    actorCount[a[i]]++;
    if (flowOf[i] >= 0) flowCount[flowOf[i]]++;
  }
  const actorTimes = Array.from(actorCount, (n) => new Float64Array(n));
  const flowTimes = Array.from(flowCount, (n) => new Float64Array(n));
  const flowSendSum = Array.from(flowCount, (n) => new Float64Array(n + 1));
  actorCount.fill(0);
  flowCount.fill(0);
  for (let i = 0; i < length; i++) {
    if (!counted(i)) continue;
    actorTimes[a[i]][actorCount[a[i]]++] = t[i];
    const f = flowOf[i];
    if (f < 0) continue;
    const j = flowCount[f]++;
    flowTimes[f][j] = t[i];
    flowSendSum[f][j + 1] = flowSendSum[f][j] + t[link[i]];
  }
  return { actorTimes, flowTimes, flowSendSum };
}

/**
 * Counts the times in [t0, t1] into `bins` bins of `1 / perBin` µs starting at t0 (the last bin
 * also takes anything past its end), adding each bin's count to `counts[offset + bin]`; with
 * `sums`, also adds each bin's share of `prefix` (a running sum over `times`) to `sums[offset + bin]`.
 */
export function binCounts(
  times: Float64Array, t0: number, t1: number, bins: number, perBin: number,
  counts: Float64Array, offset: number, prefix?: Float64Array, sums?: Float64Array,
): void {
  let from = lowerBound(times, times.length, t0);
  const end = upperBound(times, times.length, t1);
  while (from < end) {
    const b = binOf(times[from], t0, perBin, bins);
    // The first index past bin b: gallop, then bisect, on the linear pass's own bin expression.
    let lo = from + 1;
    let hi = lo;
    for (let step = 1; hi < end && binOf(times[hi], t0, perBin, bins) === b; step *= 2) {
      lo = hi + 1;
      hi += step;
    }
    if (hi > end) hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (binOf(times[mid], t0, perBin, bins) === b) lo = mid + 1;
      else hi = mid;
    }
    counts[offset + b] += lo - from;
    if (prefix !== undefined && sums !== undefined) sums[offset + b] += prefix[lo] - prefix[from];
    from = lo;
  }
}

const binOf = (time: number, t0: number, perBin: number, bins: number) => {
  const b = ((time - t0) * perBin) | 0;
  return b >= bins ? bins - 1 : b;
};

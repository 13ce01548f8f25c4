/**
 * Connectivity windows: a link that is up for `upUs` out of every `periodUs`, starting `offsetUs`
 * into the run — a field station with a satellite pass or a two-hour daily uplink.
 *
 * Guarantee: pure arithmetic on integer µs; `outages` lists every down interval that starts
 * before `untilUs`, in time order, so the scenario builder can schedule a partition and its heal
 * for each. A window with `upUs >= periodUs` is always up (no outages).
 */
import type { Micros } from '../../../kernel/contract/index.ts';

export interface ConnectivityWindow {
  /** Length of one cycle, µs (e.g. 24 h). */
  readonly periodUs: Micros;
  /** How long the link is up at the start of each cycle, µs (e.g. 2 h). */
  readonly upUs: Micros;
  /** When the first cycle starts, µs; before it the link is down. Default 0. */
  readonly offsetUs: Micros;
}

/** Whether the link is up at `t`. */
export function windowIsUp(window: ConnectivityWindow, t: Micros): boolean {
  if (window.upUs >= window.periodUs) return true;
  if (t < window.offsetUs) return false;
  return (t - window.offsetUs) % window.periodUs < window.upUs;
}

/** The down intervals `[from, to)` that begin before `untilUs`, in time order. */
export function outages(window: ConnectivityWindow, untilUs: Micros): { from: Micros; to: Micros }[] {
  if (window.upUs >= window.periodUs) return [];
  const result: { from: Micros; to: Micros }[] = [];
  if (window.offsetUs > 0) result.push({ from: 0, to: window.offsetUs });
  for (let start = window.offsetUs; start + window.upUs < untilUs; start += window.periodUs) {
    result.push({ from: start + window.upUs, to: start + window.periodUs });
  }
  return result;
}

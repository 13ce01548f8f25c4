/**
 * Playback for teaching: a playhead that sweeps simulated time (records after it are veiled), and
 * steps to the next or previous record or fault (fault start/end, crash, restart).
 *
 * At speed 1 the playhead crosses the visible window in 10 s of wall time, whatever the zoom; the
 * window follows the playhead. Wall time only moves the playhead: what is drawn at a given
 * playhead is the same however it got there.
 */
import { lowerBound, upperBound } from '../draw/frame.ts';
import { K } from '../model/kinds.ts';
import type { RunModel } from '../model/model.ts';
import type { View } from './view.ts';

const WINDOW_CROSSING_MS = 10_000;

export interface Stop {
  t: number;
  run: number;
  row: number;
}

export class Playback {
  private frame = 0;
  private last = 0;
  /** Times of faults, crashes and restarts, sorted, for stepping from fault to fault. */
  private readonly faultStops: Stop[];

  constructor(
    private readonly view: View,
    private readonly models: RunModel[],
    /** Whether a record is shown (its lane and the record filter admit it); steps skip the rest. */
    private readonly shown: (run: number, row: number) => boolean,
  ) {
    this.faultStops = models
      .flatMap((m, run) => {
        const stops: Stop[] = [];
        for (let row = 0; row < m.data.length; row++) {
          const k = m.kind[row];
          if (k === K.fault || k === K.crash || k === K.restart) stops.push({ t: m.data.t[row], run, row });
        }
        return stops;
      })
      .sort((x, y) => x.t - y.t || x.run - y.run || x.row - y.row);
  }

  toggle(): void {
    if (this.view.state.playing) this.pause();
    else this.play();
  }

  play(): void {
    const s = this.view.state;
    const start = s.playhead === null || s.playhead >= this.view.domain[1] || s.playhead < s.t0 || s.playhead > s.t1 ? s.t0 : s.playhead;
    this.view.update({ playing: true, playhead: start });
    this.last = performance.now();
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame((now) => this.tick(now));
  }

  pause(): void {
    cancelAnimationFrame(this.frame);
    if (this.view.state.playing) this.view.update({ playing: false });
  }

  /** Moves the playhead to the next (or previous) record shown, in any run. */
  stepEvent(direction: 1 | -1): Stop | null {
    const at = this.view.state.playhead ?? (direction > 0 ? this.view.state.t0 - 1 : this.view.state.t1 + 1);
    let best: Stop | null = null;
    this.models.forEach((m, run) => {
      const { t, length } = m.data;
      let row = direction > 0 ? upperBound(t, length, at) : lowerBound(t, length, at) - 1;
      while (row >= 0 && row < length && (m.kind[row] === K.fault || !this.shown(run, row))) row += direction;
      if (row < 0 || row >= length) return;
      if (best === null || (direction > 0 ? t[row] < best.t : t[row] > best.t)) best = { t: t[row], run, row };
    });
    if (best !== null) this.moveTo((best as Stop).t);
    return best;
  }

  stepFault(direction: 1 | -1): Stop | null {
    const at = this.view.state.playhead ?? (direction > 0 ? -Infinity : Infinity);
    const stops = this.faultStops;
    const stop = direction > 0 ? stops.find((s) => s.t > at) : [...stops].reverse().find((s) => s.t < at);
    if (stop !== undefined) this.moveTo(stop.t);
    return stop ?? null;
  }

  private moveTo(t: number): void {
    this.pause();
    const { t0, t1 } = this.view.state;
    const span = t1 - t0;
    const inside = t >= t0 && t <= t1;
    this.view.update(inside ? { playhead: t } : { playhead: t, t0: t - span / 2, t1: t + span / 2 });
  }

  private tick(now: number): void {
    const s = this.view.state;
    if (!s.playing || s.playhead === null) return;
    const span = s.t1 - s.t0;
    const elapsed = Math.min(100, now - this.last);
    this.last = now;
    const playhead = Math.min(this.view.domain[1], s.playhead + (span * s.speed * elapsed) / WINDOW_CROSSING_MS);
    const change: Parameters<View['update']>[0] = { playhead };
    // Follow the playhead: when it nears the right edge, move the window so it sits at the left.
    if (playhead > s.t1 - span * 0.05) Object.assign(change, { t0: playhead - span * 0.1, t1: playhead + span * 0.9 });
    if (playhead >= this.view.domain[1]) change.playing = false;
    this.view.update(change);
    if (change.playing !== false) this.frame = requestAnimationFrame((n) => this.tick(n));
  }
}

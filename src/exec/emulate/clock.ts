/**
 * Emulated time: the real clock, scaled by `speed` and stoppable, shared by every thread of an
 * emulation — and timers on it.
 *
 * Guarantee: `now()` is the same function of the real clock in every thread (they share `epochMs`,
 * an absolute time from `performance.timeOrigin + performance.now()`), integer µs, never
 * decreasing; while paused it stands still and no timer fires. A timer fires no earlier than its due
 * time, in due order (ties in the order they were set). Emulated time is *not* deterministic:
 * the host's scheduler decides how late a timer fires.
 */
import { performance } from 'node:perf_hooks';
import { EventQueue, type Micros } from '../../kernel/index.ts';

/** Milliseconds since the Unix epoch, with sub-millisecond resolution, comparable across threads. */
export function realNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface ClockSettings {
  /** Real time (realNowMs) at emulated time 0. */
  epochMs: number;
  /** Emulated seconds per real second. */
  speed: number;
  /** Real milliseconds spent paused so far. */
  pausedMs: number;
  /** When the current pause began, if paused. */
  pausedAtMs?: number;
}

export class EmulatedClock {
  constructor(private settings: ClockSettings) {
    if (!(settings.speed > 0)) throw new Error(`speed must be positive, got ${settings.speed}`);
  }

  get state(): ClockSettings {
    return { ...this.settings };
  }

  get paused(): boolean {
    return this.settings.pausedAtMs !== undefined;
  }

  now(): Micros {
    const real = this.settings.pausedAtMs ?? realNowMs();
    return Math.max(0, Math.floor((real - this.settings.epochMs - this.settings.pausedMs) * 1000 * this.settings.speed));
  }

  /** Real milliseconds from now until emulated time `at` (0 if it has passed). */
  realDelayMs(at: Micros): number {
    return Math.max(0, (at - this.now()) / 1000 / this.settings.speed);
  }

  /** Adopts another thread's settings (after a pause or resume there). */
  adopt(settings: ClockSettings): void {
    this.settings = { ...settings };
  }

  pause(atMs = realNowMs()): void {
    if (this.settings.pausedAtMs === undefined) this.settings = { ...this.settings, pausedAtMs: atMs };
  }

  resume(atMs = realNowMs()): void {
    const at = this.settings.pausedAtMs;
    if (at === undefined) return;
    this.settings = { ...this.settings, pausedMs: this.settings.pausedMs + (atMs - at), pausedAtMs: undefined };
  }
}

/**
 * Callbacks due at emulated times, driven by one host timer armed for the earliest. The queue is
 * the kernel's event queue keyed by (due, 0, order set), so ties fire in the order they were set.
 */
export class EmulatedTimers {
  private readonly queue = new EventQueue<() => void>(64);
  private seq = 0;
  private host: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private stopped = false;

  constructor(private readonly clock: EmulatedClock) {}

  get pending(): number {
    return this.queue.size;
  }

  at(due: Micros, run: () => void): void {
    if (this.stopped) return;
    this.queue.push(Math.max(0, Math.floor(due)), 0, this.seq++, run);
    if (due < this.armedFor) this.arm();
  }

  /** Fires what is due and re-arms; call after the clock resumes too. */
  arm(): void {
    if (this.host !== undefined) clearTimeout(this.host);
    this.host = undefined;
    this.armedFor = Infinity;
    if (this.stopped || this.clock.paused || this.queue.size === 0) return;
    const due = this.queue.peekTime();
    this.armedFor = due;
    this.host = setTimeout(() => this.fire(), this.clock.realDelayMs(due));
  }

  /** Stops firing (a pause arms nothing; `arm` again to resume). */
  hold(): void {
    if (this.host !== undefined) clearTimeout(this.host);
    this.host = undefined;
    this.armedFor = Infinity;
  }

  stop(): void {
    this.stopped = true;
    this.hold();
  }

  private fire(): void {
    this.host = undefined;
    this.armedFor = Infinity;
    // Fire everything due now, bounded so that a flood of zero-delay timers still yields to I/O.
    for (let n = 0; n < 1000 && !this.clock.paused && this.queue.size > 0 && this.queue.peekTime() <= this.clock.now(); n++) this.queue.pop()();
    this.arm();
  }
}

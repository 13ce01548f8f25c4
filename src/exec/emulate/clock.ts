/**
 * Emulated time: the real clock, scaled by `speed`, stoppable, and governed — shared by every
 * thread of an emulation through shared memory — and timers on it.
 *
 * Guarantee: `now()` is integer µs, never decreasing, and the same function of the real clock and
 * the shared state in every thread (real time is `performance.timeOrigin + performance.now()`,
 * comparable across threads). While paused it stands still and no timer fires. Governed: every
 * running thread beats a heartbeat (`beat`, every HEARTBEAT_MS), and emulated time never runs more
 * than LAG_MS of real time past the last beat of the stalest one — a thread the host starves
 * (a loaded machine, a long GC) freezes the clock for everyone until it runs again, and the time
 * it lost is then taken out, as a pause would be. So a loaded machine stretches emulated time
 * instead of letting it run on past threads that cannot keep up: a 1 s timeout does not fire
 * because a peer was descheduled for 100 ms of real time at 10×. The real time so taken out is
 * counted (`heldMs`), apart from pauses: it is how far the emulation fell behind real time. A timer fires no earlier than
 * its due time, in due order (ties in the order they were set). Emulated time is *not*
 * deterministic: the host's scheduler decides how late a timer fires.
 *
 * Shared state: a seqlock word and a writer lock word (Int32), then epoch, speed, time taken out
 * (pauses and holds), the pause's start (NaN while running), time held for starved threads, and one heartbeat per thread slot (Float64, +Infinity for
 * a slot no running thread holds). Writers (the orchestrator, and a thread whose beat comes late)
 * take the lock; readers retry while the sequence is odd or moves.
 */
import { performance } from 'node:perf_hooks';
import { EventQueue, type Micros } from '../../kernel/index.ts';

/** Milliseconds since the Unix epoch, with sub-millisecond resolution, comparable across threads. */
export function realNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** How often each thread shows it runs. */
export const HEARTBEAT_MS = 5;
/** How far real time may pass a thread's last beat before the clock waits for it. */
export const LAG_MS = 20;
/** Thread slots: the orchestrator's, and one per node life running at once. */
const SLOTS = 256;

const SEQ = 0;
const LOCK = 1;
const EPOCH = 0;
const SPEED = 1;
const PAUSED_MS = 2;
const PAUSED_AT = 3;
const HELD_MS = 4;
const BEATS = 5;

export class EmulatedClock {
  private readonly words: Int32Array;
  private readonly values: Float64Array;
  private last = 0;

  /** A paused clock at emulated time 0 and `speed`, for the orchestrator; `resume` sets it going. */
  static create(speed: number): EmulatedClock {
    if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`);
    const clock = new EmulatedClock(new SharedArrayBuffer(8 + 8 * (BEATS + SLOTS)));
    clock.values.fill(Infinity, BEATS);
    const now = realNowMs();
    clock.values.set([now, speed, 0, now, 0], 0);
    return clock;
  }

  /** The clock whose state is `buffer` (another thread's `buffer`). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 2);
    this.values = new Float64Array(buffer, 8);
  }

  get speed(): number {
    return this.values[SPEED]!;
  }

  get paused(): boolean {
    return !Number.isNaN(this.values[PAUSED_AT]!);
  }

  now(): Micros {
    let epoch: number;
    let pausedMs: number;
    let effective: number;
    let speed: number;
    for (;;) {
      const seq = Atomics.load(this.words, SEQ);
      if ((seq & 1) === 1) continue;
      epoch = this.values[EPOCH]!;
      speed = this.values[SPEED]!;
      pausedMs = this.values[PAUSED_MS]!;
      effective = this.effective(realNowMs());
      if (Atomics.load(this.words, SEQ) === seq) break;
    }
    this.last = Math.max(this.last, Math.floor((effective - epoch - pausedMs) * 1000 * speed));
    return this.last;
  }

  /** Real milliseconds from now until emulated time `at` (0 if it has passed), as if time runs. */
  realDelayMs(at: Micros): number {
    return Math.max(0, (at - this.now()) / 1000 / this.speed);
  }

  pause(): void {
    this.write(() => {
      if (!this.paused) this.values[PAUSED_AT] = this.effective(realNowMs());
    });
  }

  resume(): void {
    this.write(() => (this.values[PAUSED_AT] = NaN), false);
  }

  /**
   * Real milliseconds emulated time has stood still waiting for starved threads (not counting
   * pauses): a stall still going on counts up to now.
   */
  heldMs(): number {
    const real = realNowMs();
    const frozen = this.paused ? 0 : real - this.effective(real);
    return this.values[HELD_MS]! + frozen;
  }

  /** Counts the thread in `slot` from now on (before it starts: its start must not find time gone). */
  join(slot: number): void {
    this.write(() => (this.values[BEATS + slot] = realNowMs()));
  }

  /** The thread in `slot` is gone (killed or ended): the clock no longer waits for it. */
  leave(slot: number): void {
    this.write(() => (this.values[BEATS + slot] = Infinity));
  }

  /** The thread in `slot` runs. A beat after a stall goes through the lock: it unfreezes the clock. */
  beat(slot: number): void {
    const now = realNowMs();
    const previous = this.values[BEATS + slot]!;
    // A beat within LAG_MS of the last one changes no reader's time: no lock needed.
    if (now <= previous + LAG_MS) this.values[BEATS + slot] = now;
    else if (previous !== Infinity) this.write(() => (this.values[BEATS + slot] = now));
  }

  /** The real time emulated time stands at: now, or the pause's start, or the stalest beat + LAG_MS. */
  private effective(real: number): number {
    const pausedAt = this.values[PAUSED_AT]!;
    if (!Number.isNaN(pausedAt)) return pausedAt;
    let stalest = Infinity;
    for (let i = BEATS; i < this.values.length; i++) stalest = Math.min(stalest, this.values[i]!);
    return Math.min(real, stalest + LAG_MS);
  }

  /**
   * Changes the shared state so that emulated time goes on from where it stands: whatever the
   * change does to the effective real time is taken out of (or into) the time paused, and counted
   * as held for a starved thread unless the change ends a pause.
   */
  private write(change: () => void, held = true): void {
    while (Atomics.compareExchange(this.words, LOCK, 0, 1) !== 0);
    try {
      const real = realNowMs();
      const emulatedMs = this.effective(real) - this.values[EPOCH]! - this.values[PAUSED_MS]!;
      Atomics.add(this.words, SEQ, 1);
      change();
      if (!this.paused) {
        const takenOut = this.effective(real) - this.values[EPOCH]! - emulatedMs;
        if (held) this.values[HELD_MS] = this.values[HELD_MS]! + Math.max(0, takenOut - this.values[PAUSED_MS]!);
        this.values[PAUSED_MS] = takenOut;
      }
      Atomics.add(this.words, SEQ, 1);
    } finally {
      Atomics.store(this.words, LOCK, 0);
    }
  }
}

/** The longest delay a Node timer takes (2^31 − 1 ms, 24.8 days); a longer one fires after 1 ms. */
export const MAX_HOST_TIMER_MS = 2 ** 31 - 1;

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
    // One due further off than a Node timer reaches (a slow --speed) is approached in steps: `fire` re-arms.
    this.host = setTimeout(() => this.fire(), Math.min(this.clock.realDelayMs(due), MAX_HOST_TIMER_MS));
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

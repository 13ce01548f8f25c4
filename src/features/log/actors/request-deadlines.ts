/**
 * The deadlines of a client's requests in flight, checked when the client wakes — as Kafka's
 * NetworkClient checks them: it arms no timer per request; each `poll` ends with
 * `handleTimedOutConnections` and `handleTimedOutRequests`, which fail whatever is past its deadline,
 * and the poll sleeps no longer than the nearest deadline. Here one timer (its name the owner's) is
 * armed at the earliest deadline; an answered request only leaves the set (no timer is cancelled),
 * so a wake can find nothing due, and then sleeps again until the next deadline. A request whose
 * deadline is earlier than the armed one (a connection set-up deadline beside request timeouts)
 * moves the timer forward.
 *
 * Guarantee: a request is reported at its deadline exactly (not at some later poll), in the order
 * the deadlines were set among those due at the same wake. How it fails: an owner that forgets to
 * `delete` an answered request has it reported as timed out.
 */
import type { Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';

export class RequestDeadlines<K> {
  private readonly deadlines = new Map<K, Micros>();
  /** The one timer armed, and when it fires. */
  private armed: { readonly atUs: Micros; readonly id: TimerId } | null = null;

  constructor(private readonly timerName: string) {}

  /** `key` must be answered by `atUs` (replacing any deadline it had). */
  set(ctx: Context, key: K, atUs: Micros): void {
    this.deadlines.set(key, atUs);
    if (this.armed !== null && this.armed.atUs <= atUs) return;
    if (this.armed !== null) ctx.cancelTimer(this.armed.id);
    this.arm(ctx, atUs);
  }

  /** `key` was answered (or abandoned): it has no deadline any more. */
  delete(key: K): void {
    this.deadlines.delete(key);
  }

  /**
   * The keys past their deadline if `wakeup` is this set's timer (they leave the set), after which
   * the timer is armed for the next deadline; null for any other wakeup.
   */
  expired(ctx: Context, wakeup: Pick<Wakeup, 'name' | 'data'>): K[] | null {
    if (wakeup.name !== this.timerName || wakeup.data !== this) return null;
    this.armed = null;
    const now = ctx.now();
    const due: K[] = [];
    let next = Infinity;
    for (const [key, atUs] of this.deadlines) {
      if (atUs <= now) due.push(key);
      else if (atUs < next) next = atUs;
    }
    for (const key of due) this.deadlines.delete(key);
    if (next < Infinity) this.arm(ctx, next);
    return due;
  }

  /** Forgets every deadline (the owner dropped its requests). */
  clear(ctx: Context): void {
    this.deadlines.clear();
    if (this.armed !== null) ctx.cancelTimer(this.armed.id);
    this.armed = null;
  }

  private arm(ctx: Context, atUs: Micros): void {
    // The timer's data is this set: an actor may hold several sets under one timer name (a pipeline operator's inputs).
    this.armed = { atUs, id: ctx.setTimer(atUs - ctx.now(), this.timerName, this) };
  }
}

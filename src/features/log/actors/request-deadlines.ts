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
 *
 * The deadlines are two arrays searched from the front: a client has a few requests in flight
 * (Kafka's `max.in.flight.requests.per.connection` per broker), and one that comes and goes with
 * every request made a `Map` rebuild its table every few requests (≈ 1.3 % of an x-ray hour).
 * Cost is linear in the requests in flight: an owner with thousands at once would pay for it.
 */
import type { Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';

export class RequestDeadlines<K> {
  /** The requests with a deadline, in the order they were first set, and their deadlines. */
  private readonly keys: K[] = [];
  private readonly deadlines: Micros[] = [];
  /** The one timer armed, and when it fires. */
  private armed: { readonly atUs: Micros; readonly id: TimerId } | null = null;

  constructor(private readonly timerName: string) {}

  /** `key` must be answered by `atUs` (replacing any deadline it had, in its place). */
  set(ctx: Context, key: K, atUs: Micros): void {
    const at = this.keys.indexOf(key);
    if (at < 0) {
      this.keys.push(key);
      this.deadlines.push(atUs);
    } else this.deadlines[at] = atUs;
    if (this.armed !== null && this.armed.atUs <= atUs) return;
    if (this.armed !== null) ctx.cancelTimer(this.armed.id);
    this.arm(ctx, atUs);
  }

  /** `key` was answered (or abandoned): it has no deadline any more. */
  delete(key: K): void {
    const at = this.keys.indexOf(key);
    if (at >= 0) this.removeAt(at);
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
    const { keys, deadlines } = this;
    // Those still waiting move down over the ones due, in their order.
    let kept = 0;
    for (let i = 0; i < keys.length; i++) {
      const atUs = deadlines[i]!;
      if (atUs <= now) {
        due.push(keys[i]!);
        continue;
      }
      if (atUs < next) next = atUs;
      keys[kept] = keys[i]!;
      deadlines[kept++] = atUs;
    }
    // `pop`, not a store to `length` (a runtime call in V8, paid at every wake, due or not).
    while (keys.length > kept) {
      keys.pop();
      deadlines.pop();
    }
    if (next < Infinity) this.arm(ctx, next);
    return due;
  }

  /** Forgets every deadline (the owner dropped its requests). */
  clear(ctx: Context): void {
    this.keys.length = this.deadlines.length = 0;
    if (this.armed !== null) ctx.cancelTimer(this.armed.id);
    this.armed = null;
  }

  /** Removes entry `at`, the later ones moving down (no array made, as `splice` makes one). */
  private removeAt(at: number): void {
    const { keys, deadlines } = this;
    const last = keys.length - 1;
    for (let i = at; i < last; i++) {
      keys[i] = keys[i + 1]!;
      deadlines[i] = deadlines[i + 1]!;
    }
    // `pop`, not a store to `length`: V8 sets an array's length through a runtime call (≈ 0.3 % of an x-ray hour here).
    keys.pop();
    deadlines.pop();
  }

  private arm(ctx: Context, atUs: Micros): void {
    // The timer's data is this set: an actor may hold several sets under one timer name (a pipeline operator's inputs).
    this.armed = { atUs, id: ctx.setTimer(atUs - ctx.now(), this.timerName, this) };
  }
}

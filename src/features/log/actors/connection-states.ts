/**
 * A Kafka client's connection state per broker after its connections broke (Kafka's
 * ClusterConnectionStates): a broker whose host closed or refused the connection — its process is
 * dead (kernel/contract/disconnect.ts) — is not connected to again before `reconnect.backoff.ms`,
 * doubling with each consecutive failure up to `reconnect.backoff.max.ms`. Anything heard from the
 * broker again means a connection works, and clears its state.
 *
 * A request sent while a broker is `reconnecting` stands for Kafka's connection attempt followed by
 * the request: when that is refused, the request never reached the broker, so the owner puts it
 * back without counting an attempt (Kafka sends nothing on a connection that never came up).
 *
 * Simplification: Kafka spreads each backoff by ±20 % at random; here it is exact (no random draw).
 */
import { MS, SECOND, type Micros } from '../../../kernel/contract/index.ts';

/** Kafka's reconnect.backoff.ms and reconnect.backoff.max.ms defaults. */
export const RECONNECT_BACKOFF_US = 50 * MS;
export const RECONNECT_BACKOFF_MAX_US = 1 * SECOND;

export class ConnectionStates {
  private readonly broken = new Map<string, { failures: number; readyAtUs: Micros }>();

  /** The connection to `broker` broke now: no new one before the (growing) backoff. */
  disconnected(now: Micros, broker: string): void {
    const failures = (this.broken.get(broker)?.failures ?? 0) + 1;
    const backoff = Math.min(RECONNECT_BACKOFF_MAX_US, RECONNECT_BACKOFF_US * 2 ** Math.min(failures - 1, 20));
    this.broken.set(broker, { failures, readyAtUs: now + backoff });
  }

  /** Something arrived from `from`: a connection to it works. */
  heard(from: string): void {
    if (this.broken.size > 0) this.broken.delete(from);
  }

  /** When a request may go to `broker` (0: its connection never broke, or works again). */
  readyAt(broker: string): Micros {
    return this.broken.get(broker)?.readyAtUs ?? 0;
  }

  /** Whether a request to `broker` now would go over a new connection after a broken one. */
  reconnecting(broker: string): boolean {
    return this.broken.has(broker);
  }
}

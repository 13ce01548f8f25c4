/**
 * A Kafka client's connection state per broker (Kafka's ClusterConnectionStates):
 *
 * - Broken connections: a broker whose host closed or refused the connection — its process is dead
 *   (kernel/contract/disconnect.ts) — is not connected to again before `reconnect.backoff.ms`,
 *   doubling with each consecutive failure up to `reconnect.backoff.max.ms`.
 * - Connection set-up (KIP-601): a client has a connection to a broker once it has heard from it;
 *   a request to a broker it has no connection to (never heard from, or the last connection broke
 *   or timed out) first sets one up, and a host that does not answer at all — its node is down, or
 *   the way to it is cut — fails that set-up after `socket.connection.setup.timeout.ms` (10 s),
 *   doubling with each consecutive failure up to `socket.connection.setup.timeout.max.ms` (30 s),
 *   instead of after `request.timeout.ms`. The request's own deadline is then the shorter of the two.
 *
 * Anything heard from the broker means a connection works, and clears both.
 *
 * A request sent to a broker the client has no working connection to (`isReady` false) stands for
 * Kafka's connection attempt followed by the request: when that is refused, or its set-up times out,
 * the request never reached the broker, so the owner puts it back without counting an attempt (Kafka
 * sends nothing on a connection that never came up), and the owner sends no second request to that
 * broker until the first is answered (Kafka's `NetworkClient.isReady`: no request before the
 * connection is ready, then up to `max.in.flight.requests.per.connection`).
 *
 * Simplifications: Kafka spreads each backoff and set-up timeout by ±20 % at random; here they are
 * exact (no random draw). The simulated network has no handshake, so a connection counts as set up
 * when the broker's first answer on it arrives: a live broker that holds the first request of a new
 * connection longer than the set-up timeout (an acks=all produce waiting for a lagging follower) is
 * taken for unreachable — Kafka would have connected in one round trip.
 */
import { MS, SECOND, type Micros } from '../../../kernel/contract/index.ts';

/** Kafka's reconnect.backoff.ms and reconnect.backoff.max.ms defaults. */
export const RECONNECT_BACKOFF_US = 50 * MS;
export const RECONNECT_BACKOFF_MAX_US = 1 * SECOND;
/** Kafka's socket.connection.setup.timeout.ms and socket.connection.setup.timeout.max.ms defaults (KIP-601). */
export const CONNECTION_SETUP_TIMEOUT_US = 10 * SECOND;
export const CONNECTION_SETUP_TIMEOUT_MAX_US = 30 * SECOND;

export class ConnectionStates {
  private readonly broken = new Map<string, { failures: number; readyAtUs: Micros }>();
  /** Brokers heard from since the last connection to them broke or timed out. */
  private readonly connected = new Set<string>();
  /** Consecutive connection set-up timeouts per broker. */
  private readonly setupFailures = new Map<string, number>();

  /** The connection to `broker` broke now: no new one before the (growing) backoff. */
  disconnected(now: Micros, broker: string): void {
    this.connected.delete(broker);
    const failures = (this.broken.get(broker)?.failures ?? 0) + 1;
    const backoff = Math.min(RECONNECT_BACKOFF_MAX_US, RECONNECT_BACKOFF_US * 2 ** Math.min(failures - 1, 20));
    this.broken.set(broker, { failures, readyAtUs: now + backoff });
  }

  /** A request to `broker` timed out: Kafka closes that connection, so the next request sets up a new one. */
  timedOut(broker: string): void {
    this.connected.delete(broker);
  }

  /** Something arrived from `from`: a connection to it works. */
  heard(from: string): void {
    this.connected.add(from);
    if (this.broken.size > 0) this.broken.delete(from);
    if (this.setupFailures.size > 0) this.setupFailures.delete(from);
  }

  /** When a request may go to `broker` (0: its connection never broke, or works again). */
  readyAt(broker: string): Micros {
    return this.broken.get(broker)?.readyAtUs ?? 0;
  }

  /**
   * Whether the client has a working connection to `broker` (heard from it since the last one broke
   * or timed out). Kafka's NetworkClient sends nothing to a broker before its connection is ready;
   * here, with no handshake, a request sent meanwhile stands for the connection attempt (see the header).
   */
  isReady(broker: string): boolean {
    return this.connected.has(broker);
  }

  /**
   * How long a request to `broker` sent now may go unanswered: `requestTimeoutUs` over a connection
   * that works; over a new one (`setup`), its set-up timeout or the request timeout, whichever is
   * shorter (see the header) — the owner asks `setupTimedOut` when it passes.
   */
  deadline(broker: string, requestTimeoutUs: Micros): { readonly timeoutUs: Micros; readonly setup: boolean } {
    if (this.connected.has(broker)) return { timeoutUs: requestTimeoutUs, setup: false };
    const failures = this.setupFailures.get(broker) ?? 0;
    const setupUs = Math.min(CONNECTION_SETUP_TIMEOUT_MAX_US, CONNECTION_SETUP_TIMEOUT_US * 2 ** Math.min(failures, 20));
    return { timeoutUs: Math.min(setupUs, requestTimeoutUs), setup: true };
  }

  /**
   * A request's set-up deadline passed. True if `broker` has still not been heard from: the
   * connection never came up — a set-up failure (the next one waits longer) and a broken connection
   * (reconnect backoff). False if it has (the connection came up; the request's own timeout runs on).
   */
  setupTimedOut(now: Micros, broker: string): boolean {
    if (this.connected.has(broker)) return false;
    this.setupFailures.set(broker, (this.setupFailures.get(broker) ?? 0) + 1);
    this.disconnected(now, broker);
    return true;
  }
}

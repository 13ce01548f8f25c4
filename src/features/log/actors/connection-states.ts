/**
 * A Kafka client's connection state per broker (Kafka's ClusterConnectionStates):
 *
 * - Broken connections: a broker whose host closed or refused the connection — its process is dead
 *   (kernel/contract/disconnect.ts) — is not connected to again before `reconnect.backoff.ms`,
 *   doubling with each consecutive failure up to `reconnect.backoff.max.ms` (KIP-144).
 * - Connection set-up (KIP-601): a client has a connection to a broker once it has heard from it;
 *   a request to a broker it has no connection to (never heard from, or the last connection broke
 *   or timed out) first sets one up, and a host that does not answer at all — its node is down, or
 *   the way to it is cut — fails that set-up after `socket.connection.setup.timeout.ms` (10 s),
 *   doubling with each consecutive failure up to `socket.connection.setup.timeout.max.ms` (30 s),
 *   instead of after `request.timeout.ms`. The request's own deadline is then the shorter of the two.
 *
 * Both spread by ±20 % at random, as Kafka's ClusterConnectionStates spreads them (the log clients'
 * ExponentialBackoff, drawn from the owning actor's seeded stream `CONNECTION_RNG`), so clients cut
 * off together do not all reconnect in the same instant: a reconnect backoff is drawn when the
 * connection breaks, a set-up timeout when the attempt starts (first request over a new connection)
 * and again at each set-up failure, and all requests of one attempt share it.
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
 * Simplification: the simulated network has no handshake, so a connection counts as set up
 * when the broker's first answer on it arrives: a live broker that holds the first request of a new
 * connection longer than the set-up timeout (an acks=all produce waiting for a lagging follower) is
 * taken for unreachable — Kafka would have connected in one round trip.
 *
 * Guarantee: no request goes to a broker before its reconnect backoff has passed, a broker never
 * heard from costs a request at most its set-up timeout (≤ 30 s, spread) rather than
 * `request.timeout.ms`, and the pauses grow only while failures are consecutive — one answer resets
 * both.
 *
 * How it fails: the simplification above (a slow first answer counts as an unreachable host, and
 * the request is put back and sent again); and a host that refuses every connection is tried
 * again every `reconnect.backoff.max.ms` (1 s, spread) for as long as it stays down and its owner
 * still has a request for it — a dead leader until the client's metadata names another, which
 * takes the controller's fence (`broker.session.timeout.ms`), so with the controller down too, for
 * the whole outage. Shown by test/features/log/connection-setup.test.ts (10 s, 20 s, 30 s; one
 * request until answered) and disconnect.test.ts (a dead process is left within a round trip; a
 * refusing host knocked on about once a second, until the fence or, controller down, for 40 s).
 */
import { MS, SECOND, type Context, type Micros } from '../../../kernel/contract/index.ts';
import { ExponentialBackoff } from './exponential-backoff.ts';

/** Kafka's reconnect.backoff.ms and reconnect.backoff.max.ms defaults. */
export const RECONNECT_BACKOFF_US = 50 * MS;
export const RECONNECT_BACKOFF_MAX_US = 1 * SECOND;
/** Kafka's socket.connection.setup.timeout.ms and socket.connection.setup.timeout.max.ms defaults (KIP-601). */
export const CONNECTION_SETUP_TIMEOUT_US = 10 * SECOND;
export const CONNECTION_SETUP_TIMEOUT_MAX_US = 30 * SECOND;
/** The random stream the spread of reconnect backoffs and set-up timeouts is drawn from. */
const CONNECTION_RNG = 'connection-backoff';

const RECONNECT_BACKOFF = new ExponentialBackoff(RECONNECT_BACKOFF_US, RECONNECT_BACKOFF_MAX_US);
const CONNECTION_SETUP_TIMEOUT = new ExponentialBackoff(CONNECTION_SETUP_TIMEOUT_US, CONNECTION_SETUP_TIMEOUT_MAX_US);

export class ConnectionStates {
  private readonly broken = new Map<string, { failures: number; readyAtUs: Micros }>();
  /** Brokers heard from since the last connection to them broke or timed out. */
  private readonly connected = new Set<string>();
  /** Per broker with a connection being set up: consecutive set-up timeouts, and this attempt's timeout. */
  private readonly setups = new Map<string, { failures: number; timeoutUs: Micros }>();

  /** The connection to `broker` broke now: no new one before the (growing) backoff. */
  disconnected(ctx: Context, broker: string): void {
    this.connected.delete(broker);
    const failures = this.broken.get(broker)?.failures ?? 0;
    const backoffUs = RECONNECT_BACKOFF.backoff(failures, ctx.rng(CONNECTION_RNG));
    this.broken.set(broker, { failures: failures + 1, readyAtUs: ctx.now() + backoffUs });
  }

  /** A request to `broker` timed out: Kafka closes that connection, so the next request sets up a new one. */
  timedOut(broker: string): void {
    this.connected.delete(broker);
  }

  /** Something arrived from `from`: a connection to it works. */
  heard(from: string): void {
    this.connected.add(from);
    if (this.broken.size > 0) this.broken.delete(from);
    if (this.setups.size > 0) this.setups.delete(from);
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
  deadline(ctx: Context, broker: string, requestTimeoutUs: Micros): { readonly timeoutUs: Micros; readonly setup: boolean } {
    if (this.connected.has(broker)) return { timeoutUs: requestTimeoutUs, setup: false };
    let setup = this.setups.get(broker);
    if (setup === undefined) this.setups.set(broker, (setup = { failures: 0, timeoutUs: CONNECTION_SETUP_TIMEOUT.backoff(0, ctx.rng(CONNECTION_RNG)) }));
    return { timeoutUs: Math.min(setup.timeoutUs, requestTimeoutUs), setup: true };
  }

  /**
   * A request's set-up deadline passed. True if `broker` has still not been heard from: the
   * connection never came up — a set-up failure (the next one waits longer) and a broken connection
   * (reconnect backoff). False if it has (the connection came up; the request's own timeout runs on).
   */
  setupTimedOut(ctx: Context, broker: string): boolean {
    if (this.connected.has(broker)) return false;
    const failures = (this.setups.get(broker)?.failures ?? 0) + 1;
    this.setups.set(broker, { failures, timeoutUs: CONNECTION_SETUP_TIMEOUT.backoff(failures, ctx.rng(CONNECTION_RNG)) });
    this.disconnected(ctx, broker);
    return true;
  }
}

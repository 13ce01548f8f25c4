/**
 * A producing client's requests in flight and what becomes of them when their connection fails, as
 * Kafka's NetworkClient handles it (its InFlightRequests, `handleTimedOutRequests`,
 * `handleTimedOutConnections`, `processDisconnection`). Shared by the producer (batches) and the
 * forwarders' sink (lanes): the owner says what a failed request, or one put back, means for what
 * it carried (`InFlightOwner.lost`); the connection protocol itself is here, once:
 *
 * - Sending: a broker the client has no working connection to (never heard from, or its last
 *   connection broke or timed out) gets ONE request — standing for the connection attempt — until
 *   it answers, then up to `max.in.flight.requests.per.connection` (Kafka's `isReady`; `maySend`).
 *   A request over a new connection has the connection set-up deadline if shorter than its own
 *   (KIP-601, connection-states.ts).
 * - A request timed out: Kafka closes the connection, so every request in flight to that broker
 *   fails with it (`request-timed-out`), the broker is avoided for metadata, and metadata is asked for.
 * - A request reached its set-up deadline: a broker heard from since has a connection, and the
 *   request waits out its own timeout; otherwise the connection never came up, nothing was sent on
 *   it, and every request to that broker goes back unattempted (`put-back`; reconnect backoff,
 *   metadata elsewhere).
 * - The connection broke (the broker's process died on a live host): a refused request that was
 *   itself the connection attempt never reached the broker and goes back unattempted; every other
 *   request to that broker fails (`network-exception`). Then metadata is asked for (Kafka requests an update on every
 *   disconnect; the request goes out after the owner has handled its requests, as Kafka's next poll).
 *   On the two deadline paths above the refresh is asked for first, while the broker's requests
 *   still count in its load — harmless while that broker is unreachable (its connection is closed).
 *
 * The deadlines are checked when the client wakes, by one timer (request-deadlines.ts). The requests
 * are two arrays matched by position and searched from the front, for the reason request-deadlines.ts
 * gives: a client has a few requests in flight, and a `Map` whose entry comes and goes with every
 * request rebuilt its table every few requests (its `delete` ≈ 0.8 % of an aps-xray hour, session 13).
 *
 * Guarantee: every request added leaves exactly once — answered, forgotten by its owner, failed or
 * put back — and none outlives its deadline; the requests handed to the owner together are one
 * broker's, in one list in the order they were sent, each with its outcome, so an owner keeps send
 * order whatever mix of outcomes a disconnect brings (one that puts their contents back at the
 * front of its queues walks the list newest first). How it breaks: an owner that does not report an answer
 * (`answered`) has that request fail at its deadline — and, with it, every other request to that
 * broker.
 */
import type { Context, Disconnect, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import type { ClientNetwork } from './client-network.ts';
import { RequestDeadlines } from './request-deadlines.ts';

/**
 * What became of a request that will not be answered: `put-back` — it never reached its broker (no
 * connection came up, or it was refused), so what it carried goes back unattempted; or it failed —
 * one request timed out and its connection was closed (`request-timed-out`), or the connection
 * broke (`network-exception`, Kafka's NetworkException) — so what it carried is retried as a
 * failed attempt.
 */
export type LostOutcome = 'put-back' | 'request-timed-out' | 'network-exception';

/** A request that will not be answered, and what became of it. */
export interface Lost<R> {
  readonly request: R;
  readonly outcome: LostOutcome;
}

/** What the owner does with requests that will not be answered. */
export interface InFlightOwner<R> {
  /** Requests to `broker` that will not be answered, in the order they were sent, each with its outcome. */
  lost(ctx: Context, broker: string, requests: readonly Lost<R>[]): void;
}

interface Entry<R> {
  readonly request: R;
  readonly broker: string;
  readonly sentAtUs: Micros;
  /** Sent while the connection to `broker` was not ready: it stands for the connection attempt. */
  readonly connecting: boolean;
  /** Its deadline is the connection set-up deadline (a new connection), not the request timeout. */
  setup: boolean;
}

export class InFlightRequests<R> {
  /** The requests in flight by number, in the order sent, and their entries (matched by position). */
  private readonly reqs: number[] = [];
  private readonly entries: Entry<R>[] = [];
  private readonly perBroker = new Map<string, number>();
  private readonly deadlines: RequestDeadlines<number>;

  constructor(
    private readonly network: ClientNetwork,
    private readonly requestTimeoutUs: Micros,
    /** The name of the deadlines' timer (the owner routes it to `onTimer`). */
    timerName: string,
    private readonly owner: InFlightOwner<R>,
  ) {
    this.deadlines = new RequestDeadlines<number>(timerName);
  }

  /** Requests in flight to `broker`. */
  count(broker: string): number {
    return this.perBroker.get(broker) ?? 0;
  }

  /** Whether another request may go to `broker` now: `maxInFlight` over a working connection, one over a new one (see the header). */
  maySend(broker: string, maxInFlight: number): boolean {
    return this.count(broker) < (this.network.connections.isReady(broker) ? maxInFlight : 1);
  }

  /**
   * The requests in flight by number, in the order sent. One may `forget` while walking them (a
   * request that left before its turn is not visited, as a `Map`'s iterator would skip it): the walk
   * is over a copy, made only here — owners walk on a failure, not per request — so a request added
   * during the walk is not visited (a `Map`'s would be; no owner adds while walking).
   */
  *[Symbol.iterator](): Generator<[number, R]> {
    const reqs = [...this.reqs];
    const entries = [...this.entries];
    for (let i = 0; i < reqs.length; i++) if (this.reqs.includes(reqs[i]!)) yield [reqs[i]!, entries[i]!.request];
  }

  /** Request `req` was just sent to `broker`; its deadline starts now. */
  add(ctx: Context, req: number, broker: string, request: R): void {
    const connections = this.network.connections;
    const { timeoutUs, setup } = connections.deadline(ctx, broker, this.requestTimeoutUs);
    const entry = { request, broker, sentAtUs: ctx.now(), connecting: !connections.isReady(broker), setup };
    // A number already in flight keeps its place, as `Map.set` keeps a key's (request numbers are never reused).
    const at = this.reqs.indexOf(req);
    if (at < 0) {
      this.reqs.push(req);
      this.entries.push(entry);
    } else this.entries[at] = entry;
    this.perBroker.set(broker, this.count(broker) + 1);
    this.deadlines.set(ctx, req, ctx.now() + timeoutUs);
  }

  /** Request `req` was answered: it leaves, and its broker is heard from (reachable); undefined if it was not in flight (a late answer). */
  answered(req: number): R | undefined {
    const entry = this.take(req);
    if (entry === undefined) return undefined;
    this.network.heard(entry.broker);
    this.network.metadata.reachable(entry.broker);
    return entry.request;
  }

  /** Whether request `req` is in flight. */
  has(req: number): boolean {
    return this.reqs.includes(req);
  }

  /** The owner gave request `req` up (it will send what it carried again): it leaves. */
  forget(req: number): void {
    this.take(req);
  }

  /** Handles the deadlines' timer; false for any other wakeup. */
  onTimer(ctx: Context, wakeup: Pick<Wakeup, 'name' | 'data'>): boolean {
    const due = this.deadlines.expired(ctx, wakeup);
    if (due === null) return false;
    for (const req of due) this.timedOut(ctx, req);
    return true;
  }

  /** A connection broke (see the header); the owner passes on every disconnect, others' peers are not its brokers. */
  disconnected(ctx: Context, { peer, cause }: Disconnect): void {
    this.network.closed(ctx, peer);
    const lost = this.takeAll(peer).map((e) => ({ request: e.request, outcome: cause === 'refused' && e.connecting ? ('put-back' as const) : ('network-exception' as const) }));
    if (lost.length > 0) this.owner.lost(ctx, peer, lost);
    this.network.refresh(ctx);
  }

  private timedOut(ctx: Context, req: number): void {
    const at = this.reqs.indexOf(req);
    if (at < 0) return;
    const entry = this.entries[at]!;
    if (entry.setup) return this.setupTimedOut(ctx, req, entry);
    this.network.timedOut(ctx, entry.broker);
    this.owner.lost(ctx, entry.broker, this.takeAll(entry.broker).map((e) => ({ request: e.request, outcome: 'request-timed-out' })));
  }

  private setupTimedOut(ctx: Context, req: number, entry: Entry<R>): void {
    entry.setup = false;
    if (!this.network.setupTimedOut(ctx, entry.broker)) {
      this.deadlines.set(ctx, req, entry.sentAtUs + this.requestTimeoutUs);
      return;
    }
    this.owner.lost(ctx, entry.broker, this.takeAll(entry.broker).map((e) => ({ request: e.request, outcome: 'put-back' })));
  }

  /** Every request in flight to `broker`, in the order sent; they leave. */
  private takeAll(broker: string): Entry<R>[] {
    const taken: Entry<R>[] = [];
    for (let i = 0; i < this.reqs.length; ) {
      // `take` moves the later requests down over the one it removes: the next one is then at `i`.
      if (this.entries[i]!.broker === broker) taken.push(this.take(this.reqs[i]!)!);
      else i++;
    }
    return taken;
  }

  private take(req: number): Entry<R> | undefined {
    const { reqs, entries } = this;
    const at = reqs.indexOf(req);
    if (at < 0) return undefined;
    const entry = entries[at]!;
    // The later requests move down, keeping the order sent; `pop`, not a store to `length` (a runtime call in V8).
    for (let i = at; i < reqs.length - 1; i++) {
      reqs[i] = reqs[i + 1]!;
      entries[i] = entries[i + 1]!;
    }
    reqs.pop();
    entries.pop();
    this.deadlines.delete(req);
    this.perBroker.set(entry.broker, this.count(entry.broker) - 1);
    return entry;
  }
}

/**
 * A log client's fetches, grouped per leader broker as Kafka's consumer fetcher groups them
 * (AbstractFetch.prepareFetchRequests): at most one FetchRequest in flight to each broker, carrying
 * every partition the client has queued for that broker since (its `fetch.max.bytes`,
 * `fetch.min.bytes` and `fetch.max.wait.ms`, each partition its `max.partition.fetch.bytes`). A
 * partition that becomes ready while its broker's request is out waits for that reply, as Kafka's
 * fetcher skips a node with a fetch pending. Used by the consumer, the final reader and the
 * forwarders' log source; the replica fetcher shares the request building (fetch-request.ts).
 *
 * The owner says which broker leads a partition (`want`), sends what is queued (`send`, once per
 * handler, so partitions ready at the same moment share a request), and takes each partition's
 * part of the reply on its own (`onFetched`): an error on one (NOT_LEADER_OR_FOLLOWER,
 * OFFSET_OUT_OF_RANGE, FENCED_LEADER_EPOCH…) leaves the others' data delivered. A member that must
 * wait (no leader known, an error) backs off through `backOff`: members that back off at the same
 * moment come back together (`retry`), so they share a request again, as Kafka's fetcher, which
 * prepares its requests for every fetchable partition at each poll.
 *
 * How it fails: a request unanswered for the wait plus `request.timeout.ms` (the broker died, a
 * partition ate the message) — or, over a connection not yet set up, for the connection set-up
 * timeout if that is shorter (KIP-601, connection-states.ts) — is abandoned; its partitions go
 * back to the owner (`onUnanswered`), which marks the broker unreachable and asks again; a late
 * reply to it is ignored, as Kafka ignores responses on a connection it closed. The deadlines are
 * checked when the client wakes, by one timer (request-deadlines.ts), not a timer per request.
 */
import type { Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { MS } from '../../../kernel/contract/index.ts';
import type { ConnectionStates } from './connection-states.ts';
import { askFetch, eachPart, moveToEnd, type Asked, type FetchLimits } from './fetch-request.ts';
import type { FetchPartition, FetchPartitionReply, FetchReply } from './messages.ts';
import { RequestDeadlines } from './request-deadlines.ts';

/** Kafka's consumer defaults: fetch.max.bytes 50 MiB, max.partition.fetch.bytes 1 MiB, fetch.min.bytes 1, fetch.max.wait.ms 500. */
export const FETCH_MAX_BYTES_DEFAULT = 50 << 20;
export const MAX_PARTITION_FETCH_BYTES_DEFAULT = 1 << 20;
export const FETCH_MAX_WAIT_DEFAULT_US = 500 * MS;

export interface ClientFetchSettings extends FetchLimits {
  /** request.timeout.ms: how long past the wait a request may go unanswered. */
  readonly timeoutUs: Micros;
  /** retry.backoff.ms: the pause of a member that backs off. */
  readonly backoffUs: Micros;
  /** The names of the owner's timers for the requests' deadlines and for a backoff's end (the owner routes its timers to `onTimer`). */
  readonly timerName: string;
}

export interface ClientFetchOwner<M> {
  /** The member's part of the next request: its offset, its max.partition.fetch.bytes, its leader epoch. */
  partOf(member: M): FetchPartition;
  /** The member's part of a reply from `broker`. */
  onFetched(ctx: Context, member: M, part: FetchPartitionReply, broker: string): void;
  /** A request to `broker` went unanswered: its members are no longer asked for. */
  onUnanswered(ctx: Context, broker: string, members: readonly M[]): void;
  /** The member's backoff is over. */
  retry(ctx: Context, member: M): void;
}

interface Out<M> {
  readonly broker: string;
  readonly asked: Asked<M>;
  readonly sentAtUs: Micros;
  /** Its deadline is the connection set-up deadline (a new connection), not the request's own. */
  setup: boolean;
}

export class ClientFetcher<M> {
  /** Per broker, the members waiting for its next request, in fetch order. */
  private readonly queued = new Map<string, M[]>();
  /**
   * The requests out, at most one per broker, in no order: a client talks to a few brokers, and
   * looking one up by broker (a send) or by number (a reply) is a loop over a few entries — no Map
   * iterator per reply, no table that grows and shrinks with every request.
   */
  private readonly out: Out<M>[] = [];
  /** Members backing off, by the time their backoff ends, with its timer. */
  private readonly backingOff = new Map<number, { readonly members: M[]; readonly timer: TimerId }>();
  private readonly backoffTimer: string;
  /** The deadline of each request out. */
  private readonly deadlines: RequestDeadlines<Out<M>>;

  constructor(
    private readonly owner: ClientFetchOwner<M>,
    private readonly settings: ClientFetchSettings,
    private readonly nextReq: () => number,
    /** The owner's connection states: a request over a new connection gets its set-up timeout. */
    private readonly connections?: ConnectionStates,
  ) {
    this.backoffTimer = `${settings.timerName}:backoff`;
    this.deadlines = new RequestDeadlines(settings.timerName);
  }

  /** `member` is ready to fetch from `broker`, its leader: it goes in that broker's next request. */
  want(broker: string, member: M): void {
    let members = this.queued.get(broker);
    if (members === undefined) this.queued.set(broker, (members = []));
    if (!members.includes(member)) members.push(member);
  }

  /** Sends one request to every broker that has members queued and no request out. */
  send(ctx: Context): void {
    for (const [broker, members] of this.queued) {
      if (members.length === 0 || this.outFor(broker) !== undefined) continue;
      const { request, asked } = askFetch(this.nextReq(), members, (m) => this.owner.partOf(m), this.settings);
      ctx.send(broker, request);
      const requestTimeoutUs = this.settings.maxWaitUs + this.settings.timeoutUs;
      const { timeoutUs, setup } = this.connections?.deadline(ctx, broker, requestTimeoutUs) ?? { timeoutUs: requestTimeoutUs, setup: false };
      const out = { broker, asked, sentAtUs: ctx.now(), setup };
      this.deadlines.set(ctx, out, ctx.now() + timeoutUs);
      this.out.push(out);
      this.queued.set(broker, []);
    }
  }

  /** Hands a reply's parts to their members (then send again); false if the reply is to no request out. */
  onReply(ctx: Context, reply: FetchReply): boolean {
    const out = this.outWith(reply.req);
    if (out === undefined) return false;
    this.settle(out);
    eachPart(reply, out.asked, (member, part) => {
      // A member that got data comes after the others in its next request (fairness, fetch-request.ts).
      this.owner.onFetched(ctx, member, part, out.broker);
      if (part.batches.length > 0) moveToEnd(this.queued.get(out.broker) ?? [], member);
    });
    return true;
  }

  /** `member` waits `backoffUs` (or `delayUs`), with any other member that backs off until then, and then the owner's `retry` has it. */
  backOff(ctx: Context, member: M, delayUs: Micros = this.settings.backoffUs): void {
    const due = ctx.now() + delayUs;
    const waiting = this.backingOff.get(due);
    if (waiting !== undefined) return void waiting.members.push(member);
    this.backingOff.set(due, { members: [member], timer: ctx.setTimer(delayUs, this.backoffTimer, due) });
  }

  /**
   * The connection to `broker` broke (its process died on a live host): the request out to it
   * fails now, and the members it carried or queued for it are handed back for the owner to back off.
   */
  disconnected(ctx: Context, broker: string): M[] {
    const failed = this.queued.get(broker) ?? [];
    this.queued.delete(broker);
    const out = this.outFor(broker);
    if (out === undefined) return failed;
    this.settle(out);
    return [...out.asked.members, ...failed];
  }

  /** Handles the request-timeout and backoff timers; false if the wakeup is not one of this fetcher's (an actor may hold several). */
  onTimer(ctx: Context, wakeup: Pick<Wakeup, 'name' | 'data'>): boolean {
    if (wakeup.name === this.backoffTimer) {
      const waiting = this.backingOff.get(wakeup.data as number);
      if (waiting === undefined) return false;
      this.backingOff.delete(wakeup.data as number);
      for (const member of waiting.members) this.owner.retry(ctx, member);
      return true;
    }
    const expired = this.deadlines.expired(ctx, wakeup);
    if (expired === null) return false;
    for (const out of expired) this.timedOut(ctx, out);
    return true;
  }

  /** A request reached its deadline unanswered. */
  private timedOut(ctx: Context, out: Out<M>): void {
    if (out.setup) {
      out.setup = false;
      // The broker answered something since: the connection is up, and the request waits its own timeout.
      if (!this.connections!.setupTimedOut(ctx, out.broker)) return this.deadlines.set(ctx, out, out.sentAtUs + this.settings.maxWaitUs + this.settings.timeoutUs);
    } else {
      this.connections?.timedOut(out.broker);
    }
    this.settle(out);
    this.owner.onUnanswered(ctx, out.broker, out.asked.members);
  }

  /** Forgets every request, queue and backoff (a new assignment): replies to them are ignored. */
  clear(ctx: Context): void {
    this.deadlines.clear(ctx);
    for (const waiting of this.backingOff.values()) ctx.cancelTimer(waiting.timer);
    this.backingOff.clear();
    // `pop`, not a store to `length` (a runtime call in V8).
    while (this.out.length > 0) this.out.pop();
    this.queued.clear();
  }

  /** The request out with number `req`, if it is still out. */
  private outWith(req: number): Out<M> | undefined {
    for (const out of this.out) if (out.asked.req === req) return out;
    return undefined;
  }

  /** The request out to `broker`, if one is. */
  private outFor(broker: string): Out<M> | undefined {
    for (const out of this.out) if (out.broker === broker) return out;
    return undefined;
  }

  private settle(out: Out<M>): void {
    this.deadlines.delete(out);
    const i = this.out.indexOf(out);
    if (i < 0) return;
    // The last entry takes its place: the list has no order.
    this.out[i] = this.out[this.out.length - 1]!;
    this.out.pop();
  }
}

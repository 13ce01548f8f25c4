/**
 * A broker's replica fetcher for one leader broker (Kafka's ReplicaFetcherThread with
 * `num.replica.fetchers` = 1): one fetch loop that carries, in one FetchRequest, every partition
 * the broker follows from that leader and is ready to fetch (aligned, not backing off). The leader
 * holds the request until any of them has data or `replica.fetch.wait.max.ms` passes; the fetcher
 * hands each partition its part of the reply, and asks again — after an fsync of what it appended,
 * with `flush: every-write`.
 *
 * Fairness, as Kafka's PartitionStates: a partition that got data moves to the end of the order,
 * and the leader reads partitions in request order, letting only the first with data exceed the
 * size limits (one oversized batch per reply), so no partition starves behind a busy one. The
 * request building and reply splitting are the clients' too (fetch-request.ts).
 *
 * Partitions join and leave as their follower roles start, back off and resign; one that joins
 * while a fetch is out waits for its reply (at most the wait plus the link), as in Kafka. A reply
 * part is applied only to the very role it was asked for, so a role of a newer epoch never
 * applies data fetched for an older one.
 *
 * Silence: no reply within the wait plus `SILENCE_US` (the leader crashed, a partition ate the
 * message) → the fetch is abandoned and sent again; a late reply to the abandoned fetch is still
 * welcome for the partitions whose log end has not moved since (a reply carrying a batch of
 * gigabytes, a checkpoint image, can take longer than the silence). The silence is checked as
 * Kafka's NetworkClient checks a request's timeout, when the fetcher wakes: one timer armed at the
 * earliest deadline (request-deadlines.ts, the broker routes it here), not a timer per fetch, so a
 * fetch answered in time costs no event.
 *
 * Disconnect: the leader's process died on a live host, whose stack closed or refused the
 * connection (kernel/contract/disconnect.ts). As Kafka's fetcher thread on a failed fetch, the fetch
 * in flight fails now and the partitions wait `replica.fetch.backoff.ms` before the next one (which
 * the host refuses again while the process is down), instead of waiting for the silence.
 *
 * Guarantee: at most one fetch out to its leader; a reply part is applied only to a role still
 * fetching that partition — a late one only where the log end has not moved since — so no batch is
 * applied twice or at another offset; with `flush: every-write` the next fetch, whose offsets tell
 * the leader what this follower holds, goes only after what was appended is fsynced.
 *
 * How it breaks: with any other flush policy, the offsets of the next fetch count data that is
 * still only in the page cache, so acks=all is durable only while not every replica loses power at
 * once (a site-wide power loss takes what they had not written back); and it promises progress
 * only while the leader answers — a leader that stays silent is asked again every wait plus
 * `SILENCE_US`, for as long as this follower role lasts. Shown by
 * test/features/log/purgatory.test.ts (silence: asked again after the wait plus 1 s),
 * parts.test.ts (fetch order) and page-cache.test.ts and drills.test.ts (flush never: a site-wide
 * power loss loses what was acknowledged in the last ~30 s).
 */
import type { Context, Wakeup } from '../../../kernel/contract/index.ts';
import type { BrokerHost, Fetcher, FetcherMember, RoleTimer } from './broker-host.ts';
import { askFetch, eachPart, moveToEnd, type Asked } from './fetch-request.ts';
import type { FetchReply } from './messages.ts';
import { RequestDeadlines } from './request-deadlines.ts';

/** A follower that hears nothing back for this long past the fetch's wait asks again. */
export const SILENCE_US = 1_000_000;

/** The timer of the fetchers' silence deadlines (a broker routes it to each of its fetchers, `onTimer`). */
export const REPLICA_FETCH_TIMEOUT = 'replica-fetch-timeout';

/** Kafka's replica.fetch.response.max.bytes default: the most one fetch reply carries (but one oversized batch). */
const RESPONSE_MAX_BYTES = 10 << 20;

export class ReplicaFetcher implements Fetcher {
  /** The partitions it fetches, in fetch order. */
  private members: FetcherMember[] = [];
  private inFlight: Asked<FetcherMember> | null = null;
  private abandoned: Asked<FetcherMember> | null = null;
  /** When the fetch in flight is given up (the wait plus `SILENCE_US` after it was sent). */
  private readonly deadlines = new RequestDeadlines<Asked<FetcherMember>>(REPLICA_FETCH_TIMEOUT);
  /** The backoff after a broken connection. */
  private timer: RoleTimer | undefined;
  private flushing = false;
  /** Waiting out replica.fetch.backoff.ms after the connection to the leader broke. */
  private backingOff = false;

  constructor(
    private readonly host: BrokerHost,
    readonly leader: string,
  ) {}

  /** A partition is ready to fetch (again): it is in the next request. */
  add(ctx: Context, role: FetcherMember): void {
    if (!this.members.includes(role)) this.members.push(role);
    this.kick(ctx);
  }

  remove(role: FetcherMember): void {
    const i = this.members.indexOf(role);
    if (i >= 0) this.members.splice(i, 1);
  }

  onReply(ctx: Context, reply: FetchReply): void {
    const late = this.abandoned?.req === reply.req;
    const asked = late ? this.abandoned! : this.inFlight;
    if (asked === null || asked.req !== reply.req || this.inFlight === null) return;
    // A late reply to the abandoned fetch ends the one in flight too (see the header).
    this.deadlines.delete(this.inFlight);
    this.inFlight = null;
    this.abandoned = null;
    let appended = false;
    eachPart(reply, asked, (role, part, offset) => {
      if (!role.active || !role.fetching || (late && role.replica.log.logEnd !== offset)) return;
      if (role.onFetched(ctx, part)) appended = true;
      if (part.batches.length > 0) moveToEnd(this.members, role);
    });
    if (appended && this.host.waitsForFlush) {
      this.flushing = true;
      this.host.flush(ctx, this.flushed);
      return;
    }
    this.kick(ctx);
  }

  /** What it appended is fsynced: it asks again (one callback for every fsync it waits for, not one per reply). */
  private readonly flushed = (ctx: Context): void => {
    this.flushing = false;
    this.kick(ctx);
  };

  /** Sends the next fetch unless one is out, an fsync is pending, or no partition is ready. */
  private kick(ctx: Context): void {
    if (this.inFlight !== null || this.flushing || this.backingOff) return;
    const ready = this.members.filter((role) => role.active && role.fetching);
    if (ready.length === 0) return;
    const config = this.host.config;
    const req = this.host.nextReq();
    const { request, asked } = askFetch(req, ready, (role) => role.fetchPartition(), { maxWaitUs: config.replicaFetchWaitMaxUs, maxBytes: RESPONSE_MAX_BYTES, replica: this.host.id });
    ctx.send(this.leader, request);
    this.inFlight = asked;
    this.deadlines.set(ctx, asked, ctx.now() + config.replicaFetchWaitMaxUs + SILENCE_US);
  }

  /** Handles the silence deadlines' timer; false if the wakeup is another fetcher's. */
  onTimer(ctx: Context, wakeup: Pick<Wakeup, 'name' | 'data'>): boolean {
    const expired = this.deadlines.expired(ctx, wakeup);
    if (expired === null) return false;
    // At most one fetch is in flight, and an answered one leaves the deadlines: what expires is it.
    for (const asked of expired) if (asked === this.inFlight) this.silence(ctx);
    return true;
  }

  /** The leader's host closed or refused the connection: see the header. */
  disconnected(ctx: Context): void {
    if (this.inFlight === null || this.backingOff) return;
    this.deadlines.delete(this.inFlight);
    this.inFlight = null;
    this.abandoned = null;
    this.backingOff = true;
    this.timer = this.host.timer(ctx, this.host.config.replicaFetchBackoffUs, (c) => {
      this.backingOff = false;
      this.kick(c);
    });
  }

  private silence(ctx: Context): void {
    this.abandoned = this.inFlight;
    this.inFlight = null;
    this.kick(ctx);
  }
}

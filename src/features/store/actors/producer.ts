/**
 * A producer: an instrument emitting events at a fixed rate into the event store, with a request
 * timeout and retries (at least once: a retry of a request whose ack was lost stores it twice).
 *
 * Event ids are `<producer>-<k>` where `k` is the index of the production tick on the time grid
 * `k · 1/rate`. Ids therefore stay unique across producer restarts without any durable counter, and
 * an instrument that is down simply produces nothing for the ticks it missed.
 *
 * Every produce, retry, acknowledgement and final error is a `client` record with the event ids
 * it covers; the checkers and metrics read those. Retries and give-ups mark the fault-coverage
 * paths `producer.retry` and `producer.give-up` (see metrics/coverage.ts).
 *
 * Guarantee: an event is recorded `ack` only once the store answered that it holds it (at the
 * offset given), and is produced under one id only, whatever the restarts; each request ends in
 * `ack` or, after `retries` retries, `error` — unless the producer crashes first.
 *
 * How it breaks: at least once, not exactly once — an ack lost on the way back (a partition, loss,
 * a timeout shorter than the store's fsync) makes the retry store the event again, and `error`
 * does not mean "not stored": the store may hold a given-up event, even twice. A crash forgets the
 * requests in flight (neither acked nor given up) and the ticks while it is down produce nothing.
 * Whether an ack survives the store's power loss is the store's flush policy (event-store.ts).
 * Shown by test/features/store/store.test.ts ("at least once: acks cut …").
 */
import type { Actor, Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { SECOND, assert, requestNumbersFrom } from '../../../kernel/contract/index.ts';
import type { StoreReply } from './messages.ts';

/** The failure-handling paths the producer marks with `cover`. */
export const PRODUCER_COVERAGE_PATHS = ['producer.retry', 'producer.give-up'] as const;

export interface ProducerConfig {
  /** The store actor to send to. */
  store: string;
  ratePerSec: number;
  eventBytes: number;
  /** How long to wait for an ack before retrying, µs. */
  timeoutUs: Micros;
  /** Retries after the first attempt before giving up on a request. */
  retries: number;
  /** No tick at or after this time produces an event, µs. */
  stopAtUs: Micros;
}

interface Outstanding {
  readonly events: readonly string[];
  attempts: number;
  timer: TimerId;
}

export class Producer implements Actor<StoreReply> {
  private readonly outstanding = new Map<number, Outstanding>();
  private nextReq = 0;
  private tick = 0;

  constructor(private readonly config: ProducerConfig) {}

  start(ctx: Context): void {
    // Above every earlier incarnation's, so a late ack to a request before a crash matches none now.
    this.nextReq = requestNumbersFrom(ctx.now()) + 1;
    this.tick = this.firstTickAtOrAfter(ctx.now());
    this.scheduleTick(ctx);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'tick') this.produce(ctx);
    else if (wakeup.name === 'timeout') this.timedOut(ctx, wakeup.data as number);
  }

  onMessage(ctx: Context, message: StoreReply): void {
    if (message.type !== 'produce-ack') return;
    const request = this.outstanding.get(message.req);
    if (request === undefined) return; // a duplicate ack for a retried request, or from before a restart
    this.outstanding.delete(message.req);
    assert(message.offset >= 0, () => `store producer: an ack carries the event's offset, but request ${message.req} was acknowledged at ${message.offset}`);
    ctx.cancelTimer(request.timer);
    ctx.record('client', { op: 'ack', events: request.events, offset: message.offset });
  }

  private produce(ctx: Context): void {
    const events = [`${ctx.self}-${this.tick}`];
    this.tick++;
    const req = this.nextReq++;
    ctx.record('client', { op: 'produce', events });
    const timer = this.send(ctx, req, events);
    this.outstanding.set(req, { events, attempts: 1, timer });
    this.scheduleTick(ctx);
  }

  private timedOut(ctx: Context, req: number): void {
    const request = this.outstanding.get(req);
    if (request === undefined) return;
    if (request.attempts > this.config.retries) {
      this.outstanding.delete(req);
      ctx.record('client', { op: 'error', events: request.events, error: 'timeout', cover: 'producer.give-up' });
      return;
    }
    request.attempts++;
    ctx.record('client', { op: 'retry', events: request.events, attempt: request.attempts, cover: 'producer.retry' });
    request.timer = this.send(ctx, req, request.events);
  }

  private send(ctx: Context, req: number, events: readonly string[]): TimerId {
    ctx.send(this.config.store, { type: 'produce', req, events, eventBytes: this.config.eventBytes }, { bytes: this.config.eventBytes * events.length });
    return ctx.setTimer(this.config.timeoutUs, 'timeout', req);
  }

  private scheduleTick(ctx: Context): void {
    const at = this.tickTime(this.tick);
    if (at >= this.config.stopAtUs) return;
    ctx.setTimer(at - ctx.now(), 'tick');
  }

  private tickTime(k: number): Micros {
    return Math.floor((k * SECOND) / this.config.ratePerSec);
  }

  private firstTickAtOrAfter(now: Micros): number {
    let k = Math.ceil((now * this.config.ratePerSec) / SECOND);
    while (this.tickTime(k) < now) k++;
    while (k > 0 && this.tickTime(k - 1) >= now) k--;
    return k;
  }
}

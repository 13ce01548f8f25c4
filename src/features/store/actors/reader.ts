/**
 * The final reader: after the faults have healed, it reads the store's whole log page by page and
 * records every event id it finds (`client` records with `op: consume` and `final: true`, then one
 * `op: final-read`). This is Jepsen's final read: what it sees is what the store kept, so an event
 * acknowledged to a producer but absent here was lost.
 *
 * A page that gets no reply within the timeout is asked for again; a crash of the reader restarts
 * the read from the beginning, with request numbers above every earlier incarnation's (they start
 * from the clock), as a real client's would be: a page still in flight to the crashed incarnation
 * can never be taken for an answer to the restarted one.
 *
 * Guarantee: pages are contiguous (asserted: each reply starts where the reader is) and
 * `final-read` is recorded only when the store says its log ends there, so the read holds every
 * event the store held then, once per read, in log order.
 *
 * How it fails: a store that never answers again is asked forever and `final-read` never comes; a
 * read started before the producers stop misses what is appended after it reached the end
 * (`readAtUs` is set after their last retry); a crash of the reader records the pages read before
 * it a second time (same offsets). Shown by test/features/store/store.test.ts (every-write: the
 * final read finds every acknowledged event; the restart that reads from offset 0 again).
 */
import type { Actor, Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, requestNumbersFrom } from '../../../kernel/contract/index.ts';
import type { StoreReply } from './messages.ts';

export interface ReaderConfig {
  store: string;
  /** When to start the final read, µs. */
  readAtUs: Micros;
  pageSize: number;
  timeoutUs: Micros;
}

export class FinalReader implements Actor<StoreReply> {
  private offset = 0;
  private req = 0;
  private found = 0;
  private timer: TimerId | undefined;

  constructor(private readonly config: ReaderConfig) {}

  start(ctx: Context): void {
    this.req = requestNumbersFrom(ctx.now());
    ctx.setTimer(Math.max(0, this.config.readAtUs - ctx.now()), 'read');
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'read') this.ask(ctx);
  }

  onMessage(ctx: Context, message: StoreReply): void {
    if (message.type !== 'read-reply' || message.req !== this.req) return;
    if (this.timer !== undefined) ctx.cancelTimer(this.timer);
    // Pages are read in order: the reply to the request in flight starts where the reader is.
    assert(message.offset === this.offset, () => `store reader: pages contiguous, but a page at ${message.offset} answered a read at ${this.offset}`);
    ctx.record('client', { op: 'consume', final: true, offset: message.offset, events: message.events });
    this.offset += message.events.length;
    this.found += message.events.length;
    if (message.end) ctx.record('client', { op: 'final-read', events: this.found });
    else this.ask(ctx);
  }

  private ask(ctx: Context): void {
    this.req++;
    ctx.send(this.config.store, { type: 'read', req: this.req, offset: this.offset, max: this.config.pageSize });
    this.timer = ctx.setTimer(this.config.timeoutUs, 'read');
  }
}

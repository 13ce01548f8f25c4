/**
 * The log's final reader (Jepsen's final read): once the faults have healed and the producers can
 * no longer be retrying, it reads every partition of every topic from its log start to its high
 * watermark, from the partition's leader, and records what it finds — `client` records with
 * `op: consume`, `final: true`, the partition and the offset of the first event — then one
 * `op: final-read`. An acknowledged event absent from it was lost.
 *
 * A partition is finished when the read reaches a high watermark that equals the leader's log end,
 * so nothing in the leader's log is left uncommitted (the followers have caught up). Until then,
 * and while a partition has no leader, it asks again every `retryUs`. A crash of the reader starts
 * the whole read again; the duplicate checker tells a re-read (same offset) from a duplicate.
 */
import type { Actor, Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, requestNumbersFrom } from '../../../kernel/contract/index.ts';
import { fetchOne, type ClientInbound, type FetchPartitionReply } from './messages.ts';
import { MetadataView } from './metadata-view.ts';

export interface FinalReaderConfig {
  readonly topics: readonly { readonly name: string; readonly partitions: number }[];
  readonly brokers: readonly string[];
  readonly readAtUs: Micros;
  readonly pageBytes: number;
  readonly timeoutUs: Micros;
  readonly retryUs: Micros;
}

export class LogFinalReader implements Actor<ClientInbound> {
  private readonly metadata: MetadataView;
  private readonly partitions: { topic: string; partition: number }[];
  private index = 0;
  private offset = 0;
  private found = 0;
  private req = 0;
  private timer: TimerId | undefined;
  /** A fetch is out and unanswered. */
  private awaiting = false;
  /** The broker the last fetch went to. */
  private askedBroker: string | undefined;

  constructor(private readonly config: FinalReaderConfig) {
    this.metadata = new MetadataView(config.brokers, config.timeoutUs);
    this.partitions = config.topics.flatMap((t) => Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition })));
  }

  start(ctx: Context): void {
    this.req = requestNumbersFrom(ctx.now());
    ctx.setTimer(Math.max(0, this.config.readAtUs - ctx.now()), 'read');
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'metadata-timeout') {
      this.metadata.onTimeout(ctx, wakeup.data as number);
      return;
    }
    if (wakeup.name !== 'read') return;
    // A read that got no answer may have gone to a leader that is gone: ask another broker who leads now.
    if (this.awaiting) {
      if (this.askedBroker !== undefined) this.metadata.unreachable(ctx, this.askedBroker);
      this.metadata.refresh(ctx, ++this.req);
    }
    this.read(ctx);
  }

  onMessage(ctx: Context, message: ClientInbound): void {
    if (message.type === 'metadata-reply') {
      if (this.metadata.onReply(ctx, message)) this.read(ctx);
    } else if (message.type === 'fetch-reply') {
      // Each fetch asks for one partition: its reply's one partition.
      this.fetched(ctx, message.req, message.partitions[0]!);
    }
  }

  private read(ctx: Context): void {
    if (this.timer !== undefined) ctx.cancelTimer(this.timer);
    const current = this.partitions[this.index];
    if (current === undefined) return;
    const leader = this.metadata.usableLeaderOf(current.topic, current.partition);
    if (leader === null) {
      this.metadata.refresh(ctx, ++this.req);
      this.timer = ctx.setTimer(this.config.retryUs, 'read');
      return;
    }
    this.req++;
    this.awaiting = true;
    this.askedBroker = leader;
    ctx.send(leader, fetchOne(this.req, { topic: current.topic, partition: current.partition, offset: this.offset, maxBytes: this.config.pageBytes }, 0));
    this.timer = ctx.setTimer(this.config.timeoutUs, 'read');
  }

  private fetched(ctx: Context, req: number, reply: FetchPartitionReply): void {
    if (req !== this.req) return;
    this.awaiting = false;
    if (this.askedBroker !== undefined) this.metadata.reachable(this.askedBroker);
    if (this.timer !== undefined) ctx.cancelTimer(this.timer);
    this.timer = undefined;
    if (reply.error === 'offset-out-of-range' && this.offset < reply.logStart) {
      // Retention deleted the beginning: start where the log starts now.
      this.offset = reply.logStart;
      return this.read(ctx);
    }
    if (reply.error !== undefined) return this.retry(ctx, true);
    // Its completion test (offset ≥ high watermark = log end) relies on the leader's positions.
    assert(reply.logStart <= reply.highWatermark && reply.highWatermark <= reply.logEnd, () => `final read of ${reply.topic}-${reply.partition}: log start ≤ high watermark ≤ log end, but ${reply.logStart} / ${reply.highWatermark} / ${reply.logEnd}`);
    const events: string[] = [];
    for (const batch of reply.batches) {
      batch.events.forEach((id, i) => {
        if (batch.base + i >= this.offset) events.push(id);
      });
    }
    if (events.length > 0) {
      ctx.record('client', { op: 'consume', final: true, events, topic: reply.topic, partition: reply.partition, offset: this.offset });
      this.offset += events.length;
      this.found += events.length;
      return this.read(ctx);
    }
    if (this.offset >= reply.highWatermark && reply.highWatermark === reply.logEnd) return this.next(ctx);
    this.retry(ctx, false);
  }

  private next(ctx: Context): void {
    this.index++;
    this.offset = 0;
    if (this.index < this.partitions.length) return this.read(ctx);
    ctx.record('client', { op: 'final-read', events: this.found });
  }

  private retry(ctx: Context, refresh: boolean): void {
    if (refresh) this.metadata.refresh(ctx, ++this.req);
    this.timer = ctx.setTimer(this.config.retryUs, 'read');
  }
}

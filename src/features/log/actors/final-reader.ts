/**
 * The log's final reader (Jepsen's final read): once the faults have healed and the producers can
 * no longer be retrying, it reads every partition of every topic from its log start to its high
 * watermark, from the partition's leader, and records what it finds — `client` records with
 * `op: consume`, `final: true`, the partition and the offset of the first event (a page's events
 * are at consecutive offsets: a compacted log's gaps start a new page) — then one
 * `op: final-read`. An acknowledged event absent from it was lost.
 *
 * It reads as a Kafka consumer fetches (client-fetcher.ts): one request per leader broker for every
 * partition it leads that is not finished, each partition up to `pageBytes`
 * (max.partition.fetch.bytes) and the reply up to fetch.max.bytes, without waiting (it reads what
 * is there). A partition is finished when the read reaches a high watermark that equals the
 * leader's log end, so nothing in the leader's log is left uncommitted (the followers have caught
 * up). Until then, and while a partition has no leader or answers an error, that partition asks
 * again every `retryUs`; the others read on. A crash of the reader starts the whole read again;
 * the duplicate checker tells a re-read (same offset) from a duplicate.
 *
 * Guarantee: `final-read` is recorded only once every partition was read, page after page in
 * offset order, from where its log started to a high watermark equal to its leader's log end; so
 * every record a leader then held is recorded at least once.
 *
 * How it fails: it reads what the leader holds, not what was acknowledged — a record that
 * retention deleted before the read (the read restarts at the log start) or that an unclean
 * election truncated is absent, which is the loss the checkers are there to report; a read
 * started while a producer can still retry misses what is acknowledged after it (hence
 * `readAtUs`); and a partition that never again has a leader is asked for forever, so
 * `final-read` is never recorded (the checkers' `no-final-read`).
 * Shown by test/features/log/message-size.test.ts (every acknowledged record found once) and
 * cluster.test.ts (retention: the read starts at the moved log start).
 */
import type { Actor, Context, EventId, Disconnect, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, requestNumbersFrom } from '../../../kernel/contract/index.ts';
import { ClientFetcher, FETCH_MAX_BYTES_DEFAULT } from './client-fetcher.ts';
import type { ClientInbound, FetchPartitionReply } from './messages.ts';
import { ClientNetwork } from './client-network.ts';
import type { MetadataView } from './metadata-view.ts';

export interface FinalReaderConfig {
  readonly topics: readonly { readonly name: string; readonly partitions: number }[];
  readonly brokers: readonly string[];
  readonly readAtUs: Micros;
  readonly pageBytes: number;
  readonly timeoutUs: Micros;
  readonly retryUs: Micros;
}

interface PartitionRead {
  readonly topic: string;
  readonly partition: number;
  offset: number;
  fetching: boolean;
  done: boolean;
}

export class LogFinalReader implements Actor<ClientInbound> {
  private readonly network: ClientNetwork;
  private readonly metadata: MetadataView;
  private readonly partitions: PartitionRead[];
  private readonly fetcher: ClientFetcher<PartitionRead>;
  private left: number;
  private found = 0;
  private req = 0;

  constructor(private readonly config: FinalReaderConfig) {
    this.network = new ClientNetwork(config.brokers, config.timeoutUs, config.retryUs, () => ++this.req);
    this.metadata = this.network.metadata;
    this.partitions = config.topics.flatMap((t) => Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition }))).map(({ topic, partition }) => ({ topic, partition, offset: 0, fetching: false, done: false }));
    this.left = this.partitions.length;
    const owner = {
      partOf: (r: PartitionRead) => ({ topic: r.topic, partition: r.partition, offset: r.offset, maxBytes: config.pageBytes }),
      onFetched: (ctx: Context, r: PartitionRead, part: FetchPartitionReply, broker: string) => this.fetched(ctx, r, part, broker),
      onUnanswered: (ctx: Context, broker: string, reads: readonly PartitionRead[]) => this.unanswered(ctx, broker, reads),
      retry: (ctx: Context, r: PartitionRead) => this.read(ctx, r),
    };
    this.fetcher = new ClientFetcher(owner, { maxWaitUs: 0, maxBytes: FETCH_MAX_BYTES_DEFAULT, timeoutUs: config.timeoutUs, backoffUs: config.retryUs, timerName: 'read-timeout' }, () => ++this.req, this.network.connections);
  }

  start(ctx: Context): void {
    this.req = requestNumbersFrom(ctx.now());
    ctx.setTimer(Math.max(0, this.config.readAtUs - ctx.now()), 'read');
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'metadata-timeout') {
      // Timed out, or a refresh deferred by its backoff is due: ask (again) — partitions may be waiting for it.
      if (this.metadata.onTimeout(ctx, wakeup.data as number)) this.metadata.refresh(ctx, ++this.req);
      return;
    }
    // The read begins with every partition at once.
    if (wakeup.name === 'read') for (const r of this.partitions) this.read(ctx, r);
    else if (!this.fetcher.onTimer(ctx, wakeup)) return;
    this.fetcher.send(ctx);
  }

  onMessage(ctx: Context, message: ClientInbound, from: string): void {
    this.network.heard(from);
    if (message.type === 'metadata-reply') {
      this.metadata.onReply(ctx, message);
    } else if (message.type === 'fetch-reply') {
      this.fetcher.onReply(ctx, message);
    }
    this.fetcher.send(ctx);
  }

  /**
   * A broker's process died on a live host (kernel/contract/disconnect.ts): as a Kafka consumer, the
   * read out to it fails now, its partitions ask again after `retryUs` or the broker's reconnect
   * backoff, and metadata is asked of another broker (client-network.ts).
   */
  onDisconnect(ctx: Context, { peer }: Disconnect): void {
    if (!this.config.brokers.includes(peer)) return;
    const waitUs = this.network.disconnected(ctx, peer);
    for (const r of this.fetcher.disconnected(ctx, peer)) {
      r.fetching = false;
      this.fetcher.backOff(ctx, r, waitUs);
    }
    this.fetcher.send(ctx);
  }

  /** Puts the partition in its leader's next request, or waits for one to be known. */
  private read(ctx: Context, r: PartitionRead): void {
    if (r.done || r.fetching) return;
    const leader = this.metadata.usableLeaderOf(r.topic, r.partition);
    if (leader === null) return this.retry(ctx, r, true);
    r.fetching = true;
    this.fetcher.want(leader, r);
  }

  /** A request to `broker` got no answer: it may be gone; ask another broker who leads now. */
  private unanswered(ctx: Context, broker: string, reads: readonly PartitionRead[]): void {
    this.metadata.unreachable(ctx, broker);
    this.metadata.refresh(ctx, ++this.req);
    for (const r of reads) {
      r.fetching = false;
      this.read(ctx, r);
    }
  }

  private fetched(ctx: Context, r: PartitionRead, reply: FetchPartitionReply, broker: string): void {
    r.fetching = false;
    this.metadata.reachable(broker);
    if (reply.error === 'offset-out-of-range' && r.offset < reply.logStart) {
      // Retention deleted the beginning: start where the log starts now.
      r.offset = reply.logStart;
      return this.read(ctx, r);
    }
    if (reply.error !== undefined) return this.retry(ctx, r, true);
    // Its completion test (offset ≥ high watermark = log end) relies on the leader's positions.
    assert(reply.logStart <= reply.highWatermark && reply.highWatermark <= reply.logEnd, () => `final read of ${reply.topic}-${reply.partition}: log start ≤ high watermark ≤ log end, but ${reply.logStart} / ${reply.highWatermark} / ${reply.logEnd}`);
    // One record per run of consecutive offsets (a page's records are at its offset plus their
    // index): a compacted log's cleaner leaves gaps between batches, and the read goes on after the
    // last record it found, not its count past where it started.
    let events: EventId[] = [];
    let first = r.offset;
    const start = r.offset;
    for (const batch of reply.batches) {
      for (let i = 0; i < batch.events.length; i++) {
        const at = batch.base + i;
        if (at < r.offset) continue;
        if (events.length > 0 && at !== first + events.length) {
          this.page(ctx, reply, first, events);
          events = [];
        }
        if (events.length === 0) first = at;
        events.push(batch.events[i]!);
        r.offset = at + 1;
      }
    }
    if (events.length > 0) this.page(ctx, reply, first, events);
    if (r.offset > start) return this.read(ctx, r);
    if (r.offset >= reply.highWatermark && reply.highWatermark === reply.logEnd) return this.finished(ctx, r);
    this.retry(ctx, r, false);
  }

  /** Records a final page: `events` at offsets `offset`, `offset + 1`, …. */
  private page(ctx: Context, reply: FetchPartitionReply, offset: number, events: EventId[]): void {
    ctx.record('client', { op: 'consume', final: true, events, topic: reply.topic, partition: reply.partition, offset });
    this.found += events.length;
  }

  private finished(ctx: Context, r: PartitionRead): void {
    r.done = true;
    if (--this.left === 0) ctx.record('client', { op: 'final-read', events: this.found });
  }

  private retry(ctx: Context, r: PartitionRead, refresh: boolean): void {
    if (refresh) this.metadata.refresh(ctx, ++this.req);
    this.fetcher.backOff(ctx, r);
  }
}

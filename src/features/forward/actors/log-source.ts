/**
 * The consuming half of a reader of a log service's topic — a forwarder reading an HPC-local
 * Mofka-like service, an alert broker, a pipeline operator's input stream: it fetches as a Kafka
 * consumer does (client-fetcher.ts), one FetchRequest per leader broker for every partition it
 * leads that has room, at most one in flight per broker, within `fetch.max.bytes`, each partition
 * up to `max.partition.fetch.bytes`, held by the leader until `fetch.min.bytes` are there across
 * the request's partitions or `fetch.max.wait.ms` passes. It reads only committed events (up to the
 * high watermark), and at most `readAheadBytes` per partition ahead of what its owner took (the
 * owner's poll: a partition whose fetched events reach that bound is left out of requests until
 * the owner takes some — as Kafka's consumer leaves out a partition with records still buffered).
 *
 * Positions: the owner takes events in offset order and keeps, per partition, the next offset to
 * take in its durable state; a restarted owner fetches again from there (its committed position).
 * Events fetched but not yet taken are memory only and are simply fetched again.
 *
 * Sending: what becomes ready during one step of the owner goes out when the owner calls `send`
 * at the end of that step, so partitions ready together share a request.
 *
 * Broken connections, as Kafka's NetworkClient: a leader whose process died on a live host
 * (`disconnected`, kernel/contract/disconnect.ts) fails the fetch out to it now; its partitions
 * fetch again after `retry.backoff.ms` or the broker's reconnect backoff, whichever is longer, and
 * metadata is asked of another broker. A leader whose node died is found out by the request timeout.
 *
 * How it breaks: the source's retention may delete events before they are taken (an outage of
 * the owner's destination longer than `retention.ms`, past what was read ahead); the fetch then
 * answers offset-out-of-range and the source skips to the log start, recording a `forward-gap`
 * with the offsets it could not read. Those events were acknowledged to their producer: the
 * `no-acked-loss` checker names them (`forwarded-once` counts them as `skipped` without judging
 * them: the source's final read lacks them too). Shown by test/features/forward/source-retention.test.ts.
 */
import type { Context, EventId, Micros } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import { ClientFetcher, ClientNetwork, FETCH_MAX_BYTES_DEFAULT, batchSizeInBytes, FETCH_MAX_WAIT_DEFAULT_US, MAX_PARTITION_FETCH_BYTES_DEFAULT } from '../../log/actors/index.ts';
import type { FetchPartition, FetchPartitionReply, MetadataReply } from '../../log/actors/index.ts';
import type { ForwarderConfig, LogEndpoint } from './config.ts';

export interface SourceEvent {
  readonly offset: number;
  readonly id: EventId;
  readonly bytes: number;
  /** The event's payload, when its producer stored one (pipelines over the log). */
  readonly payload?: unknown;
}

/**
 * What the fetch loop needs of its owner's configuration (a forwarder's, an alert broker's, a log
 * transport's); the consumer fetch settings default to Kafka's (fetch.max.wait.ms 500 ms,
 * fetch.min.bytes 1, max.partition.fetch.bytes 1 MiB, fetch.max.bytes 50 MiB).
 */
export type LogSourceConfig = Pick<ForwarderConfig, 'requestTimeoutUs' | 'retryBackoffUs' | 'readAheadBytes'> & {
  readonly fetchMaxWaitUs?: Micros;
  readonly fetchMinBytes?: number;
  readonly maxPartitionFetchBytes?: number;
  readonly fetchMaxBytes?: number;
};

interface PartitionFetch {
  readonly partition: number;
  /** Next offset to fetch. */
  position: number;
  pending: SourceEvent[];
  pendingBytes: number;
  /** Queued for, or carried by, a fetch to its leader. */
  fetching: boolean;
  /** Waiting out a backoff (the fetcher's `retry` ends it). */
  backingOff: boolean;
}

/** The timers of a log source (its fetcher adds `:backoff` for the backoffs). */
const FETCH_TIMER = 'forward:fetch';

export class LogSource {
  private readonly network: ClientNetwork;
  /** By partition number: every partition of the topic, or the ones a reader was given. */
  private readonly partitions = new Map<number, PartitionFetch>();
  private readonly fetcher: ClientFetcher<PartitionFetch>;
  /** A partition with new events since the owner last asked (`onMessage` returns it). */
  private fresh: number | undefined;
  private req: number;

  constructor(
    ctx: Context,
    private readonly endpoint: LogEndpoint,
    private readonly config: LogSourceConfig,
  ) {
    this.network = new ClientNetwork(endpoint.brokers, config.requestTimeoutUs, config.retryBackoffUs, () => ++this.req);
    this.req = ctx.rng('forward-fetch-req').int(1, 2 ** 40);
    const owner = {
      partOf: (p: PartitionFetch): FetchPartition => ({ topic: endpoint.topic, partition: p.partition, offset: p.position, maxBytes: config.maxPartitionFetchBytes ?? MAX_PARTITION_FETCH_BYTES_DEFAULT }),
      onFetched: (c: Context, p: PartitionFetch, part: FetchPartitionReply, broker: string) => this.fetched(c, p, part, broker),
      onUnanswered: (c: Context, broker: string, members: readonly PartitionFetch[]) => this.unanswered(c, broker, members),
      retry: (c: Context, p: PartitionFetch) => this.retry(c, p),
    };
    const settings = {
      maxWaitUs: config.fetchMaxWaitUs ?? FETCH_MAX_WAIT_DEFAULT_US,
      maxBytes: config.fetchMaxBytes ?? FETCH_MAX_BYTES_DEFAULT,
      minBytes: config.fetchMinBytes ?? 1,
      timeoutUs: config.requestTimeoutUs,
      backoffUs: config.retryBackoffUs,
      timerName: FETCH_TIMER,
    };
    this.fetcher = new ClientFetcher(owner, settings, () => ++this.req, this.network.connections);
  }

  /** Starts fetching each partition from its committed position (partition p at `positions[p]`). */
  start(ctx: Context, positions: readonly number[]): void {
    this.startAt(ctx, new Map(positions.map((position, p) => [p, position])));
  }

  /** Starts fetching only the given partitions, each from its position. */
  startAt(ctx: Context, positions: ReadonlyMap<number, number>): void {
    for (const [partition, position] of positions) this.partitions.set(partition, { partition, position, pending: [], pendingBytes: 0, fetching: false, backingOff: false });
    this.network.refresh(ctx);
    for (const p of positions.keys()) this.fetch(ctx, this.partitions.get(p)!);
    this.send(ctx);
  }

  /**
   * Moves partition `p` back (or forward) to `position`, dropping what was fetched: a restored
   * reader replays from its checkpoint. Replies and backoffs of the old position no longer apply.
   */
  seek(ctx: Context, p: number, position: number): void {
    const old = this.partitions.get(p)!;
    // A new member: the fetcher hands replies to the member they were asked for, so the old one's are dropped.
    old.fetching = true;
    old.backingOff = true;
    const fresh: PartitionFetch = { partition: p, position, pending: [], pendingBytes: 0, fetching: false, backingOff: false };
    this.partitions.set(p, fresh);
    this.fetch(ctx, fresh);
    this.send(ctx);
  }

  /** Takes partition `p`'s fetched events in offset order, up to `maxBytes` serialized as a batch (`batchSizeInBytes`; at least one event). */
  take(ctx: Context, p: number, maxBytes: number): SourceEvent[] {
    const fetch = this.partitions.get(p)!;
    const taken: SourceEvent[] = [];
    let bytes = 0;
    while (fetch.pending.length > 0) {
      const event = fetch.pending[0]!;
      if (taken.length > 0 && batchSizeInBytes(bytes + event.bytes, taken.length + 1) > maxBytes) break;
      taken.push(fetch.pending.shift()!);
      bytes += event.bytes;
    }
    fetch.pendingBytes -= bytes;
    assert(fetch.pendingBytes >= 0, () => `log source ${this.endpoint.topic}-${p}: fetched bytes never negative, but ${fetch.pendingBytes}`);
    this.fetch(ctx, fetch);
    return taken;
  }

  hasPending(p: number): boolean {
    return this.partitions.get(p)!.pending.length > 0;
  }

  /** Sends what became ready: one request per leader broker with none out. Owners call it at the end of each step. */
  send(ctx: Context): void {
    this.fetcher.send(ctx);
  }

  /** Handles a fetch or metadata reply (then sends); returns a partition that has new events, if any. */
  onMessage(ctx: Context, message: { readonly type: string }, from: string): number | undefined {
    this.network.heard(from);
    if (message.type === 'metadata-reply') {
      this.network.metadata.onReply(ctx, message as MetadataReply);
      return undefined;
    }
    if (message.type !== 'fetch-reply') return undefined;
    this.fresh = undefined;
    this.fetcher.onReply(ctx, message as Parameters<ClientFetcher<PartitionFetch>['onReply']>[1]);
    this.send(ctx);
    return this.fresh;
  }

  /** Handles the source's timers (then sends); false if the timer is not the source's. */
  onTimer(ctx: Context, name: string, data: unknown): boolean {
    if (name === 'metadata-timeout') {
      if (this.network.metadata.onTimeout(ctx, data as number)) this.network.refresh(ctx);
      return false; // the sink's view may own it too
    }
    if (!this.fetcher.onTimer(ctx, { name, data })) return false;
    this.send(ctx);
    return true;
  }

  /**
   * The owner's connection to `peer` broke — its process died on a live host. A fetch out to it
   * fails now (see the header); a peer that is no broker of the source's service is not its business.
   */
  disconnected(ctx: Context, peer: string): void {
    if (!this.endpoint.brokers.includes(peer)) return;
    const waitUs = this.network.disconnected(ctx, peer);
    for (const p of this.fetcher.disconnected(ctx, peer)) {
      if (this.partitions.get(p.partition) !== p) continue;
      p.fetching = false;
      p.backingOff = true;
      this.fetcher.backOff(ctx, p, waitUs);
    }
    this.send(ctx);
  }

  /** Queues the partition for its leader's next request when it has room and is not already fetching. */
  private fetch(ctx: Context, p: PartitionFetch): void {
    if (p.fetching || p.backingOff || p.pendingBytes >= this.config.readAheadBytes) return;
    const leader = this.network.metadata.usableLeaderOf(this.endpoint.topic, p.partition);
    if (leader === null) {
      this.network.refresh(ctx);
      p.backingOff = true;
      this.fetcher.backOff(ctx, p);
      return;
    }
    p.fetching = true;
    this.fetcher.want(leader, p);
  }

  private retry(ctx: Context, p: PartitionFetch): void {
    if (this.partitions.get(p.partition) !== p) return;
    p.backingOff = false;
    this.fetch(ctx, p);
  }

  /** The fetch got no answer within request.timeout.ms: its broker may be gone. As a Kafka consumer does, ask another broker who leads now. */
  private unanswered(ctx: Context, broker: string, members: readonly PartitionFetch[]): void {
    this.network.metadata.unreachable(ctx, broker);
    this.network.refresh(ctx);
    for (const p of members) {
      p.fetching = false;
      if (this.partitions.get(p.partition) === p) this.fetch(ctx, p);
    }
  }

  private fetched(ctx: Context, p: PartitionFetch, reply: FetchPartitionReply, broker: string): void {
    p.fetching = false;
    if (this.partitions.get(p.partition) !== p) return;
    this.network.metadata.reachable(broker);
    if (reply.error === 'offset-out-of-range' && reply.logStart > p.position) {
      ctx.record('client', { op: 'forward-gap', topic: this.endpoint.topic, partition: p.partition, from: p.position, to: reply.logStart, cover: 'forward.gap' });
      p.position = reply.logStart;
    } else if (reply.error !== undefined) {
      this.network.refresh(ctx);
      p.backingOff = true;
      this.fetcher.backOff(ctx, p);
      return;
    } else {
      // A reader sees only committed events: the leader reads up to its high watermark.
      const last = reply.batches[reply.batches.length - 1];
      const end = last === undefined ? reply.highWatermark : last.base + last.events.length;
      assert(end <= reply.highWatermark && reply.highWatermark <= reply.logEnd, () => `log source ${this.endpoint.topic}-${p.partition}: fetched end ≤ high watermark ≤ log end, but ${end} / ${reply.highWatermark} / ${reply.logEnd}`);
    }
    let added = false;
    for (const batch of reply.batches) {
      const each = Math.floor(batch.bytes / Math.max(1, batch.events.length));
      batch.events.forEach((id, i) => {
        const offset = batch.base + i;
        if (offset < p.position) return;
        const payload = batch.payloads?.[i];
        p.pending.push(payload === undefined ? { offset, id, bytes: each } : { offset, id, bytes: each, payload });
        p.pendingBytes += each;
        p.position = offset + 1;
        added = true;
      });
    }
    if (added && this.fresh === undefined) this.fresh = p.partition;
    this.fetch(ctx, p);
  }
}

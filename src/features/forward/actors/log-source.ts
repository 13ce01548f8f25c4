/**
 * The forwarder's consuming half when it reads a topic of a log service (for example an HPC-local,
 * non-replicated Mofka-like service feeding a replicated wide-area one): per source partition, a
 * fetch loop from the partition's leader, reading only committed events (up to the high
 * watermark), at most `fetchMaxBytes` ahead of what the forwarder has planned.
 *
 * Positions: the forwarder plans events in offset order and keeps, per partition, the next offset
 * to plan in its durable state; a restarted forwarder fetches again from there (its committed
 * position). Events fetched but not yet planned are memory only and are simply fetched again.
 *
 * How it breaks: the source's retention may delete events before they are forwarded (a link down
 * longer than `retention.ms`); the fetch then answers offset-out-of-range and the source skips to
 * the log start, recording a `forward-gap` with the offsets it could not read.
 */
import type { Context, TimerId } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import { MetadataView } from '../../log/actors/metadata-view.ts';
import { fetchOne, type FetchPartitionReply, type FetchReply } from '../../log/actors/messages.ts';
import type { ForwarderConfig, LogEndpoint } from './config.ts';

export interface SourceEvent {
  readonly offset: number;
  readonly id: string;
  readonly bytes: number;
  /** The event's payload, when its producer stored one (pipelines over the log). */
  readonly payload?: unknown;
}

/** What the fetch loop needs of its owner's configuration (a forwarder's, or an alert broker's). */
export type LogSourceConfig = Pick<ForwarderConfig, 'requestTimeoutUs' | 'retryBackoffUs' | 'fetchMaxBytes'>;

interface PartitionFetch {
  /** Next offset to fetch. */
  position: number;
  pending: SourceEvent[];
  pendingBytes: number;
  req: number | undefined;
  /** The broker the fetch in flight went to. */
  broker?: string;
  timer: TimerId | undefined;
}

const FETCH_WAIT_US = 500_000;

export class LogSource {
  private readonly metadata: MetadataView;
  /** By partition number: every partition of the topic, or the ones a reader was given. */
  private readonly partitions = new Map<number, PartitionFetch>();
  private req: number;

  constructor(
    ctx: Context,
    private readonly endpoint: LogEndpoint,
    private readonly config: LogSourceConfig,
  ) {
    this.metadata = new MetadataView(endpoint.brokers, config.requestTimeoutUs);
    this.req = ctx.rng('forward-fetch-req').int(1, 2 ** 40);
  }

  /** Starts fetching each partition from its committed position (partition p at `positions[p]`). */
  start(ctx: Context, positions: readonly number[]): void {
    this.startAt(ctx, new Map(positions.map((position, p) => [p, position])));
  }

  /** Starts fetching only the given partitions, each from its position. */
  startAt(ctx: Context, positions: ReadonlyMap<number, number>): void {
    for (const [p, position] of positions) this.partitions.set(p, { position, pending: [], pendingBytes: 0, req: undefined, timer: undefined });
    this.metadata.refresh(ctx, ++this.req);
    for (const p of positions.keys()) this.fetch(ctx, p);
  }

  /**
   * Moves partition `p` back (or forward) to `position`, dropping what was fetched: a restored
   * reader replays from its checkpoint. A reply to the fetch in flight no longer matches and is ignored.
   */
  seek(ctx: Context, p: number, position: number): void {
    const fetch = this.partitions.get(p)!;
    if (fetch.timer !== undefined) ctx.cancelTimer(fetch.timer);
    Object.assign(fetch, { position, pending: [], pendingBytes: 0, req: undefined, timer: undefined });
    this.fetch(ctx, p);
  }

  /** Takes up to `maxBytes` (at least one event) of partition `p`'s fetched events, in offset order. */
  take(ctx: Context, p: number, maxBytes: number): SourceEvent[] {
    const fetch = this.partitions.get(p)!;
    const taken: SourceEvent[] = [];
    let bytes = 0;
    while (fetch.pending.length > 0) {
      const event = fetch.pending[0]!;
      if (taken.length > 0 && bytes + event.bytes > maxBytes) break;
      taken.push(fetch.pending.shift()!);
      bytes += event.bytes;
    }
    fetch.pendingBytes -= bytes;
    assert(fetch.pendingBytes >= 0, () => `log source ${this.endpoint.topic}-${p}: fetched bytes never negative, but ${fetch.pendingBytes}`);
    if (fetch.req === undefined && fetch.timer === undefined) this.fetch(ctx, p);
    return taken;
  }

  hasPending(p: number): boolean {
    return this.partitions.get(p)!.pending.length > 0;
  }

  /** Handles a fetch or metadata reply; returns the partition that has new events, if any. */
  onMessage(ctx: Context, message: { readonly type: string }): number | undefined {
    if (message.type === 'metadata-reply') {
      this.metadata.onReply(ctx, message as Parameters<MetadataView['onReply']>[1]);
      return undefined;
    }
    if (message.type !== 'fetch-reply') return undefined;
    const reply = message as FetchReply;
    // Each fetch asks for one partition: its reply's one partition.
    const part = reply.partitions[0];
    if (part?.topic !== this.endpoint.topic) return undefined;
    return this.fetched(ctx, reply.req, part);
  }

  /** Handles the source's timers; false if the timer is not the source's. */
  onTimer(ctx: Context, name: string, data: unknown): boolean {
    if (name === 'metadata-timeout') {
      if (this.metadata.onTimeout(ctx, data as number)) this.metadata.refresh(ctx, ++this.req);
      return false; // the sink's view may own it too
    }
    if (name !== 'forward:fetch') return false;
    const p = data as number;
    const fetch = this.partitions.get(p)!;
    fetch.timer = undefined;
    if (fetch.req !== undefined) {
      // The fetch got no answer within request.timeout.ms: its broker may be gone. As a Kafka
      // consumer does, give up on that connection and ask another broker who leads now.
      if (fetch.broker !== undefined) this.metadata.unreachable(ctx, fetch.broker);
      this.metadata.refresh(ctx, ++this.req);
    }
    fetch.req = undefined;
    this.fetch(ctx, p);
    return true;
  }

  private fetch(ctx: Context, p: number): void {
    const fetch = this.partitions.get(p)!;
    if (fetch.pendingBytes >= this.config.fetchMaxBytes || fetch.req !== undefined) return;
    const leader = this.metadata.usableLeaderOf(this.endpoint.topic, p);
    if (leader === null) {
      this.metadata.refresh(ctx, ++this.req);
      fetch.timer = ctx.setTimer(this.config.retryBackoffUs, 'forward:fetch', p);
      return;
    }
    const req = ++this.req;
    fetch.req = req;
    fetch.broker = leader;
    const maxBytes = this.config.fetchMaxBytes - fetch.pendingBytes;
    ctx.send(leader, fetchOne(req, { topic: this.endpoint.topic, partition: p, offset: fetch.position, maxBytes }, FETCH_WAIT_US));
    fetch.timer = ctx.setTimer(FETCH_WAIT_US + this.config.requestTimeoutUs, 'forward:fetch', p);
  }

  private fetched(ctx: Context, req: number, reply: FetchPartitionReply): number | undefined {
    const p = reply.partition;
    const fetch = this.partitions.get(p);
    if (fetch === undefined || fetch.req !== req) return undefined;
    if (fetch.timer !== undefined) ctx.cancelTimer(fetch.timer);
    if (fetch.broker !== undefined) this.metadata.reachable(fetch.broker);
    fetch.req = undefined;
    fetch.timer = undefined;
    if (reply.error === 'offset-out-of-range' && reply.logStart > fetch.position) {
      ctx.record('client', { op: 'forward-gap', topic: this.endpoint.topic, partition: p, from: fetch.position, to: reply.logStart, cover: 'forward.gap' });
      fetch.position = reply.logStart;
    } else if (reply.error !== undefined) {
      this.metadata.refresh(ctx, ++this.req);
      fetch.timer = ctx.setTimer(this.config.retryBackoffUs, 'forward:fetch', p);
      return undefined;
    } else {
      // A reader sees only committed events: the leader reads up to its high watermark.
      const last = reply.batches[reply.batches.length - 1];
      const end = last === undefined ? reply.highWatermark : last.base + last.events.length;
      assert(end <= reply.highWatermark && reply.highWatermark <= reply.logEnd, () => `log source ${this.endpoint.topic}-${p}: fetched end ≤ high watermark ≤ log end, but ${end} / ${reply.highWatermark} / ${reply.logEnd}`);
    }
    let added = false;
    for (const batch of reply.batches) {
      const each = Math.floor(batch.bytes / Math.max(1, batch.events.length));
      batch.events.forEach((id, i) => {
        const offset = batch.base + i;
        if (offset < fetch.position) return;
        const payload = batch.payloads?.[i];
        fetch.pending.push(payload === undefined ? { offset, id, bytes: each } : { offset, id, bytes: each, payload });
        fetch.pendingBytes += each;
        fetch.position = offset + 1;
        added = true;
      });
    }
    this.fetch(ctx, p);
    return added ? p : undefined;
  }
}

/**
 * Persistent streams as an operator uses them: a producer for its output topic and a consumer of
 * its partition of each input topic (instance i reads partition i).
 *
 * Producer: per partition, one append in flight at a time; what is emitted meanwhile waits and
 * goes in the next append (batching). An append unanswered within the timeout is re-sent as is —
 * the topic's idempotence by event id makes that safe. Until acknowledged, outputs are the
 * operator's outbox: a checkpoint keeps them, a restore re-sends them.
 *
 * Consumer: per input partition, fetches from its position, at most `MAX_BUFFERED` items ahead of
 * what the operator has processed (a restarted consumer replaying a long backlog holds only that
 * much). Positions are topic offsets; a restore moves them back to the checkpoint's, and the topic
 * replays from there.
 *
 * Guarantee: every event appended to an input partition is delivered, in offset order, once per
 * incarnation from the position it was opened at; every output is appended at least once and,
 * thanks to the topic, stored once. How it breaks: while a topic's node is down the operator
 * waits — requests back off and retry until it returns.
 */
import type { Context, Message, Wakeup } from '../../kernel/index.ts';
import { MS } from '../../kernel/index.ts';
import type { Marker, OutboxItem } from '../../protocols/checkpoint/index.ts';
import type { StreamEvent } from '../event.ts';
import { FETCH_WAIT_US, type AppendAck, type AppendMessage, type FetchMessage, type RecordsMessage } from './topic.ts';
import type { InstanceRoutes, OperatorTransport, Resume, TransportSink } from './transport.ts';

/** Items fetched ahead of processing, per input partition. */
export const MAX_BUFFERED = 64;
/** Appended events per request, at most. */
const MAX_BATCH = 64;
const REQUEST_TIMEOUT_US = 2000 * MS;
const MAX_BACKOFF = 32;

interface ProducerPartition {
  queued: StreamEvent[];
  inFlight: { req: number; events: readonly StreamEvent[]; attempts: number } | undefined;
}

interface ConsumerPartition {
  readonly stream: string;
  readonly topic: string;
  position: number;
  buffered: number;
  inFlight: { req: number; attempts: number } | undefined;
}

export class TopicTransport implements OperatorTransport {
  readonly markerInputs: readonly string[] = [];
  private readonly producing: ProducerPartition[] = [];
  private readonly consuming = new Map<string, ConsumerPartition>();
  private nextReq: number;

  constructor(
    ctx: Context,
    private readonly routes: InstanceRoutes,
    private readonly sink: TransportSink,
  ) {
    // Requests numbered from a random base, so replies meant for an earlier incarnation never match.
    this.nextReq = ctx.rng('topic-req').int(1, 2 ** 40);
    for (let p = 0; p < routes.output.partitions; p++) this.producing.push({ queued: [], inFlight: undefined });
    for (const input of routes.inputs) {
      this.consuming.set(`${input.stream}/${routes.index}`, { stream: input.stream, topic: input.topic, position: 0, buffered: 0, inFlight: undefined });
    }
  }

  open(ctx: Context, resume: Resume): void {
    for (const partition of this.producing) {
      partition.queued = [];
      partition.inFlight = undefined;
    }
    for (const item of resume.outbox) this.emit(ctx, item.event as StreamEvent);
    for (const [key, partition] of this.consuming) {
      partition.position = resume.inputs[key] ?? 0;
      partition.buffered = 0;
      partition.inFlight = undefined;
      this.fetch(ctx, key, partition);
    }
  }

  emit(ctx: Context, event: StreamEvent): void {
    const p = event.key % this.producing.length;
    this.producing[p].queued.push(event);
    if (this.producing[p].inFlight === undefined) this.sendBatch(ctx, p);
  }

  marker(_ctx: Context, _marker: Marker): void {
    // Strategies over persistent streams checkpoint independently; there is nothing to mark.
  }

  consumed(ctx: Context, channel: string): void {
    const partition = this.consuming.get(channel);
    if (partition === undefined) return;
    partition.buffered = Math.max(0, partition.buffered - 1);
    this.fetch(ctx, channel, partition);
  }

  outputs(): Record<string, number> {
    return {};
  }

  outbox(): OutboxItem[] {
    const stream = this.routes.output.stream;
    const items: OutboxItem[] = [];
    for (const partition of this.producing) {
      for (const event of partition.inFlight?.events ?? []) items.push({ stream, event });
      for (const event of partition.queued) items.push({ stream, event });
    }
    return items;
  }

  onMessage(ctx: Context, message: Message): boolean {
    if (message.type === 'topic:append-ack') {
      this.acknowledged(ctx, (message as AppendAck).req);
      return true;
    }
    if (message.type === 'topic:records') {
      this.records(ctx, message as RecordsMessage);
      return true;
    }
    return false;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === 'topic:append-timeout') {
      const { partition, req } = wakeup.data as { partition: number; req: number };
      const inFlight = this.producing[partition]?.inFlight;
      if (inFlight?.req === req) this.sendAppend(ctx, partition);
      return true;
    }
    if (wakeup.name === 'topic:fetch-timeout') {
      const { key, req } = wakeup.data as { key: string; req: number };
      const partition = this.consuming.get(key);
      if (partition?.inFlight?.req === req) this.sendFetch(ctx, key, partition);
      return true;
    }
    return false;
  }

  // --- producing ----------------------------------------------------------------------------

  private sendBatch(ctx: Context, p: number): void {
    const partition = this.producing[p];
    const events = partition.queued.splice(0, MAX_BATCH);
    if (events.length === 0) return;
    partition.inFlight = { req: this.nextReq++, events, attempts: 0 };
    this.sendAppend(ctx, p);
  }

  private sendAppend(ctx: Context, p: number): void {
    const inFlight = this.producing[p].inFlight!;
    const bytes = 64 + inFlight.events.reduce((sum, e) => sum + e.bytes, 0);
    ctx.send<AppendMessage>(this.routes.output.topic, { type: 'topic:append', req: inFlight.req, partition: p, events: inFlight.events }, { bytes });
    ctx.setTimer(backoff(inFlight.attempts++) * REQUEST_TIMEOUT_US, 'topic:append-timeout', { partition: p, req: inFlight.req });
  }

  private acknowledged(ctx: Context, req: number): void {
    const p = this.producing.findIndex((partition) => partition.inFlight?.req === req);
    if (p < 0) return;
    this.producing[p].inFlight = undefined;
    this.sendBatch(ctx, p);
  }

  // --- consuming ----------------------------------------------------------------------------

  private fetch(ctx: Context, key: string, partition: ConsumerPartition): void {
    // Refill once half the buffer is used up, so fetches stay large.
    if (partition.inFlight !== undefined || partition.buffered > MAX_BUFFERED / 2) return;
    partition.inFlight = { req: this.nextReq++, attempts: 0 };
    this.sendFetch(ctx, key, partition);
  }

  private sendFetch(ctx: Context, key: string, partition: ConsumerPartition): void {
    const inFlight = partition.inFlight!;
    const request: FetchMessage = { type: 'topic:fetch', req: inFlight.req, partition: this.routes.index, offset: partition.position, max: MAX_BUFFERED - partition.buffered };
    ctx.send(partition.topic, request);
    ctx.setTimer(FETCH_WAIT_US + backoff(inFlight.attempts++) * REQUEST_TIMEOUT_US, 'topic:fetch-timeout', { key, req: inFlight.req });
  }

  private records(ctx: Context, message: RecordsMessage): void {
    for (const [key, partition] of this.consuming) {
      if (partition.inFlight?.req !== message.req) continue;
      partition.inFlight = undefined;
      if (message.offset !== partition.position) return this.fetch(ctx, key, partition);
      partition.position += message.events.length;
      partition.buffered += message.events.length;
      message.events.forEach((event, i) => this.sink.deliver(ctx, key, message.offset + i, event));
      // Delivering may have restored the operator; `open` then issued its own fetch.
      if (partition.inFlight === undefined) this.fetch(ctx, key, partition);
      return;
    }
  }
}

function backoff(attempts: number): number {
  return Math.min(MAX_BACKOFF, 2 ** attempts);
}

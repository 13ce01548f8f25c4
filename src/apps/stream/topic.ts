/**
 * A persistent, partitioned, single-node topic: the stand-in for the replicated log
 * (`src/protocols/log/`) that lets pipelines run over persistent streams before that log's clients
 * exist. It offers what `stream-replay` needs of a log and nothing more: appends made idempotent
 * by event id, reads from any offset, and offsets that stay valid across crashes.
 *
 * Guarantee: an append is acknowledged after an fsync covering it has completed (group commit), and
 * only such durable records are readable, so a consumer never reads a record a power loss could
 * take back. An event id already in the partition is not appended again (idempotent producer, by
 * id): a producer that re-sends after a timeout, or an operator that regenerates its outputs after
 * a restore, creates no duplicate. A fetch at the end of the partition waits (long poll) until
 * data arrives or `FETCH_WAIT_US` passes. For a stream nobody in the pipeline consumes, each fresh
 * durable append is recorded as pipeline output (`client` `output`).
 *
 * How it breaks: it is one node — while that node is down, producers and consumers of the stream
 * wait (they retry), and the stream's failure domain is that node's disk; the replicated log
 * removes that. After a process crash, records still in the page cache count as durable at once
 * (they survive the crash; only a later power loss could drop them).
 */
import type { Actor, Context, Message, Wakeup } from '../../kernel/index.ts';
import { MS } from '../../kernel/index.ts';
import type { StreamEvent } from '../event.ts';
import { recordOutput } from './transport.ts';

/** How long a fetch at the end of a partition waits for data before an empty reply. */
export const FETCH_WAIT_US = 500 * MS;
const CONTROL_BYTES = 64;

export interface AppendMessage extends Message {
  readonly type: 'topic:append';
  readonly req: number;
  readonly partition: number;
  readonly events: readonly StreamEvent[];
}

export interface AppendAck extends Message {
  readonly type: 'topic:append-ack';
  readonly req: number;
}

export interface FetchMessage extends Message {
  readonly type: 'topic:fetch';
  readonly req: number;
  readonly partition: number;
  readonly offset: number;
  readonly max: number;
}

export interface RecordsMessage extends Message {
  readonly type: 'topic:records';
  readonly req: number;
  readonly partition: number;
  readonly offset: number;
  readonly events: readonly StreamEvent[];
}

export interface TopicConfig {
  readonly partitions: number;
  /** Nobody in the pipeline reads it: its appends are the pipeline's output. */
  readonly output: boolean;
}

interface Parked {
  readonly from: string;
  readonly request: FetchMessage;
}

interface Partition {
  /** Durable (readable) length. */
  durable: number;
  readonly ids: Set<string>;
  parked: Parked[];
}

interface PendingAppend {
  readonly from: string;
  readonly req: number;
  readonly partition: number;
  readonly fresh: readonly StreamEvent[];
}

export class Topic implements Actor<Message> {
  private readonly partitions: Partition[] = [];
  private waiting: PendingAppend[] = [];
  private inFlight: PendingAppend[] = [];
  private flushing = false;
  private covered: number[] = [];

  constructor(private readonly config: TopicConfig) {}

  start(ctx: Context): void {
    this.recover(ctx);
  }

  recover(ctx: Context): void {
    for (let p = 0; p < this.config.partitions; p++) {
      const records = (ctx.disk.read(fileOf(p)) ?? []) as readonly StreamEvent[];
      this.partitions.push({ durable: records.length, ids: new Set(records.map((e) => e.id)), parked: [] });
    }
  }

  onMessage(ctx: Context, message: Message, from: string): void {
    if (message.type === 'topic:append') this.append(ctx, message as AppendMessage, from);
    else if (message.type === 'topic:fetch') this.fetch(ctx, message as FetchMessage, from);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'topic:synced') this.synced(ctx);
    else if (wakeup.name === 'topic:fetch-wait') {
      const { partition, req } = wakeup.data as { partition: number; req: number };
      const state = this.partitions[partition];
      const parked = state.parked.find((p) => p.request.req === req);
      if (parked === undefined) return;
      state.parked = state.parked.filter((p) => p !== parked);
      this.reply(ctx, parked);
    }
  }

  private append(ctx: Context, message: AppendMessage, from: string): void {
    const partition = this.partitions[message.partition];
    const fresh: StreamEvent[] = [];
    for (const event of message.events) {
      if (partition.ids.has(event.id)) continue;
      if (!ctx.disk.append(fileOf(message.partition), event, event.bytes)) break; // disk full: the rest waits for a retry
      partition.ids.add(event.id);
      fresh.push(event);
    }
    this.waiting.push({ from, req: message.req, partition: message.partition, fresh });
    if (!this.flushing) this.flush(ctx);
  }

  private flush(ctx: Context): void {
    this.flushing = true;
    this.inFlight = this.waiting;
    this.waiting = [];
    // What this fsync covers: appends issued later need the next one.
    this.covered = this.partitions.map((_, p) => ctx.disk.read(fileOf(p))?.length ?? 0);
    ctx.disk.fsync({ name: 'topic:synced' });
  }

  private synced(ctx: Context): void {
    this.flushing = false;
    const grown = new Set<number>();
    for (const append of this.inFlight) {
      if (this.config.output) recordOutput(ctx, append.fresh);
      ctx.send<AppendAck>(append.from, { type: 'topic:append-ack', req: append.req });
      grown.add(append.partition);
    }
    this.inFlight = [];
    for (const p of grown) {
      const state = this.partitions[p];
      state.durable = Math.max(state.durable, this.covered[p] ?? 0);
      const parked = state.parked;
      state.parked = [];
      for (const fetch of parked) this.reply(ctx, fetch);
    }
    if (this.waiting.length > 0) this.flush(ctx);
  }

  private fetch(ctx: Context, request: FetchMessage, from: string): void {
    const state = this.partitions[request.partition];
    if (request.offset < state.durable) return this.reply(ctx, { from, request });
    state.parked.push({ from, request });
    ctx.setTimer(FETCH_WAIT_US, 'topic:fetch-wait', { partition: request.partition, req: request.req });
  }

  private reply(ctx: Context, { from, request }: Parked): void {
    const state = this.partitions[request.partition];
    const records = (ctx.disk.read(fileOf(request.partition)) ?? []) as readonly StreamEvent[];
    const events = records.slice(request.offset, Math.min(state.durable, request.offset + request.max));
    const bytes = CONTROL_BYTES + events.reduce((sum, e) => sum + e.bytes, 0);
    ctx.send<RecordsMessage>(from, { type: 'topic:records', req: request.req, partition: request.partition, offset: request.offset, events }, { bytes });
  }
}

function fileOf(partition: number): string {
  return `p${partition}`;
}

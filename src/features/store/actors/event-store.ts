/**
 * A single-node durable event store: an append-only log of events on one node's disk, with a
 * configurable flush (fsync) policy. It is the HPC-local tier in its simplest form.
 *
 * Guarantee: with `flush: every-write` the store acknowledges an event only after an fsync that
 * covers it has completed, so no acknowledged event is lost by any crash of the node. Appends that
 * arrive while an fsync is in flight wait for the next one (group commit), so throughput does not
 * collapse to one event per fsync.
 *
 * How it breaks, by configuration: with `flush: <interval>` or `flush: never` the store
 * acknowledges as soon as the event is in the page cache — as Kafka does by default — and a power
 * loss of its node loses every acknowledged event written since the last fsync. The
 * `no-acked-loss` checker names them. (The operating system's own background writeback is not
 * modelled: with `never`, nothing reaches the device.)
 *
 * Recovery: after a restart the store reads its log back from disk and continues after the last
 * durable event. A torn record at the tail (a power loss in the middle of a write) fails its
 * checksum and is truncated away. A full disk refuses an append; the request is then not
 * acknowledged, so its producer retries.
 *
 * Fault coverage (see metrics/coverage.ts): `store.recover`, `store.truncate-torn`,
 * `store.disk-full` mark the failure-handling paths on the records that describe them.
 */
import { assert, isTornRecord, type Actor, type Context, type Micros, type Wakeup } from '../../../kernel/contract/index.ts';
import { idBytes, type ProduceRequest, type ReadRequest, type StoreRequest } from './messages.ts';

export type FlushPolicy = { kind: 'every-write' } | { kind: 'never' } | { kind: 'interval'; intervalUs: Micros };

export interface EventStoreConfig {
  flush: FlushPolicy;
}

const LOG_FILE = 'events';

/** The failure-handling paths the store marks with `cover` (see metrics/coverage.ts). */
export const STORE_COVERAGE_PATHS = ['store.recover', 'store.truncate-torn', 'store.disk-full'] as const;

interface PendingAck {
  readonly to: string;
  readonly req: number;
  readonly offset: number;
  /** The log length after the request's events: an fsync must cover it before the ack. */
  readonly end: number;
}

export class EventStore implements Actor<StoreRequest> {
  private length = 0;
  /** Acks waiting for the fsync in flight, and for the one after it. */
  private inFlight: PendingAck[] = [];
  private waiting: PendingAck[] = [];
  private flushing = false;
  /** The log length the fsync in flight covers (its frontier). */
  private covering = 0;

  constructor(private readonly config: EventStoreConfig) {}

  start(ctx: Context): void {
    this.open(ctx);
  }

  /** The log's length, the fsync frontier, and the acknowledgements waiting for an fsync. */
  inspect(): unknown {
    return { logLength: this.length, fsyncInFlight: this.flushing, fsyncCovers: this.covering, acksWaitingForFsync: this.inFlight.length + this.waiting.length };
  }

  recover(ctx: Context): void {
    const log = ctx.disk.read(LOG_FILE) ?? [];
    if (log.length > 0 && isTornRecord(log[log.length - 1])) {
      ctx.disk.truncate(LOG_FILE, log.length - 1);
      ctx.record('log', { op: 'truncate', reason: 'torn', offset: log.length - 1, cover: 'store.truncate-torn' });
    }
    this.open(ctx);
    ctx.record('log', { op: 'recover', length: this.length, cover: 'store.recover' });
  }

  private open(ctx: Context): void {
    const log = ctx.disk.read(LOG_FILE) ?? [];
    this.length = log.length;
    // `recover` cut a torn tail: every offset the store hands out from here is a whole record.
    assert(!isTornRecord(log[log.length - 1]), () => `store: the log ends with a whole record after opening, but record ${log.length - 1} is torn`);
    const flush = this.config.flush;
    if (flush.kind === 'interval') ctx.setTimer(flush.intervalUs, 'flush');
  }

  onMessage(ctx: Context, message: StoreRequest, from: string): void {
    if (message.type === 'produce') this.append(ctx, message, from);
    else this.read(ctx, message, from);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    const flush = this.config.flush;
    if (wakeup.name === 'flush' && flush.kind === 'interval') {
      ctx.disk.fsync();
      ctx.setTimer(flush.intervalUs, 'flush');
    } else if (wakeup.name === 'flushed') {
      this.flushed(ctx);
    }
  }

  private append(ctx: Context, request: ProduceRequest, from: string): void {
    const offset = this.length;
    for (const id of request.events) {
      if (!ctx.disk.append(LOG_FILE, id, request.eventBytes)) {
        // Unacknowledged, so the producer retries; what was appended stays (at least once).
        ctx.record('log', { op: 'reject', cause: 'disk-full', events: request.events, cover: 'store.disk-full' });
        return;
      }
      this.length++;
    }
    const ack = { to: from, req: request.req, offset, end: this.length };
    if (this.config.flush.kind !== 'every-write') {
      this.acknowledge(ctx, ack);
      return;
    }
    // Acks wait in log order, so the fsync that completes covers a prefix of them.
    const previous = this.waiting[this.waiting.length - 1] ?? this.inFlight[this.inFlight.length - 1];
    assert(previous === undefined || previous.end <= ack.offset, () => `store: acks wait in log order, but events from ${ack.offset} queue behind events up to ${previous!.end}`);
    this.waiting.push(ack);
    if (!this.flushing) this.startFlush(ctx);
  }

  private startFlush(ctx: Context): void {
    this.flushing = true;
    this.inFlight = this.waiting;
    this.waiting = [];
    this.covering = this.length;
    ctx.disk.fsync({ name: 'flushed' });
  }

  private flushed(ctx: Context): void {
    assert(this.flushing && this.covering <= this.length, () => `store: an fsync completes while one is in flight, covering at most the written length, but flushing ${this.flushing}, frontier ${this.covering}, length ${this.length}`);
    this.flushing = false;
    for (const ack of this.inFlight) {
      // every-write acknowledges only what the completed fsync covered.
      assert(ack.end <= this.covering, () => `store: an ack waits for an fsync covering its events, but events up to ${ack.end} were acknowledged by an fsync covering ${this.covering}`);
      this.acknowledge(ctx, ack);
    }
    this.inFlight = [];
    if (this.waiting.length > 0) this.startFlush(ctx);
  }

  private acknowledge(ctx: Context, ack: PendingAck): void {
    ctx.send(ack.to, { type: 'produce-ack', req: ack.req, offset: ack.offset });
  }

  private read(ctx: Context, request: ReadRequest, from: string): void {
    const log = (ctx.disk.read(LOG_FILE) ?? []) as readonly string[];
    // Offsets in acks are positions in this log: the store's length must describe it.
    assert(log.length === this.length, () => `store: its length describes its log, but it counts ${this.length} records and the log holds ${log.length}`);
    const events = log.slice(request.offset, request.offset + request.max);
    const end = request.offset + events.length >= log.length;
    ctx.send(from, { type: 'read-reply', req: request.req, offset: request.offset, events, end }, { bytes: idBytes(events) });
  }
}

/**
 * A Kafka-style producer: an instrument emitting events at a fixed rate into one topic, batching
 * them per partition as Kafka's RecordAccumulator does (record-accumulator.ts: an event joins its
 * partition's last queued batch until it is full or sent; `linger.ms` makes a batch ready, it does
 * not close it), sending at most `max.in.flight` requests per
 * broker (one while the connection to it is being set up: in-flight-requests.ts),
 * retrying failed batches until `retries` or `delivery.timeout.ms` runs out — each retry after
 * `retry.backoff.ms` doubling per retry of the batch up to `retry.backoff.max.ms`, spread ±20 % from
 * the producer's seeded stream (KIP-580, exponential-backoff.ts) — with `acks` 0, 1 or all.
 *
 * Idempotence (`enable.idempotence`): the producer gets an id from the controller and numbers each
 * batch per partition; a retried batch keeps its numbers, so the leader recognises one it already
 * appended and answers with the original offset instead of appending it twice. A batch given up
 * fails alone; once the partition's earlier batches are resolved, a gap it left starts the
 * partition's numbering again under a new id (KIP-360's epoch bump: producer-sequences.ts).
 *
 * Event ids are `<producer>-<k>` for the k-th tick of the rate, so they are unique across restarts
 * without durable state. At rates above 1000/s the producer wakes once per millisecond and emits
 * the events due since its last wake together (the trace would otherwise hold a timer per event).
 * With a burst shape (`bursts`, see bursts.ts) a tick is a whole burst instead, its events named
 * `<producer>-v<burst>-<j>`.
 *
 * Sizes (Kafka's `max.request.size`, compared as Kafka does with the serialized size — payload plus
 * the batch's 61 B header and 21 B per record, `batchSizeInBytes`, as every producing client here
 * counts it — so an event of exactly the limit is refused): an event larger than `max.request.size`
 * fails as soon as it is produced with `record-too-large` (Kafka's RecordTooLargeException) and is
 * never sent; neither a batch nor a request grows past it. A batch the leader refuses as larger than
 * the topic's `max.message.bytes` (`message-too-large`) fails without retry — a simplification:
 * Kafka's producer splits such a batch into `batch.size` pieces and retries them, which helps only
 * when `batch.size` is below the topic's limit.
 *
 * Buffer memory (Kafka's `buffer.memory`, default 32 MiB, and `max.block.ms`, default 60 s): the
 * batches the producer holds take memory from a pool of `buffer.memory` bytes, each a whole
 * `batch.size` (or its one larger event) as in Kafka (buffer-pool.ts), given back when the batch completes,
 * acknowledged or failed. When an event finds no room, Kafka's `send()` blocks the calling thread in
 * `BufferPool.allocate` for up to `max.block.ms`, then fails the record with
 * BufferExhaustedException ("Failed to allocate … within the configured max blocking time"); the
 * record is never sent. A record larger than `buffer.memory` fails at once with
 * RecordTooLargeException (`KafkaProducer.ensureValidRecordSize`). (Read in Kafka's source:
 * BufferPool.allocate/deallocate/close, RecordAccumulator.append, ProducerConfig's BUFFER_MEMORY_DOC
 * — "If records are sent faster than they can be delivered to the server the producer will block
 * for max.block.ms after which it will throw an exception" — and
 * MAX_BLOCK_MS_DOC.) The model: the producer is an instrument emitting at a fixed rate, and an
 * instrument cannot pause. While a send waits for memory, the events the instrument emits meanwhile
 * are lost at the source, each recorded as produced and failed with `buffer-full`; the waiting event
 * itself is appended as soon as a completing batch frees enough memory, or fails with
 * `buffer-exhausted` once it has waited `max.block.ms` (at once, with `max.block.ms` 0). The
 * instrument stops at the end of the safety phase and its producer is closed then: as Kafka's
 * `Sender.initiateClose` closes the accumulator first and `BufferPool.close` wakes a waiting
 * allocation to fail ("Producer closed while allocating memory"), an event still waiting then fails
 * with `producer-closed` — which keeps every event's outcome within the delivery window that
 * `delivery.timeout.ms` sets (scenario/producers.ts), as before.
 *
 * Guarantee: the producer never holds more than `buffer.memory` bytes of batches; every event the
 * instrument emits is either appended to a batch or fails with a named reason (`record-too-large`,
 * `buffer-full`, `buffer-exhausted`, `producer-closed`, or a batch's final error) — never silently
 * dropped. How it breaks: an outage longer than `buffer.memory` ÷ the rate in bytes fills the pool
 * (32 MiB lasts ~5 min at 100 events/s of 1 KiB), and from then on events are lost at the source
 * even with `acks=all` and idempotence; a burst larger than `buffer.memory` loses its tail at once.
 * Shown by test/features/log/buffer-memory.test.ts.
 *
 * Closing (Kafka's `KafkaProducer.close()`, read in Kafka's source: `Sender.initiateClose` closes
 * the accumulator, `RecordAccumulator.ready` counts a batch sendable when `full || expired ||
 * exhausted || closed || flushInProgress()`, and the sender keeps running until nothing is queued
 * or in flight): the application closes its producer when the instrument stops (`stopAtUs`, the end
 * of the safety phase; the model has no other close and no `flush()`, which Kafka's `beginFlush`
 * makes ready the same way). From then on every queued batch is ready at once, lingering or not,
 * and is still sent, retried and given up as before. Guarantee: no batch waits for `linger.ms`
 * after the stop — the last batch goes at the stop, not up to `linger.ms` later. How it breaks:
 * nothing is hurried but the linger; a batch backing off before a retry, a leader unknown or not
 * connectable, or `max.in.flight` reached still hold it, as in Kafka (`sendable && !backingOff`).
 * Shown by test/features/log/batching.test.ts.
 *
 * Every produce, retry, acknowledgement and final error is a `client` record with the event ids it
 * covers, the partition and, for an ack, the offset: the checkers and metrics read those. With
 * `acks=0` the ack is recorded when the request is sent, as Kafka's callback fires then.
 *
 * Its network layer is every log client's (client-network.ts) and its requests follow the producing
 * clients' connection protocol (in-flight-requests.ts, as Kafka's NetworkClient): a broker's process
 * dying on a live host closes the connection (or refuses the next request) and every request in
 * flight to it fails at once (NetworkException, retriable); a timed-out request closes the
 * connection, failing the others to that broker with it; a new connection that never comes up
 * (KIP-601 set-up timeout) puts its requests back unattempted. The broker is connected to again
 * only after `reconnect.backoff.ms` (connection-states.ts).
 *
 * How it breaks: without idempotence, a retry of a batch whose acknowledgement was lost (a timeout,
 * a lossy link, a leader crash after the append) stores it twice — a duplicate.
 */
import type { Actor, Context, Disconnect, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { MS, SECOND, assert, requestNumbersFrom } from '../../../kernel/contract/index.ts';
import { BUFFER_MEMORY_DEFAULT, MAX_BLOCK_DEFAULT_US, MAX_REQUEST_SIZE_DEFAULT, type LogProducerConfig } from './config.ts';
import { ClientNetwork } from './client-network.ts';
import { CONTROLLER_RETRY, ControllerView } from './controller-view.ts';
import { batchSizeInBytes, produceBytes, type ClientInbound, type InitProducerIdRequest, type LogError, type ProduceReply } from './messages.ts';
import { InFlightRequests, type Lost } from './in-flight-requests.ts';
import { ExponentialBackoff, RETRY_BACKOFF_MAX_DEFAULT_US } from './exponential-backoff.ts';
import { RecordAccumulator, type ProducerBatch } from './record-accumulator.ts';
import { ProducerSequences, type Settled } from './producer-sequences.ts';
import { DrainIndex, itemsPerLeader } from './drain-index.ts';
import { burstDueUs, burstEventId, burstSize } from './bursts.ts';

/** The least time between two wakes of the rate generator. */
const MIN_TICK_US = MS;

/** Why a batch failed: the broker's error, or the client's own (Kafka's NetworkException: the connection broke). */
type Failure = LogError | 'network-exception';

export class LogProducer implements Actor<ClientInbound> {
  private readonly accumulator: RecordAccumulator;
  private readonly network: ClientNetwork;
  /** The pause before a batch's retry (KIP-580). */
  private readonly retryBackoff: ExponentialBackoff;
  /** Where InitProducerId goes: the active controller as last learned. */
  private readonly controllers: ControllerView;
  /** Produce requests in flight (acks ≥ 1), each a batch per partition led by its broker; their connection protocol. */
  private readonly requests: InFlightRequests<readonly ProducerBatch[]>;
  /** Idempotence: each partition's sequence numbers. */
  private readonly sequences: ProducerSequences;
  /** The producer id new numberings take (the last one the controller gave). */
  private pid: number | undefined;
  private pidRequest: number | undefined;
  private tick = 0;
  private reqCounter = 0;
  private drainTimer: { at: Micros; id: TimerId } | undefined;
  /** Where each broker's next drain starts in the list of partitions it leads (Kafka 3.x's nodesDrainIndex: drain-index.ts). */
  private readonly drainIndex = new DrainIndex();
  /** The event whose send waits for buffer memory (the instrument's thread is blocked), its partition, since when, and its `max.block.ms` timer. */
  private blocked: { event: string; partition: number; sinceUs: Micros; timer: TimerId } | undefined;

  constructor(
    private readonly config: LogProducerConfig,
    /** The topic's partition count (Kafka's producer reads it from metadata before its first send). */
    private readonly partitions: number,
  ) {
    // The instrument's stop is when its application closes the producer.
    this.accumulator = new RecordAccumulator({ ...config, partitions, maxRequestBytes: this.maxRequestBytes, bufferMemoryBytes: this.bufferMemoryBytes, closeAtUs: config.stopAtUs });
    // Metadata goes to Kafka's `leastLoadedNode`: reachable, fewest requests in flight.
    this.network = new ClientNetwork(config.brokers, config.requestTimeoutUs, config.retryBackoffUs, () => ++this.reqCounter, { load: (broker) => this.requests.count(broker) });
    this.requests = new InFlightRequests(this.network, config.requestTimeoutUs, 'request-timeout', { lost: (ctx, _broker, requests) => this.lost(ctx, requests) });
    this.controllers = new ControllerView(config.controllers ?? [config.controller]);
    this.retryBackoff = new ExponentialBackoff(config.retryBackoffUs, config.retryBackoffMaxUs ?? RETRY_BACKOFF_MAX_DEFAULT_US);
    this.sequences = new ProducerSequences(config.maxInFlight);
  }

  start(ctx: Context): void {
    this.reqCounter = requestNumbersFrom(ctx.now());
    this.tick = this.firstTickAtOrAfter(ctx.now());
    this.network.refresh(ctx);
    if (this.config.idempotence) this.requestPid(ctx);
    this.scheduleTick(ctx, false);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    switch (wakeup.name) {
      case 'tick':
        this.produce(ctx);
        break;
      case 'request-timeout':
        this.requests.onTimer(ctx, wakeup);
        break;
      case 'metadata-timeout':
        if (this.network.metadata.onTimeout(ctx, wakeup.data as number)) this.network.refresh(ctx);
        break;
      case 'pid-timeout':
        if (this.pidRequest !== wakeup.data) break;
        this.controllers.unanswered();
        this.requestPid(ctx);
        break;
      case CONTROLLER_RETRY:
        if (this.pidRequest === (wakeup.data as InitProducerIdRequest).req) this.controllers.onRetry(ctx, wakeup);
        break;
      case 'drain':
        this.drainTimer = undefined;
        break;
      case 'max-block':
        this.blockedFails(ctx);
        break;
    }
    this.drain(ctx);
  }

  /** What the lab's inspector shows: the buffer memory held (and its peak), and the event waiting for it. */
  inspect(): { bufferMemoryBytes: number; usedBytes: number; peakBytes: number; blocked: string | null } {
    return { bufferMemoryBytes: this.bufferMemoryBytes, ...this.accumulator.bufferUse(), blocked: this.blocked?.event ?? null };
  }

  onMessage(ctx: Context, message: ClientInbound, from: string): void {
    this.network.heard(from);
    switch (message.type) {
      case 'not-controller':
        // Kafka's TransactionManager retries InitProducerId after retry.backoff.ms each time, not exponentially.
        if (message.req === this.pidRequest) this.controllers.onNotController(ctx, message, from, () => this.config.retryBackoffUs);
        return;
      case 'metadata-reply':
        this.network.metadata.onReply(ctx, message);
        break;
      case 'produce-reply':
        this.onProduceReply(ctx, message);
        break;
      case 'init-producer-id-reply':
        if (message.req !== this.pidRequest) return;
        assert(message.pid > 0, () => `producer ids are positive, but the controller issued ${message.pid}`);
        this.pidRequest = undefined;
        this.pid = message.pid;
        break;
      default:
        return;
    }
    this.drain(ctx);
  }

  // --- producing ---------------------------------------------------------------------------------

  private get maxRequestBytes(): number {
    return this.config.maxRequestBytes ?? MAX_REQUEST_SIZE_DEFAULT;
  }

  private get bufferMemoryBytes(): number {
    return this.config.bufferMemoryBytes ?? BUFFER_MEMORY_DEFAULT;
  }

  private get maxBlockUs(): Micros {
    return this.config.maxBlockUs ?? MAX_BLOCK_DEFAULT_US;
  }

  private produce(ctx: Context): void {
    const now = ctx.now();
    const due = this.due(ctx, now);
    const topic = this.config.topic;
    const bytes = this.config.eventBytes;
    // Kafka's ensureValidRecordSize: no larger than max.request.size, nor than buffer.memory.
    const max = Math.min(this.maxRequestBytes, this.bufferMemoryBytes);
    if (batchSizeInBytes(bytes, 1) > max) {
      // Kafka's send() fails at once with RecordTooLargeException: the record could never be sent.
      const events = due.map(([, event]) => event);
      if (events.length > 0) {
        ctx.record('client', { op: 'produce', events, topic });
        ctx.record('client', { op: 'error', events, topic, error: 'record-too-large', bytes, max });
      }
      return this.scheduleTick(ctx);
    }
    const byPartition = new Map<number, string[]>();
    const lost: string[] = [];
    const exhausted: string[] = [];
    for (const [k, event] of due) {
      // The instrument cannot pause: what it emits while its send waits for memory is lost.
      if (this.blocked !== undefined) {
        lost.push(event);
        continue;
      }
      const partition = this.accumulator.partitionFor(k);
      let list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, (list = []));
      list.push(event);
      if (!this.accumulator.add(partition, event, bytes, now).blocked) continue;
      // With no time to block, Kafka's BufferPool.allocate fails at once.
      if (this.maxBlockUs === 0) exhausted.push(event);
      else this.blocked = { event, partition, sinceUs: now, timer: ctx.setTimer(Math.max(0, Math.min(this.maxBlockUs, this.config.stopAtUs - now)), 'max-block') };
    }
    for (const [partition, events] of byPartition) ctx.record('client', { op: 'produce', events, topic, partition });
    if (exhausted.length > 0) ctx.record('client', { op: 'error', events: exhausted, topic, error: 'buffer-exhausted' });
    if (lost.length > 0) {
      ctx.record('client', { op: 'produce', events: lost, topic });
      ctx.record('client', { op: 'error', events: lost, topic, error: 'buffer-full' });
    }
    this.scheduleTick(ctx);
  }

  /** A batch completed and gave its memory back: the waiting send takes it if it now fits (Kafka's BufferPool signals the waiter). */
  private memoryFreed(ctx: Context): void {
    if (this.blocked === undefined) return;
    const { event, partition, timer } = this.blocked;
    if (this.accumulator.add(partition, event, this.config.eventBytes, ctx.now()).blocked) return;
    this.blocked = undefined;
    ctx.cancelTimer(timer);
  }

  /** The waiting send's time is up: `max.block.ms` spent (BufferExhaustedException), or the producer closed at the instrument's stop. */
  private blockedFails(ctx: Context): void {
    if (this.blocked === undefined) return;
    const { event, partition, sinceUs } = this.blocked;
    this.blocked = undefined;
    const error = ctx.now() - sinceUs >= this.maxBlockUs ? 'buffer-exhausted' : 'producer-closed';
    ctx.record('client', { op: 'error', events: [event], topic: this.config.topic, partition, error });
  }

  /**
   * Sends what may be sent, as Kafka's Sender does with `RecordAccumulator.ready` and `drain`. A
   * partition's head batch is a candidate unless its leader is unknown or not connectable yet, the
   * leader has `max.in.flight` requests out, or the batch backs off before a retry; a leader is
   * ready when one of its candidates is sendable — full, sent before, queued ahead of another
   * batch, lingered `linger.ms`, or any at all once the producer is closed or while a send waits
   * for buffer memory (Kafka's `closed` and `exhausted`). To each ready leader goes one request
   * carrying the candidate of each partition it leads, lingering or not (Kafka's
   * `drainBatchesForOneNode` takes them all), from that leader's drain index on (drain-index.ts:
   * the partition that ended its last request, or the one before the last request's start), up to
   * `max.request.size` (at least one batch; the first that does not fit ends the request, as there);
   * again while slots and batches remain. The requests of a pass go to the leaders in the order of
   * their first ready partition (Kafka's Sender: by node id). A batch taken
   * takes no more events. With idempotence a batch also waits for the producer id and its place in
   * the window, and a batch that waits so ends its leader's request as one that does not fit (Kafka
   * breaks there too). A queued batch still fails at its delivery deadline: the drain wakes up for it, for
   * the end of a linger, and for a backoff.
   */
  private drain(ctx: Context): void {
    const now = ctx.now();
    let wakeAt = Infinity;
    const n = this.partitions;
    /** Per broker, the partitions it leads in ascending order (Kafka's `partitionsForNode`): built when first needed. */
    let partsOf: Map<string, number[]> | undefined;
    for (;;) {
      // Judged each pass, as Kafka's Sender calls `ready` each time round: a batch completed by the
      // last pass (acks=0, or one given up) may have let the waiting send append its event.
      const exhausted = this.blocked !== undefined;
      /** By partition: its head batch if it may be sent now, with its leader and when it is sendable. */
      const candidates: ({ batch: ProducerBatch; leader: string; sendableAt: Micros } | undefined)[] = [];
      const ready = new Set<string>();
      for (let partition = 0; partition < n; partition++) {
        const queue = this.accumulator.queue(partition);
        while (queue.length > 0 && now >= queue[0]!.deadlineUs) this.giveUp(ctx, this.accumulator.take(partition), 'delivery-timeout');
        const batch = queue[0];
        if (batch === undefined) continue;
        wakeAt = Math.min(wakeAt, batch.deadlineUs);
        if (this.config.idempotence && this.pid === undefined) continue;
        if (batch.retryAtUs > now) {
          wakeAt = Math.min(wakeAt, batch.retryAtUs);
          continue;
        }
        const leader = this.network.metadata.usableLeaderOf(this.config.topic, partition);
        if (leader === null) {
          this.network.refresh(ctx);
          wakeAt = Math.min(wakeAt, now + this.config.retryBackoffUs);
          continue;
        }
        const readyAt = this.network.connections.readyAt(leader);
        if (readyAt > now) {
          wakeAt = Math.min(wakeAt, readyAt);
          continue;
        }
        // No connection yet: one request stands for Kafka's connection attempt (in-flight-requests.ts).
        if (!this.requests.maySend(leader, this.config.maxInFlight)) continue;
        const sendableAt = exhausted ? now : this.accumulator.sendableAt(partition)!;
        if (sendableAt <= now) ready.add(leader);
        candidates[partition] = { batch, leader, sendableAt };
      }
      // A batch whose leader has nothing sendable yet wakes the drain when it is (the end of its linger).
      for (const candidate of candidates) if (candidate !== undefined && !ready.has(candidate.leader)) wakeAt = Math.min(wakeAt, candidate.sendableAt);
      if (ready.size === 0) break;
      partsOf ??= itemsPerLeader(n, (partition) => this.network.metadata.leaderOf(this.config.topic, partition));
      // Every ready leader drained first, then the requests sent, as Kafka's Sender does (`drain`, then `sendProduceRequests`).
      const requests: { leader: string; batches: ProducerBatch[] }[] = [];
      for (const leader of ready) {
        const batches = this.drainLeader(leader, partsOf.get(leader)!, candidates);
        if (batches.length > 0) requests.push({ leader, batches });
      }
      if (requests.length === 0) break;
      for (const { leader, batches } of requests) this.send(ctx, batches, leader);
    }
    if (wakeAt < Infinity && (this.drainTimer === undefined || this.drainTimer.at > wakeAt)) {
      if (this.drainTimer !== undefined) ctx.cancelTimer(this.drainTimer.id);
      this.drainTimer = { at: wakeAt, id: ctx.setTimer(wakeAt - now, 'drain') };
    }
  }

  /**
   * One request's batches for a ready `leader`, as Kafka's `drainBatchesForOneNode`: its partitions
   * (`parts`) from its drain index on, wrapping around once, each head batch that may be sent now
   * taken (lingering or not) until one would take the request past `max.request.size` (at least one
   * goes) or may not be numbered yet — there the request ends (`break`), and the index stays at
   * that partition, which opens the leader's next request; otherwise it ends at the last
   * partition visited (drain-index.ts).
   */
  private drainLeader(leader: string, parts: readonly number[], candidates: readonly ({ batch: ProducerBatch; leader: string } | undefined)[]): ProducerBatch[] {
    const batches: ProducerBatch[] = [];
    let bytes = 0;
    this.drainIndex.drain(leader, parts, (partition) => {
      const candidate = candidates[partition];
      if (candidate === undefined) return 'go';
      assert(candidate.leader === leader, () => `partition ${partition}'s leader is ${candidate.leader}, drained as ${leader}'s`);
      const { batch } = candidate;
      const size = batchSizeInBytes(batch.bytes, batch.events.length);
      // Kafka's drainBatchesForOneNode stops at the first batch that would take the request past
      // max.request.size (`break`), rather than looking further for a smaller one that fits.
      if (batches.length > 0 && bytes + size > this.maxRequestBytes) return 'stop';
      // Kafka's shouldStopDrainBatchesForPartition (no valid producer id, in-flight batches under a
      // stale one, an unresolved sequence) also ends the request (`break`): a partition that must
      // wait for its numbering holds back the partitions after it on that leader this pass.
      if (!this.mayNumber(batch)) return 'stop';
      const taken = this.accumulator.take(partition);
      assert(taken === batch, () => `the drain takes the head batch it chose, of partition ${partition}`);
      batches.push(taken);
      bytes += size;
      return 'go';
    });
    return batches;
  }

  /**
   * Idempotence: a new batch is numbered only under a settled producer id, within the five batches
   * the broker remembers, and not while its partition waits for a gap to resolve
   * (producer-sequences.ts); a numbered one is retried under its numbers. A batch refused here ends
   * its leader's request in the drain, as Kafka's shouldStopDrainBatchesForPartition does. Two of
   * that check's rules are not kept: while an InitProducerId is out Kafka's Sender drains nothing
   * (here a batch numbered under the old id is still retried under it), and a retried batch that is
   * not its partition's first in flight waits there (one batch in flight per retrying partition);
   * here retries go as their backoffs end. The five-batch window is this model's: Kafka has it from
   * max.in.flight.requests.per.connection ≤ 5.
   */
  private mayNumber(batch: ProducerBatch): boolean {
    return !this.config.idempotence || this.sequences.mayNumber(batch, this.pidRequest === undefined ? this.pid : undefined);
  }

  /** One produce request to `leader`: a batch for each of several partitions it leads. */
  private send(ctx: Context, batches: readonly ProducerBatch[], leader: string): void {
    const req = ++this.reqCounter;
    const { topic, acks, requestTimeoutUs } = this.config;
    const partitions = batches.map((batch) => {
      if (this.config.idempotence) this.sequences.number(batch, this.pid!);
      batch.attempts++;
      const idempotence = batch.pid === undefined ? {} : { pid: batch.pid, seq: batch.seq! };
      return { topic, partition: batch.partition, events: batch.events, bytes: batch.bytes, ...idempotence };
    });
    ctx.send(leader, { type: 'produce', req, partitions, acks, timeoutUs: requestTimeoutUs }, { bytes: produceBytes(partitions) });
    if (acks === 0) {
      for (const batch of batches) {
        this.acked(ctx, batch);
        ctx.record('client', { op: 'ack', events: batch.events, topic, partition: batch.partition, acks: 0 });
      }
      return;
    }
    this.requests.add(ctx, req, leader, batches);
    const inFlight = this.requests.count(leader);
    assert(inFlight <= this.config.maxInFlight, () => `requests in flight to ${leader} ≤ max.in.flight ${this.config.maxInFlight}, but ${inFlight}`);
  }

  /** Each partition's outcome on its own: an acknowledgement, or a failure handled as that partition's. */
  private onProduceReply(ctx: Context, reply: ProduceReply): void {
    const batches = this.requests.answered(reply.req);
    if (batches === undefined) return;
    for (const part of reply.partitions) {
      const batch = batches.find((b) => b.partition === part.partition);
      if (batch === undefined) continue;
      if (part.error === undefined) {
        assert(typeof part.offset === 'number' && part.offset >= 0, () => `an acknowledged batch has its offset, but partition ${batch.partition} acknowledged at ${part.offset}`);
        const duplicate = part.duplicate ? { duplicate: true } : {};
        ctx.record('client', { op: 'ack', events: batch.events, topic: this.config.topic, partition: batch.partition, offset: part.offset, ...duplicate });
        this.acked(ctx, batch);
      } else {
        this.failed(ctx, batch, part.error);
      }
    }
  }

  /**
   * Requests to one broker that will not be answered, in send order (in-flight-requests.ts). One
   * that failed — it timed out (Kafka then closes the connection: every request to that broker fails
   * with it) or its connection broke (NetworkException) — has each batch retried after
   * `retry.backoff.ms`, or given up; one that never reached its broker has its batches go back
   * unattempted. Newest first, since each batch goes back to the front of its partition's queue: a
   * queue keeps send order whatever mix of outcomes a disconnect brings.
   */
  private lost(ctx: Context, requests: readonly Lost<readonly ProducerBatch[]>[]): void {
    for (let i = requests.length - 1; i >= 0; i--) {
      const { request, outcome } = requests[i]!;
      for (const batch of request) {
        if (outcome !== 'put-back') {
          this.failed(ctx, batch, outcome);
          continue;
        }
        batch.attempts--;
        this.accumulator.requeue(batch);
      }
    }
  }

  /**
   * A connection broke: a broker's or the controller's process died on a live host. To a broker,
   * as Kafka's NetworkClient handles a disconnect (in-flight-requests.ts): every request in flight
   * to it fails now with a NetworkException (retried after `retry.backoff.ms`), but a refused
   * connection attempt goes back unattempted; metadata is asked for elsewhere, and the broker is not
   * connected to again before its reconnect backoff. To the controller with a producer id request
   * out: the request goes to the next quorum member now.
   */
  onDisconnect(ctx: Context, disconnect: Disconnect): void {
    const { peer } = disconnect;
    if (!this.config.brokers.includes(peer)) {
      if (this.pidRequest !== undefined && peer === this.controllers.target) {
        this.controllers.unanswered();
        this.requestPid(ctx);
      }
      return;
    }
    this.requests.disconnected(ctx, disconnect);
    this.drain(ctx);
  }

  /** A failed request: back off and retry, or give up when out of retries or time, or when retrying cannot help. */
  private failed(ctx: Context, batch: ProducerBatch, error: Failure): void {
    const now = ctx.now();
    // Not retriable: the same batch would be refused again.
    if (error === 'message-too-large') return this.giveUp(ctx, batch, error);
    if (error === 'not-leader' || error === 'unknown-partition' || error === 'request-timed-out') this.network.refresh(ctx);
    // An out-of-order answer means an earlier batch is missing; it is not this batch's fault.
    if (error === 'out-of-order-sequence') {
      batch.attempts--;
      const gap = this.sequences.confirmsGap(batch);
      if (gap?.lostAcknowledged) ctx.record('client', { op: 'sequence-gap', topic: this.config.topic, partition: batch.partition, pid: batch.pid, seq: batch.seq });
      if (gap !== undefined) this.restartSequences(ctx, batch.partition);
    }
    if (this.sequences.isAbandoned(batch)) {
      // Numbered under an abandoned numbering: renumber only what the broker is known not to hold.
      if (error !== 'out-of-order-sequence') return this.giveUp(ctx, batch, 'producer-id-reset');
      this.sequences.forget(batch);
    }
    if (batch.attempts > this.config.retries || now >= batch.deadlineUs) return this.giveUp(ctx, batch, error);
    ctx.record('client', { op: 'retry', events: batch.events, topic: this.config.topic, partition: batch.partition, attempt: batch.attempts + 1, error });
    // The n-th retry of this batch (attempts counts the sends that reached a broker).
    batch.retryAtUs = now + this.retryBackoff.backoff(Math.max(0, batch.attempts - 1), ctx.rng('retry-backoff'));
    this.accumulator.requeue(batch);
  }

  /** The batch was acknowledged: it leaves its partition's window and gives its memory back. */
  private acked(ctx: Context, batch: ProducerBatch): void {
    if (this.config.idempotence) this.settled(ctx, batch.partition, this.sequences.acked(batch, this.pid));
    this.completed(ctx, batch);
  }

  private completed(ctx: Context, batch: ProducerBatch): void {
    this.accumulator.complete(batch);
    this.memoryFreed(ctx);
  }

  private giveUp(ctx: Context, batch: ProducerBatch, error: string): void {
    ctx.record('client', { op: 'error', events: batch.events, topic: this.config.topic, partition: batch.partition, error });
    // Only this batch fails (Kafka's Sender.failBatch); the gap it may leave is resolved once the partition's earlier batches are.
    if (this.config.idempotence) this.settled(ctx, batch.partition, this.sequences.givenUp(batch, this.pid));
    this.completed(ctx, batch);
  }

  private settled(ctx: Context, partition: number, settled: Settled): void {
    if (settled.restart) this.restartSequences(ctx, partition);
  }

  /**
   * The partition's numbering has a gap for good: its queued numbered batches (never appended,
   * since the broker refuses what follows a gap) are numbered again from 0, under a new producer id
   * when the gap is in the current id's numbering (KIP-360's epoch bump).
   */
  private restartSequences(ctx: Context, partition: number): void {
    const pid = this.sequences.restart(partition);
    // Newest first, since each requeued batch goes to the front of its queue.
    for (const batch of this.accumulator.takeNumbered(partition).reverse()) {
      this.sequences.forget(batch);
      this.accumulator.requeue(batch);
    }
    if (pid === this.pid && this.pidRequest === undefined) this.requestPid(ctx);
  }

  private requestPid(ctx: Context): void {
    const req = ++this.reqCounter;
    this.pidRequest = req;
    this.controllers.send(ctx, { type: 'init-producer-id', req });
    ctx.setTimer(this.config.requestTimeoutUs, 'pid-timeout', req);
  }

  // --- the rate ----------------------------------------------------------------------------------

  /** The events due by `now` as (partitioner index, id) pairs: one per tick, or a whole burst per tick. */
  private due(ctx: Context, now: Micros): [number, string][] {
    const due: [number, string][] = [];
    const bursts = this.config.bursts;
    while (this.tickTime(this.tick) <= now && this.tickTime(this.tick) < this.config.stopAtUs) {
      const k = this.tick++;
      if (bursts === undefined) {
        due.push([k, `${ctx.self}-${k}`]);
        continue;
      }
      const size = burstSize(bursts, ctx.rng(`burst-${k}`));
      for (let j = 0; j < size; j++) due.push([j, burstEventId(ctx.self, k, j)]);
    }
    return due;
  }

  /** The next wake of the rate: at the next event's tick, but (after a wake) not within 1 ms. */
  private scheduleTick(ctx: Context, coalesce = true): void {
    const at = this.tickTime(this.tick);
    if (at >= this.config.stopAtUs) return;
    const delay = at - ctx.now();
    ctx.setTimer(coalesce ? Math.max(delay, MIN_TICK_US) : Math.max(delay, 0), 'tick');
  }

  private tickTime(k: number): Micros {
    const bursts = this.config.bursts;
    return bursts === undefined ? Math.floor((k * SECOND) / this.config.ratePerSec) : burstDueUs(bursts, k);
  }

  private firstTickAtOrAfter(now: Micros): number {
    // An estimate from the mean tick rate, corrected step by step below.
    const ticksPerSec = this.config.bursts === undefined ? this.config.ratePerSec : SECOND / this.config.bursts.everyUs;
    let k = Math.ceil((now * ticksPerSec) / SECOND);
    while (this.tickTime(k) < now) k++;
    while (k > 0 && this.tickTime(k - 1) >= now) k--;
    return k;
  }
}

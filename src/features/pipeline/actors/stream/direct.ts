/**
 * Direct channels: each operator instance sends to the consumer instances of its output stream
 * as messages, over a reliable FIFO channel per (stream, sender, receiver) — what a TCP connection
 * between two stream-processing tasks gives.
 *
 * Guarantee: within an epoch, a receiver gets every item its sender sent on the channel, once and
 * in order, as long as both stay up — whatever the network loses, duplicates or reorders. Items
 * carry sequence numbers; the receiver delivers in order, drops duplicates and older epochs, and
 * acknowledges cumulatively as TCP does: at least every second full-sized segment (RFC 1122
 * §4.2.3.2, RFC 5681 §4.2), so an item of two segments or more (a frame, a slab) is acknowledged
 * as soon as it has arrived, and a lone small one (a marker) after at most Linux's delayed-ack
 * timeout of 40 ms, or at once when a second one joins it. A sender whose acknowledgements stall sends a
 * probe behind its data (channels are FIFO unless reordered, so the probe's reply tells exactly
 * what was lost) and re-sends what the reply shows missing. Markers are items too, so a marker
 * arrives after everything sent before it.
 *
 * Under message logging (`logged`, see checkpoint/actors/message-log.ts) the receiver acknowledges
 * only what its operator's log holds durably, at once when an fsync makes more of it durable
 * (`logged`), so a sender forgets nothing a restarted receiver could lack; a sender's
 * unacknowledged items go into its checkpoint (`outbox`, with their receivers and sequence
 * numbers) and are sent again after a restore, within the window its receivers' replies to a
 * probe tell (they did not reset and may be full); and a restored operator stays in the same epoch,
 * its receivers expecting what follows its restored and replayed input, its senders numbering from
 * its restored output, so what it sends again is dropped as a duplicate. Until the restore reopens
 * the channels a restarted receiver takes nothing.
 *
 * Flow control (flow-control.ts): every acknowledgement carries the receiver's free window, and a
 * sender transmits an event only while the bytes it has in flight are below the last window
 * announced; what it may not send yet waits in its queue, in order. An operator whose output queue
 * is not empty takes no new input and produces no new source event (`writable`, operator.ts), so a
 * slow operator's full window stops its upstream, whose full window stops its own upstream, back
 * to the sources: the backlog stays where the data was born (the instrument's buffer) instead of
 * growing in front of the slow operator. A marker needs no credit (as Flink's events) and takes
 * along the events queued before it, in order: at most one processing step's outputs, since an
 * operator with a waiting output takes nothing new. So a barrier a source injects passes only the
 * short in-flight queues, and a coordinated pause, whose receivers take nothing, still gets every
 * flush marker; an operator stopped by a recovery line sends its queue the same way (`release`),
 * so its held receivers get everything it counts as sent and its stop is answered at once. A
 * sender whose window stays closed probes (TCP's persist timer): its timer ticks every
 * `PROBE_AFTER_US` and probes a channel silent for that long, so a lost window update costs up to
 * two probe periods and a round trip (one period more for each probe or reply lost as well).
 *
 * How it breaks: nothing is retained beyond the sender's memory. If a sender or receiver crashes,
 * what was in flight is gone, and only a global rollback to a consistent cut (a new epoch) makes
 * the pipeline whole again — which is why every strategy over direct channels is a global one.
 * Bounded windows bound the backlog in front of a slow operator, not the time an aligned barrier
 * waits behind it: that is the window's worth of items times their service time (a 320 KiB window
 * of 1 KiB items before a 200 ms operator is 64 s), unless buffer debloating sizes the window to
 * its target time. A cycle of operators (the bank drill) whose windows all fill deadlocks, as
 * Flink's iterations can under backpressure; windows far larger than a run's backlog give back
 * unbounded buffers.
 */
import type { Context, Message, Wakeup } from '../../../../kernel/contract/index.ts';
import { MS } from '../../../../kernel/contract/index.ts';
import type { Marker, OutboxItem } from '../../../checkpoint/actors/index.ts';
import type { StreamEvent } from '../event.ts';
import { MSS_BYTES, ReceiveWindow, windowBytesOf, type FlowControl } from './flow-control.ts';
import { recordOutput, type InstanceRoutes, type OperatorTransport, type Resume, type TransportSink } from './transport.ts';

/** A receiver acknowledges once this many segments have arrived since its last ack. */
const SEGMENTS_PER_ACK = 2;
/** How long a receiver holds the ack of fewer segments (Linux's TCP_DELACK_MIN). */
export const ACK_DELAY_US = 40 * MS;
/** How long a sender waits for acknowledgement progress before it probes. */
export const PROBE_AFTER_US = 200 * MS;
const CONTROL_BYTES = 64;

type Item = { readonly event: StreamEvent } | { readonly marker: Marker };

interface DataMessage extends Message {
  /** Markers travel in-band like events, under a type of their own so a trace tells them apart. */
  readonly type: 'stream:data' | 'stream:marker';
  readonly stream: string;
  readonly epoch: number;
  /** The sender's first sequence number in this epoch (its restored position). */
  readonly base: number;
  readonly seq: number;
  readonly item: Item;
}

interface AckMessage extends Message {
  readonly type: 'stream:ack';
  readonly stream: string;
  readonly epoch: number;
  /** Everything below it arrived; −1: nothing of this epoch did. */
  readonly next: number;
  /** The receiver's free window, bytes: the sender may have this much in flight beyond `next`. */
  readonly window: number;
  /** The receiver's whole window, bytes (less than configured when debloated): what it offers again after a reset. */
  readonly size: number;
  /** Set when answering a probe: the sender's next sequence number at probe time. */
  readonly probe?: number;
}

interface ProbeMessage extends Message {
  readonly type: 'stream:probe';
  readonly stream: string;
  readonly epoch: number;
  readonly seq: number;
}

interface Sender {
  /** The channel's name, `<stream>><consumer>` (snapshots count what was sent on it). */
  readonly key: string;
  readonly to: string;
  epoch: number;
  base: number;
  /** The next sequence number to give an item: items below it are in the channel (queued, in flight or acknowledged). */
  next: number;
  /** The next sequence number to transmit: items from it to `next` wait in the queue for credit. */
  sent: number;
  /** One past the last marker queued, or everything queued when the operator stopped (`release`): all below it is sent without credit. */
  flushTo: number;
  /**
   * One past the sequence number of the last event (not marker) put in the channel, queued or sent:
   * what a snapshot counts. Whatever takes a snapshot sends the queue first — a cut's marker takes
   * it along, a recovery line's stop `release`s it — so by then it was sent.
   */
  emittedEvents: number;
  /** Items queued or transmitted and not yet acknowledged, in sequence order. */
  readonly unacked: Map<number, DataMessage>;
  /** Bytes transmitted and not yet acknowledged. */
  inFlightBytes: number;
  /** The receiver's free window as its last acknowledgement announced. */
  window: number;
  /** The receiver's whole window as its last acknowledgement announced: what a new epoch starts with. */
  offered: number;
  /** The highest `next` acknowledged in this epoch: the window of an older acknowledgement is stale. */
  acked: number;
  lastProgressUs: number;
}

interface Receiver {
  /** The channel's name, `<stream><<producer>` (the operator's input position is kept under it). */
  readonly key: string;
  readonly stream: string;
  readonly from: string;
  epoch: number;
  /** Next sequence number to deliver; undefined until the first item of the epoch says its base. */
  expected: number | undefined;
  readonly buffer: Map<number, Item>;
  /** Under message logging: everything below it is in the receiver's log, durably (what is acknowledged). */
  durable: number;
  /** Segments arrived since the last ack. */
  unackedSegments: number;
  ackDue: boolean;
  readonly window: ReceiveWindow;
}

export class DirectTransport implements OperatorTransport {
  readonly markerInputs: readonly string[];
  /** By consumer: one output stream, so the consumer names the channel. */
  private readonly senders = new Map<string, Sender>();
  /**
   * By stream, then producer: a message names both, and looking them up in two steps builds no
   * `<stream><<producer>` string per message (a new string is hashed at every lookup).
   */
  private readonly receivers = new Map<string, Map<string, Receiver>>();
  /** Every receiver, in the order of the routes' inputs. */
  private readonly allReceivers: Receiver[] = [];
  /** Receivers by channel name (the operator names the channel of what it consumed). */
  private readonly byChannel = new Map<string, Receiver>();
  private ackTimer = false;
  private probeTimer = false;
  /** Message logging: false until the first `open` (a restarted operator's restore). */
  private opened = false;

  constructor(
    private readonly routes: InstanceRoutes,
    private readonly sink: TransportSink,
    private readonly options: { readonly logged: boolean; readonly flow: FlowControl },
  ) {
    const { stream, consumers } = routes.output;
    const { flow } = options;
    const window = windowBytesOf(flow);
    for (const consumer of consumers) {
      this.senders.set(consumer, { key: `${stream}>${consumer}`, to: consumer, epoch: 0, base: 0, next: 0, sent: 0, flushTo: 0, emittedEvents: 0, unacked: new Map(), inFlightBytes: 0, window, offered: window, acked: -1, lastProgressUs: 0 });
    }
    for (const input of routes.inputs) {
      let byProducer = this.receivers.get(input.stream);
      if (byProducer === undefined) this.receivers.set(input.stream, (byProducer = new Map()));
      for (const producer of input.producers) {
        if (byProducer.has(producer)) continue;
        const receiver: Receiver = { key: `${input.stream}<${producer}`, stream: input.stream, from: producer, epoch: 0, expected: undefined, buffer: new Map(), durable: 0, unackedSegments: 0, ackDue: false, window: new ReceiveWindow(flow) };
        byProducer.set(producer, receiver);
        this.allReceivers.push(receiver);
        this.byChannel.set(receiver.key, receiver);
      }
    }
    this.markerInputs = this.allReceivers.map((receiver) => receiver.key);
  }

  open(ctx: Context, resume: Resume): void {
    this.opened = true;
    for (const sender of this.senders.values()) {
      sender.epoch = resume.epoch;
      sender.base = sender.next = sender.sent = sender.flushTo = sender.emittedEvents = resume.outputs[sender.key] ?? 0;
      sender.unacked.clear();
      sender.inFlightBytes = 0;
      sender.acked = -1;
      // A new epoch: as a TCP sender takes the window of the SYN, the receiver reopens with its whole
      // (perhaps debloated) window free. Logged: the same epoch goes on and the receiver may still be
      // full, so nothing is sent before a probe's reply tells its window.
      sender.window = this.options.logged ? 0 : sender.offered;
      sender.lastProgressUs = ctx.now();
    }
    for (const receiver of this.allReceivers) {
      receiver.epoch = resume.epoch;
      // Logged: the same epoch goes on, and the channel resumes after the restored and replayed input.
      receiver.expected = this.options.logged ? (resume.inputs[receiver.key] ?? 0) : undefined;
      receiver.durable = receiver.expected ?? 0;
      receiver.buffer.clear();
      receiver.unackedSegments = 0;
      receiver.ackDue = false;
      receiver.window.reset();
    }
    // Without a log, direct channels keep no outbox: their in-flight items are channel state at the receiver.
    if (!this.options.logged) return;
    this.resend(ctx, resume.outbox);
    // After the resend is queued: a probe's reply re-sends only what was transmitted before the probe.
    for (const sender of this.senders.values()) this.sendProbe(ctx, sender);
  }

  /** Message logging: the operator's log now holds the input of `channel` below `next` durably; acknowledged at once. */
  logged(ctx: Context, channel: string, next: number): void {
    const receiver = this.byChannel.get(channel);
    if (receiver === undefined || next <= receiver.durable) return;
    receiver.durable = next;
    this.sendAck(ctx, receiver);
  }

  /**
   * Queues again, under their old sequence numbers, the unacknowledged items a restored image kept
   * (consecutive: logged channels carry no markers); they go out within the window, as new ones do.
   */
  private resend(ctx: Context, outbox: readonly OutboxItem[]): void {
    for (const item of outbox) {
      const sender = item.to === undefined ? undefined : this.senders.get(item.to);
      if (sender === undefined || item.seq === undefined) continue;
      const message: DataMessage = { type: 'stream:data', stream: this.routes.output.stream, epoch: sender.epoch, base: sender.base, seq: item.seq, item: { event: item.event as StreamEvent } };
      sender.unacked.set(item.seq, message);
      sender.sent = sender.flushTo = Math.min(sender.sent, item.seq);
    }
    for (const sender of this.senders.values()) this.flush(ctx, sender);
    if (outbox.length > 0) this.armProbe(ctx);
  }

  emit(ctx: Context, events: readonly StreamEvent[]): void {
    const { consumers } = this.routes.output;
    for (const event of events) {
      if (consumers.length === 0) {
        recordOutput(ctx, [event]);
        continue;
      }
      const consumer = consumers[event.key % consumers.length]!;
      this.transmit(ctx, this.senders.get(consumer)!, { event });
    }
  }

  marker(ctx: Context, marker: Marker): void {
    for (const sender of this.senders.values()) this.transmit(ctx, sender, { marker });
  }

  consumed(ctx: Context, channel: string, position: number): void {
    const receiver = this.byChannel.get(channel);
    if (receiver !== undefined && receiver.window.consumed(position, ctx.now()) && receiver.expected !== undefined) this.sendAck(ctx, receiver);
  }

  /**
   * The operator stopped (a recovery line's stop phase): what waits for credit is sent now, as a
   * marker would take it along (at most one step's outputs), so that its receivers, held too and
   * opening no window, still get everything and the stop is answered within a round trip.
   */
  release(ctx: Context): void {
    for (const sender of this.senders.values()) {
      sender.flushTo = sender.next;
      this.flush(ctx, sender);
    }
  }

  /** Whether every output item has been handed to the network (none waits for credit). */
  writable(): boolean {
    for (const sender of this.senders.values()) if (sender.sent < sender.next) return false;
    return true;
  }

  delivered(except: ReadonlySet<string>): boolean {
    for (const sender of this.senders.values()) if (sender.unacked.size > 0 && !except.has(sender.to)) return false;
    return true;
  }

  outputs(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const sender of this.senders.values()) counts[sender.key] = sender.emittedEvents;
    return counts;
  }

  outbox(): OutboxItem[] {
    if (!this.options.logged) return [];
    const items: OutboxItem[] = [];
    for (const sender of this.senders.values()) {
      for (const [seq, message] of sender.unacked) if ('event' in message.item) items.push({ stream: message.stream, event: message.item.event, to: sender.to, seq });
    }
    return items;
  }

  onMessage(ctx: Context, message: Message, from: string): boolean {
    switch (message.type) {
      case 'stream:data':
      case 'stream:marker':
        this.receive(ctx, message as DataMessage, from);
        return true;
      case 'stream:ack':
        this.acknowledged(ctx, message as AckMessage, from);
        return true;
      case 'stream:probe':
        this.probed(ctx, message as ProbeMessage, from);
        return true;
    }
    return false;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === 'stream:ack') {
      this.ackTimer = false;
      for (const receiver of this.allReceivers) if (receiver.ackDue) this.sendAck(ctx, receiver);
      return true;
    }
    if (wakeup.name === 'stream:probe') {
      this.probeTimer = false;
      this.probe(ctx);
      return true;
    }
    return false;
  }

  // --- sending ------------------------------------------------------------------------------

  /** Puts an item in the channel: sent now if the window allows, else queued behind what waits. */
  private transmit(ctx: Context, sender: Sender, item: Item): void {
    const message: DataMessage = { type: 'event' in item ? 'stream:data' : 'stream:marker', stream: this.routes.output.stream, epoch: sender.epoch, base: sender.base, seq: sender.next++, item };
    if ('event' in item) sender.emittedEvents = message.seq + 1;
    else sender.flushTo = sender.next;
    if (sender.unacked.size === 0) sender.lastProgressUs = ctx.now();
    sender.unacked.set(message.seq, message);
    this.flush(ctx, sender);
    this.armProbe(ctx);
  }

  /** Sends queued items in order while the window has room; a queued marker sends everything up to it. */
  private flush(ctx: Context, sender: Sender): void {
    while (sender.sent < sender.next && (sender.sent < sender.flushTo || sender.inFlightBytes < sender.window)) {
      const message = sender.unacked.get(sender.sent++)!;
      const bytes = bytesOf(message.item);
      if ('event' in message.item) sender.inFlightBytes += bytes;
      ctx.send(sender.to, message, { bytes });
    }
  }

  private acknowledged(ctx: Context, ack: AckMessage, from: string): void {
    const sender = ack.stream === this.routes.output.stream ? this.senders.get(from) : undefined;
    if (sender === undefined || ack.epoch !== sender.epoch) return;
    // Unacknowledged messages are kept in sequence order; deleting while iterating a Map is safe.
    for (const [seq, message] of sender.unacked) {
      if (seq >= ack.next || seq >= sender.sent) break;
      sender.unacked.delete(seq);
      if ('event' in message.item) sender.inFlightBytes -= message.item.event.bytes;
      sender.lastProgressUs = ctx.now();
    }
    // An acknowledgement older than one already applied (the network reordered them) announces a stale window.
    if (ack.next >= sender.acked) {
      sender.acked = ack.next;
      sender.window = ack.window;
      sender.offered = ack.size;
      // As TCP's persist timer restarts on a window update: a sender waiting for credit probes only when the receiver falls silent.
      if (sender.sent < sender.next) sender.lastProgressUs = ctx.now();
    }
    if (ack.probe !== undefined) {
      // The probe travelled behind everything below `probe`: what the reply lacks was lost.
      for (const [seq, message] of sender.unacked) {
        if (seq >= ack.probe) break;
        if (seq >= ack.next) ctx.send(sender.to, message, { bytes: bytesOf(message.item) });
      }
    }
    this.flush(ctx, sender);
  }

  private armProbe(ctx: Context): void {
    if (this.probeTimer) return;
    this.probeTimer = true;
    ctx.setTimer(PROBE_AFTER_US, 'stream:probe');
  }

  private probe(ctx: Context): void {
    let waiting = false;
    for (const sender of this.senders.values()) {
      if (sender.unacked.size === 0) continue;
      waiting = true;
      if (ctx.now() - sender.lastProgressUs < PROBE_AFTER_US) continue;
      this.sendProbe(ctx, sender);
    }
    if (waiting) this.armProbe(ctx);
  }

  private sendProbe(ctx: Context, sender: Sender): void {
    sender.lastProgressUs = ctx.now();
    ctx.send<ProbeMessage>(sender.to, { type: 'stream:probe', stream: this.routes.output.stream, epoch: sender.epoch, seq: sender.sent });
  }

  // --- receiving ----------------------------------------------------------------------------

  private receive(ctx: Context, message: DataMessage, from: string): void {
    const receiver = this.receivers.get(message.stream)?.get(from);
    if (receiver === undefined || message.epoch < receiver.epoch) return;
    // Logged and not yet restored: the sender keeps it until the restored operator acknowledges it.
    if (this.options.logged && !this.opened) return;
    if (message.epoch > receiver.epoch || receiver.expected === undefined) {
      receiver.epoch = message.epoch;
      receiver.expected = message.base;
      receiver.buffer.clear();
      receiver.window.reset();
    }
    receiver.unackedSegments += Math.max(1, Math.ceil(bytesOf(message.item) / MSS_BYTES));
    // A duplicate is only acknowledged.
    if (message.seq >= receiver.expected) {
      if ('event' in message.item) receiver.window.arrived(message.seq, message.item.event.bytes, ctx.now());
      receiver.buffer.set(message.seq, message.item);
      for (;;) {
        const seq: number = receiver.expected!;
        const item = receiver.buffer.get(seq);
        if (item === undefined) break;
        receiver.buffer.delete(seq);
        receiver.expected = seq + 1;
        if ('event' in item) this.sink.deliver(ctx, receiver.key, seq, item.event);
        else this.sink.marker(ctx, receiver.key, item.marker);
        // Delivering may have restored the operator into a new epoch, which acknowledges nothing of this one.
        if (receiver.epoch !== message.epoch) return;
      }
    }
    if (receiver.unackedSegments >= SEGMENTS_PER_ACK) this.sendAck(ctx, receiver);
    else this.scheduleAck(ctx, receiver);
  }

  private probed(ctx: Context, probe: ProbeMessage, from: string): void {
    const receiver = this.receivers.get(probe.stream)?.get(from);
    if (receiver === undefined || probe.epoch < receiver.epoch) return;
    const next = probe.epoch !== receiver.epoch || receiver.expected === undefined ? -1 : this.options.logged ? receiver.durable : receiver.expected;
    const window = probe.epoch === receiver.epoch ? receiver.window.announce() : receiver.window.size;
    ctx.send<AckMessage>(from, { type: 'stream:ack', stream: probe.stream, epoch: probe.epoch, next, window, size: receiver.window.size, probe: probe.seq });
  }

  private scheduleAck(ctx: Context, receiver: Receiver): void {
    receiver.ackDue = true;
    if (this.ackTimer) return;
    this.ackTimer = true;
    ctx.setTimer(ACK_DELAY_US, 'stream:ack');
  }

  private sendAck(ctx: Context, receiver: Receiver): void {
    receiver.ackDue = false;
    receiver.unackedSegments = 0;
    if (receiver.expected === undefined) return;
    const next = this.options.logged ? receiver.durable : receiver.expected;
    ctx.send<AckMessage>(receiver.from, { type: 'stream:ack', stream: receiver.stream, epoch: receiver.epoch, next, window: receiver.window.announce(), size: receiver.window.size });
  }
}

function bytesOf(item: Item): number {
  return 'event' in item ? item.event.bytes : CONTROL_BYTES;
}

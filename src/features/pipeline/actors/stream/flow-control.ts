/**
 * Credit-based flow control of a direct channel: the receiver's side. What Flink's network stack
 * does with its buffers (a receiving channel owns `buffers-per-channel` exclusive buffers and may
 * borrow up to `floating-buffers-per-gate` more, each a memory segment of 32 KiB; a sender sends
 * only against the credit its receiver announced), expressed in bytes as TCP's receive window: the
 * window is what the receiver will hold of a channel's items that arrived and that its operator
 * has not yet finished (the item in service included), and it announces what is free of it in
 * every acknowledgement — no extra message while a consumer keeps up.
 *
 * Window updates: when consuming opens a window the sender may be waiting on, the receiver sends
 * an acknowledgement at once, as Linux does after a read (`tcp_cleanup_rbuf`): when what it last
 * offered has shrunk to at most half the window and what is free now is at least twice that —
 * and, against silly windows (RFC 1122 §4.2.3.3), at least min(half the window, one MSS). An item
 * larger than the whole window (aps-xray's 8 MiB projections through 320 KiB) thus costs two
 * acknowledgements: its arrival's, announcing a closed window, and its consumption's update. A real
 * receiver sends no fewer: Linux acknowledges every second full segment as it arrives and must
 * reopen a window it announced closed; Flink announces credit per recycled 32 KiB buffer.
 *
 * Buffer debloating (Flink 1.14+, FLIP-183, off by default there as here): the receiver measures
 * how fast its operator consumes the channel while it has work (time with nothing held and nothing
 * in service is left out, as Flink's ThroughputCalculator pauses while idle; a plain mean of 20
 * periods where Flink keeps an exponential moving average) and sizes the window to hold `target` of that
 * throughput (Flink's default 1 s), between one minimum segment (256 B) per buffer and the
 * configured window, changing it only when it moves by more than 25 % (Flink's
 * threshold-percentages), so that in-flight data — what an aligned barrier waits behind — stays
 * about `target` long under backpressure whatever the record size.
 *
 * Guarantee: the bytes a receiver holds of a channel stay below window + one item (an item is one
 * message here, so one larger than what is free is sent once anything is free, as a Flink record
 * spans buffers) plus one processing step's outputs that a marker takes along (direct.ts). How it
 * breaks: a window update lost in the network is recovered by the sender's probe (persist timer),
 * up to two probe periods and a round trip late (direct.ts); floating buffers are not shared between the channels of a gate
 * (each channel may use all of them), which overstates a fan-in gate's memory.
 */
import type { Micros } from '../../../../kernel/contract/index.ts';
import { assert } from '../../../../kernel/contract/index.ts';

/** Ethernet's maximum segment size: the least window increase worth announcing (RFC 1122). */
export const MSS_BYTES = 1460;
/** Flink's `taskmanager.memory.min-segment-size`: the smallest buffer debloating shrinks to. */
const MIN_SEGMENT_BYTES = 256;
/** Flink's `buffer-debloat.period`: throughput is sampled this often. */
const DEBLOAT_PERIOD_US = 200_000;
/** Flink's `buffer-debloat.samples`: the throughput is the mean of this many periods. */
const DEBLOAT_SAMPLES = 20;
/** Flink's `buffer-debloat.threshold-percentages`: smaller changes of the window are not made. */
const DEBLOAT_THRESHOLD_PERCENT = 25;

/** The flow control of a pipeline's direct channels (`pipeline.flow-control` in a scenario). */
export interface FlowControl {
  /** Buffers a channel may fill: exclusive per channel plus the gate's floating ones. */
  readonly buffers: number;
  /** Bytes per buffer (Flink's memory segment). */
  readonly segmentBytes: number;
  /** Buffer debloating: the in-flight time to size the window for, µs; absent: off. */
  readonly debloatTargetUs?: Micros;
}

/** Flink's `taskmanager.network.memory.buffers-per-channel`: exclusive buffers of each receiving channel. */
export const FLINK_BUFFERS_PER_CHANNEL = 2;
/** Flink's `taskmanager.network.memory.floating-buffers-per-gate`: buffers a channel may borrow. */
export const FLINK_FLOATING_BUFFERS_PER_GATE = 8;
/** Flink's `taskmanager.memory.segment-size`, bytes per buffer. */
export const FLINK_SEGMENT_BYTES = 32 * 1024;
/** Flink's defaults together, no debloating: a scenario's defaults, and a pipeline's defined without `flow`. */
export const FLINK_FLOW_CONTROL: FlowControl = { buffers: FLINK_BUFFERS_PER_CHANNEL + FLINK_FLOATING_BUFFERS_PER_GATE, segmentBytes: FLINK_SEGMENT_BYTES };

export function windowBytesOf(flow: FlowControl): number {
  return flow.buffers * flow.segmentBytes;
}

export class ReceiveWindow {
  private readonly maxBytes: number;
  private windowBytes: number;
  /** Bytes of items stored (arrived, or waiting out of order) and not yet consumed. */
  private buffered = 0;
  /** Sizes of the events stored, by sequence number, until consumed (markers take no credit). */
  private readonly sizes = new Map<number, number>();
  /** The free bytes the last acknowledgement announced, and what arrived since. */
  private advertised: number;
  private arrivedSince = 0;
  /** Debloating: bytes consumed in the current period, when it began, and the last periods' throughputs (bytes/s). */
  private periodBytes = 0;
  private periodStartUs: Micros | undefined;
  /** Debloating: when the receiver ran empty (nothing held, nothing in service); idle time is not throughput time. */
  private idleSinceUs: Micros | undefined;
  private readonly samples: number[] = [];

  constructor(private readonly flow: FlowControl) {
    this.maxBytes = windowBytesOf(flow);
    this.windowBytes = this.maxBytes;
    this.advertised = this.maxBytes;
  }

  /** The window's current size, bytes (smaller than configured only when debloated). */
  get size(): number {
    return this.windowBytes;
  }

  /** A new epoch or a restore: nothing is held, the whole (perhaps debloated) window is offered, as the last acknowledgement's `size` told the sender. */
  reset(): void {
    this.buffered = 0;
    this.sizes.clear();
    this.advertised = this.windowBytes;
    this.arrivedSince = 0;
    // What was consumed before a rollback or restore says nothing of the time since: measuring starts over.
    this.periodBytes = 0;
    this.periodStartUs = undefined;
    this.idleSinceUs = undefined;
  }

  arrived(seq: number, bytes: number, nowUs: Micros): void {
    if (this.sizes.has(seq)) return;
    // Work again after an idle spell: the period goes on as if the spell had not been (Flink's pause/resumeMeasurement).
    if (this.idleSinceUs !== undefined && this.periodStartUs !== undefined) this.periodStartUs += nowUs - this.idleSinceUs;
    this.idleSinceUs = undefined;
    this.sizes.set(seq, bytes);
    this.buffered += bytes;
    this.arrivedSince += bytes;
  }

  /** The free bytes, to announce in an acknowledgement now. */
  announce(): number {
    this.advertised = this.free();
    this.arrivedSince = 0;
    return this.advertised;
  }

  /** The operator finished the item at `seq`; true when the window opened enough to announce at once. */
  consumed(seq: number, nowUs: Micros): boolean {
    const bytes = this.sizes.get(seq);
    if (bytes === undefined) return false;
    this.sizes.delete(seq);
    this.buffered -= bytes;
    assert(this.buffered >= 0, () => `a receive window holds what arrived less what was consumed, but ${this.buffered} B`);
    if (this.flow.debloatTargetUs !== undefined) this.measure(bytes, nowUs, this.flow.debloatTargetUs);
    if (this.buffered === 0) this.idleSinceUs = nowUs;
    const offered = Math.max(0, this.advertised - this.arrivedSince);
    const free = this.free();
    return 2 * offered <= this.windowBytes && free >= 2 * offered && free >= Math.min(this.windowBytes / 2, MSS_BYTES);
  }

  private free(): number {
    return Math.max(0, this.windowBytes - this.buffered);
  }

  private measure(bytes: number, nowUs: Micros, targetUs: Micros): void {
    // The first consumption only starts the clock: what it consumed took an unknown time before.
    if (this.periodStartUs === undefined) {
      this.periodStartUs = nowUs;
      return;
    }
    this.periodBytes += bytes;
    const elapsed = nowUs - this.periodStartUs;
    if (elapsed < DEBLOAT_PERIOD_US) return;
    this.samples.push((this.periodBytes * 1_000_000) / elapsed);
    if (this.samples.length > DEBLOAT_SAMPLES) this.samples.shift();
    this.periodBytes = 0;
    this.periodStartUs = nowUs;
    let sum = 0;
    for (const sample of this.samples) sum += sample;
    const wanted = Math.min(this.maxBytes, Math.max(this.flow.buffers * MIN_SEGMENT_BYTES, Math.round(((sum / this.samples.length) * targetUs) / 1_000_000)));
    if (Math.abs(wanted - this.windowBytes) * 100 > this.windowBytes * DEBLOAT_THRESHOLD_PERCENT) this.windowBytes = wanted;
  }
}

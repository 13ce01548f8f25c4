/**
 * Client series for the timeline's panels, derived from `client` records while a trace streams by:
 * acknowledged events, failed events, and produce→ack latency per event id.
 *
 * Guarantee: each series is in trace order (so in time order) and uses only integers. An event's
 * latency is measured from its first `produce` to its first `ack`; a second ack of the same id adds
 * to throughput but not to latency, and an ack of an id never produced has no latency.
 *
 * Memory: one map entry per event produced and not yet acknowledged — the in-flight events, not
 * the trace.
 */
import { VarintWriter } from '../../../viz/wire.ts';

export class ClientSeries {
  readonly ackT = new VarintWriter();
  readonly ackN = new VarintWriter();
  readonly errT = new VarintWriter();
  readonly errN = new VarintWriter();
  readonly latT = new VarintWriter();
  readonly latUs = new VarintWriter();
  readonly length = { ack: 0, err: 0, lat: 0 };
  private readonly producedAt = new Map<unknown, number>();
  private lastAckT = 0;
  private lastErrT = 0;
  private lastLatT = 0;

  /** Feeds one `client` record's operation; other operations (consume, commit) carry no series. */
  add(t: number, op: unknown, events: unknown): void {
    const ids = Array.isArray(events) ? events : [];
    if (op === 'produce') {
      for (const id of ids) if (!this.producedAt.has(id)) this.producedAt.set(id, t);
    } else if (op === 'ack') {
      this.ackT.write(t - this.lastAckT);
      this.ackN.write(ids.length);
      this.lastAckT = t;
      this.length.ack++;
      for (const id of ids) this.latency(t, id);
    } else if (op === 'error') {
      this.errT.write(t - this.lastErrT);
      this.errN.write(ids.length);
      this.lastErrT = t;
      this.length.err++;
    }
  }

  columns(): Uint8Array[] {
    return [this.ackT, this.ackN, this.errT, this.errN, this.latT, this.latUs].map((w) => w.finish());
  }

  private latency(t: number, id: unknown): void {
    const produced = this.producedAt.get(id);
    if (produced === undefined) return;
    this.producedAt.delete(id);
    this.latT.write(t - this.lastLatT);
    this.latUs.write(t - produced);
    this.lastLatT = t;
    this.length.lat++;
  }
}

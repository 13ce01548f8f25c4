/**
 * Client series for the timeline's panels, derived from `client` records while a trace streams by:
 * acknowledged events, failed events, and produce→ack latency per event id — or, for a run whose
 * clients acknowledge nothing (a pipeline), its outputs: first outputs, duplicate outputs, and
 * birth→first-output latency (`born`, as `src/metrics/pipeline-output.ts` measures it).
 *
 * Guarantee: each series is in trace order (so in time order) and uses only integers. An event's
 * latency is measured from its first `produce` to its first `ack`; a second ack of the same id adds
 * to throughput but not to latency, and an ack of an id never produced has no latency. Outputs
 * are drawn only when the run has no client ack or error at all, so the two never mix in a panel.
 *
 * Memory: one map entry per event produced and not yet acknowledged — the in-flight events, not
 * the trace — plus, for a run with pipeline outputs, one set entry per distinct output id (what
 * telling a duplicate from a first output takes).
 */
import { ColumnWriter, type SeriesSource } from '../../../viz/wire/wire.ts';

/** Counts per record (time delta, number of events) and latencies per event (time delta, µs). */
class Columns {
  readonly countT = new ColumnWriter();
  readonly countN = new ColumnWriter();
  readonly otherT = new ColumnWriter();
  readonly otherN = new ColumnWriter();
  readonly latT = new ColumnWriter();
  readonly latUs = new ColumnWriter();
  readonly length = { ack: 0, err: 0, lat: 0 };
  private readonly last = { count: 0, other: 0, lat: 0 };

  count(t: number, n: number, other: boolean): void {
    if (other) {
      this.otherT.write(t - this.last.other);
      this.otherN.write(n);
      this.last.other = t;
      this.length.err++;
    } else {
      this.countT.write(t - this.last.count);
      this.countN.write(n);
      this.last.count = t;
      this.length.ack++;
    }
  }

  latency(t: number, us: number): void {
    this.latT.write(t - this.last.lat);
    this.latUs.write(us);
    this.last.lat = t;
    this.length.lat++;
  }

  finish(): Uint8Array[] {
    return [this.countT, this.countN, this.otherT, this.otherN, this.latT, this.latUs].map((w) => w.finish());
  }
}

export class ClientSeries {
  /** Acks (counted), errors (other) and produce→ack latencies. */
  private readonly clients = new Columns();
  /** First outputs (counted), duplicate outputs (other) and birth→first-output latencies. */
  private readonly outputs = new Columns();
  private readonly producedAt = new Map<unknown, number>();
  private readonly output = new Set<unknown>();

  /** Feeds one `client` record's operation; other operations (consume, commit) carry no series. */
  add(t: number, op: unknown, events: unknown, born?: unknown): void {
    const ids = Array.isArray(events) ? events : [];
    if (op === 'produce') {
      for (const id of ids) if (!this.producedAt.has(id)) this.producedAt.set(id, t);
    } else if (op === 'ack') {
      this.clients.count(t, ids.length, false);
      for (const id of ids) this.latency(t, id);
    } else if (op === 'error') {
      this.clients.count(t, ids.length, true);
    } else if (op === 'output') {
      this.addOutput(t, ids, Array.isArray(born) ? born : []);
    }
  }

  /** What the series columns hold: client acks, pipeline outputs, or nothing to draw. */
  get source(): SeriesSource {
    const { ack, err } = this.clients.length;
    return ack + err > 0 ? 'clients' : this.outputs.length.ack + this.outputs.length.err > 0 ? 'outputs' : 'none';
  }

  get length(): { ack: number; err: number; lat: number } {
    return (this.source === 'outputs' ? this.outputs : this.clients).length;
  }

  columns(): Uint8Array[] {
    return (this.source === 'outputs' ? this.outputs : this.clients).finish();
  }

  private latency(t: number, id: unknown): void {
    const produced = this.producedAt.get(id);
    if (produced === undefined) return;
    this.producedAt.delete(id);
    this.clients.latency(t, t - produced);
  }

  private addOutput(t: number, ids: unknown[], born: unknown[]): void {
    let first = 0;
    ids.forEach((id, i) => {
      if (this.output.has(id)) return;
      this.output.add(id);
      first++;
      const birth = born[i];
      if (typeof birth === 'number' && Number.isSafeInteger(birth) && birth <= t) this.outputs.latency(t, t - birth);
    });
    if (first > 0) this.outputs.count(t, first, false);
    if (first < ids.length) this.outputs.count(t, ids.length - first, true);
  }
}

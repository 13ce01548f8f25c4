/**
 * `no-acked-loss`: every event acknowledged to a producer is present in the final read.
 *
 * Reads `client` records: `ack` (the producer was told the event is safe), `consume` with
 * `final: true` (what the final reader found) and `final-read` (the final read completed).
 * Anomalies, named as Jepsen names them:
 *  - `lost`: acknowledged, absent from a completed final read. Lost events are grouped by the
 *    loss of unsynced disk data that took them (a power loss or node crash): the last one between
 *    the event's produce and its ack — the broker had written it and answered, and lost power while
 *    the ack was still in flight (it reaches the client after the loss: 2 of 390 in
 *    scenarios/literature/kafka-min-isr1-flush.yaml) — or else the first one after its ack. A group
 *    cites its first and last ack, that disk loss, and the final read, and says how many of its
 *    acks arrived after the loss. The client and disk records do not say which broker held an
 *    event, so a loss on another node in the same window would be named instead (a retried
 *    produce's earlier attempt is not recorded either); with one loss at a time the cause is exact.
 *  - `no-final-read`: the final read never completed, so loss cannot be judged — a failure, because
 *    a check that cannot see must not pass.
 * Stats also count `duplicates` (an id stored at more than one position of the same stream: a
 * retried produce stored twice, fine for at-least-once) and `unacked-present` (stored though the
 * producer never saw its ack). Duplicates are counted per stream (final-positions.ts): in a
 * hierarchy the same id is rightly found once per tier (edge log, cloud log), and a restarted final
 * reader reads the same positions again, so neither counts as a duplicate.
 */
import { formatMicros, type TraceRecord } from '../kernel/contract/index.ts';
import { cite, eventsOf, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from './checker.ts';
import { FinalPositions } from './final-positions.ts';

export const noAckedLoss: CheckerDefinition = {
  name: 'no-acked-loss',
  description: 'every acknowledged event is present in the final read',
  create: () => new NoAckedLoss(),
  vacuous: (stats) => (stats.acked === 0 ? '0 acknowledged events' : undefined),
};

/** Lost events that one disk loss explains (or that none does), in ack order. */
interface LossGroup {
  cause: Citation | undefined;
  lost: [string, Citation][];
}

class NoAckedLoss implements TraceChecker {
  readonly name = noAckedLoss.name;
  private readonly acked = new Map<string, Citation>();
  private readonly produced = new Set<string>();
  /** Each acknowledged event's produce time (the client's send), which bounds when a broker could have written it. */
  private readonly producedAt = new Map<string, number>();
  /** What the final read found, and where. */
  private readonly read = new FinalPositions();
  private readonly diskLosses: Citation[] = [];
  private finalRead: Citation | undefined;

  observe(record: TraceRecord): void {
    if (record.k === 'disk' && record.op === 'lost') {
      this.diskLosses.push(cite(record));
      return;
    }
    if (record.k !== 'client') return;
    switch (record.op) {
      case 'produce':
        for (const id of eventsOf(record)) {
          this.produced.add(id);
          this.producedAt.set(id, record.t);
        }
        break;
      case 'ack':
        for (const id of eventsOf(record)) if (!this.acked.has(id)) this.acked.set(id, cite(record));
        break;
      case 'consume':
        if (record.final === true) this.read.add(record);
        break;
      case 'final-read':
        this.finalRead ??= cite(record);
        break;
    }
  }

  verdict(): Verdict {
    const violations: Violation[] = [];
    let unackedPresent = 0;
    for (const id of this.read.ids) if (!this.acked.has(id) && this.produced.has(id)) unackedPresent++;
    let lost = 0;
    if (this.finalRead === undefined) {
      violations.push({
        anomaly: 'no-final-read',
        message: `the final read never completed, so the ${this.acked.size} acknowledged events cannot be checked`,
        cites: [],
      });
    } else {
      const missing = [...this.acked].filter(([id]) => !this.read.ids.has(id));
      lost = missing.length;
      for (const group of this.groupByCause(missing)) violations.push(this.lostViolation(group, this.finalRead));
    }
    return verdictOf(violations, {
      acked: this.acked.size,
      finalRead: this.read.ids.size,
      lost,
      duplicates: this.read.duplicates,
      unackedPresent,
    });
  }

  /** Groups lost events by their cause: a loss of unsynced disk data while their ack was in flight, or else the first after it. */
  private groupByCause(missing: [string, Citation][]): LossGroup[] {
    const groups: LossGroup[] = [];
    for (const entry of missing) {
      const [id, ack] = entry;
      const sent = this.producedAt.get(id) ?? ack.t;
      const inFlight = this.diskLosses.filter((d) => d.t >= sent && d.t < ack.t).at(-1);
      const cause = inFlight ?? this.diskLosses.find((d) => d.t >= ack.t);
      const last = groups.at(-1);
      if (last !== undefined && last.cause === cause) last.lost.push(entry);
      else groups.push({ cause, lost: [entry] });
    }
    return groups;
  }

  private lostViolation(group: LossGroup, finalRead: Citation): Violation {
    const [firstId, firstAck] = group.lost[0];
    const [lastId, lastAck] = group.lost[group.lost.length - 1];
    const what = group.lost.length === 1
      ? `event ${firstId}, acknowledged at ${formatMicros(firstAck.t)}, is`
      : `${group.lost.length} acknowledged events (${firstId} … ${lastId}, acknowledged ${formatMicros(firstAck.t)} to ${formatMicros(lastAck.t)}) are`;
    const cause = group.cause;
    const late = cause === undefined ? 0 : group.lost.filter(([, ack]) => ack.t > cause.t).length;
    const inFlight = late === 0 ? '' : late === group.lost.length && late === 1 ? ', its ack in flight when it struck' : `; ${late} of them were acknowledged after it, their acks in flight when it struck`;
    const why = cause ? `; ${cause.a} lost unsynced data at ${formatMicros(cause.t)}${inFlight}` : '';
    const cites = group.lost.length === 1 ? [firstAck] : [firstAck, lastAck];
    return {
      anomaly: 'lost',
      message: `${what} not in the final read${why}`,
      events: group.lost.map(([id]) => id),
      cites: group.cause ? [...cites, group.cause, finalRead] : [...cites, finalRead],
    };
  }
}

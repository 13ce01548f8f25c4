/**
 * `forwarded-once`: every event a forwarder accepted is stored in its destination exactly once,
 * unless the forwarder reported dropping it — the end-to-end exactly-once promise of forwarding.
 *
 * What "accepted" means per source (from the forwarder's `op: forward-route` record):
 *  - an edge buffer: taken in (`op: intake` at the forwarder) and acknowledged to the instrument
 *    (`op: ack` with the same id); an event taken in but never acknowledged may be lost by a power
 *    loss, as the instrument was never told it was safe;
 *  - a topic of a log service: present in that service's final read of the topic.
 * "Stored" means present in the destination service's final read of the destination topic
 * (`op: consume`, `final: true`, read by `<service>-reader`); an id at two positions is stored twice.
 *
 * Anomalies: `lost` (accepted, not dropped, absent from the destination), `duplicate` (stored at
 * two positions), `no-final-read` (the destination's final read never completed). Stats count
 * `dropped` (reported by the forwarder; excused) and `droppedButStored`, and `skipped`: the events
 * a log source's retention deleted before the forwarder read them (its `forward-gap` records, the
 * offsets it could not read). Those were never accepted — the source's final read lacks them too —
 * so they are not judged here, whatever the verdict says: `no-acked-loss` judges them against
 * their producers' acknowledgements. Before they were counted, a run that lost events so passed
 * this check with nothing in its line to tell of them.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, eventsOf, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

export const forwardedOnce: CheckerDefinition = {
  name: 'forwarded-once',
  description: 'every event a forwarder accepted is stored in its destination exactly once, unless it reported dropping it',
  create: () => new ForwardedOnce(),
  vacuous: (stats) => (stats.accepted === 0 ? '0 events accepted by a forwarder' : undefined),
};

interface Route {
  readonly forwarder: string;
  /** The source final read `<service>-reader:<topic>`, or undefined for an edge buffer. */
  readonly sourceRead: string | undefined;
  readonly destRead: string;
  readonly cite: Citation;
}

/** Final-read positions per `<reader>:<topic>`, then per event id. */
type Reads = Map<string, Map<string, Set<string>>>;

class ForwardedOnce implements TraceChecker {
  readonly name = forwardedOnce.name;
  private readonly routes = new Map<string, Route>();
  private readonly intake = new Map<string, Map<string, Citation>>();
  private readonly acked = new Set<string>();
  private readonly dropped = new Set<string>();
  /** Offsets each forwarder's log source could not read, retention having deleted them. */
  private readonly skipped = new Map<string, number>();
  private readonly reads: Reads = new Map();
  private readonly finished = new Set<string>();

  observe(record: TraceRecord): void {
    if (record.k !== 'client') return;
    switch (record.op) {
      case 'forward-route':
        if (!this.routes.has(record.a)) this.routes.set(record.a, routeOf(record));
        return;
      case 'intake': {
        let taken = this.intake.get(record.a);
        if (taken === undefined) this.intake.set(record.a, (taken = new Map()));
        for (const id of eventsOf(record)) if (!taken.has(id)) taken.set(id, cite(record));
        return;
      }
      case 'ack':
        for (const id of eventsOf(record)) this.acked.add(id);
        return;
      case 'drop':
        for (const id of eventsOf(record)) this.dropped.add(id);
        return;
      case 'forward-gap':
        this.skipped.set(record.a, (this.skipped.get(record.a) ?? 0) + (record.to as number) - (record.from as number));
        return;
      case 'final-read':
        this.finished.add(record.a);
        return;
      case 'consume':
        if (record.final === true) this.noteRead(record);
        return;
    }
  }

  private noteRead(record: TraceRecord): void {
    const key = `${record.a}:${String(record.topic)}`;
    let byId = this.reads.get(key);
    if (byId === undefined) this.reads.set(key, (byId = new Map()));
    const base = typeof record.offset === 'number' ? record.offset : 0;
    eventsOf(record).forEach((id, i) => {
      let positions = byId.get(id);
      if (positions === undefined) byId.set(id, (positions = new Set()));
      positions.add(`${String(record.partition)}@${base + i}`);
    });
  }

  verdict(): Verdict {
    const violations: Violation[] = [];
    const skipped = [...this.routes.keys()].reduce((sum, forwarder) => sum + (this.skipped.get(forwarder) ?? 0), 0);
    const stats = { forwarders: this.routes.size, accepted: 0, stored: 0, dropped: this.dropped.size, droppedButStored: 0, skipped, lost: 0, duplicates: 0 };
    for (const route of this.routes.values()) {
      const reader = route.destRead.split(':')[0]!;
      if (!this.finished.has(reader)) {
        violations.push({ anomaly: 'no-final-read', message: `the final read of ${route.destRead} (fed by ${route.forwarder}) never completed`, cites: [route.cite] });
        continue;
      }
      const stored = this.reads.get(route.destRead) ?? new Map<string, Set<string>>();
      for (const [id, evidence] of this.accepted(route)) {
        stats.accepted++;
        const positions = stored.get(id);
        if (this.dropped.has(id)) {
          if (positions !== undefined) stats.droppedButStored++;
          continue;
        }
        if (positions === undefined) {
          stats.lost++;
          violations.push({ anomaly: 'lost', message: `event ${id} accepted by ${route.forwarder} is not in the final read of ${route.destRead}`, events: [id], cites: evidence ? [evidence] : [] });
          continue;
        }
        stats.stored++;
        if (positions.size > 1) {
          stats.duplicates++;
          violations.push({ anomaly: 'duplicate', message: `event ${id} forwarded by ${route.forwarder} is stored at ${[...positions].join(' and ')} of ${route.destRead}`, events: [id], cites: evidence ? [evidence] : [] });
        }
      }
    }
    return verdictOf(violations, stats);
  }

  /** The events a forwarder accepted, with a record proving it where there is one. */
  private accepted(route: Route): [string, Citation | undefined][] {
    if (route.sourceRead !== undefined) return [...(this.reads.get(route.sourceRead)?.keys() ?? [])].map((id) => [id, undefined]);
    return [...(this.intake.get(route.forwarder) ?? new Map<string, Citation>())].filter(([id]) => this.acked.has(id));
  }
}

function routeOf(record: TraceRecord): Route {
  const from = record.from as { buffer?: string; service?: string; topic?: string };
  const to = record.to as { service: string; topic: string };
  return {
    forwarder: record.a,
    sourceRead: from.service === undefined ? undefined : `${from.service}-reader:${from.topic}`,
    destRead: `${to.service}-reader:${to.topic}`,
    cite: cite(record),
  };
}

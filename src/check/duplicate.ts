/**
 * `duplicate`: no event is stored twice. An event id found by the final read at two different
 * positions (partition, offset) of one stream — one service's topic — was appended twice,
 * typically a non-idempotent producer's retry of a batch whose acknowledgement was lost. Jepsen
 * calls this a duplicate; for an at-least-once pipeline it is expected, and the count is what
 * matters.
 *
 * Reads `client` records `consume` with `final: true` and `final-read`; where each id was found is
 * kept per stream by final-positions.ts, shared with `no-acked-loss`. Reading the same position
 * twice (a restarted final reader) is not a duplicate, nor is the same id in two services (an edge
 * log and the cloud log it is forwarded to, even when their topics share a name). Consumers
 * receiving an event more than once (a rebalance, a restart) is counted in `redelivered`, never a
 * violation: consumption is at least once by contract.
 *
 * Anomalies: `duplicate` (one per extra position of an id in a stream, citing the two reads) and
 * `no-final-read`.
 */
import type { TraceRecord } from '../kernel/contract/index.ts';
import { eventsOf, verdictOf, type CheckerDefinition, type TraceChecker, type Verdict, type Violation } from './checker.ts';
import { FinalPositions } from './final-positions.ts';

export const duplicate: CheckerDefinition = {
  name: 'duplicate',
  description: 'no event id is stored at two positions of one log service\'s topic',
  create: () => new Duplicate(),
  vacuous: (stats) => (stats.stored === 0 ? '0 events in the final read' : undefined),
};

class Duplicate implements TraceChecker {
  readonly name = duplicate.name;
  private readonly stored = new FinalPositions();
  private readonly violations: Violation[] = [];
  private readonly consumed = new Set<string>();
  private redelivered = 0;
  private finalRead = false;

  observe(record: TraceRecord): void {
    if (record.k !== 'client') return;
    if (record.op === 'final-read') this.finalRead = true;
    if (record.op !== 'consume') return;
    if (record.final !== true) {
      for (const id of eventsOf(record)) {
        if (this.consumed.has(id)) this.redelivered++;
        else this.consumed.add(id);
      }
      return;
    }
    for (const { id, first, again } of this.stored.add(record)) {
      this.violations.push({ anomaly: 'duplicate', message: `event ${id} is stored in ${first.stream} at ${first.at} and again at ${again.at}`, events: [id], cites: [first.read, again.read] });
    }
  }

  verdict(): Verdict {
    const violations = this.finalRead ? this.violations : [{ anomaly: 'no-final-read', message: 'the final read never completed, so duplicates cannot be counted', cites: [] }, ...this.violations];
    return verdictOf(violations, { stored: this.stored.ids.size, duplicates: this.violations.length, redelivered: this.redelivered });
  }
}

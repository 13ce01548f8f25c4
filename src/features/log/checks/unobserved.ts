/**
 * `unobserved`: every acknowledged event that the log kept was delivered to some consumer. An
 * event present in the final read but never in any consumer's poll was stranded — committed past by
 * a consumer that never processed it, or in a partition no member was assigned (Jepsen's
 * "unseen"). Events the log lost are the `no-acked-loss` checker's business, not this one's.
 *
 * Reads `client` records: `ack`, `consume` (consumers' polls, and the final read's with
 * `final: true`) and `final-read`. It needs consumers to have run until the end: a scenario naming
 * this check without any consumer fails with `no-consumer`, because a check that cannot see must
 * not pass. Anomalies: `unobserved` (one, listing the events, citing the first such ack and the
 * final read), `no-consumer`, `no-final-read`.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, eventsOf, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

export const unobserved: CheckerDefinition = {
  name: 'unobserved',
  description: 'every acknowledged event still in the log was delivered to a consumer',
  create: () => new Unobserved(),
  vacuous: (stats) => (stats.acked === 0 ? '0 acknowledged events' : undefined),
};

class Unobserved implements TraceChecker {
  readonly name = unobserved.name;
  readonly kinds = ['client'] as const;
  private readonly acked = new Map<string, Citation>();
  private readonly inLog = new Set<string>();
  private readonly consumed = new Set<string>();
  private finalRead: Citation | undefined;

  observe(record: TraceRecord): void {
    if (record.k !== 'client') return;
    switch (record.op) {
      case 'ack':
        for (const id of eventsOf(record)) if (!this.acked.has(id)) this.acked.set(id, cite(record));
        break;
      case 'consume':
        for (const id of eventsOf(record)) (record.final === true ? this.inLog : this.consumed).add(id);
        break;
      case 'final-read':
        this.finalRead ??= cite(record);
        break;
    }
  }

  verdict(): Verdict {
    const violations: Violation[] = [];
    const missed = [...this.acked].filter(([id]) => this.inLog.has(id) && !this.consumed.has(id));
    if (this.finalRead === undefined) violations.push({ anomaly: 'no-final-read', message: 'the final read never completed, so what consumers missed cannot be judged', cites: [] });
    else if (this.consumed.size === 0 && this.acked.size > 0) violations.push({ anomaly: 'no-consumer', message: `no consumer polled anything, so none of the ${this.acked.size} acknowledged events was observed`, cites: [this.finalRead] });
    else if (missed.length > 0) {
      const [firstId, firstAck] = missed[0]!;
      const more = missed.length === 1 ? '' : ` and ${missed.length - 1} more`;
      violations.push({
        anomaly: 'unobserved',
        message: `event ${firstId}${more}, acknowledged and still in the log, never reached a consumer`,
        events: missed.slice(0, 100).map(([id]) => id),
        cites: [firstAck, this.finalRead],
      });
    }
    return verdictOf(violations, { acked: this.acked.size, consumed: this.consumed.size, unobserved: missed.length });
  }
}

/**
 * `nonmonotonic`: within one session (a consumer reading one partition between two assignments),
 * every poll starts after the previous one ended — offsets never go back. Going back without a
 * rebalance or a restart means the consumer was handed events it had already been handed, out of
 * the log's order (Jepsen's Kafka test calls it nonmonotonic poll).
 *
 * Reads `client` records `consume` (with `offset` and `events`), `assign`, and the consumer's
 * `crash`/`restart` records (see `consumer-positions.ts`). Each violation cites the previous poll
 * and the one that went back.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { verdictOf, type CheckerDefinition, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { ConsumerPositions } from './consumer-positions.ts';

export const nonmonotonic: CheckerDefinition = {
  name: 'nonmonotonic',
  live: true,
  description: 'within a consumer session, each poll of a partition starts after the previous one ended',
  create: () => new Nonmonotonic(),
  vacuous: (stats) => (stats.polls === 0 ? '0 consumer polls' : undefined),
};

class Nonmonotonic implements TraceChecker {
  readonly name = nonmonotonic.name;
  private readonly violations: Violation[] = [];
  private readonly positions = new ConsumerPositions((jump) => {
    if (jump.offset >= jump.expected) return;
    this.violations.push({
      anomaly: 'nonmonotonic',
      message: `${jump.consumer} read ${jump.topic}-${jump.partition} from offset ${jump.offset} after reading up to ${jump.expected - 1}, without a rebalance or restart in between`,
      events: jump.events.slice(0, 10),
      cites: [jump.previous, jump.poll],
    });
  });

  observe(record: TraceRecord): void {
    this.positions.observe(record);
  }

  verdict(): Verdict {
    return verdictOf(this.violations, { polls: this.positions.polls, sessions: this.positions.sessionCount, nonmonotonic: this.violations.length });
  }
}

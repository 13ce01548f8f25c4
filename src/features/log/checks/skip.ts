/**
 * `skip`: within one session (a consumer reading one partition between two assignments), every
 * poll starts exactly where the previous one ended — no offset is jumped over. Offsets in a
 * partition are dense, so a jump means events the consumer never saw (Jepsen's Kafka test calls
 * it a poll skip): the log lost them under the reader (a leader change truncated past the
 * consumer's position, or retention deleted them before it got there).
 *
 * Reads the same records as `nonmonotonic` (see `consumer-positions.ts`). Each violation cites the
 * previous poll and the poll that jumped, and says how many offsets were skipped.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { verdictOf, type CheckerDefinition, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { ConsumerPositions } from './consumer-positions.ts';

export const skip: CheckerDefinition = {
  name: 'skip',
  live: true,
  description: 'within a consumer session, no offset of a partition is jumped over',
  create: () => new Skip(),
  vacuous: (stats) => (stats.polls === 0 ? '0 consumer polls' : undefined),
};

class Skip implements TraceChecker {
  readonly name = skip.name;
  private readonly violations: Violation[] = [];
  private skipped = 0;
  private readonly positions = new ConsumerPositions((jump) => {
    if (jump.offset <= jump.expected) return;
    const count = jump.offset - jump.expected;
    this.skipped += count;
    this.violations.push({
      anomaly: 'skip',
      message: `${jump.consumer} jumped from offset ${jump.expected} to ${jump.offset} of ${jump.topic}-${jump.partition}, skipping ${count} offset${count === 1 ? '' : 's'}`,
      events: jump.events.slice(0, 10),
      cites: [jump.previous, jump.poll],
    });
  });

  observe(record: TraceRecord): void {
    this.positions.observe(record);
  }

  verdict(): Verdict {
    return verdictOf(this.violations, { polls: this.positions.polls, sessions: this.positions.sessionCount, skips: this.violations.length, skippedOffsets: this.skipped });
  }
}

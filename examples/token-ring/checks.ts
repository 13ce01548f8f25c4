/**
 * What the token ring promises, checked over the trace, and what it costs, measured.
 *
 *  - `single-token` (safety): at no instant do two members hold a token. A member holds from its
 *    `token-acquire` to its `token-release`, or to its crash (a crash destroys the token it held).
 *    Anomaly `two-holders`, citing both acquisitions.
 *  - `token-progress` (liveness): in the final phase (after `duration`, when every fault has
 *    healed) every member holds the token at least once. Anomaly `stalled`, citing the member's
 *    last acquisition (or its start, if it never held the token).
 *  - metric `ring`: acquisitions, tokens made, stale tokens dropped, and `maxGapUs`, the longest
 *    time no member held a token (what a lost token costs: about the detector's timeout; until
 *    the end of the run when it is never replaced).
 *
 * All three read only the `state` records of member.ts, plus `crash` and the `meta` header.
 */
import { cite, formatMicros, verdictOf, type CheckerDefinition, type Citation, type Micros, type TraceChecker, type TraceMetric, type TraceRecord, type Verdict, type Violation } from 'diaspora-sim';

const isRing = (record: TraceRecord, op: string) => record.k === 'state' && record.op === op;

export const singleToken: CheckerDefinition = {
  name: 'single-token',
  description: 'at no instant do two ring members hold a token',
  create: () => new SingleToken(),
};

class SingleToken implements TraceChecker {
  readonly name = singleToken.name;
  /** Holder → its acquisition. */
  private readonly holders = new Map<string, { cite: Citation; epoch: number }>();
  private readonly violations: Violation[] = [];
  private acquisitions = 0;

  observe(record: TraceRecord): void {
    if (isRing(record, 'token-acquire')) {
      this.acquisitions++;
      const epoch = record.epoch as number;
      for (const [holder, held] of this.holders) {
        this.violations.push({
          anomaly: 'two-holders',
          message: `${record.a} took a token (epoch ${epoch}) at ${formatMicros(record.t)} while ${holder} held one (epoch ${held.epoch}, since ${formatMicros(held.cite.t)})`,
          cites: [held.cite, cite(record)],
        });
      }
      this.holders.set(record.a, { cite: cite(record), epoch });
    } else if (isRing(record, 'token-release') || record.k === 'crash') {
      this.holders.delete(record.a);
    }
  }

  verdict(): Verdict {
    return verdictOf(this.violations, { acquisitions: this.acquisitions });
  }
}

export const tokenProgress: CheckerDefinition = {
  name: 'token-progress',
  description: 'after the faults heal, the token reaches every ring member again',
  create: () => new TokenProgress(),
};

class TokenProgress implements TraceChecker {
  readonly name = tokenProgress.name;
  private finalPhaseUs: Micros = Infinity;
  /** Member → its last acquisition (or its start), and whether that was in the final phase. */
  private readonly last = new Map<string, { cite: Citation; held: boolean; reached: boolean }>();

  observe(record: TraceRecord): void {
    if (record.k === 'meta' && typeof record.durationUs === 'number') this.finalPhaseUs = record.durationUs;
    else if (isRing(record, 'ring-member')) this.last.set(record.a, { cite: cite(record), held: false, reached: false });
    else if (isRing(record, 'token-acquire')) this.last.set(record.a, { cite: cite(record), held: true, reached: record.t >= this.finalPhaseUs });
  }

  verdict(): Verdict {
    const violations: Violation[] = [...this.last]
      .filter(([, last]) => !last.reached)
      .map(([member, last]) => ({
        anomaly: 'stalled',
        message: `the token never reached ${member} after the faults healed at ${formatMicros(this.finalPhaseUs)} (${last.held ? `last held at ${formatMicros(last.cite.t)}` : 'never held'})`,
        cites: [last.cite],
      }));
    return verdictOf(violations, { members: this.last.size, reached: this.last.size - violations.length });
  }
}

/** The metric `ring`. */
export class RingMetric implements TraceMetric {
  readonly name = 'ring';
  private acquisitions = 0;
  private created = 0;
  private dropped = 0;
  private readonly holders = new Set<string>();
  /** When the last holder let go (or undefined while someone holds, or before the first token). */
  private idleSince: Micros | undefined;
  private maxGapUs: Micros = 0;
  private endUs: Micros | undefined;

  observe(record: TraceRecord): void {
    if (record.k === 'meta' && typeof record.endUs === 'number') this.endUs = record.endUs;
    else if (isRing(record, 'token-create')) this.created++;
    else if (isRing(record, 'token-drop')) this.dropped++;
    else if (isRing(record, 'token-acquire')) {
      this.acquisitions++;
      if (this.idleSince !== undefined) this.maxGapUs = Math.max(this.maxGapUs, record.t - this.idleSince);
      this.idleSince = undefined;
      this.holders.add(record.a);
    } else if ((isRing(record, 'token-release') || record.k === 'crash') && this.holders.delete(record.a)) {
      if (this.holders.size === 0) this.idleSince = record.t;
    }
  }

  result(): Record<string, number> {
    // A token lost for good is a gap until the end of the run.
    const trailing = this.idleSince !== undefined && this.endUs !== undefined ? this.endUs - this.idleSince : 0;
    return { acquisitions: this.acquisitions, tokensCreated: this.created, staleDropped: this.dropped, maxGapUs: Math.max(this.maxGapUs, trailing) };
  }
}

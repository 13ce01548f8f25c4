/**
 * `log-matching` (Raft, Figure 3): if two logs hold an entry with the same index and term, they
 * hold the same entries up to it. Every node computes a chain digest over its own log as it appends
 * (raft-log.ts), so two nodes whose chains differ at an equal (index, term) differ somewhere before
 * it — or in that entry itself.
 *
 * Anomaly `log-mismatch`, citing the first record that showed that (group, index, term) with one
 * chain and the record showing another. Read from `raft-append`, `raft-snapshot`, `raft-install`
 * and `raft-recover` records.
 *
 * Holds in every configuration this engine has; it would break with a leader that appends two
 * different entries at one index in one term (two leaders of a term can: see election-safety).
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { formatMicros } from '../../../kernel/contract/index.ts';
import { cite, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';
import { raftOp } from '../shared/trace.ts';

type Stats = { entries: number; compared: number };

export const logMatching: CheckerDefinition<Stats> = {
  name: 'log-matching',
  live: true,
  description: 'Raft logs that agree on an entry’s index and term agree on every entry up to it',
  create: () => new LogMatching(),
  vacuous: (stats) => (stats.compared === 0 ? '0 entries held by two nodes' : undefined),
};

class LogMatching implements TraceChecker<Stats> {
  readonly name = logMatching.name;
  /** `group|index|term` → the first chain seen there. */
  private readonly chains = new Map<string, { chain: string; actor: string; cite: Citation }>();
  private readonly violations: Violation[] = [];
  private compared = 0;

  observe(record: TraceRecord): void {
    const op = raftOp(record);
    if (op === 'raft-append' || op === 'raft-snapshot' || op === 'raft-install') this.see(record, record.index as number, record.term as number);
    else if (op === 'raft-recover' && (record.lastIndex as number) > 0) this.see(record, record.lastIndex as number, record.lastTerm as number);
  }

  private see(record: TraceRecord, index: number, term: number): void {
    const key = `${record.group as string}|${index}|${term}`;
    const chain = record.chain as string;
    const first = this.chains.get(key);
    if (first === undefined) return void this.chains.set(key, { chain, actor: record.a, cite: cite(record) });
    if (first.actor !== record.a) this.compared++;
    if (first.chain === chain) return;
    this.violations.push({
      anomaly: 'log-mismatch',
      message: `group ${record.group as string}: ${record.a} holds entry ${index} of term ${term} after a different log (chain ${chain}) than ${first.actor} did at ${formatMicros(first.cite.t)} (chain ${first.chain})`,
      cites: [first.cite, cite(record)],
    });
  }

  verdict(): Verdict<Stats> {
    return verdictOf(this.violations, { entries: this.chains.size, compared: this.compared });
  }
}

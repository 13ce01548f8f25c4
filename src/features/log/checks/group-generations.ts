/**
 * `group-generations`: a consumer group's generations only grow. Every rebalance starts a
 * generation above every earlier one of its group — whichever coordinator ran it, across
 * controller crashes and failovers — and every member is assigned generations that never go back.
 * Kafka fences zombie members by generation (a commit or heartbeat names its generation), which
 * works only if a generation number is never handed out twice.
 *
 * Reads `client` records `rebalance` (at the coordinator: `group`, `generation`) and `assign` (at a
 * member: `group`, `generation`). Each violation cites the earlier record and the one that went back.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

export const groupGenerations: CheckerDefinition = {
  name: 'group-generations',
  live: true,
  description: "a consumer group's generations only grow: each rebalance above every earlier one, each member's assignments never back",
  create: () => new GroupGenerations(),
  vacuous: (stats) => (stats.rebalances === 0 ? '0 group rebalances' : undefined),
};

class GroupGenerations implements TraceChecker {
  readonly name = groupGenerations.name;
  private readonly violations: Violation[] = [];
  /** Group → its highest generation so far, and the rebalance that started it. */
  private readonly groups = new Map<string, { generation: number; at: Citation }>();
  /** Member and group → the generation of its last assignment. */
  private readonly members = new Map<string, { generation: number; at: Citation }>();
  private rebalances = 0;
  private assignments = 0;

  observe(record: TraceRecord): void {
    if (record.k !== 'client' || typeof record.generation !== 'number') return;
    const group = String(record.group);
    if (record.op === 'rebalance') {
      this.rebalances++;
      const last = this.groups.get(group);
      if (last !== undefined && record.generation <= last.generation) {
        this.violations.push({
          anomaly: 'generation-reused',
          message: `group ${group}: ${record.a} started generation ${record.generation} at rebalance, but generation ${last.generation} was started before (by ${last.at.a})`,
          events: [],
          cites: [last.at, cite(record)],
        });
      }
      if (last === undefined || record.generation > last.generation) this.groups.set(group, { generation: record.generation, at: cite(record) });
    } else if (record.op === 'assign') {
      this.assignments++;
      const key = `${record.a}\u0000${group}`;
      const last = this.members.get(key);
      if (last !== undefined && record.generation < last.generation) {
        this.violations.push({
          anomaly: 'generation-regressed',
          message: `group ${group}: ${record.a} was assigned generation ${record.generation} after generation ${last.generation}`,
          events: [],
          cites: [last.at, cite(record)],
        });
      }
      this.members.set(key, { generation: record.generation, at: cite(record) });
    }
  }

  verdict(): Verdict {
    return verdictOf(this.violations, { rebalances: this.rebalances, assignments: this.assignments, groups: this.groups.size });
  }
}

/**
 * Each Raft node's log as the trace tells it: the term at every index, rebuilt from `raft-append`,
 * `raft-truncate`, `raft-snapshot`, `raft-install` and `raft-recover` records. What a power loss
 * took is known from `raft-recover` (the log ends where the restart found it).
 *
 * Guarantee: `termAt` answers for every index the node holds after its snapshot; indices the
 * snapshot covers answer `undefined` (the checkers treat them as committed state, not entries).
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { nodeKey, type RaftOp } from '../shared/trace.ts';

export class NodeLog {
  /** Indices up to `base` are in the snapshot; `terms[k]` is the term at `base + 1 + k`. */
  base = 0;
  terms: number[] = [];
  /** Entries up to here were compared with the committed ones and have not changed since (leader-completeness). */
  checkedTo = 0;

  get lastIndex(): number {
    return this.base + this.terms.length;
  }

  termAt(index: number): number | undefined {
    return index > this.base && index <= this.lastIndex ? this.terms[index - this.base - 1] : undefined;
  }

  truncateAfter(index: number): void {
    this.checkedTo = Math.min(this.checkedTo, index);
    if (index < this.base) {
      this.base = index;
      this.terms = [];
    } else this.terms.length = Math.min(this.terms.length, index - this.base);
  }
}

export class LogModels {
  private readonly logs = new Map<string, NodeLog>();

  of(record: TraceRecord): NodeLog {
    const key = nodeKey(record);
    let log = this.logs.get(key);
    if (log === undefined) this.logs.set(key, (log = new NodeLog()));
    return log;
  }

  /** Applies a Raft record to its node's model. */
  observe(op: RaftOp, record: TraceRecord): void {
    const log = this.of(record);
    const index = record.index as number;
    switch (op) {
      case 'raft-append':
        log.truncateAfter(index - 1);
        if (log.lastIndex === index - 1) log.terms.push(record.term as number);
        return;
      case 'raft-truncate':
        return log.truncateAfter(index);
      case 'raft-snapshot':
        log.terms = log.terms.slice(index - log.base);
        log.base = index;
        return;
      case 'raft-install': {
        const kept = (record.lastIndex as number) > index ? log.terms.slice(index - log.base) : [];
        log.checkedTo = Math.min(log.checkedTo, index);
        log.base = index;
        log.terms = kept;
        return;
      }
      case 'raft-recover':
        if ((record.snapshotIndex as number) > log.base) {
          log.terms = log.terms.slice((record.snapshotIndex as number) - log.base);
          log.base = record.snapshotIndex as number;
        }
        return log.truncateAfter(record.lastIndex as number);
      default:
    }
  }
}

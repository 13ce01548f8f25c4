/**
 * Collects what the consistent-cut and conservation checkers share: the local snapshots
 * (`ckpt` `snapshot` records) grouped into global cuts, each cut handed over once it is complete
 * (the coordinator's `complete` record) or chosen as a recovery line (`rollback` with targets). A
 * recovery line can also run through a survivor's present state, which it reported as a `current`
 * record (uncoordinated recovery keeps it): that is a local snapshot like the others.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, type Citation } from '../../../check/checker.ts';

export interface LocalSnapshot {
  readonly instance: string;
  readonly id: number;
  readonly inputs: Readonly<Record<string, number>>;
  readonly outputs: Readonly<Record<string, number>>;
  readonly conserved?: number;
  readonly cite?: Citation;
}

export interface Cut {
  /** What the cut is: `checkpoint 7`, `recovery line of epoch 2`. */
  readonly name: string;
  readonly snapshots: readonly LocalSnapshot[];
  /** The record that made it a cut (complete, rollback). */
  readonly cite: Citation;
}

/** Feeds records in; calls `onCut` for every complete global checkpoint and every recovery line. */
export class CutCollector {
  /** Global checkpoint id → its local snapshots so far. */
  private readonly byCut = new Map<number, LocalSnapshot[]>();
  /** Independent checkpoints by `<instance>#<id>` (for recovery lines). */
  private readonly byInstance = new Map<string, LocalSnapshot>();

  constructor(private readonly onCut: (cut: Cut) => void) {}

  observe(record: TraceRecord): void {
    if (record.k !== 'ckpt') return;
    if (record.op === 'snapshot' || (record.op === 'current' && record.strategy === 'uncoordinated')) {
      const snapshot: LocalSnapshot = {
        instance: record.a,
        id: record.id as number,
        inputs: (record.inputs ?? {}) as Record<string, number>,
        outputs: (record.outputs ?? {}) as Record<string, number>,
        ...(typeof record.conserved === 'number' ? { conserved: record.conserved } : {}),
        cite: cite(record),
      };
      if (typeof record.cut === 'number') {
        const list = this.byCut.get(record.cut) ?? [];
        list.push(snapshot);
        this.byCut.set(record.cut, list);
      } else if (record.strategy === 'uncoordinated') {
        this.byInstance.set(`${record.a}#${snapshot.id}`, snapshot);
      }
    } else if (record.op === 'complete' && typeof record.id === 'number') {
      const snapshots = this.byCut.get(record.id) ?? [];
      this.byCut.delete(record.id);
      this.onCut({ name: `checkpoint ${record.id}`, snapshots, cite: cite(record) });
    } else if (record.op === 'aborted' && typeof record.id === 'number') {
      this.byCut.delete(record.id);
    } else if (record.op === 'rollback' && record.strategy === 'uncoordinated' && typeof record.targets === 'object') {
      const snapshots: LocalSnapshot[] = [];
      for (const [instance, id] of Object.entries(record.targets as Record<string, number>)) {
        snapshots.push(id === 0 ? { instance, id: 0, inputs: {}, outputs: {} } : (this.byInstance.get(`${instance}#${id}`) ?? { instance, id, inputs: {}, outputs: {} }));
      }
      this.onCut({ name: `the recovery line of epoch ${record.epoch}`, snapshots, cite: cite(record) });
    }
  }
}

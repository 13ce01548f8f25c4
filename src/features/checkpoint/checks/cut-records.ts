/**
 * Collects what the consistent-cut and conservation checkers share: the local snapshots
 * (`ckpt` `snapshot` records) grouped into global cuts, each cut handed over once it is complete
 * (the coordinator's `complete` record) or chosen as a recovery line (`rollback` with targets). A
 * recovery line can also run through a survivor's present state, which it reported as a `current`
 * record (uncoordinated recovery keeps it): that is a local snapshot like the others.
 *
 * It also learns the channels between instances from the counters those snapshots carry (a
 * sender's `outputs` key `<stream>><receiver>`, a receiver's `inputs` key `<stream><<sender>`), so
 * that a cut through an initial state — which carries no counters: it holds 0 on every channel —
 * still has its channels. Guarantee: every channel any snapshot before the cut named is one of the
 * cut's when both its ends are in it. How it breaks: a channel no snapshot or present state named
 * before the cut (a line to the start before any checkpoint, with every operator restarted) is
 * unknown, and neither counted nor checked.
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

/** A channel between two instances, named as each end counts it. */
export interface CutChannel {
  readonly sender: string;
  readonly receiver: string;
  /** Its key in the sender's `outputs`. */
  readonly out: string;
  /** Its key in the receiver's `inputs`. */
  readonly in: string;
}

export interface Cut {
  /** What the cut is: `checkpoint 7`, `recovery line of epoch 2`. */
  readonly name: string;
  readonly snapshots: readonly LocalSnapshot[];
  /** The channels known so far whose ends are both in the cut, by sender in snapshot order, each sender's in the order they were first named. */
  readonly channels: readonly CutChannel[];
  /** The record that made it a cut (complete, rollback). */
  readonly cite: Citation;
}

/** Feeds records in; calls `onCut` for every complete global checkpoint and every recovery line. */
export class CutCollector {
  /** Global checkpoint id → its local snapshots so far. */
  private readonly byCut = new Map<number, LocalSnapshot[]>();
  /** Independent checkpoints by `<instance>#<id>` (for recovery lines). */
  private readonly byInstance = new Map<string, LocalSnapshot>();
  /** Sender → its channels by `outputs` key, as the snapshots named them. */
  private readonly channels = new Map<string, Map<string, CutChannel>>();

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
      this.learnChannels(snapshot);
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
      this.onCut({ name: `checkpoint ${record.id}`, snapshots, channels: this.channelsOf(snapshots), cite: cite(record) });
    } else if (record.op === 'aborted' && typeof record.id === 'number') {
      this.byCut.delete(record.id);
    } else if (record.op === 'rollback' && record.strategy === 'uncoordinated' && typeof record.targets === 'object') {
      const snapshots: LocalSnapshot[] = [];
      for (const [instance, id] of Object.entries(record.targets as Record<string, number>)) {
        snapshots.push(id === 0 ? { instance, id: 0, inputs: {}, outputs: {} } : (this.byInstance.get(`${instance}#${id}`) ?? { instance, id, inputs: {}, outputs: {} }));
      }
      this.onCut({ name: `the recovery line of epoch ${record.epoch}`, snapshots, channels: this.channelsOf(snapshots), cite: cite(record) });
    }
  }

  private learnChannels(snapshot: LocalSnapshot): void {
    for (const key of Object.keys(snapshot.outputs)) {
      const at = key.lastIndexOf('>');
      if (at >= 0) this.addChannel(snapshot.instance, key.slice(0, at), key.slice(at + 1));
    }
    for (const key of Object.keys(snapshot.inputs)) {
      const at = key.lastIndexOf('<');
      if (at >= 0) this.addChannel(key.slice(at + 1), key.slice(0, at), snapshot.instance);
    }
  }

  private addChannel(sender: string, stream: string, receiver: string): void {
    let own = this.channels.get(sender);
    if (own === undefined) this.channels.set(sender, (own = new Map()));
    const out = `${stream}>${receiver}`;
    if (!own.has(out)) own.set(out, { sender, receiver, out, in: `${stream}<${sender}` });
  }

  private channelsOf(snapshots: readonly LocalSnapshot[]): CutChannel[] {
    const members = new Set(snapshots.map((s) => s.instance));
    const channels: CutChannel[] = [];
    for (const instance of members) for (const channel of this.channels.get(instance)?.values() ?? []) if (members.has(channel.receiver)) channels.push(channel);
    return channels;
  }
}

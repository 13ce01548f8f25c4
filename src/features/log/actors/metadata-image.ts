/**
 * The cluster's metadata as a deterministic state machine (KRaft's metadata image): partition
 * states, broker registrations, the metadata version, producer ids, transactional ids and committed
 * group offsets, changed only by applying metadata records. The controller's decisions are these
 * records; the same image replays them from a single controller's journal after a restart, or from
 * the committed entries of a Raft quorum's log on every controller.
 *
 * Guarantee: `apply` is a pure function of the image and the record (no clock, no randomness, no
 * iteration order that depends on anything but the records), so every replica that applies the same
 * records in the same order holds the same image; `snapshot` then `restore` gives the same image.
 * Leader epochs never go back and every partition change bumps its partition epoch (asserted at
 * each apply; a record staged by the controller and applied again when sealed is the same object).
 *
 * How it fails: a record that breaks those rules (a stale partition state) is an assertion failure,
 * a bug report, never silently applied.
 */
import { assert } from '../../../kernel/contract/index.ts';
import { tpKey, type PartitionMeta } from './messages.ts';

/** One metadata record (Kafka's PartitionRecord, RegisterBrokerRecord / fencing, ProducerIdsRecord …). */
export type MetadataRecord =
  | { readonly t: 'partition'; readonly meta: PartitionMeta; readonly version: number }
  | { readonly t: 'broker'; readonly id: string; readonly fenced: boolean; readonly incarnation: number | null }
  | { readonly t: 'pid'; readonly next: number }
  | { readonly t: 'txn'; readonly id: string; readonly pid: number }
  /** A committed offset, with the leader epoch of the record before it when the consumer gave one (KIP-320). */
  | { readonly t: 'offset'; readonly key: string; readonly offset: number; readonly leaderEpoch?: number }
  /** A consumer group's generation (Kafka keeps it with the group's metadata in __consumer_offsets). */
  | { readonly t: 'generation'; readonly group: string; readonly generation: number }
  /** A controller that won a quorum election takes office once this record of its own is applied. */
  | { readonly t: 'activate'; readonly controller: string; readonly term: number };

/** A broker's registration: whether it is fenced, and the incarnation it last registered with. */
export interface BrokerRegistration {
  readonly fenced: boolean;
  readonly incarnation: number | null;
}

/** The image as plain data, as a snapshot holds it. */
export interface MetadataSnapshot {
  readonly partitions: readonly PartitionMeta[];
  readonly brokers: readonly { id: string; fenced: boolean; incarnation: number | null }[];
  readonly version: number;
  readonly nextPid: number;
  readonly transactionalIds?: readonly [string, number][];
  readonly offsets: readonly [string, number][];
  readonly offsetEpochs?: readonly [string, number][];
  readonly generations?: readonly [string, number][];
}

export class MetadataImage {
  readonly partitions = new Map<string, PartitionMeta>();
  readonly brokers = new Map<string, BrokerRegistration>();
  readonly offsets = new Map<string, number>();
  /** The leader epoch committed with each offset that has one (KIP-320). */
  readonly offsetEpochs = new Map<string, number>();
  /** Consumer group → its latest generation, so a new coordinator continues the numbering. */
  readonly generations = new Map<string, number>();
  /** Transactional id → the producer id it keeps across the producer's restarts. */
  readonly transactionalIds = new Map<string, number>();
  /** Bumped once per sealed batch of partition changes; brokers name the version they applied. */
  version = 0;
  nextPid = 1;
  /** The largest producer id a `txn` record named: always below `nextPid` (a `pid` record precedes its `txn`). */
  private issued = 0;

  get empty(): boolean {
    return this.partitions.size === 0 && this.brokers.size === 0;
  }

  apply(record: MetadataRecord): void {
    switch (record.t) {
      case 'partition':
        this.stage(record.meta, 'apply');
        this.version = Math.max(this.version, record.version);
        return;
      case 'broker':
        this.brokers.set(record.id, { fenced: record.fenced, incarnation: record.incarnation });
        return;
      case 'pid':
        this.nextPid = Math.max(this.nextPid, record.next);
        return;
      case 'txn':
        this.transactionalIds.set(record.id, record.pid);
        this.issued = Math.max(this.issued, record.pid);
        assert(this.issued < this.nextPid, () => `metadata: every issued producer id is below the next one, but ${this.issued} ≥ ${this.nextPid}`);
        return;
      case 'offset':
        this.offsets.set(record.key, record.offset);
        if (record.leaderEpoch === undefined) this.offsetEpochs.delete(record.key);
        else this.offsetEpochs.set(record.key, record.leaderEpoch);
        return;
      case 'generation':
        assert(record.generation > (this.generations.get(record.group) ?? 0), () => `metadata: group ${record.group}'s generations only grow, but ${record.generation} follows ${this.generations.get(record.group)}`);
        this.generations.set(record.group, record.generation);
        return;
      case 'activate':
        return;
    }
  }

  /**
   * Sets a partition's state ahead of its record: the controller stages the changes of one handler
   * and seals them as one version (`apply` of the same objects) at its end.
   */
  stage(meta: PartitionMeta, where: string): void {
    const key = tpKey(meta.topic, meta.partition);
    const previous = this.partitions.get(key);
    if (previous !== meta) assertNewer(meta, previous, where);
    this.partitions.set(key, meta);
  }

  snapshot(): MetadataSnapshot {
    return {
      partitions: [...this.partitions.values()],
      brokers: [...this.brokers].map(([id, s]) => ({ id, fenced: s.fenced, incarnation: s.incarnation })),
      version: this.version,
      nextPid: this.nextPid,
      transactionalIds: [...this.transactionalIds],
      offsets: [...this.offsets],
      ...(this.offsetEpochs.size === 0 ? {} : { offsetEpochs: [...this.offsetEpochs] }),
      generations: [...this.generations],
    };
  }

  restore(snapshot: unknown): void {
    const s = snapshot as MetadataSnapshot;
    this.partitions.clear();
    this.brokers.clear();
    this.offsets.clear();
    this.offsetEpochs.clear();
    this.generations.clear();
    this.transactionalIds.clear();
    for (const meta of s.partitions) this.partitions.set(tpKey(meta.topic, meta.partition), meta);
    for (const b of s.brokers) this.brokers.set(b.id, { fenced: b.fenced, incarnation: b.incarnation });
    for (const [key, offset] of s.offsets) this.offsets.set(key, offset);
    for (const [key, epoch] of s.offsetEpochs ?? []) this.offsetEpochs.set(key, epoch);
    for (const [group, generation] of s.generations ?? []) this.generations.set(group, generation);
    this.version = s.version;
    this.nextPid = s.nextPid;
    this.issued = 0;
    for (const [id, pid] of s.transactionalIds ?? []) {
      this.transactionalIds.set(id, pid);
      this.issued = Math.max(this.issued, pid);
    }
  }

  /** An independent copy (records applied to one do not reach the other). */
  clone(): MetadataImage {
    const copy = new MetadataImage();
    copy.restore(this.snapshot());
    return copy;
  }
}

/** Leader epochs never go back and every change of a partition bumps its partition epoch. */
function assertNewer(next: PartitionMeta, previous: PartitionMeta | undefined, where: string): void {
  if (previous === undefined) return;
  assert(
    next.leaderEpoch >= previous.leaderEpoch && next.partitionEpoch > previous.partitionEpoch,
    () => `${next.topic}-${next.partition} (${where}): leader epoch monotone and partition epoch increasing, but ${previous.leaderEpoch}/${previous.partitionEpoch} → ${next.leaderEpoch}/${next.partitionEpoch}`,
  );
}

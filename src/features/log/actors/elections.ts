/**
 * The controller's rules for partition state, as pure functions: leader election, and the removal
 * of fenced brokers from the ISR.
 *
 * Guarantee (clean election): a new leader is always a live member of the ISR, the first in replica
 * order; the ISR keeps its live members. Since every acknowledged (`acks=all`) event reached every
 * ISR member, the new leader has them all. The ISR never becomes empty: when its last live member
 * is fenced it stays in the ISR and the partition goes offline until an ISR member returns
 * (Kafka's "last replica standing").
 *
 * How it breaks, by configuration: with `unclean.leader.election.enable`, a partition whose ISR
 * members are all down elects any live replica, with an ISR of itself alone; whatever it lacked is
 * lost when the others truncate to it.
 */
import { assert } from '../../../kernel/contract/index.ts';
import type { PartitionMeta } from './messages.ts';

export interface Election {
  readonly meta: PartitionMeta;
  /** False for an unclean election (a leader from outside the ISR). */
  readonly clean: boolean;
}

/** Elects a leader among the live replicas; always bumps the leader and partition epochs. */
export function electLeader(meta: PartitionMeta, live: (broker: string) => boolean, unclean: boolean): Election {
  const liveIsr = meta.isr.filter(live);
  const candidate = meta.replicas.find((b) => liveIsr.includes(b));
  const next = (leader: string | null, isr: readonly string[]): PartitionMeta => ({
    ...meta,
    leader,
    isr,
    leaderEpoch: meta.leaderEpoch + 1,
    partitionEpoch: meta.partitionEpoch + 1,
  });
  if (candidate !== undefined) return { meta: next(candidate, inReplicaOrder(meta, liveIsr)), clean: true };
  const outsider = unclean ? meta.replicas.find(live) : undefined;
  if (outsider !== undefined) return { meta: next(outsider, [outsider]), clean: false };
  return { meta: next(null, meta.isr), clean: true };
}

/** The partition without `broker` in its ISR, unless it is the last member (then unchanged). */
export function withoutFromIsr(meta: PartitionMeta, broker: string): PartitionMeta {
  if (!meta.isr.includes(broker) || meta.isr.length === 1) return meta;
  return { ...meta, isr: meta.isr.filter((b) => b !== broker), partitionEpoch: meta.partitionEpoch + 1 };
}

/** A leader's proposed ISR, as the controller accepts it: the leader, members it already has, and live brokers. */
export function acceptedIsr(meta: PartitionMeta, proposed: readonly string[], live: (broker: string) => boolean): readonly string[] {
  const keep = proposed.filter((b) => meta.replicas.includes(b) && (b === meta.leader || meta.isr.includes(b) || live(b)));
  if (meta.leader !== null && !keep.includes(meta.leader)) keep.push(meta.leader);
  return inReplicaOrder(meta, keep);
}

function inReplicaOrder(meta: PartitionMeta, members: readonly string[]): string[] {
  return meta.replicas.filter((b) => members.includes(b));
}

/**
 * The shape every partition state has: a non-empty ISR drawn from the replicas, holding the leader
 * if there is one. Asserted where the controller decides a state and where a broker or leader acts
 * on one; O(replicas²), a handful of brokers.
 */
export function assertPartitionState(meta: Pick<PartitionMeta, 'topic' | 'partition' | 'replicas' | 'leader' | 'isr'>, where: string): void {
  const { topic, partition, replicas, leader, isr } = meta;
  assert(isr.length > 0 && isr.every((b) => replicas.includes(b)), () => `${topic}-${partition} (${where}): ISR non-empty and ⊆ replicas, but ISR [${isr.join(', ')}], replicas [${replicas.join(', ')}]`);
  assert(leader === null || isr.includes(leader), () => `${topic}-${partition} (${where}): the ISR contains the leader, but leader ${leader}, ISR [${isr.join(', ')}]`);
}

/** Replica assignment of a new topic: partition p's replicas start at broker (p + topicIndex) mod n. */
export function assignReplicas(brokers: readonly string[], topicIndex: number, partition: number, replicationFactor: number): string[] {
  if (replicationFactor > brokers.length) throw new Error(`replication factor ${replicationFactor} exceeds the ${brokers.length} brokers`);
  return Array.from({ length: replicationFactor }, (_, i) => brokers[(partition + topicIndex + i) % brokers.length]!);
}

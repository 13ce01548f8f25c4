/**
 * The controller's rules for partition state, as pure functions: leader election, ISR changes and
 * KIP-966's eligible leader replicas (ELR).
 *
 * Guarantee (clean election): a new leader is always a live member of the ISR, the first in replica
 * order; the ISR keeps its live members. Since every acknowledged (`acks=all`) event reached every
 * ISR member, the new leader has them all. Without ELR the ISR never becomes empty: when its last
 * live member is fenced it stays in the ISR and the partition goes offline until an ISR member
 * returns (Kafka's "last replica standing") — and if that member lost unflushed data in an unclean
 * shutdown, it is elected anyway and the others truncate to it.
 *
 * With ELR (`eligible.leader.replicas.enable`, KIP-966): leaders advance the high watermark only
 * while the ISR has at least `min.insync.replicas` members, so a replica removed from an ISR that
 * is (or thereby becomes) smaller than that holds everything committed: it enters the ELR and stays
 * electable, fenced or not. The ISR may then become empty; election takes a live ISR member, else
 * a live ELR member. A broker back from an unclean shutdown leaves every ELR (it may have lost a
 * suffix) for the LastKnownELR; once ISR and ELR hold no live candidate, a live LastKnownELR member
 * is elected as Kafka 4.0 does (the last known leader) — an election that may lose data, recorded
 * as unclean. ELR is cleared whenever the ISR reaches `min.insync.replicas`. It tolerates
 * `min.insync.replicas` − 1 lossy shutdowns; more, and the fallback loses what they lost.
 *
 * How it breaks, by configuration: with `unclean.leader.election.enable`, a partition whose ISR
 * (and ELR) members are all down elects any live replica, with an ISR of itself alone; whatever it
 * lacked is lost when the others truncate to it.
 */
import { assert } from '../../../kernel/contract/index.ts';
import type { PartitionMeta } from './messages.ts';

export interface Election {
  readonly meta: PartitionMeta;
  /** False for an unclean election (a leader from outside the ISR). */
  readonly clean: boolean;
}

/** How a topic's partitions are elected: its unclean election setting, and ELR's minimum ISR when ELR is on. */
export interface ElectionRules {
  readonly unclean: boolean;
  /** `min.insync.replicas` when eligible leader replicas are enabled; absent without ELR. */
  readonly elrMinIsr?: number;
}

/** Elects a leader among the live replicas; always bumps the leader and partition epochs. */
export function electLeader(meta: PartitionMeta, live: (broker: string) => boolean, rules: ElectionRules): Election {
  const liveIsr = meta.isr.filter(live);
  const candidate = meta.replicas.find((b) => liveIsr.includes(b));
  const next = (leader: string | null, isr: readonly string[]): PartitionMeta => ({
    ...withIsr(meta, isr, rules),
    leader,
    leaderEpoch: meta.leaderEpoch + 1,
    partitionEpoch: meta.partitionEpoch + 1,
  });
  if (candidate !== undefined) return { meta: next(candidate, inReplicaOrder(meta, liveIsr)), clean: true };
  if (rules.elrMinIsr !== undefined) {
    const eligible = meta.replicas.find((b) => live(b) && (meta.elr ?? []).includes(b));
    if (eligible !== undefined) return { meta: next(eligible, [eligible]), clean: true };
    const lastKnown = meta.replicas.find((b) => live(b) && (meta.lastKnownElr ?? []).includes(b));
    if (lastKnown !== undefined) return { meta: next(lastKnown, [lastKnown]), clean: false };
  }
  const outsider = rules.unclean ? meta.replicas.find(live) : undefined;
  if (outsider !== undefined) return { meta: next(outsider, [outsider]), clean: false };
  // Without ELR the last ISR members stay (last replica standing); with it they move to the ELR.
  return { meta: next(null, rules.elrMinIsr === undefined ? meta.isr : []), clean: true };
}

/**
 * The partition with ISR `isr` (same epochs): with ELR, members leaving an ISR below
 * `min.insync.replicas` join the ELR, members joining leave it, and an ISR back at the minimum
 * clears ELR and LastKnownELR.
 */
export function withIsr(meta: PartitionMeta, isr: readonly string[], rules: ElectionRules): PartitionMeta {
  const minIsr = rules.elrMinIsr;
  if (minIsr === undefined) return { ...meta, isr };
  if (isr.length >= minIsr) return { ...meta, isr, elr: [], lastKnownElr: [] };
  const removed = meta.isr.filter((b) => !isr.includes(b));
  const elr = inReplicaOrder(meta, [...(meta.elr ?? []), ...removed].filter((b) => !isr.includes(b)));
  const lastKnownElr = (meta.lastKnownElr ?? []).filter((b) => !elr.includes(b) && !isr.includes(b));
  return { ...meta, isr, elr, lastKnownElr };
}

/** The partition without `broker` in its ISR, unless it is the last member (then unchanged). */
export function withoutFromIsr(meta: PartitionMeta, broker: string, rules: ElectionRules): PartitionMeta {
  if (!meta.isr.includes(broker) || meta.isr.length === 1) return meta;
  return { ...withIsr(meta, meta.isr.filter((b) => b !== broker), rules), partitionEpoch: meta.partitionEpoch + 1 };
}

/**
 * KIP-966's unclean shutdown: a broker that comes back without having shut down cleanly may have
 * lost a suffix, so it leaves the ELR (for the LastKnownELR) and is electable again only once it
 * has caught up and rejoined the ISR. Unchanged when it is in no ELR.
 */
export function afterUncleanShutdown(meta: PartitionMeta, broker: string): PartitionMeta {
  if (!(meta.elr ?? []).includes(broker)) return meta;
  const elr = meta.elr!.filter((b) => b !== broker);
  const lastKnownElr = inReplicaOrder(meta, [...(meta.lastKnownElr ?? []), broker]);
  return { ...meta, elr, lastKnownElr, partitionEpoch: meta.partitionEpoch + 1 };
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
export function assertPartitionState(meta: Pick<PartitionMeta, 'topic' | 'partition' | 'replicas' | 'leader' | 'isr' | 'elr'>, where: string): void {
  const { topic, partition, replicas, leader, isr, elr } = meta;
  // Only ELR lets the ISR empty out, into the ELR, while the partition has no leader.
  const mayBeEmpty = elr !== undefined && leader === null;
  assert((isr.length > 0 || mayBeEmpty) && isr.every((b) => replicas.includes(b)), () => `${topic}-${partition} (${where}): ISR non-empty and ⊆ replicas (empty only into the ELR, while offline), but ISR [${isr.join(', ')}], replicas [${replicas.join(', ')}]`);
  assert(elr === undefined || elr.every((b) => replicas.includes(b) && !isr.includes(b)), () => `${topic}-${partition} (${where}): ELR ⊆ replicas and disjoint from the ISR, but ELR [${elr!.join(', ')}], ISR [${isr.join(', ')}]`);
  assert(leader === null || isr.includes(leader), () => `${topic}-${partition} (${where}): the ISR contains the leader, but leader ${leader}, ISR [${isr.join(', ')}]`);
}

/** Replica assignment of a new topic: partition p's replicas start at broker (p + topicIndex) mod n. */
export function assignReplicas(brokers: readonly string[], topicIndex: number, partition: number, replicationFactor: number): string[] {
  if (replicationFactor > brokers.length) throw new Error(`replication factor ${replicationFactor} exceeds the ${brokers.length} brokers`);
  return Array.from({ length: replicationFactor }, (_, i) => brokers[(partition + topicIndex + i) % brokers.length]!);
}

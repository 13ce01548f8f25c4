/**
 * What every multi-partition fetcher shares — the replica fetcher (a follower, per leader broker)
 * and the clients' per-broker fetcher (consumers, the final reader, log sources): one FetchRequest
 * carrying an ordered list of members (partitions), and each member handed its part of the reply.
 *
 * Guarantee: a reply part reaches the member it was asked for, by position (the leader answers
 * every partition in request order, `FetchReply`), so a member that left and came back (a new
 * role, a new assignment) is a different object and is never handed data asked for another.
 * Fairness, as Kafka's PartitionStates / SubscriptionState.movePartitionToEnd: a member that got
 * data moves to the end of its fetcher's order, and the leader lets only the first partition with
 * data exceed the size limits, so no partition starves behind a busy one.
 */
import type { Micros } from '../../../kernel/contract/index.ts';
import type { FetchPartition, FetchPartitionReply, FetchReply, FetchRequest } from './messages.ts';

/**
 * A fetch sent: the member each partition was asked for, and the partitions as asked (each with the
 * offset asked from), in request order — two arrays matched by position, not an object per part:
 * every fetch of every fetcher makes one.
 */
export interface Asked<M> {
  readonly req: number;
  readonly members: readonly M[];
  readonly partitions: readonly FetchPartition[];
}

/** How a fetcher asks: Kafka's fetch.max.wait.ms, fetch.max.bytes, fetch.min.bytes, and `replica` for a follower. */
export interface FetchLimits {
  readonly maxWaitUs: Micros;
  readonly maxBytes: number;
  readonly minBytes?: number;
  readonly replica?: string;
}

/**
 * One FetchRequest for `members` in order, each asking what `partOf` says; and what was asked, to
 * split the reply by. `members` is kept as it is: the caller must not change it afterwards.
 */
export function askFetch<M>(req: number, members: readonly M[], partOf: (member: M) => FetchPartition, limits: FetchLimits): { readonly request: FetchRequest; readonly asked: Asked<M> } {
  const partitions = members.map(partOf);
  const { maxWaitUs, maxBytes, minBytes, replica } = limits;
  // The optional members added in place rather than spread from conditional objects (every fetch of every fetcher): same members, same order.
  const request: { -readonly [K in keyof FetchRequest]: FetchRequest[K] } = { type: 'fetch', req, partitions, maxWaitUs, maxBytes };
  if (minBytes !== undefined) request.minBytes = minBytes;
  if (replica !== undefined) request.replica = replica;
  return { request, asked: { req, members, partitions } };
}

/** Hands each member asked its part of `reply` (matched by position), with the offset it asked from. */
export function eachPart<M>(reply: FetchReply, asked: Asked<M>, take: (member: M, part: FetchPartitionReply, offset: number) => void): void {
  const { members, partitions } = asked;
  for (let i = 0; i < reply.partitions.length && i < members.length; i++) take(members[i]!, reply.partitions[i]!, partitions[i]!.offset);
}

/** Moves `member` to the end of a fetch order (it just got data); the others keep their order. */
export function moveToEnd<M>(order: M[], member: M): void {
  const i = order.indexOf(member);
  if (i < 0 || i === order.length - 1) return;
  // Shifted in place rather than `splice`d out and pushed: `splice` makes an array of what it removes (every reply with data).
  for (let j = i; j < order.length - 1; j++) order[j] = order[j + 1]!;
  order[order.length - 1] = member;
}

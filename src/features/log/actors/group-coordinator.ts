/**
 * The consumer-group coordinator: group membership, partition assignment (Kafka's range assignor)
 * with eager rebalances, and committed offsets. It lives inside the controller actor, which makes
 * the offsets durable in its metadata journal (Kafka keeps them in `__consumer_offsets`; the effect
 * on the guarantees is the same: a commit is acknowledged only once durable).
 *
 * Guarantee: a commit is accepted only from a current member for the current generation, so a
 * consumer that was removed (its session expired) cannot move a partition's offset after another
 * member took the partition over. Consumption is at least once: a new owner resumes from the last
 * committed offset, re-reading what the old owner processed but had not yet committed.
 *
 * Generations only grow, across controller restarts and failovers too: each rebalance journals
 * the group's new generation (as Kafka keeps it in `__consumer_offsets`), assignments are sent only
 * once it is durable, and a coordinator meeting a group continues from its last journaled one.
 *
 * How it fails: membership is in memory; when the controller crashes, groups are forgotten and
 * members rejoin (their heartbeats are answered `unknown-member`) once it is back. While the
 * controller is down, no group can rebalance and no offset can be committed.
 */
import type { Context, Micros } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { ControllerOutbound, GroupHeartbeat, JoinGroupRequest, OffsetCommitRequest, OffsetFetchRequest } from './messages.ts';

interface Group {
  readonly name: string;
  readonly topic: string;
  generation: number;
  readonly members: Map<string, Member>;
}

interface Member {
  lastSeenUs: Micros;
  readonly sessionTimeoutUs: Micros;
}

/** What the coordinator needs from the controller: partition counts, durable writes, ordered sends. */
export interface CoordinatorHost {
  partitionsOf(topic: string): number;
  /** Journals a committed offset, with the leader epoch of the record before it if given (KIP-320). */
  commitOffset(key: string, offset: number, leaderEpoch: number | undefined): void;
  committedOffset(key: string): { readonly offset: number; readonly leaderEpoch: number | undefined } | undefined;
  /** Journals a group's new generation. */
  recordGeneration(group: string, generation: number): void;
  /** The group's last journaled generation. */
  lastGeneration(group: string): number | undefined;
  /** Sends once everything journaled so far is durable. */
  send(ctx: Context, to: string, message: ControllerOutbound): void;
}

export function offsetKey(group: string, topic: string, partition: number): string {
  return `${group}/${topic}-${partition}`;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly host: CoordinatorHost) {}

  onJoin(ctx: Context, request: JoinGroupRequest, member: string): void {
    let group = this.groups.get(request.group);
    if (group === undefined) {
      group = { name: request.group, topic: request.topic, generation: this.host.lastGeneration(request.group) ?? 0, members: new Map() };
      this.groups.set(request.group, group);
    }
    const known = group.members.has(member);
    group.members.set(member, { lastSeenUs: ctx.now(), sessionTimeoutUs: request.sessionTimeoutUs });
    if (known) this.sendAssignment(ctx, group, member);
    else this.rebalance(ctx, group, `${member} joined`);
  }

  onHeartbeat(ctx: Context, request: GroupHeartbeat, member: string): void {
    const group = this.groups.get(request.group);
    const reply = { type: 'group-heartbeat-reply', group: request.group } as const;
    if (group === undefined || !group.members.has(member)) return this.host.send(ctx, member, { ...reply, error: 'unknown-member' });
    group.members.get(member)!.lastSeenUs = ctx.now();
    if (request.generation !== group.generation) return this.host.send(ctx, member, { ...reply, error: 'illegal-generation' });
    this.host.send(ctx, member, reply);
  }

  onCommit(ctx: Context, request: OffsetCommitRequest, member: string): void {
    const group = this.groups.get(request.group);
    const reply = { type: 'offset-commit-reply', req: request.req, partition: request.partition, offset: request.offset } as const;
    if (group === undefined || !group.members.has(member)) return this.host.send(ctx, member, { ...reply, error: 'unknown-member' });
    if (request.generation !== group.generation) return this.host.send(ctx, member, { ...reply, error: 'illegal-generation' });
    // A consumer commits only a position it has (never its -1 placeholder).
    assert(request.offset >= 0, () => `${request.group}: committed offsets are positions, but ${member} commits ${request.offset} for ${request.topic}-${request.partition}`);
    this.host.commitOffset(offsetKey(request.group, request.topic, request.partition), request.offset, request.leaderEpoch);
    this.host.send(ctx, member, reply);
  }

  onOffsetFetch(ctx: Context, request: OffsetFetchRequest, member: string): void {
    const committed = request.partitions.map((p) => this.host.committedOffset(offsetKey(request.group, request.topic, p)));
    const offsets = committed.map((c) => c?.offset ?? null);
    const leaderEpochs = committed.map((c) => c?.leaderEpoch ?? null);
    this.host.send(ctx, member, { type: 'offset-fetch-reply', req: request.req, offsets, leaderEpochs });
  }

  /** Periodic: removes members whose sessions expired, and rebalances their groups. */
  expireSessions(ctx: Context): void {
    const now = ctx.now();
    for (const group of this.groups.values()) {
      const expired = [...group.members].filter(([, m]) => now - m.lastSeenUs > m.sessionTimeoutUs).map(([member]) => member);
      if (expired.length === 0) continue;
      for (const member of expired) group.members.delete(member);
      this.rebalance(ctx, group, `session of ${expired.join(', ')} expired`);
    }
  }

  private rebalance(ctx: Context, group: Group, reason: string): void {
    group.generation++;
    this.host.recordGeneration(group.name, group.generation);
    ctx.record('client', { op: 'rebalance', group: group.name, generation: group.generation, members: this.sortedMembers(group), reason });
    for (const member of group.members.keys()) this.sendAssignment(ctx, group, member);
  }

  private sendAssignment(ctx: Context, group: Group, member: string): void {
    const partitions = rangeAssignment(this.host.partitionsOf(group.topic), this.sortedMembers(group), member);
    this.host.send(ctx, member, { type: 'group-assignment', group: group.name, generation: group.generation, partitions });
  }

  private sortedMembers(group: Group): string[] {
    return [...group.members.keys()].sort();
  }
}

/** Kafka's range assignor for one topic: contiguous ranges, the first members get one more. */
export function rangeAssignment(partitions: number, members: readonly string[], member: string): number[] {
  const index = members.indexOf(member);
  if (index < 0) return [];
  const per = Math.floor(partitions / members.length);
  const extra = partitions % members.length;
  const start = index * per + Math.min(index, extra);
  const count = per + (index < extra ? 1 : 0);
  return Array.from({ length: count }, (_, i) => start + i);
}

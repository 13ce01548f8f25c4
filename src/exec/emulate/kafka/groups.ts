/**
 * Kafka's consumer-group membership protocol for real clients: JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup, OffsetCommit and OffsetFetch, with Kafka's semantics — the group leader (a client)
 * computes the assignment and hands it back in SyncGroup; a rebalance completes when every known
 * member has rejoined or the longest session timeout has passed (the stragglers are removed); a
 * member silent for its session timeout is removed and the group rebalances.
 *
 * Why not the simulation's group coordinator (features/log/actors/group-coordinator.ts): there the
 * coordinator assigns partitions itself and members are actors of the deployment; Kafka clients
 * assign on the client side and come and go with connections. So membership lives here, in the
 * orchestrator, shared by every broker's listener (any live broker can be the coordinator), and
 * every rebalance and commit is a `client` record at the gateway that served it.
 *
 * Guarantee: a commit is accepted only from a current member for the current generation (or from
 * a client outside any group, generation -1, as kcat and simple consumers commit). How it fails:
 * offsets and membership live in the orchestrator's memory: a crash of the controller's node does
 * not lose them, unlike Kafka's __consumer_offsets on a crashed coordinator. Time is real time.
 */
import { realNowMs } from '../clock.ts';
import { ERROR, type JoinGroupRequest, type JoinGroupResponse, type OffsetCommitRequest, type SyncGroupRequest } from './apis.ts';

interface Member {
  readonly id: string;
  sessionTimeoutMs: number;
  protocols: { name: string; metadata: Buffer }[];
  lastSeenMs: number;
  join?: (response: JoinGroupResponse) => void;
  sync?: (error: number, assignment: Buffer) => void;
  assignment: Buffer;
}

interface Group {
  readonly name: string;
  generation: number;
  state: 'empty' | 'joining' | 'syncing' | 'stable';
  members: Map<string, Member>;
  leader: string;
  protocol: string;
  joinDeadlineMs: number;
  /** Why the current rebalance started, for its record. */
  reason: string;
  /** `topic-partition` → committed offset. */
  readonly offsets: Map<string, number>;
}

export interface GroupEvents {
  rebalanced(group: string, generation: number, members: string[], reason: string): void;
  committed(group: string, topic: string, partition: number, offset: number): void;
}

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private memberCount = 0;

  constructor(private readonly events: GroupEvents) {}

  join(request: JoinGroupRequest, clientId: string, respond: (response: JoinGroupResponse) => void): void {
    const group = this.group(request.groupId);
    let member = group.members.get(request.memberId);
    if (request.memberId !== '' && member === undefined) {
      respond({ error: ERROR.UNKNOWN_MEMBER_ID, generation: -1, protocol: '', leader: '', memberId: request.memberId, members: [] });
      return;
    }
    if (member === undefined) {
      member = { id: `${clientId}-${++this.memberCount}`, sessionTimeoutMs: 0, protocols: [], lastSeenMs: 0, assignment: EMPTY };
      group.members.set(member.id, member);
    }
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.protocols = request.protocols;
    member.lastSeenMs = realNowMs();
    member.join = respond;
    if (group.state !== 'joining') this.startRebalance(group, `${member.id} joined`);
    this.tryCompleteJoin(group);
  }

  sync(request: SyncGroupRequest, respond: (error: number, assignment: Buffer) => void): void {
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (group === undefined || member === undefined) return respond(ERROR.UNKNOWN_MEMBER_ID, EMPTY);
    member.lastSeenMs = realNowMs();
    if (request.generation !== group.generation) return respond(ERROR.ILLEGAL_GENERATION, EMPTY);
    if (group.state === 'joining') return respond(ERROR.REBALANCE_IN_PROGRESS, EMPTY);
    if (group.state === 'stable') return respond(ERROR.NONE, member.assignment);
    member.sync = respond;
    if (member.id !== group.leader) return;
    for (const m of group.members.values()) m.assignment = request.assignments.find((a) => a.memberId === m.id)?.assignment ?? EMPTY;
    group.state = 'stable';
    for (const m of group.members.values()) {
      const waiting = m.sync;
      m.sync = undefined;
      waiting?.(ERROR.NONE, m.assignment);
    }
  }

  heartbeat(groupId: string, generation: number, memberId: string): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ERROR.UNKNOWN_MEMBER_ID;
    member.lastSeenMs = realNowMs();
    if (group.state === 'joining') return ERROR.REBALANCE_IN_PROGRESS;
    if (generation !== group.generation) return ERROR.ILLEGAL_GENERATION;
    return ERROR.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const group = this.groups.get(groupId);
    if (group === undefined || !group.members.has(memberId)) return ERROR.UNKNOWN_MEMBER_ID;
    this.remove(group, [memberId], `${memberId} left`);
    return ERROR.NONE;
  }

  /** Error per partition, in request order. */
  commit(request: OffsetCommitRequest): number {
    const group = this.group(request.groupId);
    if (request.generation >= 0) {
      const member = group.members.get(request.memberId);
      if (member === undefined) return ERROR.UNKNOWN_MEMBER_ID;
      member.lastSeenMs = realNowMs();
      if (group.state === 'joining') return ERROR.REBALANCE_IN_PROGRESS;
      if (request.generation !== group.generation) return ERROR.ILLEGAL_GENERATION;
    }
    for (const topic of request.topics) {
      for (const p of topic.partitions) {
        group.offsets.set(`${topic.name}-${p.partition}`, p.offset);
        this.events.committed(group.name, topic.name, p.partition, p.offset);
      }
    }
    return ERROR.NONE;
  }

  /** The committed offset, -1 when none. */
  committed(groupId: string, topic: string, partition: number): number {
    return this.groups.get(groupId)?.offsets.get(`${topic}-${partition}`) ?? -1;
  }

  /** Expires silent members and overdue rebalances; called a few times a second. */
  tick(): void {
    const now = realNowMs();
    for (const group of this.groups.values()) {
      if (group.state === 'joining' && now >= group.joinDeadlineMs) {
        const late = [...group.members.values()].filter((m) => m.join === undefined).map((m) => m.id);
        if (late.length > 0) this.remove(group, late, `${late.join(', ')} did not rejoin in time`);
        else this.tryCompleteJoin(group);
        continue;
      }
      const silent = [...group.members.values()].filter((m) => m.join === undefined && now - m.lastSeenMs > m.sessionTimeoutMs).map((m) => m.id);
      if (silent.length > 0) this.remove(group, silent, `session of ${silent.join(', ')} expired`);
    }
  }

  private group(name: string): Group {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { name, generation: 0, state: 'empty', members: new Map(), leader: '', protocol: '', joinDeadlineMs: 0, reason: '', offsets: new Map() };
      this.groups.set(name, group);
    }
    return group;
  }

  private remove(group: Group, ids: string[], reason: string): void {
    for (const id of ids) {
      const member = group.members.get(id);
      group.members.delete(id);
      member?.join?.({ error: ERROR.UNKNOWN_MEMBER_ID, generation: -1, protocol: '', leader: '', memberId: id, members: [] });
      member?.sync?.(ERROR.UNKNOWN_MEMBER_ID, EMPTY);
    }
    if (group.members.size === 0) {
      group.state = 'empty';
      group.generation++;
      this.events.rebalanced(group.name, group.generation, [], reason);
      return;
    }
    if (group.state !== 'joining') this.startRebalance(group, reason);
    else this.tryCompleteJoin(group);
  }

  private startRebalance(group: Group, reason: string): void {
    group.state = 'joining';
    group.joinDeadlineMs = realNowMs() + Math.max(...[...group.members.values()].map((m) => m.sessionTimeoutMs));
    group.leader = group.members.has(group.leader) ? group.leader : '';
    group.reason = reason;
    // Members waiting for their assignment learn of the rebalance now, not at their next heartbeat.
    for (const m of group.members.values()) {
      const waiting = m.sync;
      m.sync = undefined;
      waiting?.(ERROR.REBALANCE_IN_PROGRESS, EMPTY);
    }
  }

  private tryCompleteJoin(group: Group): void {
    const members = [...group.members.values()];
    if (members.length === 0 || members.some((m) => m.join === undefined)) return;
    group.generation++;
    if (!group.members.has(group.leader)) group.leader = members[0]!.id;
    const leader = group.members.get(group.leader)!;
    group.protocol = leader.protocols.find((p) => members.every((m) => m.protocols.some((q) => q.name === p.name)))?.name ?? '';
    group.state = 'syncing';
    const error = group.protocol === '' ? ERROR.INCONSISTENT_GROUP_PROTOCOL : ERROR.NONE;
    this.events.rebalanced(group.name, group.generation, members.map((m) => m.id), group.reason);
    for (const m of members) {
      const respond = m.join!;
      m.join = undefined;
      m.lastSeenMs = realNowMs();
      const list = m.id === group.leader ? members.map((x) => ({ memberId: x.id, metadata: x.protocols.find((p) => p.name === group.protocol)?.metadata ?? EMPTY })) : [];
      respond({ error, generation: group.generation, protocol: group.protocol, leader: group.leader, memberId: m.id, members: list });
    }
  }
}

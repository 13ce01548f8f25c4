/**
 * The controller (KRaft's active controller, as one actor): it creates the topics, tracks broker
 * sessions through heartbeats, fences brokers that stop heartbeating, elects partition leaders,
 * commits the ISR changes leaders propose, hands out producer ids, and hosts the group coordinator.
 *
 * Guarantee: every decision is journaled and fsynced before anyone hears of it (`Journal`), so a
 * restarted controller resumes from exactly what it had told the cluster. Leader epochs only grow.
 * A broker that restarts (a new incarnation in its heartbeat) gets its partitions' leadership
 * re-elected with a new epoch, so followers re-align their logs with whatever it recovered.
 *
 * How it fails, visibly: while the controller is down (its crash is a `crash` record, its return a
 * `log` record with `op: controller-resume`), no broker is fenced, no leader is elected, no ISR
 * changes, no producer id is issued and no group rebalances. Leaders keep serving; a leader whose
 * follower died cannot shrink its ISR, so its `acks=all` writes time out until the controller
 * returns. After a restart every broker gets a full session timeout before it can be fenced.
 */
import type { Actor, Context, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import { MS, assert } from '../../../kernel/contract/index.ts';
import { fencesBouncedBrokers, type ClusterConfig, type TopicConfig } from './config.ts';
import { acceptedIsr, afterUncleanShutdown, assertPartitionState, assignReplicas, electLeader, withIsr, withoutFromIsr, type ElectionRules } from './elections.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { Journal } from './journal.ts';
import { CONTROL_BYTES, tpKey, type AlterIsrRequest, type BrokerHeartbeat, type ControllerInbound, type ControllerOutbound, type PartitionMeta } from './messages.ts';

interface BrokerSession {
  fenced: boolean;
  incarnation: number | null;
  lastSeenUs: Micros;
}

type JournalRecord =
  | { readonly t: 'partition'; readonly meta: PartitionMeta; readonly version: number }
  | { readonly t: 'broker'; readonly id: string; readonly fenced: boolean; readonly incarnation: number | null }
  | { readonly t: 'pid'; readonly next: number }
  | { readonly t: 'txn'; readonly id: string; readonly pid: number }
  | { readonly t: 'offset'; readonly key: string; readonly offset: number };

interface Snapshot {
  readonly partitions: readonly PartitionMeta[];
  readonly brokers: readonly { id: string; fenced: boolean; incarnation: number | null }[];
  readonly version: number;
  readonly nextPid: number;
  readonly transactionalIds?: readonly [string, number][];
  readonly offsets: readonly [string, number][];
}

export class Controller implements Actor<ControllerInbound> {
  private readonly topics = new Map<string, TopicConfig>();
  private readonly brokers = new Map<string, BrokerSession>();
  private readonly partitions = new Map<string, PartitionMeta>();
  private readonly offsets = new Map<string, number>();
  private version = 0;
  private nextPid = 1;
  /** Transactional id → the producer id it keeps across the producer's restarts. */
  private readonly transactionalIds = new Map<string, number>();
  /** Partitions changed by the message being handled, pushed to the brokers once durable. */
  private changed: PartitionMeta[] = [];
  private journal!: Journal<JournalRecord>;
  /** Set when the journal's disk refused a write: the controller then stops, as Kafka's exits. */
  private halted = false;
  private groups!: GroupCoordinator;

  constructor(private readonly config: ClusterConfig) {
    for (const topic of config.topics) this.topics.set(topic.name, topic);
  }

  start(ctx: Context): void {
    this.boot(ctx);
  }

  recover(ctx: Context): void {
    this.boot(ctx);
  }

  private boot(ctx: Context): void {
    this.journal = new Journal(ctx.disk);
    this.groups = new GroupCoordinator({
      partitionsOf: (topic) => this.topics.get(topic)?.partitions ?? 0,
      commitOffset: (key, offset) => {
        this.offsets.set(key, offset);
        this.write(ctx, { t: 'offset', key, offset });
      },
      committedOffset: (key) => this.offsets.get(key),
      send: (c, to, message) => this.send(c, to, message),
    });
    const resumed = this.replay(ctx.now());
    if (resumed) ctx.record('log', { op: 'controller-resume', offset: this.version, partitions: this.partitions.size });
    else this.createTopics(ctx);
    ctx.setTimer(this.sessionCheckUs(), 'sessions');
  }

  onMessage(ctx: Context, message: ControllerInbound, from: string): void {
    if (this.halted) return;
    switch (message.type) {
      case 'broker-heartbeat':
        this.onBrokerHeartbeat(ctx, message);
        break;
      case 'alter-isr':
        this.onAlterIsr(ctx, message, from);
        break;
      case 'init-producer-id': {
        const kept = message.transactionalId === undefined ? undefined : this.transactionalIds.get(message.transactionalId);
        if (kept !== undefined) {
          assert(kept < this.nextPid, () => `a kept producer id was issued before, but ${message.transactionalId} keeps ${kept} and the next id is ${this.nextPid}`);
          this.send(ctx, from, { type: 'init-producer-id-reply', req: message.req, pid: kept });
          break;
        }
        this.write(ctx, { t: 'pid', next: this.nextPid + 1 });
        if (message.transactionalId !== undefined) {
          this.transactionalIds.set(message.transactionalId, this.nextPid);
          this.write(ctx, { t: 'txn', id: message.transactionalId, pid: this.nextPid });
        }
        this.send(ctx, from, { type: 'init-producer-id-reply', req: message.req, pid: this.nextPid++ });
        break;
      }
      case 'join-group':
        this.groups.onJoin(ctx, message, from);
        break;
      case 'group-heartbeat':
        this.groups.onHeartbeat(ctx, message, from);
        break;
      case 'offset-commit':
        this.groups.onCommit(ctx, message, from);
        break;
      case 'offset-fetch':
        this.groups.onOffsetFetch(ctx, message, from);
        break;
    }
    this.publish(ctx);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'journal-synced') return this.journal.synced(ctx);
    if (wakeup.name !== 'sessions' || this.halted) return;
    const now = ctx.now();
    for (const [id, session] of this.brokers) {
      if (!session.fenced && now - session.lastSeenUs > this.config.brokerSessionTimeoutUs) this.fence(ctx, id, 'session-timeout');
    }
    this.groups.expireSessions(ctx);
    this.publish(ctx);
    ctx.setTimer(this.sessionCheckUs(), 'sessions');
  }

  // --- brokers -----------------------------------------------------------------------------------

  private onBrokerHeartbeat(ctx: Context, heartbeat: BrokerHeartbeat): void {
    const session = this.brokers.get(heartbeat.broker);
    if (session === undefined) return;
    session.lastSeenUs = ctx.now();
    if (session.incarnation !== heartbeat.incarnation) {
      const restarted = session.incarnation !== null;
      const bounced = restarted && !session.fenced;
      session.incarnation = heartbeat.incarnation;
      this.journalBroker(ctx, heartbeat.broker, session);
      // The new incarnation fences the old one (KIP-380 / KRaft registration): its leaderships move
      // to in-sync replicas, and it rejoins the ISRs only once caught up.
      if (bounced && fencesBouncedBrokers(this.config)) this.fence(ctx, heartbeat.broker, 'new-incarnation');
      else if (bounced) this.reelectLedBy(ctx, heartbeat.broker);
      // Every restart here is unclean (no fault is a controlled shutdown).
      if (restarted && this.config.eligibleLeaderReplicas) this.uncleanShutdown(ctx, heartbeat.broker);
    }
    if (session.fenced) this.unfence(ctx, heartbeat.broker);
    // Behind (or, after a controller restart, somehow ahead): send the whole image.
    const behind = heartbeat.version !== this.version;
    const version = this.version + (this.changed.length > 0 ? 1 : 0);
    const partitions = behind || this.changed.length > 0 ? { partitions: [...this.partitions.values()] } : {};
    this.send(ctx, heartbeat.broker, { type: 'broker-heartbeat-reply', incarnation: heartbeat.incarnation, version, ...partitions }, CONTROL_BYTES + 48 * this.partitions.size);
  }

  private fence(ctx: Context, broker: string, reason: string): void {
    const session = this.brokers.get(broker)!;
    session.fenced = true;
    this.journalBroker(ctx, broker, session);
    ctx.record('log', { op: 'fence', broker, reason });
    for (const meta of this.partitions.values()) {
      if (!meta.replicas.includes(broker)) continue;
      if (meta.leader === broker) this.elect(ctx, meta, `leader ${broker} fenced (${reason})`);
      else this.changeIsr(ctx, meta, withoutFromIsr(meta, broker, this.rules(meta.topic)), `${broker} fenced`);
    }
  }

  private unfence(ctx: Context, broker: string): void {
    const session = this.brokers.get(broker)!;
    session.fenced = false;
    this.journalBroker(ctx, broker, session);
    ctx.record('log', { op: 'unfence', broker });
    for (const meta of this.partitions.values()) {
      if (meta.leader === null && meta.replicas.includes(broker)) this.elect(ctx, meta, `${broker} returned`);
    }
  }

  /** KIP-966: a broker back from an unclean shutdown leaves every ELR. */
  private uncleanShutdown(ctx: Context, broker: string): void {
    for (const meta of this.partitions.values()) {
      const next = afterUncleanShutdown(meta, broker);
      if (next === meta) continue;
      const { topic, partition } = next;
      ctx.record('log', { op: 'elr-shrink', topic, partition, offset: -1, epoch: next.leaderEpoch, isr: next.isr, elr: next.elr, lastKnownElr: next.lastKnownElr, reason: `${broker} unclean shutdown` });
      this.store(next);
    }
  }

  /** Pre-KIP-380: a broker restarted without the controller noticing; its leaderships get a new epoch. */
  private reelectLedBy(ctx: Context, broker: string): void {
    ctx.record('log', { op: 'broker-restarted', broker });
    for (const meta of this.partitions.values()) if (meta.leader === broker) this.elect(ctx, meta, `leader ${broker} restarted`);
  }

  private live(broker: string): boolean {
    return this.brokers.get(broker)?.fenced === false;
  }

  // --- partitions --------------------------------------------------------------------------------

  private rules(topic: string): ElectionRules {
    const config = this.topics.get(topic);
    const unclean = config?.uncleanLeaderElection ?? false;
    return this.config.eligibleLeaderReplicas ? { unclean, elrMinIsr: config?.minInsyncReplicas ?? 1 } : { unclean };
  }

  private elect(ctx: Context, meta: PartitionMeta, reason: string): void {
    const { meta: next, clean } = electLeader(meta, (b) => this.live(b), this.rules(meta.topic));
    const { topic, partition } = next;
    const op = next.leader === null ? 'offline' : 'elect';
    ctx.record('log', { op, topic, partition, offset: -1, epoch: next.leaderEpoch, leader: next.leader, isr: next.isr, ...elrFields(next), replicas: next.replicas.length, clean, reason });
    this.store(next);
  }

  private changeIsr(ctx: Context, meta: PartitionMeta, next: PartitionMeta, reason: string): void {
    if (next === meta) return;
    const op = next.isr.length < meta.isr.length ? 'isr-shrink' : 'isr-expand';
    const { topic, partition } = next;
    ctx.record('log', { op, topic, partition, offset: -1, epoch: next.leaderEpoch, isr: next.isr, ...elrFields(next), replicas: next.replicas.length, reason });
    this.store(next);
  }

  private onAlterIsr(ctx: Context, request: AlterIsrRequest, from: string): void {
    const meta = this.partitions.get(tpKey(request.topic, request.partition));
    if (meta === undefined) return;
    const reply = { type: 'alter-isr-reply', topic: request.topic, partition: request.partition } as const;
    if (meta.leader !== from || meta.leaderEpoch !== request.leaderEpoch || meta.partitionEpoch !== request.partitionEpoch) {
      return this.send(ctx, from, { ...reply, error: 'stale-partition-epoch', state: meta });
    }
    const isr = acceptedIsr(meta, request.isr, (b) => this.live(b));
    const same = isr.length === meta.isr.length && isr.every((b) => meta.isr.includes(b));
    if (!same) this.changeIsr(ctx, meta, { ...withIsr(meta, isr, this.rules(meta.topic)), partitionEpoch: meta.partitionEpoch + 1 }, `proposed by leader ${from}`);
    this.send(ctx, from, { ...reply, state: this.partitions.get(tpKey(meta.topic, meta.partition))! });
  }

  private store(meta: PartitionMeta): void {
    const key = tpKey(meta.topic, meta.partition);
    assertPartitionState(meta, 'controller decision');
    assertNewer(meta, this.partitions.get(key), 'controller decision');
    this.partitions.set(key, meta);
    this.changed.push(meta);
  }

  /** Journals this message's partition changes as one new version and pushes them to every broker. */
  private publish(ctx: Context): void {
    if (this.changed.length > 0) {
      this.version++;
      for (const meta of this.changed) this.write(ctx, { t: 'partition', meta, version: this.version });
      const update = { type: 'partition-state', version: this.version, partitions: this.changed } as const;
      this.changed = [];
      for (const broker of this.config.brokers) this.send(ctx, broker, update, CONTROL_BYTES + 48 * update.partitions.length);
    }
    this.journal.maybeCompact(() => this.snapshot());
    this.journal.commit(ctx);
  }

  private send(ctx: Context, to: string, message: ControllerOutbound, bytes = CONTROL_BYTES): void {
    if (this.halted) return;
    this.journal.whenDurable(() => ctx.send(to, message, { bytes }));
  }

  // --- durable state -----------------------------------------------------------------------------

  private createTopics(ctx: Context): void {
    const now = ctx.now();
    for (const broker of this.config.brokers) {
      const session = { fenced: false, incarnation: null, lastSeenUs: now };
      this.brokers.set(broker, session);
      this.journalBroker(ctx, broker, session);
    }
    this.config.topics.forEach((topic, index) => {
      for (let p = 0; p < topic.partitions; p++) {
        const replicas = assignReplicas(this.config.brokers, index, p, topic.replicationFactor);
        const elr = this.config.eligibleLeaderReplicas ? { elr: [], lastKnownElr: [] } : {};
        const meta: PartitionMeta = { topic: topic.name, partition: p, replicas, leader: replicas[0]!, leaderEpoch: 0, partitionEpoch: 0, isr: replicas, ...elr };
        ctx.record('log', { op: 'elect', topic: topic.name, partition: p, offset: -1, epoch: 0, leader: meta.leader, isr: replicas, replicas: replicas.length, clean: true, reason: 'topic created' });
        this.store(meta);
      }
    });
    this.publish(ctx);
  }

  /** Rebuilds the state from snapshot and journal; false when there is none (first start). */
  private replay(now: Micros): boolean {
    const { snapshot, records } = this.journal.contents();
    if (snapshot === undefined && records.length === 0) return false;
    if (snapshot !== undefined) {
      const s = snapshot as Snapshot;
      for (const meta of s.partitions) this.partitions.set(tpKey(meta.topic, meta.partition), meta);
      for (const b of s.brokers) this.brokers.set(b.id, { fenced: b.fenced, incarnation: b.incarnation, lastSeenUs: now });
      for (const [key, offset] of s.offsets) this.offsets.set(key, offset);
      this.version = s.version;
      this.nextPid = s.nextPid;
      for (const [id, pid] of s.transactionalIds ?? []) this.transactionalIds.set(id, pid);
    }
    let issued = 0;
    for (const r of records) {
      if (r.t === 'partition') {
        const key = tpKey(r.meta.topic, r.meta.partition);
        assertNewer(r.meta, this.partitions.get(key), 'journal replay');
        this.partitions.set(key, r.meta);
        this.version = Math.max(this.version, r.version);
      } else if (r.t === 'broker') {
        this.brokers.set(r.id, { fenced: r.fenced, incarnation: r.incarnation, lastSeenUs: now });
      } else if (r.t === 'pid') {
        this.nextPid = Math.max(this.nextPid, r.next);
      } else if (r.t === 'txn') {
        this.transactionalIds.set(r.id, r.pid);
        issued = Math.max(issued, r.pid);
      } else {
        this.offsets.set(r.key, r.offset);
      }
    }
    // The `pid` record precedes its `txn` record in the journal: a restarted controller never reissues an id.
    assert(issued < this.nextPid, () => `journal replay: every issued producer id is below the next one, but ${issued} ≥ ${this.nextPid}`);
    return true;
  }

  private snapshot(): Snapshot {
    return {
      partitions: [...this.partitions.values()],
      brokers: [...this.brokers].map(([id, s]) => ({ id, fenced: s.fenced, incarnation: s.incarnation })),
      version: this.version,
      nextPid: this.nextPid,
      transactionalIds: [...this.transactionalIds],
      offsets: [...this.offsets],
    };
  }

  private journalBroker(ctx: Context, id: string, session: BrokerSession): void {
    this.write(ctx, { t: 'broker', id, fenced: session.fenced, incarnation: session.incarnation });
  }

  /**
   * Journals a decision. If the disk refuses it (full), the controller halts — it ignores every
   * message and timer until restarted — rather than act on a decision it could forget; a `log`
   * record with `op: controller-halted` says so.
   */
  private write(ctx: Context, record: JournalRecord): void {
    if (this.halted || this.journal.write(record)) return;
    this.halted = true;
    ctx.record('log', { op: 'controller-halted', reason: 'disk full' });
  }

  private sessionCheckUs(): Micros {
    return Math.max(MS, Math.floor(this.config.brokerSessionTimeoutUs / 8));
  }
}

/** A partition's ELR fields for a trace record, present only with ELR. */
function elrFields(meta: PartitionMeta): { elr?: readonly string[]; lastKnownElr?: readonly string[] } {
  return meta.elr === undefined ? {} : { elr: meta.elr, lastKnownElr: meta.lastKnownElr ?? [] };
}

/** Leader epochs never go back and every change of a partition bumps its partition epoch. */
function assertNewer(next: PartitionMeta, previous: PartitionMeta | undefined, where: string): void {
  if (previous === undefined) return;
  assert(
    next.leaderEpoch >= previous.leaderEpoch && next.partitionEpoch > previous.partitionEpoch,
    () => `${next.topic}-${next.partition} (${where}): leader epoch monotone and partition epoch increasing, but ${previous.leaderEpoch}/${previous.partitionEpoch} → ${next.leaderEpoch}/${next.partitionEpoch}`,
  );
}

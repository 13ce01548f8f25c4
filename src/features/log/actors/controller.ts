/**
 * The controller (KRaft's active controller, as one actor): it creates the topics, tracks broker
 * sessions through heartbeats, fences brokers that stop heartbeating, elects partition leaders,
 * commits the ISR changes leaders propose, hands out producer ids, and hosts the group coordinator.
 * Its decisions are metadata records (`metadata-image.ts`) applied to its image and appended to its
 * metadata log (`metadata-log.ts`): here its own journal.
 *
 * Guarantee: every decision is journaled and fsynced before anyone hears of it, so a restarted
 * controller rebuilds exactly the image it had told the cluster about. Leader epochs only grow.
 * A broker that restarts within its session (a new incarnation in its heartbeat) is fenced at once
 * and its leaderships move to in-sync replicas (see `fencesBouncedBrokers`).
 *
 * How it fails, visibly: while the controller is down (its crash is a `crash` record, its return a
 * `log` record with `op: controller-resume`), no broker is fenced, no leader is elected, no ISR
 * changes, no producer id is issued and no group rebalances. Leaders keep serving; a leader whose
 * follower died cannot shrink its ISR, so its `acks=all` writes time out until the controller
 * returns. After a restart every broker gets a full session timeout before it can be fenced. */
import type { Actor, Context, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import { MS, SECOND, assert } from '../../../kernel/contract/index.ts';
import { fencesBouncedBrokers, type ClusterConfig, type TopicConfig } from './config.ts';
import { acceptedIsr, afterUncleanShutdown, assertPartitionState, assignReplicas, electLeader, withIsr, withoutFromIsr, type ElectionRules } from './elections.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { MetadataImage, type MetadataRecord } from './metadata-image.ts';
import { JournalMetadataLog, type MetadataLog } from './metadata-log.ts';
import { CONTROL_BYTES, tpKey, type AlterIsrRequest, type BrokerHeartbeat, type ControllerInbound, type ControllerOutbound, type InitProducerIdRequest, type PartitionMeta } from './messages.ts';
import { QuorumMetadataLog, type QuorumHost } from './quorum-log.ts';

export class Controller implements Actor<ControllerInbound>, QuorumHost {
  private readonly topics = new Map<string, TopicConfig>();
  /** The metadata, changed only through `emit` (or staged by `store` until `publish` seals it). */
  private image = new MetadataImage();
  /** When each broker was last heard from (volatile: a restarted controller gives each a full session). */
  private readonly lastSeenUs = new Map<string, Micros>();
  /** Partitions changed by the message being handled, pushed to the brokers once durable. */
  private changed: PartitionMeta[] = [];
  private log!: MetadataLog;
  /** The single controller's journal, or the quorum member's Raft-replicated log: one of the two. */
  private journal: JournalMetadataLog | undefined;
  private quorum: QuorumMetadataLog | undefined;
  /** A single controller is always active; a quorum member while it is the active controller. */
  private active = false;
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
    this.groups = this.newCoordinator(ctx);
    const voters = this.config.controllers ?? [this.config.controller];
    if (voters.length > 1) {
      const timeouts = { electionTimeoutUs: this.config.quorumElectionTimeoutUs ?? SECOND, fetchTimeoutUs: this.config.quorumFetchTimeoutUs ?? 2 * SECOND };
      this.quorum = new QuorumMetadataLog({ group: `${this.config.controller}-quorum`, voters, ...timeouts }, this);
      this.log = this.quorum;
      this.quorum.start(ctx);
      ctx.setTimer(this.sessionCheckUs(), 'sessions');
      return;
    }
    this.journal = new JournalMetadataLog(ctx.disk);
    this.log = this.journal;
    this.active = true;
    const { snapshot, records } = this.journal.contents();
    if (snapshot !== undefined) this.image.restore(snapshot);
    for (const record of records) this.image.apply(record);
    if (!this.image.empty) {
      for (const broker of this.image.brokers.keys()) this.lastSeenUs.set(broker, ctx.now());
      ctx.record('log', { op: 'controller-resume', offset: this.image.version, partitions: this.image.partitions.size });
    } else this.createTopics(ctx);
    ctx.setTimer(this.sessionCheckUs(), 'sessions');
  }

  private newCoordinator(ctx: Context): GroupCoordinator {
    return new GroupCoordinator({
      partitionsOf: (topic) => this.topics.get(topic)?.partitions ?? 0,
      commitOffset: (key, offset, leaderEpoch) => this.emit(ctx, { t: 'offset', key, offset, ...(leaderEpoch === undefined ? {} : { leaderEpoch }) }),
      committedOffset: (key) => {
        const offset = this.image.offsets.get(key);
        return offset === undefined ? undefined : { offset, leaderEpoch: this.image.offsetEpochs.get(key) };
      },
      recordGeneration: (group, generation) => this.emit(ctx, { t: 'generation', group, generation }),
      lastGeneration: (group) => this.image.generations.get(group),
      send: (c, to, message) => this.send(c, to, message),
    });
  }

  // --- quorum ------------------------------------------------------------------------------------

  onActivated(ctx: Context, image: MetadataImage, term: number): void {
    this.image = image;
    this.active = true;
    this.changed = [];
    // Like a restarted controller, a new active one gives every broker a full session, and knows no group.
    this.groups = this.newCoordinator(ctx);
    for (const broker of image.brokers.keys()) this.lastSeenUs.set(broker, ctx.now());
    ctx.record('log', { op: 'controller-activate', term, offset: image.version, partitions: image.partitions.size });
    if (image.empty) this.createTopics(ctx);
    this.publish(ctx);
  }

  onDeactivated(ctx: Context): void {
    this.active = false;
    this.changed = [];
    this.groups = this.newCoordinator(ctx);
    ctx.record('log', { op: 'controller-deactivate' });
  }

  /**
   * A quorum member that is not the active controller answers NOT_CONTROLLER, naming the active
   * controller if it knows it (as KRaft controllers do): brokers heartbeat there, clients send
   * their request again there. An ISR proposal is dropped: its leader proposes again to the
   * controller its broker follows.
   */
  private notActive(ctx: Context, message: ControllerInbound, from: string): void {
    const leader = this.quorum?.leaderId;
    const known = leader !== undefined && leader !== ctx.self ? { controller: leader } : {};
    switch (message.type) {
      case 'broker-heartbeat':
        return ctx.send(from, { type: 'broker-heartbeat-reply', incarnation: message.incarnation, version: -1, error: 'not-controller', ...known });
      case 'alter-isr':
        return;
      default:
        return ctx.send(from, { type: 'not-controller', request: message, ...('req' in message ? { req: message.req } : {}), ...known });
    }
  }

  // --- requests ----------------------------------------------------------------------------------

  onMessage(ctx: Context, message: ControllerInbound, from: string): void {
    if (this.quorum?.handles(message)) return this.quorum.onMessage(ctx, message, from);
    if (this.halted) return;
    if (!this.active) return this.notActive(ctx, message, from);
    this.handle(ctx, message, from);
    this.publish(ctx);
  }

  private handle(ctx: Context, message: ControllerInbound, from: string): void {
    switch (message.type) {
      case 'broker-heartbeat':
        this.onBrokerHeartbeat(ctx, message);
        break;
      case 'alter-isr':
        this.onAlterIsr(ctx, message, from);
        break;
      case 'init-producer-id':
        this.onInitProducerId(ctx, message, from);
        break;
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
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (this.quorum?.handlesTimer(wakeup)) return this.quorum.onTimer(ctx, wakeup);
    if (wakeup.name === 'journal-synced') return this.journal!.synced(ctx);
    if (wakeup.name !== 'sessions' || this.halted) return;
    if (!this.active) return void ctx.setTimer(this.sessionCheckUs(), 'sessions');
    const now = ctx.now();
    for (const [id, registration] of this.image.brokers) {
      if (!registration.fenced && now - (this.lastSeenUs.get(id) ?? now) > this.config.brokerSessionTimeoutUs) this.fence(ctx, id, 'session-timeout');
    }
    this.groups.expireSessions(ctx);
    this.publish(ctx);
    ctx.setTimer(this.sessionCheckUs(), 'sessions');
  }

  private onInitProducerId(ctx: Context, request: InitProducerIdRequest, from: string): void {
    const image = this.image;
    const kept = request.transactionalId === undefined ? undefined : image.transactionalIds.get(request.transactionalId);
    if (kept !== undefined) {
      assert(kept < image.nextPid, () => `a kept producer id was issued before, but ${request.transactionalId} keeps ${kept} and the next id is ${image.nextPid}`);
      return this.send(ctx, from, { type: 'init-producer-id-reply', req: request.req, pid: kept });
    }
    const pid = image.nextPid;
    this.emit(ctx, { t: 'pid', next: pid + 1 });
    if (request.transactionalId !== undefined) this.emit(ctx, { t: 'txn', id: request.transactionalId, pid });
    this.send(ctx, from, { type: 'init-producer-id-reply', req: request.req, pid });
  }

  // --- brokers -----------------------------------------------------------------------------------

  private onBrokerHeartbeat(ctx: Context, heartbeat: BrokerHeartbeat): void {
    const { broker, incarnation } = heartbeat;
    const registration = this.image.brokers.get(broker);
    if (registration === undefined) return;
    this.lastSeenUs.set(broker, ctx.now());
    if (registration.incarnation !== incarnation) {
      const restarted = registration.incarnation !== null;
      const bounced = restarted && !registration.fenced;
      this.emit(ctx, { t: 'broker', id: broker, fenced: registration.fenced, incarnation });
      // The new incarnation fences the old one (KIP-380 / KRaft registration): its leaderships move
      // to in-sync replicas, and it rejoins the ISRs only once caught up.
      if (bounced && fencesBouncedBrokers(this.config)) this.fence(ctx, broker, 'new-incarnation');
      else if (bounced) this.reelectLedBy(ctx, broker);
      // Every restart here is unclean (no fault is a controlled shutdown).
      if (restarted && this.config.eligibleLeaderReplicas) this.uncleanShutdown(ctx, broker);
    }
    if (this.image.brokers.get(broker)!.fenced) this.unfence(ctx, broker);
    // Behind (or, after a controller restart, somehow ahead): send the whole image.
    const behind = heartbeat.version !== this.publishedVersion();
    const partitions = behind || this.changed.length > 0 ? { partitions: [...this.image.partitions.values()] } : {};
    const version = this.publishedVersion() + (this.changed.length > 0 ? 1 : 0);
    this.send(ctx, broker, { type: 'broker-heartbeat-reply', incarnation, version, ...partitions }, CONTROL_BYTES + 48 * this.image.partitions.size);
  }

  private fence(ctx: Context, broker: string, reason: string): void {
    this.emit(ctx, { t: 'broker', id: broker, fenced: true, incarnation: this.image.brokers.get(broker)!.incarnation });
    ctx.record('log', { op: 'fence', broker, reason });
    for (const meta of this.image.partitions.values()) {
      if (!meta.replicas.includes(broker)) continue;
      if (meta.leader === broker) this.elect(ctx, meta, `leader ${broker} fenced (${reason})`);
      else this.changeIsr(ctx, meta, withoutFromIsr(meta, broker, this.rules(meta.topic)), `${broker} fenced`);
    }
  }

  private unfence(ctx: Context, broker: string): void {
    this.emit(ctx, { t: 'broker', id: broker, fenced: false, incarnation: this.image.brokers.get(broker)!.incarnation });
    ctx.record('log', { op: 'unfence', broker });
    for (const meta of this.image.partitions.values()) {
      if (meta.leader === null && meta.replicas.includes(broker)) this.elect(ctx, meta, `${broker} returned`);
    }
  }

  /** KIP-966: a broker back from an unclean shutdown leaves every ELR. */
  private uncleanShutdown(ctx: Context, broker: string): void {
    for (const meta of this.image.partitions.values()) {
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
    for (const meta of this.image.partitions.values()) if (meta.leader === broker) this.elect(ctx, meta, `leader ${broker} restarted`);
  }

  private live(broker: string): boolean {
    return this.image.brokers.get(broker)?.fenced === false;
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
    const meta = this.image.partitions.get(tpKey(request.topic, request.partition));
    if (meta === undefined) return;
    const reply = { type: 'alter-isr-reply', topic: request.topic, partition: request.partition } as const;
    if (meta.leader !== from || meta.leaderEpoch !== request.leaderEpoch || meta.partitionEpoch !== request.partitionEpoch) {
      return this.send(ctx, from, { ...reply, error: 'stale-partition-epoch', state: meta });
    }
    const isr = acceptedIsr(meta, request.isr, (b) => this.live(b));
    const same = isr.length === meta.isr.length && isr.every((b) => meta.isr.includes(b));
    if (!same) this.changeIsr(ctx, meta, { ...withIsr(meta, isr, this.rules(meta.topic)), partitionEpoch: meta.partitionEpoch + 1 }, `proposed by leader ${from}`);
    this.send(ctx, from, { ...reply, state: this.image.partitions.get(tpKey(meta.topic, meta.partition))! });
  }

  /** Stages a decided partition state; `publish` seals this handler's changes as one version. */
  private store(meta: PartitionMeta): void {
    assertPartitionState(meta, 'controller decision');
    this.image.stage(meta, 'controller decision');
    this.changed.push(meta);
  }

  /** The version the brokers have been sent (this handler's staged changes will be the next). */
  private publishedVersion(): number {
    return this.image.version;
  }

  /** Seals this message's partition changes as one new version and pushes them to every broker once committed. */
  private publish(ctx: Context): void {
    if (this.changed.length > 0) {
      const version = this.image.version + 1;
      // The image holds these states since `store` staged them (the last of each partition's).
      for (const meta of this.changed) this.append(ctx, { t: 'partition', meta, version });
      this.image.version = version;
      const update = { type: 'partition-state', version, partitions: this.changed } as const;
      this.changed = [];
      for (const broker of this.config.brokers) this.send(ctx, broker, update, CONTROL_BYTES + 48 * update.partitions.length);
    }
    this.log.flush(ctx, () => this.image.snapshot());
  }

  private send(ctx: Context, to: string, message: ControllerOutbound, bytes = CONTROL_BYTES): void {
    if (this.halted) return;
    this.log.whenCommitted(() => ctx.send(to, message, { bytes }));
  }

  // --- durable state -----------------------------------------------------------------------------

  private createTopics(ctx: Context): void {
    for (const broker of this.config.brokers) {
      this.lastSeenUs.set(broker, ctx.now());
      this.emit(ctx, { t: 'broker', id: broker, fenced: false, incarnation: null });
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

  /**
   * Applies a decision to the image and journals it. If the disk refuses it (full), the controller
   * halts — it ignores every message and timer until restarted — rather than act on a decision it
   * could forget; a `log` record with `op: controller-halted` says so.
   */
  private emit(ctx: Context, record: MetadataRecord): void {
    if (this.halted) return;
    this.image.apply(record);
    this.append(ctx, record);
  }

  private append(ctx: Context, record: MetadataRecord): void {
    if (this.halted || this.log.append(ctx, record)) return;
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

/**
 * A controller quorum's metadata log (KRaft): the controller's metadata records are Raft commands
 * of one group (`<service>-metadata`), replicated by the `RaftNode` each quorum member hosts, and
 * applied, once committed, to the member's committed `MetadataImage`.
 *
 * Leadership, KRaft's way: a member that wins a Raft election first proposes an `activate` record
 * of its own and takes office (the host's `onActivated`) only when that record is applied: by then
 * it has applied every record committed before its term, so its image starts from exactly the
 * committed metadata. It then decides on a working copy of that image, ahead of the commit; losing
 * the leadership (`onDeactivated`) throws the copy away, uncommitted decisions with it.
 *
 * Guarantee: `whenCommitted` releases a callback only once every record proposed before it is
 * committed on a majority (durably: Raft counts fsynced entries), so nothing the active controller
 * tells a broker or client can be lost by a minority of controller failures; a callback queued by a
 * leadership that ends is dropped (its reply may never be true). Every member applies the same
 * records in the same order (the Raft checkers judge this over the trace).
 *
 * How it fails: with no majority of members up and connected there is no active controller: no
 * broker is fenced, no leader elected, no ISR changed, no producer id issued — the data path keeps
 * its current leaders. A record appended while the disk is full is refused (`append` false).
 */
import type { Context, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import { RaftNode, type RaftMessage } from '../../raft/actors/index.ts';
import { MetadataImage, type MetadataRecord, type MetadataSnapshot } from './metadata-image.ts';
import type { MetadataLog } from './metadata-log.ts';

/** Snapshot the committed image every this many applied records (KRaft snapshots by bytes; this is the same idea). */
const SNAPSHOT_RECORDS = 4096;

export interface QuorumHost {
  /** This member took office: `image` is its own copy of the committed metadata. */
  onActivated(ctx: Context, image: MetadataImage, term: number): void;
  /** This member is no longer (or not yet) the active controller. */
  onDeactivated(ctx: Context): void;
}

export interface QuorumSettings {
  readonly group: string;
  readonly voters: readonly string[];
  readonly electionTimeoutUs: Micros;
  readonly fetchTimeoutUs: Micros;
}

export class QuorumMetadataLog implements MetadataLog {
  private readonly committedImage = new MetadataImage();
  private readonly raft: RaftNode<MetadataRecord>;
  /** Callbacks waiting for the index of the last record proposed before them. */
  private waiting: { readonly index: number; readonly then: () => void }[] = [];
  private lastProposed = 0;
  private lastApplied = 0;
  private activation: { readonly index: number; readonly term: number } | null = null;
  private active = false;
  private self = '';
  constructor(
    settings: QuorumSettings,
    private readonly host: QuorumHost,
  ) {
    const image = this.committedImage;
    this.raft = new RaftNode<MetadataRecord>(
      { group: settings.group, voters: settings.voters, electionTimeoutUs: settings.electionTimeoutUs, fetchTimeoutUs: settings.fetchTimeoutUs, snapshotRecords: SNAPSHOT_RECORDS },
      { apply: (record) => image.apply(record), snapshot: () => image.snapshot(), restore: (snapshot) => image.restore(snapshot) },
      {
        onLeader: (ctx, term) => this.onLeader(ctx, term),
        onFollower: (ctx) => this.deactivate(ctx),
        onApplied: (ctx, index, record) => this.onApplied(ctx, index, record),
      },
    );
  }

  /** True while this member is the active controller. */
  get isActive(): boolean {
    return this.active;
  }

  /** The active controller as this member knows it (the Raft leader), if any. */
  get leaderId(): string | undefined {
    return this.raft.leaderId;
  }

  start(ctx: Context): void {
    this.self = ctx.self;
    this.active = false;
    this.activation = null;
    this.waiting = [];
    this.raft.start(ctx);
  }

  handles(message: { readonly type: string }): message is RaftMessage {
    return this.raft.handles(message);
  }

  onMessage(ctx: Context, message: RaftMessage, from: string): void {
    this.raft.onMessage(ctx, message, from);
  }

  handlesTimer(wakeup: Wakeup): boolean {
    return this.raft.handlesTimer(wakeup);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    this.raft.onTimer(ctx, wakeup);
  }

  append(ctx: Context, record: MetadataRecord): boolean {
    assert(this.active, () => `${this.self}: only the active controller appends metadata records, but it is not active`);
    const result = this.raft.propose(ctx, record);
    if (!result.ok) return false;
    this.lastProposed = result.index;
    return true;
  }

  whenCommitted(then: () => void): void {
    if (this.lastProposed <= this.lastApplied) return then();
    this.waiting.push({ index: this.lastProposed, then });
  }

  /** Raft makes its own appends durable; snapshots are taken by the Raft node itself. */
  flush(_ctx: Context, _snapshot: () => MetadataSnapshot): void {}

  private onLeader(ctx: Context, term: number): void {
    const result = this.raft.propose(ctx, { t: 'activate', controller: this.self, term });
    if (result.ok) this.activation = { index: result.index, term };
  }

  private onApplied(ctx: Context, index: number, record: MetadataRecord): void {
    this.lastApplied = index;
    if (this.activation !== null && index === this.activation.index && this.raft.isLeader && this.raft.term === this.activation.term) {
      assert(record.t === 'activate' && record.controller === this.self, () => `${this.self}: the entry at its activation index is its activation record, but it is ${JSON.stringify(record)}`);
      this.activation = null;
      this.active = true;
      this.lastProposed = index;
      this.host.onActivated(ctx, this.committedImage.clone(), record.term);
      return;
    }
    if (this.waiting.length === 0) return;
    const ready = this.waiting.filter((w) => w.index <= index);
    this.waiting = this.waiting.filter((w) => w.index > index);
    for (const w of ready) w.then();
  }

  private deactivate(ctx: Context): void {
    this.activation = null;
    this.waiting = [];
    if (!this.active) return;
    this.active = false;
    this.host.onDeactivated(ctx);
  }
}

/**
 * Checkpoint storage tiers as an operator sees them: save an entry, load the chain for an id.
 *
 * - `node-local`: the operator's own node. Medium `disk`: written and fsynced to the node's disk
 *   (survives a process crash and a power loss once synced); a restore reads it at the
 *   configured read bandwidth. A save is fsynced as it is written, so a checkpoint file the tier
 *   finds not yet on the device as it starts (`Disk.unsynced`) is a save its owner's previous
 *   incarnation began and never saw complete — the process crashed during the save: the tier
 *   deletes it (`ckpt` `abandoned`), which drops what the device had not yet written
 *   (world/disk.ts), as SCR deletes a cached dataset not marked complete when it restarts. On
 *   Linux a save larger than the dirty limit is throttled in write() (`balance_dirty_pages`,
 *   killable), so the crash leaves dirty pages, which the unlink drops; a crash during the final
 *   fsync of a save smaller than the dirty limit (Linux completes that fsync: the file would be
 *   found synced) is not modelled. Without
 *   that the dead process's write ran to its end and the next incarnation's first save queued
 *   behind it (at δ ≥ 2M a 150 s write per failure). The ids of the files deleted are `cutShort`.
 *   After a node crash there is nothing to delete: the power loss took the unsynced save along. Medium `memory`: files on the node's RAM disk (`/dev/shm/`, SCR's
 *   cache): survives a process crash, lost with the node; written and read at RAM speed. (The
 *   world's disk model makes reads free, so the tier charges them itself.)
 * - `site-pfs`, `remote`: a `CheckpointStore` actor reached over the network; the links on the
 *   way and the store's disk set the cost, and the store's node is the failure domain.
 * - `log-topic`: a compacted topic of a log service (`log-topic-tier.ts`); its brokers and their
 *   replication are the failure domain. (A scenario section without a log service — the federated
 *   server's `store` — still runs it as a store actor.)
 *
 * Guarantee: `save` calls `done(true)` only once the entry is as durable as its tier makes it;
 * `load` calls `done` with a whole chain or undefined; `newest` with the id of the newest entry
 * whose chain is whole (or undefined), reading an index rather than the data where the tier has
 * one (node-local: its directory; a store: a `head` request). Requests to a store are re-sent every
 * `requestTimeoutUs` until answered, so a partition or a store crash delays a save or restore
 * but never loses an acknowledged one. `cancel` gives a save up (its global checkpoint aborted): a
 * store stops at the piece it is writing (store.ts); node-local's save is one fsync the device has
 * already taken, and log-topic's has its own abandonment (a failed save), so neither offers it and
 * their saves run to their end.
 *
 * How it breaks, by configuration: node-local `memory` loses every checkpoint when the node
 * crashes — its files live on the node's RAM disk (`RAM_DISK_DIR`), which no fsync or writeback of
 * the operator's other files makes durable — so recovery falls back to the initial state (or,
 * under `multilevel`, to the newest flushed checkpoint); a remote tier across a slow WAN makes
 * saves and restores as slow as that link.
 */
import type { Context, Disconnect, Message, Wakeup } from '../../../kernel/contract/index.ts';
import { RAM_DISK_DIR, SECOND } from '../../../kernel/contract/index.ts';
import { CheckpointCatalog, checkpointFile, keyOfFile, oldestFirst } from './catalog.ts';
import type { NodeLocalMedium, TierName } from './config.ts';
import type { StoredCheckpoint } from './image.ts';
import { CONTROL_BYTES, type Cancel, type FromStore, type Get, type Head, type Put, type Retention } from './messages.ts';

/** RAM-disk copy bandwidth for the `memory` medium, bytes/s. */
export const MEMORY_BANDWIDTH = 5_000_000_000;

export interface TierClient {
  readonly tier: TierName;
  save(ctx: Context, entry: StoredCheckpoint, retention: Retention, done: (ok: boolean) => void): void;
  load(ctx: Context, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void;
  newest(ctx: Context, done: (id: number | undefined) => void): void;
  /**
   * The ids of the saves an earlier incarnation of the owner began and did not see finish, which
   * the tier gave up as it started (node-local `disk`: its files not yet on the device are deleted).
   */
  readonly cutShort?: readonly number[];
  /**
   * Gives up the save of entry `id` if it is still under way (its checkpoint was aborted): its
   * `done` never comes, and the tier stops what it can of the write. False when there is no such
   * save. A tier without it lets every save run to its end.
   */
  cancel?(ctx: Context, id: number): boolean;
  /** Takes a reply to one of its requests in (`from` its sender); false for anything else. */
  onMessage(ctx: Context, message: FromStore | Message, from: string): boolean;
  onTimer(ctx: Context, wakeup: Wakeup): boolean;
  /** The owner's connection to a peer broke (its process died on a live host): fail what is out to it now. */
  disconnected?(ctx: Context, disconnect: Disconnect): void;
}

/** The replies a store sends; a participant routes them to its tiers. */
export const STORE_REPLIES: ReadonlySet<string> = new Set(['ckpt:put-ack', 'ckpt:get-reply', 'ckpt:head-reply']);

/** Requests numbered from a random base, so replies meant for an earlier incarnation never match. */
function requestBase(ctx: Context, tier: string): number {
  return ctx.rng(`ckpt-req:${tier}`).int(1, 2 ** 40);
}

function transferUs(bytes: number, bandwidth: number): number {
  return Math.ceil((bytes * SECOND) / bandwidth);
}

/** The operator's own node: files `<instance>#<id>` in its disk namespace. */
export class NodeLocalTier implements TierClient {
  readonly tier = 'node-local' as const;
  private readonly catalog = new CheckpointCatalog();
  private readonly callbacks = new Map<number, () => void>();
  private nextReq: number;
  /** Where its files are: the RAM disk's directory for `memory`, the device's top for `disk`. */
  private readonly dir: string;
  /** The ids of the saves a previous incarnation left unfinished, which this one deleted as it started. */
  readonly cutShort: readonly number[];

  constructor(
    ctx: Context,
    private readonly key: string,
    private readonly medium: NodeLocalMedium,
    /** How fast a restore reads the `disk` medium, bytes/s. */
    private readonly readBandwidth: number,
  ) {
    this.nextReq = requestBase(ctx, this.tier);
    this.dir = medium === 'memory' ? RAM_DISK_DIR : '';
    const read: { entry: StoredCheckpoint }[] = [];
    const cutShort: number[] = [];
    for (const file of ctx.disk.files()) {
      if (!file.startsWith(this.dir) || keyOfFile(file.slice(this.dir.length)) !== key) continue;
      const entry = ctx.disk.get(file) as StoredCheckpoint | undefined;
      if (entry === undefined) continue;
      // A save is fsynced as it is written: one not yet on the device is a dead incarnation's, cut short.
      if (medium === 'disk' && ctx.disk.unsynced(file)) {
        ctx.disk.delete(file);
        cutShort.push(entry.id);
        ctx.record('ckpt', { op: 'abandoned', key, id: entry.id, tier: this.tier });
      } else read.push({ entry });
    }
    this.cutShort = cutShort;
    for (const { entry } of oldestFirst(read)) this.catalog.add(key, entry, { all: true });
  }

  save(ctx: Context, entry: StoredCheckpoint, retention: Retention, done: (ok: boolean) => void): void {
    if (!ctx.disk.put(this.file(entry.id), entry, entry.bytes)) {
      done(false);
      return;
    }
    for (const id of this.catalog.add(this.key, entry, retention)) ctx.disk.delete(this.file(id));
    const req = this.nextReq++;
    this.callbacks.set(req, () => {
      ctx.record('ckpt', { op: 'stored', key: this.key, id: entry.id, bytes: entry.bytes, totalBytes: this.catalog.totalBytes(), tier: this.tier });
      done(true);
    });
    if (this.medium === 'disk') ctx.disk.fsync({ name: 'ckpt:local-done', data: req });
    else ctx.setTimer(transferUs(entry.bytes, MEMORY_BANDWIDTH), 'ckpt:local-done', req);
  }

  load(ctx: Context, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void {
    const chain = this.catalog.chain(this.key, id);
    const bytes = (chain ?? []).reduce((sum, entry) => sum + entry.bytes, 0);
    const req = this.nextReq++;
    this.callbacks.set(req, () => done(chain));
    ctx.setTimer(transferUs(bytes, this.medium === 'disk' ? this.readBandwidth : MEMORY_BANDWIDTH), 'ckpt:local-done', req);
  }

  private file(id: number): string {
    return `${this.dir}${checkpointFile(this.key, id)}`;
  }

  /** A directory listing of the operator's own node: no time in this model. */
  newest(_ctx: Context, done: (id: number | undefined) => void): void {
    done(this.catalog.chain(this.key, 'latest')?.at(-1)?.id);
  }

  onMessage(): boolean {
    return false;
  }

  onTimer(_ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name !== 'ckpt:local-done') return false;
    const callback = this.callbacks.get(wakeup.data as number);
    this.callbacks.delete(wakeup.data as number);
    callback?.();
    return true;
  }
}

/** A request to a store: what it asks carries a request number, unlike a `cancel`. */
type StoreRequest = Put | Get | Head;

interface Outstanding {
  readonly message: StoreRequest;
  readonly bytes: number;
  readonly onReply: (reply: FromStore) => void;
  attempts: number;
}

/**
 * A request's patience: the base timeout, plus the time its bytes take at a pessimistic 100 MB/s
 * (a large checkpoint must not be re-sent while its first copy is still on the wire), doubled at
 * every retry (so a store that is down is not flooded).
 */
const SLOW_PATH_BANDWIDTH = 100_000_000;
const MAX_BACKOFF = 32;

/** How long the `attempts`-th try of a request carrying (or fetching) `bytes` waits for its answer. */
function patienceUs(timeoutUs: number, bytes: number, attempts: number): number {
  return Math.min(MAX_BACKOFF, 2 ** attempts) * (timeoutUs + transferUs(bytes, SLOW_PATH_BANDWIDTH));
}

/** A `CheckpointStore` actor somewhere on the network. */
export class StoreTier implements TierClient {
  private readonly outstanding = new Map<number, Outstanding>();
  private nextReq: number;

  constructor(
    ctx: Context,
    readonly tier: TierName,
    private readonly store: string,
    private readonly key: string,
    private readonly timeoutUs: number,
  ) {
    this.nextReq = requestBase(ctx, tier);
  }

  save(ctx: Context, entry: StoredCheckpoint, retention: Retention, done: (ok: boolean) => void): void {
    const req = this.nextReq++;
    this.request(ctx, { type: 'ckpt:put', req, key: this.key, entry, retention }, CONTROL_BYTES + entry.bytes, (reply) => {
      if (reply.type === 'ckpt:put-ack') done(reply.ok);
    });
  }

  load(ctx: Context, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void {
    const req = this.nextReq++;
    this.request(ctx, { type: 'ckpt:get', req, key: this.key, id }, CONTROL_BYTES, (reply) => {
      if (reply.type === 'ckpt:get-reply') done(reply.chain);
    });
  }

  newest(ctx: Context, done: (id: number | undefined) => void): void {
    const req = this.nextReq++;
    this.request(ctx, { type: 'ckpt:head', req, key: this.key }, CONTROL_BYTES, (reply) => {
      if (reply.type === 'ckpt:head-reply') done(reply.newest);
    });
  }

  /**
   * Forgets the put (a late acknowledgement of it settles nothing) and tells the store to stop
   * writing it: a store stops at the piece it is writing (store.ts); a lost `cancel` stops nothing.
   */
  cancel(ctx: Context, id: number): boolean {
    for (const [req, { message }] of this.outstanding) {
      if (message.type !== 'ckpt:put' || message.entry.id !== id) continue;
      this.outstanding.delete(req);
      ctx.send<Cancel>(this.store, { type: 'ckpt:cancel', key: this.key, id });
      return true;
    }
    return false;
  }

  onMessage(_ctx: Context, message: FromStore): boolean {
    // A log reply is never ours, whatever its request number.
    if (!STORE_REPLIES.has(message.type)) return false;
    const outstanding = this.outstanding.get(message.req);
    // Another tier's reply, or a late duplicate of one already answered.
    if (outstanding === undefined) return false;
    this.outstanding.delete(message.req);
    outstanding.onReply(message);
    return true;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name !== `ckpt:store-timeout:${this.tier}`) return false;
    const outstanding = this.outstanding.get(wakeup.data as number);
    if (outstanding !== undefined) this.transmit(ctx, wakeup.data as number, outstanding);
    return true;
  }

  private request(ctx: Context, message: StoreRequest, bytes: number, onReply: (reply: FromStore) => void): void {
    const outstanding = { message, bytes, onReply, attempts: 0 };
    this.outstanding.set(message.req, outstanding);
    this.transmit(ctx, message.req, outstanding);
  }

  private transmit(ctx: Context, req: number, outstanding: Outstanding): void {
    ctx.send(this.store, outstanding.message, { bytes: outstanding.bytes });
    ctx.setTimer(patienceUs(this.timeoutUs, outstanding.bytes, outstanding.attempts++), `ckpt:store-timeout:${this.tier}`, req);
  }
}
